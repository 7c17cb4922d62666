"""Staff accounts: deactivation (HIPAA 164.312(a): access control).

Deactivating a user ends every credential they hold (sessions, API token, API keys): see
``clinic.credentials``, which does it whenever an inactive user is saved.
"""

from django.db import transaction

from .models import User


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate a member of staff: they can no longer log in, and are logged out now."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])  # clinic.credentials ends sessions, token, keys
    return user
