import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .base import ProviderError


def send_email(*, to: str, subject: str, body: str, reference: str) -> str:
    """Send through settings.EMAIL_BACKEND; the Message-ID is the provider id."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    message_id = make_msgid(idstring=reference, domain=domain)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id, "X-Clinic-Reference": reference},
        connection=get_connection(fail_silently=False),
    )
    try:
        message.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise ProviderError(f"Refused: {error}", transient=False) from error
    except (smtplib.SMTPException, OSError) as error:
        raise ProviderError(f"{type(error).__name__}: {error}") from error
    return message_id
