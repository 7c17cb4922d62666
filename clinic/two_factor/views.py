"""The code step after the password, enrolment, and each user's Security page."""

from urllib.parse import quote

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import CodeForm, EnrolmentForm


class LoginView(auth_views.LoginView):
    """Django's login page (django-axes counts its failures), then the code step."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if not services.code_needed(self.request):
            return response
        step = "two_factor:verify"
        if not self.request.session.get(services.HAS_DEVICE_SESSION_KEY):
            step = "two_factor:enrol"
        return redirect(f"{reverse(step)}?next={quote(self.get_success_url())}")


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked_out(request):
    """After too many wrong codes the account is locked like after wrong passwords."""
    logout(request)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)


@sensitive_post_parameters("otp_token")
@never_cache
@login_required
def verify(request):
    user = request.user
    if services.is_verified(request):
        return HttpResponseRedirect(_next_url(request))
    if not services.has_device(user):
        request.session[services.HAS_DEVICE_SESSION_KEY] = False
        if services.is_required_for(user):
            return redirect(f"{reverse('two_factor:enrol')}?next={quote(_next_url(request))}")
        return HttpResponseRedirect(_next_url(request))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_code(user, form.cleaned_data["otp_token"], request=request)
        except services.CodeRefused as refused:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            form.add_error("otp_token", str(refused))
        else:
            services.mark_session_verified(request, device)
            return HttpResponseRedirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request), "two_factor_pending": True},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("otp_token")
@never_cache
@login_required
def enrol(request):
    """Scan the QR code (or type the secret), then confirm with the first code."""
    user = request.user
    if services.has_device(user) and not services.is_verified(request):
        # Only a verified session may replace a device: a password alone is not enough.
        return redirect(f"{reverse('two_factor:verify')}?next={quote(_next_url(request))}")
    form = EnrolmentForm(request.POST or None)
    device = None
    if request.method == "POST" and form.is_valid():
        device = TOTPDevice.objects.filter(
            pk=form.cleaned_data["device_id"], user=user, confirmed=False
        ).first()
        if device is None:
            form.add_error(None, "This set-up has expired. Scan the new code below.")
        else:
            try:
                codes = services.enrolment_confirm(
                    request=request, device=device, code=form.cleaned_data["otp_token"]
                )
            except services.CodeRefused as refused:
                form.add_error("otp_token", str(refused))
            else:
                return render(
                    request,
                    "registration/two_factor_backup_codes.html",
                    {"codes": codes, "next": _next_url(request), "enrolled": True},
                )
    if device is None:
        device = services.pending_app_device(user)
    form.initial["device_id"] = device.pk
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "device": device,
            "qr": services.qr_data_uri(device),
            "secret": services.secret_for_typing(device),
            "required": services.is_required_for(user),
            "next": _next_url(request),
            "two_factor_pending": not services.is_verified(request),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def security(request):
    user = request.user
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return render(
        request,
        "registration/security.html",
        {
            "app": app,
            "backup_codes_left": services.backup_codes_left(user) if app else 0,
            "required": services.is_required_for(user),
        },
    )


@never_cache  # the new codes are in this response only
@login_required  # before the method check: anonymous visitors go to login
@require_POST
def backup_codes(request):
    if not services.is_verified(request):
        return redirect("two_factor:security")
    codes = services.backup_codes_issue(user=request.user)
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "next": reverse("two_factor:security")},
    )


@login_required  # before the method check: anonymous visitors go to login
@require_POST
def turn_off(request):
    if not services.is_verified(request):
        return redirect("two_factor:security")
    try:
        services.two_factor_turn_off(user=request.user)
    except services.CodeRefused as refused:
        messages.error(request, str(refused))
    else:
        request.session[services.HAS_DEVICE_SESSION_KEY] = False
        messages.success(request, "Two-factor authentication is off.")
    return redirect("two_factor:security")
