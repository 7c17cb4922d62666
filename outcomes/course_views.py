"""Screens of a course's outcome: the patient page's Outcome tab (a partial loaded by htmx),
the printable outcome page, the summary letter (PDF), the physician's review screen and the
physician home's list of reviews due; the front desk's booster candidates and the courses a
review stopped, each with its one-click action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.access import role_required
from clinic.errors import ConflictError
from clinic.forms import refusal_text, run_service
from clinic.roles import DESK
from patients.selectors import patient_for
from scheduling.models import CourseStatus
from scheduling.selectors.scope import courses_for

from .boosters import BOOSTER_READERS, booster_candidates_for
from .charts import outcome_charts
from .course_outcome import course_outcome
from .letters import RECIPIENTS, letter_pdf
from .review_forms import BoosterDateForm, BoosterTimeForm, CourseReviewForm
from .reviews import OUTCOME_READERS, REVIEWERS, reviews_due_for, stopped_with_sessions_booked
from .selectors import course_for
from .services import (
    BOOSTER_BOOKERS,
    booster_book,
    booster_options,
    course_review_record,
    stopped_course_cancel,
)


def _outcome_context(request, course, **extra) -> dict:
    outcome = course_outcome(course)
    return {
        "outcome": outcome,
        "charts": outcome_charts(outcome),
        "course": course,
        "patient": course.patient,
        "may_review": request.user.may(*REVIEWERS),
        **extra,
    }


@role_required(*OUTCOME_READERS)
def patient_outcome(request, pk: int):
    """The patient page's Outcome tab: the chosen course's outcome (``?course=``; the latest
    course by default) and the other courses to choose from."""
    patient = patient_for(request.user, pk)
    courses = list(
        courses_for(request.user)
        .filter(patient=patient)
        .exclude(status=CourseStatus.CANCELLED)
        .order_by("-booked_at", "-pk")
    )
    chosen = next((c for c in courses if str(c.pk) == request.GET.get("course")), None)
    chosen = chosen or (courses[0] if courses else None)
    context = {"patient": patient, "courses": courses, "chosen": chosen}
    if chosen is not None:
        context.update(_outcome_context(request, chosen))
    return render(request, "outcomes/_patient_outcome.html", context)


@role_required(*OUTCOME_READERS)
def course_outcome_page(request, pk: int):
    """One course's outcome on its own page, laid out to print."""
    course = course_for(request.user, pk)
    return render(request, "outcomes/course_outcome.html", _outcome_context(request, course))


@role_required(*OUTCOME_READERS)
def course_letter(request, pk: int):
    """The course summary letter as a PDF: ``?to=patient`` (default; in the patient's
    preferred language) or ``?to=physician`` (English), ``&referrer=`` the referring
    physician's name."""
    course = course_for(request.user, pk)
    to = request.GET.get("to", "patient")
    if to not in RECIPIENTS:
        return HttpResponse("to: patient or physician.", status=400, content_type="text/plain")
    pdf = letter_pdf(course, to=to, referrer=request.GET.get("referrer", ""))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"course-{course.pk}-summary-{to}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@role_required(*REVIEWERS)
def course_review(request, pk: int):
    """The outcome so far on one screen and the physician's decision."""
    course = course_for(request.user, pk)
    form = CourseReviewForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _, status = run_service(
            form,
            lambda: course_review_record(
                course=course, decision=data["decision"], reason=data["reason"],
                new_protocol=data["new_protocol"], by=request.user,
            ),
        )  # fmt: skip
        if not form.errors:
            messages.success(request, "The review is recorded.")
            return redirect("outcomes:course_review", pk=course.pk)
    context = _outcome_context(request, course, form=form, reviewing=True)
    return render(request, "outcomes/course_review.html", context, status=status)


@role_required(*REVIEWERS)
def reviews_due(request):
    """The courses whose review is due: the physician home's card (loaded by htmx), or a page
    of its own (the "work waiting" count links here)."""
    template = "outcomes/_reviews_due.html" if request.htmx else "outcomes/reviews_due.html"
    return render(request, template, {"due": reviews_due_for(request.user)})


@role_required(*BOOSTER_READERS)
def boosters(request):
    """The front desk's outcome work: booster candidates to call and book, and the courses a
    physician's review stopped whose sessions are still booked."""
    context = {
        "candidates": booster_candidates_for(request.user).select_related("patient"),
        "stopped": stopped_with_sessions_booked(request.user),
        "may_book": request.user.may(*BOOSTER_BOOKERS),
    }
    return render(request, "outcomes/boosters.html", context)


def _act(request, call, done: str):
    try:
        call()
    except (ValidationError, ConflictError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, done)
    return redirect("outcomes:boosters")


@role_required(*BOOSTER_READERS)
def booster_options_view(request, pk: int):
    """A candidate's free times for a booster, each a one-click booking, and a date to look
    from (``?date=``): the booster list's row loads it by htmx; a page of its own without."""
    course = course_for(request.user, pk)
    form = BoosterDateForm(request.GET or None)
    from_date = form.cleaned_data["date"] if form.is_valid() else None
    try:
        options, problems = booster_options(course=course, user=request.user, from_date=from_date)
    except ValidationError as error:
        options, problems = [], [refusal_text(error)]
    context = {
        "course": course, "patient": course.patient, "options": options,
        "problems": problems, "date_form": form if form.is_bound else BoosterDateForm(),
        "may_book": request.user.may(*BOOSTER_BOOKERS),
    }  # fmt: skip
    template = "outcomes/_booster_options.html" if request.htmx else "outcomes/booster_options.html"
    return render(request, template, context)


@role_required(*DESK)
@require_POST
def booster_book_view(request, pk: int):
    """Book the booster at the chosen time (``starts_at``, ``chair``, ``nurse`` of one of the
    offered times), or the planner's first free time when none is posted."""
    course = course_for(request.user, pk)
    form = BoosterTimeForm(request.POST, location=course.location)
    if not form.is_valid():
        messages.error(request, "Choose one of the offered times; nothing was booked.")
        return redirect("outcomes:boosters")
    return _act(
        request,
        lambda: booster_book(course=course, booked_by=request.user, **form.chosen()),
        f"A booster infusion is booked for {course.patient.display_name}.",
    )


@role_required(*DESK)
@require_POST
def stopped_course_cancel_view(request, pk: int):
    course = course_for(request.user, pk)
    return _act(
        request,
        lambda: stopped_course_cancel(course=course, by=request.user),
        f"The remaining sessions of {course.patient.display_name}'s course are cancelled.",
    )
