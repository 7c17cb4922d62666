"""The dose panel (order, sign, blind double-check, drug draw and account) and the
physician's signing queue. Every write is a service call; every lookup goes through a
``*_for(user, pk)`` selector (role and site scoping)."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinic.access import role_required
from clinic.forms import run_service
from clinic.roles import CLINICAL_READERS, Role
from clinic.two_factor import services as two_factor

from .. import services
from ..forms.druglog import AccountForm, DrawForm
from ..forms.orders import DoseCheckForm, DoseOrderForm, ReasonForm, SignForm
from ..models import EntryKind
from ..selectors import druglog, orders

# --- Dose panel ---------------------------------------------------------------------------


def _uses_code(user) -> bool:
    """The signer confirms with a code (has or must have an authenticator) or a password."""
    return two_factor.is_required_for(user) or two_factor.has_device(user)


def _panel_context(request, appointment, course_version=None, **forms) -> dict:
    """``course_version``: the course protocol's current version when the caller has just
    read it (the order form posted back), so it is not read again."""
    user = request.user
    order = orders.active_order(appointment)
    course_protocol = appointment.course.protocol_in_force if appointment.course_id else None
    if order:
        version = order.protocol_version
    elif course_version is not None:
        version = course_version
    else:
        version = course_protocol.current_version if course_protocol else None
    context = {
        "appointment": appointment, "patient": appointment.patient, "order": order,
        "version": version, "is_physician": user.may(Role.PHYSICIAN),
        "is_nurse": user.may(Role.NURSE),
        "history": appointment.dose_orders.with_status().exclude(pk=getattr(order, "pk", None)),
    }  # fmt: skip
    if order is None and version is not None and user.may(*services.ORDER_WRITERS):
        weights = appointment.patient.weights.filter(
            pk__in=[w.pk for w in orders.usable_weights(appointment, version)]
        )
        context["order_form"] = forms.get("order_form") or DoseOrderForm(
            weights=weights, version=version, physician=context["is_physician"]
        )
    if order is not None:
        state = services.double_check_state(order)
        checks = list(order.checks.all())
        mine = next((c for c in checks if c.nurse_id == user.pk), None)
        context.update(
            may_see=orders.may_see_dose(user, order), check_state=state, checks=checks,
            my_check=mine, reasons=services.infusion_may_start(order),
            can_check=user.may(Role.NURSE) and mine is None and state in ("none", "partial"),
            can_sign=order.status == "unsigned" and (
                context["is_physician"]
                or (context["is_nurse"] and order.protocol_version.standing_order)
            ),
            drawn=[e for e in order.drug_log.all() if e.kind == EntryKind.DRAWN],
            accounted=[e for e in order.drug_log.all() if e.kind != EntryKind.DRAWN],
        )  # fmt: skip
        context.setdefault("check_form", forms.get("check_form") or DoseCheckForm())
        context["sign_form"] = forms.get("sign_form") or SignForm(uses_code=_uses_code(user))
        context["cancel_form"] = forms.get("cancel_form") or ReasonForm()
        if user.may(*services.HANDLERS) and not context["accounted"]:
            # In date on the visit's day (in the site's zone) and today, whichever is later.
            in_date_on = max(timezone.localdate(), services.visit_day(order))
            lots = druglog.lots_for(user).filter(
                location=appointment.location, concentration_mg_per_ml=order.vial_mg_per_ml,
                expires_on__gte=in_date_on, balance_mg__gt=0,
            )  # fmt: skip
            context["draw_form"] = forms.get("draw_form") or DrawForm(lots=lots)
            context["visit_day"] = services.visit_day(order)
            if context["drawn"]:
                context["account_form"] = forms.get("account_form") or AccountForm(
                    location=appointment.location, user=user
                )
    return context


def _panel(request, appointment, status=200, course_version=None, **forms):
    context = _panel_context(request, appointment, course_version, **forms)
    return render(request, "infusions/dose_panel.html", context, status=status)


def _to_panel(order_or_appointment_pk):
    return redirect(reverse("infusions:dose_panel", args=[order_or_appointment_pk]))


@role_required(*CLINICAL_READERS)
def dose_panel(request, pk):
    return _panel(request, orders.appointment_for(request.user, pk))


def _service_form_post(request, appointment, form_name, form, call, success, course_version=None):
    """Validate ``form``, call the service, and either redirect with ``success`` or show the
    panel again with the service's errors on the form (nothing saved)."""
    if form.is_valid():
        warning, _ = run_service(form, lambda: call(form.cleaned_data))
        if not form.errors:
            if warning:
                messages.error(request, warning)
            else:
                messages.success(request, success)
            return _to_panel(appointment.pk)
    return _panel(
        request, appointment, status=400, course_version=course_version, **{form_name: form}
    )


