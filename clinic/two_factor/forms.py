from django import forms


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator app, or one of the backup codes."""

    otp_token = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app."},
    )


class EnrolmentForm(forms.Form):
    device_id = forms.IntegerField(widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label="Code shown in the app",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "Enter the 6-digit code the app shows."},
    )
