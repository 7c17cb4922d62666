# ruff: noqa: S311 - random picks the load mix, nothing secret
"""The endpoints `make bench-load` drives, by role (run by locust; targets from __main__).

Each user is signed in as its role through a session made by ``__main__`` (a cookie) or, for
the API, a token. Requests carry ``X-Forwarded-Proto: https`` as the load balancer's do.
"""

import json
import os
import random
from collections import defaultdict

from locust import HttpUser, between, events, task

TARGETS = json.loads(open(os.environ["BENCH_LOAD_TARGETS"]).read())  # noqa: SIM115
QUERIES: dict[str, list[int]] = defaultdict(list)
# Patients the front desk books for, each taken by one user at a time (locust's users share
# this process), so two users never book for the same patient at once.
BOOKABLE: list[int] = random.sample(TARGETS["booking"]["patients"],
                                    len(TARGETS["booking"]["patients"]))  # fmt: skip
PREFERRED_TIMES = ["08:00", "09:30", "11:00", "12:30", "14:00", "15:30"]


@events.request.add_listener
def count_queries(name, response=None, exception=None, **kwargs):
    if response is not None and exception is None:
        value = response.headers.get("X-Bench-Queries")
        if value is not None:
            QUERIES[name].append(int(value))


@events.quitting.add_listener
def write_queries(environment, **kwargs):
    path = os.environ.get("BENCH_LOAD_QUERIES")
    if path:
        with open(path, "w") as out:
            json.dump(QUERIES, out)


class Staff(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.05, 0.2)

    def on_start(self):
        signed_in = TARGETS["roles"][self.role]
        self.page_headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": f"{TARGETS['cookie_name']}={signed_in['cookie']}",
        }
        self.api_headers = {
            "X-Forwarded-Proto": "https",
            "Authorization": f"Token {signed_in['token']}",
        }

    def page(self, name: str, path: str):
        with self.client.get(path, headers=self.page_headers, name=name, catch_response=True,
                             allow_redirects=False) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    def api(self, name: str, path: str, body=None, expected=(200,), taken: str = ""):
        """The API's response (None when it failed). With ``taken``, a 409 (what was
        asked for was taken by another user meanwhile) is expected: it is counted under
        that name, not as a failure."""
        method = self.client.post if body is not None else self.client.get
        with method(path, json=body, headers=self.api_headers, name=name,
                     catch_response=True) as response:  # fmt: skip
            if taken and response.status_code == 409:
                response.request_meta["name"] = taken
                response.success()
                return None
            if response.status_code not in expected:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response

    @task(2)
    def floor(self):
        self.page("floor", "/bench/floor/")


class FrontDesk(Staff):
    role = "front_desk"
    weight = 3

    @task(3)
    def day_board(self):
        self.page("day board", f"/scheduling/board/?location={TARGETS['location']}"
                               f"&date={TARGETS['day']}")  # fmt: skip

    @task
    def week(self):
        self.page("week view", f"/scheduling/board/week/?location={TARGETS['location']}"
                               f"&date={TARGETS['day']}")  # fmt: skip

    @task(2)
    def search_name(self):
        self.page("search: name prefix", f"/patients/search/?q={random.choice(TARGETS['names'])}")

    @task
    def search_mrn(self):
        self.page("search: MRN", f"/patients/search/?q={random.choice(TARGETS['mrns'])}")

    @task
    def search_phone(self):
        self.page("search: phone", f"/patients/search/?q={random.choice(TARGETS['phones'])}")

    @task(2)
    def patient_page(self):
        self.page("patient page", f"/patients/{random.choice(TARGETS['patients'])}/")

    @task(2)
    def patient_tab(self):
        tab = random.choice(TARGETS["desk_tabs"])
        self.page(f"patient tab: {tab}",
                  f"/patients/{random.choice(TARGETS['patients'])}/?tab={tab}")  # fmt: skip

    @task
    def planner_proposal(self):
        self.api("planner proposal (API, busy site)", "/api/v1/courses/propose/",
                 random.choice(TARGETS["proposals"]))  # fmt: skip

    @task
    def api_lists(self):
        name = random.choice(["patients", "appointments", "courses"])
        self.api(f"API list: {name}", f"/api/v1/{name}/")

    @task
    def book_and_cancel(self):
        """A course proposed, booked and its rest cancelled for a patient between courses
        (each held by one user at a time), so the run does not fill the site."""
        if not BOOKABLE:
            return
        patient = BOOKABLE.pop()
        try:
            self.book_and_cancel_for(patient)
        finally:
            BOOKABLE.insert(0, patient)

    def book_and_cancel_for(self, patient: int):
        booking = TARGETS["booking"]
        wish = {
            "patient": patient, "protocol": booking["protocol"],
            "location": booking["location"], "start_date": random.choice(booking["start_dates"]),
            "weekdays": [0, 1, 2, 3, 4, 5], "preferred_time": random.choice(PREFERRED_TIMES),
            "sessions_per_week": 3, "planned_infusions": 8,
        }  # fmt: skip
        proposal = self.api("course booking: proposal (API)", "/api/v1/courses/propose/", wish)
        if proposal is None:
            return
        proposal = proposal.json()
        if proposal["blockers"] or len(proposal["sessions"]) < 8:
            self.environment.events.request.fire(
                request_type="POST", name="course booking: no whole course proposed",
                response_time=0, response_length=0, response=None, context={},
                exception=Exception("; ".join(proposal["blockers"] + proposal["problems"])),
            )  # fmt: skip
            return
        course = self.api("course booking (API)", "/api/v1/courses/", {
            "patient": patient, "protocol": booking["protocol"], "location": booking["location"],
            "planned_infusions": 8,
            "sessions": [{key: session[key] for key in ("starts_at", "chair", "nurse")}
                         for session in proposal["sessions"]],
        }, expected=(201,), taken="course booking (API): 409, slot taken meanwhile")  # fmt: skip
        if course is None:
            return
        self.api("course cancel-the-rest (API)",
                 f"/api/v1/courses/{course.json()['id']}/cancel-remaining/",
                 {"reason": "Load benchmark: booked to measure booking"})  # fmt: skip


