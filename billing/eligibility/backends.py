"""Where a 270 goes and a 271 comes from. ``settings.ELIGIBILITY_BACKEND``: ``file`` (writes
each pair into ELIGIBILITY_FILE_PATH and answers from the member id: dev and tests, no
network), ``clearinghouse`` (POSTs the 270 to ELIGIBILITY_CLEARINGHOUSE_URL), or a dotted
path to an EligibilityBackend."""

import datetime
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class EligibilityError(Exception):
    """The check could not be made (clearinghouse down, not configured, not X12)."""


class EligibilityBackend:
    def exchange(self, *, inquiry_270: str, trace: str) -> str:
        """Send one 270; return the 271 text."""
        raise NotImplementedError


# Member ids the file backend answers differently, so every result can be tried in dev.
FAKE_ANSWERS = {
    "NC": "EB*6**30~",
    "PA": "EB*1**30********Y~",
    "OON": "EB*1**30*********N~",
    "ERR": "AAA*N**72*C~",
}


def fake_271(inquiry_270: str, trace: str, now: datetime.datetime) -> str:
    member = ""
    for segment in inquiry_270.split("~"):
        if segment.startswith("NM1*IL*"):
            member = segment.split("*")[-1]
    benefits = next(
        (answer for prefix, answer in FAKE_ANSWERS.items() if member.startswith(prefix)),
        "EB*1**30~EB*B**30****40.00~",
    )
    header = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{'CLEARINGHOUSE':15}*ZZ*{'CLINIC':15}*{now:%y%m%d}*"
        f"{now:%H%M}*^*00501*000000001*0*P*:~"
    )
    return (
        f"{header}GS*HB*CLEARINGHOUSE*CLINIC*{now:%Y%m%d}*{now:%H%M}*1*X*005010X279A1~"
        f"ST*271*0001*005010X279A1~TRN*2*{trace}*9CLINIC~{benefits}SE*5*0001~GE*1*1~"
        "IEA*1*000000001~"
    )


class FileEligibilityBackend(EligibilityBackend):
    """Writes ``<trace>.270`` and ``<trace>.271`` into ELIGIBILITY_FILE_PATH; the answer
    depends on the member id's prefix (FAKE_ANSWERS), else active with a $40.00 copay."""

    def exchange(self, *, inquiry_270: str, trace: str) -> str:
        answer = fake_271(inquiry_270, f"FAKE-{uuid.uuid4().hex[:10].upper()}", timezone.now())
        folder = Path(settings.ELIGIBILITY_FILE_PATH)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{trace}.270").write_text(inquiry_270)
            (folder / f"{trace}.271").write_text(answer)
        except OSError as error:
            raise EligibilityError(f"Cannot write {folder}: {error}") from error
        return answer


class ClearinghouseEligibilityBackend(EligibilityBackend):
    """A real-time 270 POSTed as the request body (``application/edi-x12``) to
    ELIGIBILITY_CLEARINGHOUSE_URL with ``Authorization: Bearer <key>``; the 271 is the body
    of the answer. A clearinghouse with another envelope (CAQH CORE SOAP) gets its own
    subclass, named by dotted path in ELIGIBILITY_BACKEND."""

    def exchange(self, *, inquiry_270: str, trace: str) -> str:
        url = settings.ELIGIBILITY_CLEARINGHOUSE_URL
        if not url.startswith(("https://", "http://")):
            raise EligibilityError("ELIGIBILITY_CLEARINGHOUSE_URL must be an http(s) URL.")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=inquiry_270.encode("ascii", "replace"),
            method="POST",
            headers={
                "Content-Type": "application/edi-x12",
                "Authorization": f"Bearer {settings.ELIGIBILITY_CLEARINGHOUSE_API_KEY}",
                "X-Request-Id": trace,
            },
        )
        timeout = settings.ELIGIBILITY_TIMEOUT_SECONDS
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - see above
                return response.read().decode("ascii", "replace")
        except (urllib.error.URLError, OSError) as error:
            raise EligibilityError(f"The clearinghouse did not answer: {error}") from error


BACKENDS = {"file": FileEligibilityBackend, "clearinghouse": ClearinghouseEligibilityBackend}


def get_eligibility_backend() -> EligibilityBackend:
    name = settings.ELIGIBILITY_BACKEND
    return (BACKENDS.get(name) or import_string(name))()
