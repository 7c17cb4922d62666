"""The API token endpoint: username and password, plus ``otp_token`` for every user who
must use two-factor or has set it up."""

from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from . import services


class TokenRequestSerializer(AuthTokenSerializer):
    otp_token = serializers.CharField(
        label="Two-factor code",
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The current code from the authenticator app, or a backup code.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)  # the password check, counted by django-axes
        user = attrs["user"]
        if not services.code_needed_for_token(user):
            return attrs
        if not services.has_device(user):
            raise serializers.ValidationError(
                {"otp_token": ["Set up two-factor authentication in the browser first."]}
            )
        code = attrs.get("otp_token") or ""
        if not code.strip():
            raise serializers.ValidationError(
                {"otp_token": ["Enter the code from your authenticator app."]}
            )
        request = self.context["request"]
        try:
            services.verify_code(user, code, request=getattr(request, "_request", request))
        except services.CodeRefused as refused:
            raise serializers.ValidationError({"otp_token": [str(refused)]}) from None
        return attrs


class TokenView(ObtainAuthToken):
    serializer_class = TokenRequestSerializer

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        finally:
            # django-axes marks the request it authenticated, DRF's; its middleware reads
            # Django's, and then answers a locked account (clinic.api.lockout_response: JSON).
            if getattr(request, "axes_locked_out", False):
                request._request.axes_locked_out = True


token_view = TokenView.as_view()