class Nurse(Staff):
    role = "nurse"
    weight = 2

    @task(3)
    def nurse_board(self):
        self.page("nurse board", "/infusions/nurse/")

    @task(3)
    def chair(self):
        pk = random.choice(TARGETS["chair_appointments"])
        self.page("chair screen", f"/infusions/appointments/{pk}/chair/")

    @task
    def clinical_tab(self):
        tab = random.choice(TARGETS["clinical_tabs"])
        self.page(f"patient tab: {tab}",
                  f"/patients/{random.choice(TARGETS['patients'])}/?tab={tab}")  # fmt: skip

    @task(2)
    def vitals(self):
        """A vitals set on a running infusion (append-only: each one adds a reading)."""
        if not TARGETS["live_records"]:
            return
        self.api("vitals reading (API, live visit)", "/api/v1/infusion-vitals/", {
            "record": random.choice(TARGETS["live_records"]),
            "systolic_mmhg": random.randint(112, 132), "diastolic_mmhg": random.randint(70, 84),
            "pulse_bpm": random.randint(64, 84), "spo2_percent": random.randint(96, 99),
            "respiratory_rate_per_min": random.randint(12, 18),
        }, expected=(201,))  # fmt: skip


class Admin(Staff):
    role = "clinic_admin"
    weight = 1

    @task
    def drug_log(self):
        # A month, as the monthly reconciliation downloads it (the whole five years of a
        # site, 200,000 rows, is timed by bench.pages).
        self.page("drug-log report (CSV, a month)", f"/infusions/drug-log/report.csv?"
                  f"location={TARGETS['location']}&start={TARGETS['month_start']}"
                  f"&end={TARGETS['day']}")  # fmt: skip

    @task
    def access_log(self):
        self.page("access-log report",
                  f"/audit/patients/{random.choice(TARGETS['patients'])}/access/")  # fmt: skip

    @task
    def reports(self):
        self.page("reports dashboard", "/reports/")

    @task(2)
    def report_page(self):
        name = random.choice(TARGETS["reports"])
        self.page(f"report: {name}", f"/reports/{name}/")

    @task(2)
    def report_api(self):
        name = random.choice(TARGETS["reports"])
        self.api(f"API report: {name}", f"/api/v1/reports/{name}/")

    @task
    def fhir_patient(self):
        self.fhir(
            "FHIR: Patient read", f"/fhir/r4/Patient/{random.choice(TARGETS['fhir_patients'])}"
        )

    @task
    def fhir_observations(self):
        self.fhir(
            "FHIR: Observation search by patient",
            f"/fhir/r4/Observation?patient={random.choice(TARGETS['fhir_patients'])}",
        )

    @task
    def fhir_everything(self):
        self.fhir(
            "FHIR: Patient/$everything",
            f"/fhir/r4/Patient/{random.choice(TARGETS['fhir_patients'])}/$everything",
        )

    def fhir(self, name: str, path: str):
        headers = {**self.api_headers, "Accept": "application/fhir+json"}
        with self.client.get(path, headers=headers, name=name,
                             catch_response=True) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
