"""The one bridge from a service's refusal to an HTML form.

Services raise ``ValidationError`` (bad input: field -> message) or ``ConflictError``
(something already taken: field -> message); a view shows either on its form, on the named
field when the form has one, otherwise at the top. ``run_service`` is the view side of it:
call the service for a valid form and answer the status the page should carry.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .errors import ConflictError

CONFLICT = 409


def add_service_errors(form: forms.Form, error: ValidationError | ConflictError | dict) -> None:
    """Put a service's errors onto ``form``: per field where the form has that field, else at
    the top. Takes a ValidationError, a ConflictError or its ``errors`` dict."""
    if isinstance(error, ConflictError):
        error = error.errors
    if isinstance(error, ValidationError):
        error = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, messages in error.items():
        for message in [messages] if isinstance(messages, str) else messages:
            form.add_error(name if name in form.fields else None, message)


def run_service(form: forms.Form, call: Callable[[], Any]) -> tuple[Any, int]:
    """``call()`` the service; on refusal its errors go onto ``form``. Returns the service's
    result (None when refused) and the page's status: 200, or 409 when something was taken."""
    try:
        return call(), 200
    except ConflictError as conflict:
        add_service_errors(form, conflict)
        return None, CONFLICT
    except ValidationError as error:
        add_service_errors(form, error)
        return None, 200
