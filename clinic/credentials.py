"""Every way in a user holds, in one module: browser sessions, API tokens, and the kinds of
credential that apps above clinic add (integrations' API keys), and how they all end.

Deactivation ends them all (HIPAA 164.312(a): access control): a deactivated user must not
keep a browser session open on a tablet, an API token in a script or an API key in a partner's
system. ``User.save`` of an inactive user runs in a transaction, and this module's
``post_save`` receiver ends the credentials inside it, so the admin's change form,
``manage.py deactivate_user`` and any other code that saves the user all end them.
``QuerySet.update(is_active=False)`` bypasses ``save``: use
``clinic.accounts.user_deactivate`` (or save each user) instead.

The user model does not import this module (it only saves inside a transaction), and the
session model finds its store through ``SESSION_ENGINE``; so the imports run one way:
credentials -> models.

Sessions: Django keeps the user id only inside the signed session data, so "every session of
this user" cannot be found without decoding every row. ``SessionStore`` (the
SESSION_ENGINE, ``clinic.credentials``) writes the id into an indexed column on every save
(Django's documented way of extending the database engine), so a session key rotated at
login or at a password change stays attributed.
"""

from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from .models import StaffSession, User

# Other kinds of credential (registered by apps above clinic): each ends a user's own.
_OTHER_KINDS: list[Callable[[User], object]] = []


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, plus the user each session belongs to."""

    @classmethod
    def get_model_class(cls):
        return StaffSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
        except ValidationError:
            session.user_id = None
        return session


def register_kind(end: Callable[[User], object]) -> Callable[[User], object]:
    """An app's kind of credential: ``end(user)`` ends the user's own, in the caller's
    transaction (integrations revokes the API key a service user stands for)."""
    if end not in _OTHER_KINDS:
        _OTHER_KINDS.append(end)
    return end


def end_sessions_and_tokens(user: User) -> int:
    """End the user's sessions, API token and every registered kind of credential; return
    how many sessions ended."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
        for key in keys:
            # Through the engine, so a caching engine built on ours drops its copy too.
            store_class().delete(key)
        Token.objects.filter(user=user).delete()
        for end in _OTHER_KINDS:
            end(user)
    return len(keys)


@receiver(post_save, sender=User, dispatch_uid="clinic.credentials.end_when_inactive")
def end_when_inactive(sender, instance: User, raw: bool = False, **kwargs) -> None:
    """However a user is deactivated (admin form, command, code), their credentials end in
    the same transaction (``User.save`` wraps the save of an inactive user in one)."""
    if not raw and not instance.is_active:
        end_sessions_and_tokens(instance)


@checks.register(checks.Tags.security)
def check_session_engine(app_configs, **kwargs):
    """Deactivation can only find a user's sessions through clinic's session engine."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store_class, SessionStore):
        return []
    return [
        checks.Error(
            f"SESSION_ENGINE={settings.SESSION_ENGINE!r} does not record whose a session is, "
            "so deactivating a user could not end their sessions.",
            hint="Use 'clinic.credentials' or an engine derived from its SessionStore.",
            id="clinic.E001",
        )
    ]