@role_required(*services.ORDER_WRITERS)
@require_POST
def order_create(request, pk):
    appointment = orders.appointment_for(request.user, pk)
    version = (
        appointment.course.protocol_in_force.current_version if appointment.course_id else None
    )
    if version is None:
        raise PermissionDenied("This appointment has no course protocol.")
    weights = appointment.patient.weights.all()
    form = DoseOrderForm(
        request.POST, weights=weights, version=version, physician=request.user.may(Role.PHYSICIAN)
    )

    def call(data):
        services.dose_order_create(
            appointment=appointment, weight=data["weight"],
            vial_mg_per_ml=Decimal(data["vial_mg_per_ml"]),
            created_by=request.user, override_reason=data.get("override_reason", ""),
        )  # fmt: skip

    return _service_form_post(
        request, appointment, "order_form", form, call, "Dose ordered.", course_version=version
    )


def _order_post(request, pk, make_form, form_name, call, success):
    order = orders.order_for(request.user, pk)
    form = make_form(order)
    return _service_form_post(
        request, order.appointment, form_name, form, lambda data: call(order, data), success
    )


@role_required(Role.NURSE)
@require_POST
def check_create(request, pk):
    def call(order, data):
        check = services.dose_check_record(
            order=order, nurse=request.user, entered_mg=data["entered_mg"]
        )
        if not check.matches:
            return "Your dose does NOT match the order. The order is blocked: do not start."

    def make_form(order):
        return DoseCheckForm(request.POST)

    return _order_post(request, pk, make_form, "check_form", call, "Double-check recorded.")


@sensitive_post_parameters("otp_token", "password")
@role_required(Role.PHYSICIAN, Role.NURSE)
@require_POST
def order_sign(request, pk):
    def call(order, data):
        services.dose_order_sign(
            order=order, signed_by=request.user, request=request,
            otp_token=data.get("otp_token", ""), password=data.get("password", ""),
            override_reason=data["override_reason"],
        )  # fmt: skip

    def make_form(order):
        return SignForm(request.POST, uses_code=_uses_code(request.user))

    return _order_post(request, pk, make_form, "sign_form", call, "Order signed.")


@role_required(*services.ORDER_WRITERS)
@require_POST
def order_cancel(request, pk):
    def call(order, data):
        services.dose_order_cancel(order=order, cancelled_by=request.user, reason=data["reason"])

    return _order_post(
        request, pk, lambda order: ReasonForm(request.POST), "cancel_form", call, "Order cancelled."
    )


@role_required(*services.HANDLERS)
@require_POST
def drug_draw(request, pk):
    def call(order, data):
        services.drug_draw(order=order, lot=data["lot"], ml=data["ml"], drawn_by=request.user)

    def make_form(order):
        return DrawForm(request.POST, lots=druglog.lots_for(request.user))

    return _order_post(request, pk, make_form, "draw_form", call, "Draw recorded.")


@sensitive_post_parameters("witness_password", "witness_otp_token")
@role_required(*services.HANDLERS)
@require_POST
def drug_account(request, pk):
    def call(order, data):
        services.infusion_drug_account(
            order=order, administered_mg=data["administered_mg"], wasted_mg=data["wasted_mg"],
            witness=data["witness"], by=request.user, request=request,
            witness_password=data["witness_password"],
            witness_otp_token=data["witness_otp_token"],
        )  # fmt: skip

    def make_form(order):
        return AccountForm(request.POST, location=order.appointment.location, user=request.user)

    return _order_post(request, pk, make_form, "account_form", call, "Drug accounted for.")


@role_required(Role.PHYSICIAN)
def signing_queue(request):
    return render(
        request,
        "infusions/signing_queue.html",
        {"orders": orders.unsigned_orders_for(request.user), "sign_form": SignForm()},
    )
