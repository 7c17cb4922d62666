import json
import sys
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .base import ProviderError, SmsBackend


class ConsoleSmsBackend(SmsBackend):
    """Prints each message: for development."""

    _lock = threading.Lock()

    def send(self, *, to: str, body: str, reference: str) -> str:
        provider_id = f"console-{uuid.uuid4().hex}"
        with self._lock:
            sys.stdout.write(f"SMS to {to} ({reference}, {provider_id}):\n{body}\n{'-' * 40}\n")
            sys.stdout.flush()
        return provider_id


class FileSmsBackend(SmsBackend):
    """One JSON file per message in settings.SMS_FILE_PATH: for tests and benchmarks."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        provider_id = f"file-{uuid.uuid4().hex}"
        folder = Path(settings.SMS_FILE_PATH)
        try:
            record = {
                "to": to,
                "body": body,
                "reference": reference,
                "provider_id": provider_id,
                "sent_at": timezone.now().isoformat(),
            }
            # Written under a temporary name, then renamed: a reader never sees half a file.
            final = folder / f"{provider_id}.json"
            partial = folder / f".{provider_id}.tmp"
            try:
                partial.write_text(json.dumps(record))
            except FileNotFoundError:  # the folder is made on first use, not checked per message
                folder.mkdir(parents=True, exist_ok=True)
                partial.write_text(json.dumps(record))
            partial.rename(final)
        except OSError as error:
            raise ProviderError(f"Cannot write {folder}: {error}") from error
        return provider_id


class TwilioSmsBackend(SmsBackend):
    """Twilio's REST API, with the account from TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN."""

    def __init__(self) -> None:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=settings.SMS_TIMEOUT_SECONDS),
        )

    def send(self, *, to: str, body: str, reference: str) -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self.client.messages.create(
                to=to, from_=settings.TWILIO_FROM_NUMBER, body=body
            )
        except TwilioRestException as error:
            # 4xx other than 429 (a wrong number, an opted-out one) will fail the same way again.
            permanent = 400 <= error.status < 500 and error.status != 429
            raise ProviderError(
                f"Twilio {error.status}: {error.msg}", transient=not permanent
            ) from error
        except (TwilioException, OSError) as error:
            raise ProviderError(f"Twilio: {error}") from error
        return message.sid


BACKENDS = {
    "console": ConsoleSmsBackend,
    "file": FileSmsBackend,
    "twilio": TwilioSmsBackend,
}


def get_sms_backend() -> SmsBackend:
    """settings.SMS_BACKEND: console, file, twilio, or a dotted path to an SmsBackend."""
    name = settings.SMS_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()


def send_sms(*, to: str, body: str, reference: str) -> str:
    return get_sms_backend().send(to=to, body=body, reference=reference)
