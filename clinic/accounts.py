"""Staff accounts: deactivation ends every way in (HIPAA 164.312(a): access control).

A deactivated user must not keep a browser session open on a tablet or an API token in a
script. ``User.save`` calls ``end_sessions_and_tokens`` in the same transaction whenever the
saved user is inactive, so the admin's change form, ``manage.py deactivate_user`` and any
other code that saves the user all end them. ``QuerySet.update(is_active=False)`` bypasses
``save``: use ``user_deactivate`` (or save each user) instead.

A password set by someone else (the admin's "change password" form) ends the user's other
sessions through Django's session auth hash; the test suite proves it.
"""

from importlib import import_module

from django.conf import settings
from django.core import checks
from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import StaffSession, User
from .staff_sessions import SessionStore as StaffSessionStore


def end_sessions_and_tokens(user: User) -> int:
    """Delete the user's sessions and API token; return how many sessions ended."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
        for key in keys:
            # Through the engine, so a caching engine built on ours drops its copy too.
            store_class().delete(key)
        Token.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate a member of staff: they can no longer log in, and are logged out now."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])  # User.save ends the sessions and the token
    return user


@checks.register(checks.Tags.security)
def check_session_engine(app_configs, **kwargs):
    """Deactivation can only find a user's sessions through clinic's session engine."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store_class, StaffSessionStore):
        return []
    return [
        checks.Error(
            f"SESSION_ENGINE={settings.SESSION_ENGINE!r} does not record whose a session is, "
            "so deactivating a user could not end their sessions.",
            hint="Use 'clinic.staff_sessions' or an engine derived from it.",
            id="clinic.E001",
        )
    ]
