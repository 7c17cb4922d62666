"""The reports, each a function of a checked ``Scope`` answering a ``Report`` in a fixed
number of queries, whatever the range or the data:

- ``utilization``: chair-minutes open, booked and used; per day and hour of the week;
- ``attendance``: no-show and late-cancellation rates;
- ``leads``: consultation requests to first infusion by source, and waitlist fills;
- ``courses``: courses completed and abandoned, infusions per course, responders;
- ``safety``: alerts and side effects per 100 infusions;
- ``reminders``: reminder delivery and escort confirmation.
"""

from collections.abc import Callable

from ..results import Report
from ..scope import Scope
from .attendance import attendance
from .courses import courses
from .leads import leads
from .reminders import reminders
from .safety import safety
from .utilization import utilization

REPORTS: dict[str, Callable[[Scope], Report]] = {
    "utilization": utilization,
    "attendance": attendance,
    "leads": leads,
    "courses": courses,
    "safety": safety,
    "reminders": reminders,
}


def all_reports(scope: Scope) -> list[Report]:
    return [build(scope) for build in REPORTS.values()]
