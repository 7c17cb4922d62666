from django import forms
from phonenumber_field.formfields import PhoneNumberField


class ConfirmForm(forms.Form):
    escort_name = forms.CharField(
        label="Who will take you home?", max_length=120, help_text="An adult who can drive you."
    )
    escort_phone = PhoneNumberField(label="Their mobile phone", region="US")
    escort_may_be_contacted = forms.BooleanField(
        label="They agree to a text reminder with the pick-up time", required=False
    )
