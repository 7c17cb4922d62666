"""The one bridge from a service's refusal to an HTML form.

Services raise ``ValidationError`` (bad input: field -> message) or ``ConflictError``
(something already taken: field -> message); a view shows either on its form, on the named
field when the form has one, otherwise at the top. ``run_service`` is the view side of it:
call the service for a valid form and answer the status the page should carry;
``refusal_text`` is the same refusal in words for a page without a form.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from .errors import ConflictError

CONFLICT = 409
FORBIDDEN = 403


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
    """``call()`` the service for a valid ``form``; on refusal its errors go onto the form.

    Returns the service's result (None when refused) and the page's status: 200, 409 when
    something was taken, 403 when the service refused the user (its words at the top of the
    form). The caller tells success by ``not form.errors``: a service may return nothing.
    """
    try:
        return call(), 200
    except ConflictError as conflict:
        add_service_errors(form, conflict)
        return None, CONFLICT
    except ValidationError as error:
        add_service_errors(form, error)
        return None, 200
    except PermissionDenied as refused:
        form.add_error(None, str(refused) or "You may not do this.")
        return None, FORBIDDEN


def refusal_text(error: ValidationError | ConflictError | PermissionDenied) -> str:
    """A service's refusal in words, for a page with no form to put it on (a button on the
    board, a flash message): every message, in order, as one sentence run."""
    if isinstance(error, ConflictError):
        return " ".join(error.errors.values())
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do this."
