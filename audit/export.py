"""The right-of-access export: everything on file about one patient, as plain data.

Every model of patients, scheduling, infusions and waitlist that leads to a patient
(``patient_path``) is a section, so a model added later is exported without a change here.
One query per section, one for the staff names. Secrets (calendar tokens, link tokens) are left out.

A row shared by several patients follows its own patient's link, not the first chain found
(``OWN_PATHS``): a waitlist offer and its history belong to the patients it was offered to,
never to the patient whose cancelled session it offers (their export would otherwise hold
the other patients' answers).
"""

import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from clinic.models import User

from .reads import patient_path

APPS = ("patients", "scheduling", "infusions", "waitlist")
SECRET_FIELDS = {"token", "token_hash", "secret"}
OWN_PATHS = {
    "waitlist.WaitlistOffer": "recipients__patient",
    "waitlist.OfferStatusChange": "recipient__patient",  # offer-level rows: nobody's own
}


def record_models() -> list[tuple[type[models.Model], str]]:
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            path = OWN_PATHS.get(model._meta.label) or patient_path(model)
            if path is not None:
                found.append((model, path))
    return found


def _fields(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field.name not in SECRET_FIELDS]


def patient_record(patient) -> dict:
    """``{"exported_at", "patient": {...}, "sections": [{"model", "title", "rows"}]}``."""
    sections, staff_ids = [], set()
    for model, path in record_models():
        fields = _fields(model)
        staff = [f.attname for f in fields if f.is_relation and f.related_model is User]
        rows = list(
            model._base_manager.filter(**{path: patient.pk})
            .order_by("pk")
            .values(*[f.attname for f in fields])
            .distinct()  # an offer reached through two of the patient's entries: once
        )
        for row in rows:
            staff_ids.update(row[name] for name in staff if row[name])
        title = str(model._meta.verbose_name_plural)
        sections.append({"model": model._meta.label, "title": title[:1].upper() + title[1:],
                         "rows": rows, "staff": staff})  # fmt: skip
    names = {user.pk: f"{user} ({user.username})" for user in User.objects.filter(pk__in=staff_ids)}
    for section in sections:
        # Staff ids become names, so the record reads on its own.
        for name in section.pop("staff"):
            for row in section["rows"]:
                row[name.removesuffix("_id")] = names.get(row.pop(name))
    registration = next(s for s in sections if s["model"] == "patients.Patient")
    return {
        "exported_at": timezone.now(),
        "patient": registration["rows"][0],
        "sections": [s for s in sections if s["model"] != "patients.Patient"],
    }


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)  # phone numbers and the like


def as_json(record: dict) -> str:
    return json.dumps(record, cls=_Encoder, indent=2)
