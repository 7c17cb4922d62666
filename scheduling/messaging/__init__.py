"""Sending one message on one channel. Email goes through Django's email framework; SMS
through the backend named by ``settings.SMS_BACKEND`` (console, file or twilio).

Every failure is a ``ProviderError``; ``transient`` says whether trying again may help.
"""

from .base import ProviderError, SmsBackend
from .email import send_email
from .sms import get_sms_backend, send_sms

__all__ = ["ProviderError", "SmsBackend", "get_sms_backend", "send_email", "send_sms"]
