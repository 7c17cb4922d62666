"""The chair screen: one infusion from check-in to discharge on a nurse's tablet.

Every form posts to one small view that calls one service. With htmx the answer is the chair
panel partial (swapped in place, typed values kept on an error); without it, a redirect (or
the page with the errors). Lookups go through ``selectors.chart.record_for`` (site scoping).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.access import role_required
from clinic.forms import add_service_errors, refusal_text
from clinic.models import User
from clinic.roles import CLINICAL, CLINICAL_READERS, Role
from scheduling.forms import LOCAL_INPUT
from scheduling.hooks import infusion_gate_reasons, notices_for_check_in
from scheduling.services import appointment_check_in_undo, check_in_day_problem

from .. import services
from ..forms.chair import (
    AcknowledgeForm,
    AcknowledgementCorrectionForm,
    CheckInForm,
    CompleteForm,
    CorrectionForm,
    DischargeCorrectionForm,
    DischargeEntryForm,
    DoseGivenForm,
    EarlyStopReviewForm,
    EscortArrivedForm,
    NoInputForm,
    NotGivenForm,
    ReasonForm,
    RecoveryForm,
    SideEffectForm,
    StopForm,
    VitalsForm,
)
from ..models import (
    AckAction,
    AlertAcknowledgement,
    Consciousness,
    DoseOrder,
    InfusionRecord,
    InfusionStatus,
    ScoreType,
    Severity,
    SideEffect,
)
from ..scoring import DISCHARGE_ITEMS
from ..selectors.chart import ACKS, chart, print_chart, record_for, records_for
from ..selectors.orders import active_order, appointment_for, may_see_dose
from ..selectors.timing import chair_timing
from ..services import draw_problems, infusion_check_in_full, infusion_may_start

CHARTERS = CLINICAL


def _physicians(appointment):
    return User.objects.filter(
        is_active=True, groups__name=Role.PHYSICIAN.label, locations=appointment.location
    ).distinct()


def _score_items(discharge, kind_of_version: str) -> list:
    """(kind, label, [(item, item label, [(value, checked)])]) for the discharge score form
    of the version's score, checked as in ``discharge`` (the entry a correction starts from)
    when given."""
    given = discharge.item_scores if discharge is not None else {}
    return [
        (kind, label, [
            (item, item.replace("_", " ").capitalize(),
             [(n, discharge is not None and discharge.score_type == kind and given.get(item) == n)
              for n in (0, 1, 2)])
            for item in DISCHARGE_ITEMS[kind]
        ])
        for kind, label in ScoreType.choices
        if kind == kind_of_version
    ]  # fmt: skip


# The statuses whose chair panel offers "Start infusion" (with the reasons not to, if any).
BEFORE_START = (InfusionStatus.PRE_ASSESSMENT, InfusionStatus.READY)


def _start_blockers(record: InfusionRecord, order: DoseOrder | None) -> list[str]:
    if record.status not in BEFORE_START:
        return []
    if order is None:
        return ["No dose order yet.", *infusion_gate_reasons(record.appointment)]
    return infusion_may_start(order)


# The banner's names for the fields a refusal names, where the field's own name would puzzle.
FIELD_NAMES = {"at": "when it happened", "taken_at": "when it was taken"}


def _context(record: InfusionRecord, user: User, **extra) -> dict:
    appointment = record.appointment
    location = appointment.location
    visit_day = location.date_of(appointment.starts_at)
    order = active_order(appointment)
    errors = extra.get("errors", {})
    charted = chart(record)
    version = record.protocol_version
    return {
        **charted,
        "appointment": appointment,
        "patient": appointment.patient,
        "version": record.protocol_version,
        "order": order,
        "show_dose": bool(order and may_see_dose(user, order)),
        # Asked only before the start, the one time the screen shows them (a running or
        # finished infusion's screen was a dozen queries of start checks nobody saw).
        "start_blockers": _start_blockers(record, order),
        "draw_missing": bool(order and record.status in BEFORE_START and draw_problems(order)),
        "error_list": [
            (FIELD_NAMES.get(name, name.replace("_", " ")) if name != "__all__" else "", messages)
            for name, messages in errors.items()
        ],
        # A step charted late (templates/infusions/_late_entry.html): open on the chart of
        # an earlier day's visit, never before the check-in.
        "visit_day": visit_day,
        "earlier_day": visit_day < location.today(),
        "late_min": location.local(record.checked_in_at).strftime(LOCAL_INPUT),
        "consciousness_choices": Consciousness.choices,
        "side_effect_choices": SideEffect.choices,
        "severity_choices": Severity.choices,
        "ack_choices": AckAction.choices,
        "score_types": [c for c in ScoreType.choices if c[0] == version.discharge_score_type],
        "discharge_items": _score_items(None, version.discharge_score_type),
        "correction_items": _score_items(charted["discharge"], version.discharge_score_type),
        **chair_timing(record, user, charted["due_at"]),
        "physicians": _physicians(appointment),
        "errors": {},
        "posted": {},
        **extra,
    }


@role_required(*CLINICAL_READERS)
def chair(request, pk):
    """The chair screen of an appointment (pk: appointment); a check-in button until then."""
    appointment = appointment_for(request.user, pk)
    record = records_for(request.user).filter(appointment=appointment).first()
    if record is None or record.status == InfusionStatus.CHECK_IN_UNDONE:
        return _check_in_page(request, appointment, CheckInForm(appointment=appointment))
    return render(request, "infusions/chair.html", _context(record, request.user))


@role_required(*CLINICAL_READERS)
def record_print(request, pk):
    """The printable infusion record of an appointment (pk: appointment), site-scoped."""
    appointment = appointment_for(request.user, pk)
    record = InfusionRecord.objects.filter(appointment=appointment).first()
    if record is None:
        raise Http404("This visit has no infusion record yet.")
    record = record_for(request.user, record.pk)
    orders = DoseOrder.objects.with_status().for_screens()
    order = orders.filter(pk=record.order_id).first() if record.order_id else None
    order = order or active_order(appointment)
    context = {
        **print_chart(record),
        **chair_timing(record, request.user),
        "appointment": appointment,
        "patient": appointment.patient,
        "version": record.protocol_version,
        "order": order,
        "show_dose": bool(order and may_see_dose(request.user, order)),
    }
    return render(request, "infusions/record_print.html", context)


def _check_in_page(request, appointment, form, status=200):
    context = {
        "appointment": appointment, "patient": appointment.patient, "form": form,
        "wrong_day": check_in_day_problem(appointment),
        "notices": notices_for_check_in(appointment),
    }  # fmt: skip
    return render(request, "infusions/chair_check_in.html", context, status=status)


@role_required(*CHARTERS)  # outermost: an anonymous visitor is sent to login, not told 405
@require_POST
def chair_check_in(request, pk):
    """The whole check-in in one form: escort, today's weight, pain, comfort; all or nothing."""
    appointment = appointment_for(request.user, pk)
    form = CheckInForm(request.POST, appointment=appointment)
    if not form.is_valid():
        return _check_in_page(request, appointment, form, status=400)
    try:
        with transaction.atomic():
            infusion_check_in_full(
                appointment=appointment, by=request.user, **form.service_kwargs()
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return _check_in_page(request, appointment, form, status=400)
    return redirect("infusions:chair", pk)


@role_required(*CLINICAL_READERS)
def chair_alerts(request, pk):
    """The open-alert banner of a record (pk: record), polled by the chair screen."""
    record = record_for(request.user, pk)
    alerts = record.alerts.select_related("reading").prefetch_related(ACKS, "breaches")
    context = {
        "record": record,
        "open_alerts": [alert for alert in alerts if alert.acknowledgement is None],
        "physicians": _physicians(record.appointment),
    }
    return render(request, "infusions/_chair_alert_banner.html", context)


def _respond(request, record: InfusionRecord, error: ValidationError | None = None):
    record = record_for(request.user, record.pk)
    if error is None and not request.htmx:
        return redirect("infusions:chair", record.appointment_id)
    errors, posted = {}, {}
    if error is not None:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        posted = request.POST
    context = _context(record, request.user, errors=errors, posted=posted)
    template = "infusions/_chair_panel.html" if request.htmx else "infusions/chair.html"
    response = render(request, template, context, status=200 if request.htmx or not error else 400)
    if error is None:
        # The chair screen's draft keeper (chair.js) forgets what was typed into a form only
        # when this header says it was saved.
        response["X-Chair-Saved"] = "1"
    return response


def _charting(form_class, roles=CHARTERS):
    """A chair step: a POST view that reads its input through ``form_class`` and makes one
    service call, ``step(request, record, form)``; a refusal shows on the chair panel."""

    def wrap(step):
        @role_required(*roles)
        @require_POST
        def view(request, pk):
            record = record_for(request.user, pk)
            form = form_class(request.POST)
            try:
                if not form.is_valid():
                    raise ValidationError(form.errors.as_data())
                step(request, record, form)
            except ValidationError as error:
                return _respond(request, record, error)
            return _respond(request, record)

        view.__name__ = step.__name__
        view.__doc__ = step.__doc__
        return view

    return wrap


def _site(record: InfusionRecord):
    return record.appointment.location


@_charting(VitalsForm)
def vitals(request, record, form):
    services.vitals_record(
        record=record, taken_by=request.user, **form.service_kwargs(_site(record))
    )


@_charting(NoInputForm)
def start(request, record, form):
    services.infusion_start(record=record, by=request.user)


@_charting(ReasonForm)
def pause(request, record, form):
    services.infusion_pause(record=record, by=request.user, reason=form.cleaned_data["reason"])


@_charting(ReasonForm)
def resume(request, record, form):
    reason = form.cleaned_data["reason"] or "Resumed after review"
    services.infusion_resume(record=record, by=request.user, reason=reason)


@_charting(StopForm)
def stop(request, record, form):
    services.infusion_stop(
        record=record, by=request.user, reason=form.cleaned_data["reason"],
        **form.late_entry(_site(record)),
    )  # fmt: skip


@_charting(SideEffectForm)
def side_effect(request, record, form):
    services.side_effect_record(record=record, by=request.user, **form.service_kwargs())


@_charting(CompleteForm)
def complete(request, record, form):
    services.infusion_complete(
        record=record, by=request.user, administered_mg=form.cleaned_data["administered_mg"],
        **form.late_entry(_site(record)),
    )  # fmt: skip


@_charting(DoseGivenForm)
def stopped_dose(request, record, form):
    services.infusion_record_stopped_dose(
        record=record, by=request.user, administered_mg=form.cleaned_data["administered_mg"]
    )


@_charting(RecoveryForm)
def recovery(request, record, form):
    services.infusion_recovery(record=record, by=request.user, **form.late_entry(_site(record)))


@_charting(ReasonForm, roles=(Role.PHYSICIAN,))
def discharge_override(request, record, form):
    services.discharge_override_record(
        record=record, by=request.user, reason=form.cleaned_data["reason"]
    )


@role_required(Role.PHYSICIAN)
@require_POST
def early_stop_reviewed(request, pk):
    """From the physician's home: an early stop seen (pk: record)."""
    record = record_for(request.user, pk)
    form = EarlyStopReviewForm(request.POST)
    form.is_valid()  # text only: always valid
    try:
        services.early_stop_review(record=record, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    return redirect("infusions:physician_home")


def _physician(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk).first() if pk is not None else None


@_charting(AcknowledgeForm)
def acknowledge(request, record, form):
    data = form.cleaned_data
    alert = record.alerts.filter(pk=data["alert"]).first() if data["alert"] else None
    if alert is None:
        raise ValidationError({"alert": "Choose the alert to acknowledge."})
    services.alert_acknowledge(
        alert=alert, by=request.user, action=data["action"], note=data["note"],
        physician=_physician(data["physician"]),
    )  # fmt: skip


@_charting(CorrectionForm)
def correct(request, record, form):
    kind, pk = form.target()
    target = {"vitals": record.vitals, "event": record.events}.get(kind)
    entry = target.filter(pk=pk).first() if target is not None and pk is not None else None
    if entry is None:
        raise ValidationError({"entry": "Choose the entry to correct."})
    services.correction_record(
        record=record, by=request.user, reason=form.cleaned_data["reason"], **{kind: entry}
    )


@_charting(DischargeEntryForm)
def discharge(request, record, form):
    services.discharge_record(
        record=record, by=request.user, **form.assessment(), **form.late_entry(_site(record))
    )


@_charting(DischargeCorrectionForm)
def correct_discharge(request, record, form):
    pk = form.cleaned_data["discharge"]
    entry = record.discharges.filter(pk=pk).first() if pk is not None else None
    if entry is None:
        raise ValidationError({"discharge": "Choose the discharge entry to correct."})
    services.discharge_correct(
        discharge=entry, by=request.user, reason=form.cleaned_data["reason"],
        **form.assessment(),
    )  # fmt: skip


@_charting(AcknowledgementCorrectionForm)
def correct_acknowledgement(request, record, form):
    data = form.cleaned_data
    pk = data["acknowledgement"]
    ack = (
        AlertAcknowledgement.objects.filter(alert__record=record, pk=pk).first()
        if pk is not None
        else None
    )
    if ack is None:
        raise ValidationError({"acknowledgement": "Choose the acknowledgement to correct."})
    services.acknowledgement_correct(
        acknowledgement=ack, by=request.user, reason=data["reason"], action=data["action"],
        note=data["note"], physician=_physician(data["physician"]),
    )  # fmt: skip


@_charting(EscortArrivedForm)
def escort_arrived(request, record, form):
    services.escort_arrived(
        record=record, by=request.user, name=form.cleaned_data["escort_name"],
        phone=form.cleaned_data["escort_phone"],
    )  # fmt: skip


@_charting(ReasonForm)
def undo_check_in(request, record, form):
    appointment_check_in_undo(
        appointment=record.appointment, changed_by=request.user,
        reason=form.cleaned_data["reason"],
    )  # fmt: skip


@_charting(NotGivenForm)
def not_given(request, record, form):
    services.infusion_not_given(
        record=record, by=request.user, reason=form.cleaned_data["reason"],
        **form.late_entry(_site(record)),
    )  # fmt: skip
