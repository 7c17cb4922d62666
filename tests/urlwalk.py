"""Walk the URL conf and produce one concrete path per pattern, with sample arguments."""

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

# The only URLs an anonymous visitor may use. Everything else needs a login.
PUBLIC = {
    "login",
    "logout",  # POST-only; logging out an anonymous session is harmless
    "healthz",
    "api-token",  # POST username+password for an API token (lockout: security issue)
    "admin:login",
    "admin:logout",
    "patients:contact",  # the public "contact us" form: honeypot and per-IP rate limit
    "reminders:confirm",  # the link in a reminder: a signed token that expires in 7 days
    "reminders:sms_webhook",  # Twilio's inbound texts: POST only, Twilio signature checked
    "billing:card_webhook",  # the card provider's events: POST only, signature checked
    "scheduling:calendar_feed",  # a patient's iCalendar feed: the secret token is the credential
    # The patient's measures link: a signed token, then the date of birth (outcomes.views.answer)
    "outcomes:answer",
    "outcomes:answer_step",
    "outcomes:answer_review",
    "outcomes:answer_new_link",
    "outcomes:answer_language",
    # The patient's waitlist offer link: a signed token, then the date of birth
    "waitlist:offer",
    # A superbill or estimate link: a signed token, then the date of birth
    # (billing.views.documents)
    "billing:document_link",
    "billing:document_link_pdf",
}

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": str(uuid.UUID(int=1)),
    "path": "x",
    "drf_format_suffix": ".json",
}


@dataclass(frozen=True)
class WalkedURL:
    path: str
    name: str  # "namespace:name", or the dotted view name when the pattern has no name
    # The patterns from the root to this one, to build the path with other arguments.
    patterns: tuple = field(default=(), compare=False, repr=False)

    @property
    def is_api(self) -> bool:
        """The REST API and the FHIR endpoints: JSON, 401/403 rather than the login page."""
        return self.path.startswith(("/api/", "/fhir/"))

    @property
    def is_fhir(self) -> bool:
        return self.path.startswith("/fhir/")

    @property
    def params(self) -> tuple[str, ...]:
        """The names of the path's arguments, e.g. ``("patient_pk", "pk", "format")``."""
        names: list[str] = []
        for pattern in self.patterns:
            if isinstance(pattern, RoutePattern):
                names += [m.group(2) for m in ROUTE_ARGUMENT.finditer(str(pattern))]
            elif isinstance(pattern, RegexPattern):
                names += list(pattern.regex.groupindex)
        return tuple(names)

    def path_with(self, values: Mapping[str, str]) -> str:
        """The path with these argument values (by name); others keep the sample values."""
        return "/" + "".join(_piece(pattern, values) for pattern in self.patterns)


ROUTE_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _route_to_path(route: str, values: Mapping[str, str] = {}) -> str:
    def sample(m):
        return values.get(m.group(2)) or SAMPLES.get(m.group(1) or "str", "x")

    return ROUTE_ARGUMENT.sub(sample, route)


def _regex_to_path(regex: str, values: Mapping[str, str] = {}) -> str:
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    # A named group of alternatives (admin's app_label) takes its first alternative.
    text = re.sub(r"\(\?P<\w+>([\w-]+)(?:\|[^)]*)?\)", r"\1", text)
    # DRF's format suffix, then any other group, becomes a sample value.
    text = re.sub(r"\\\.\(\?P<format>[^)]*\)/?\??", ".json", text)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1)) or "1", text)
    text = re.sub(r"\([^)]*\)", "1", text)
    return text.replace("\\", "").replace("/?", "/").replace("?", "")


def _piece(pattern, values: Mapping[str, str] = {}) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_to_path(str(pattern), values)
    if isinstance(pattern, RegexPattern):
        return _regex_to_path(pattern.regex.pattern, values)
    return str(pattern)


def walk(resolver: URLResolver | None = None, prefix: str = "/", namespace: str = "", patterns=()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        piece = _piece(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + piece, inner, (*patterns, entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else entry.lookup_str
            yield WalkedURL(path=prefix + piece, name=name, patterns=(*patterns, entry.pattern))


def all_urls() -> list[WalkedURL]:
    urls = []
    for url in walk():
        resolve(url.path)  # every generated sample must reach a real view
        urls.append(url)
    return urls


def error_detail(response) -> str:
    """The message of an API error: ``detail``, or a FHIR OperationOutcome's diagnostics."""
    body = response.json()
    if body.get("resourceType") == "OperationOutcome":
        return body["issue"][0]["diagnostics"]
    return body["detail"]


def has_error_shape(response) -> bool:
    """The API's one error shape; under /fhir/, an OperationOutcome."""
    body = response.json()
    if body.get("resourceType") == "OperationOutcome":
        return bool(body.get("issue"))
    return set(body) == {"detail", "errors"}
