import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from clinic.access import role_required
from clinic.forms import refusal_text
from clinic.roles import ALL_STAFF, DESK
from patients.selectors import patients_for

from ..models import Appointment
from . import selectors, services
from .forms import ConfirmForm
from .rendering import appointment_from_token

logger = logging.getLogger(__name__)

STAFF = ALL_STAFF


@role_required(*DESK)
def dashboard(request):
    """Today's and tomorrow's reminders per appointment: what went out, what did not, why."""
    return render(
        request,
        "scheduling/reminders/dashboard.html",
        {
            "days": selectors.delivery_dashboard_for(request.user),
            "unconfirmed": selectors.unconfirmed_soon_for(request.user).count(),
            "failed_later": selectors.failed_after_tomorrow_for(request.user),
        },
    )


@role_required(*DESK)
def follow_up(request):
    """Visits in the next 24 hours (or ``?day=tomorrow``: tomorrow's, each site's tomorrow)
    without a confirmed escort: the front desk calls them."""
    tomorrow = request.GET.get("day") == "tomorrow"
    appointments = (
        selectors.unconfirmed_tomorrow_for(request.user)
        if tomorrow
        else selectors.unconfirmed_soon_for(request.user)
    )
    return render(
        request,
        "scheduling/reminders/follow_up.html",
        {"appointments": appointments, "tomorrow": tomorrow},
    )


@role_required(*DESK)
@require_POST
def retry(request, pk: int):
    message = selectors.message_for(request.user, pk)
    try:
        message = services.message_retry(message=message, retried_by=request.user)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, "The message will be sent again within a minute.")
    if request.htmx:
        return render(request, "scheduling/reminders/_message.html", {"message": message})
    return redirect("reminders:dashboard")


@role_required(*STAFF)
def patient_messages(request, pk: int):
    """A patient's message history, as a partial the patient page can load with htmx."""
    patient = get_object_or_404(patients_for(request.user), pk=pk)
    return render(
        request,
        "scheduling/reminders/_patient_messages.html",
        {
            "patient": patient,
            "visits": selectors.messages_by_visit(patient),
            "consent_gaps": selectors.consent_gaps(patient),
        },
    )


def confirm(request, token: str):
    """Public: the link in a reminder. The signed token is the only credential."""
    pk, valid = appointment_from_token(token)
    appointment = Appointment.objects.select_related("location").filter(pk=pk).first()
    if appointment is None:
        return render(request, "scheduling/reminders/confirm_invalid.html", status=404)
    context = {
        "appointment": appointment,
        "location": appointment.location,
        "local_tz": ZoneInfo(appointment.location.time_zone),
    }
    if not valid:
        return render(request, "scheduling/reminders/confirm_invalid.html", context, status=410)
    initial = {"escort_name": appointment.escort_name, "escort_phone": appointment.escort_phone}
    form = ConfirmForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_confirm_by_patient(
                appointment=appointment,
                escort_name=form.cleaned_data["escort_name"],
                escort_phone=form.cleaned_data["escort_phone"],
                escort_may_be_contacted=form.cleaned_data["escort_may_be_contacted"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "scheduling/reminders/confirm_thanks.html", context)
    context |= {"form": form, "closed": appointment.starts_at <= timezone.now()}
    return render(request, "scheduling/reminders/confirm.html", context)


@csrf_exempt
@require_POST
def sms_webhook(request):
    """Public: Twilio posts inbound texts here. Only a correctly signed request counts."""
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    # The URL Twilio was given (and signed): the public origin, not what a proxy forwards.
    url = settings.REMINDER_LINK_BASE_URL.rstrip("/") + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.TWILIO_AUTH_TOKEN or not validator.validate(url, request.POST, signature):
        logger.warning("SMS webhook: bad or missing signature")
        return HttpResponseForbidden("Invalid signature")
    if services.is_stop(request.POST.get("Body", "")):
        try:
            services.sms_opt_out_record(phone=request.POST.get("From", ""))
        except ValidationError:
            logger.warning("SMS webhook: STOP without a sender number")
    return HttpResponse("<Response/>", content_type="text/xml")
