"""The session engine: Django's database sessions, plus the user each session belongs to.

Django keeps the user id only inside the signed session data, so "every session of this
user" cannot be found without decoding every row. This engine writes the id into an
indexed column on every save (Django's documented way of extending the database engine),
so a session key rotated at login or at a password change stays attributed, and
``clinic.accounts.end_sessions_and_tokens`` can end a deactivated user's sessions with one
indexed query.
"""

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ValidationError


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from .models import StaffSession

        return StaffSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
        except ValidationError:
            session.user_id = None
        return session
