"""What every scheduling screen shares: who may do what, and the scoped lookups."""

import datetime

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

import patients.selectors
from clinic.models import User
from clinic.roles import DESK

from ..selectors.scope import appointments_for, courses_for

BOOKERS = DESK
CONFLICT = 409


def posted(request):
    return request.POST if request.method == "POST" else None


def patient_for(user: User, pk: int):
    return patients.selectors.patient_for(user, pk)


def appointment_for(user: User, pk: int):
    return get_object_or_404(appointments_for(user), pk=pk)


def course_for(user: User, pk: int):
    return get_object_or_404(courses_for(user), pk=pk)


def parse_day(text: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text) if text else default
    except ValueError:
        return default


def to_courses_tab(patient):
    return redirect(reverse("patients:detail", args=[patient.pk]) + "?tab=courses")
