"""The staff page's one write: a colleague's roles, sites and whether they are active.

Deactivation goes through ``clinic.accounts.user_deactivate`` (every credential ends).
"""

from collections.abc import Callable

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .access import require_role
from .accounts import user_deactivate
from .models import Location, User
from .roles import Role

# Called as hook(user) after a colleague's sites or active flag change: each app above
# returns what it still holds for them that they can no longer do (scheduling: shifts and
# visits ahead at a site they left, or after they left), as sentences for the clinic admin.
# A leaver is always deactivated at once (access control comes first); the work is then
# given to someone else.
left_behind: list[Callable[[User], list[str]]] = []


def on_left_behind(hook: Callable[[User], list[str]]) -> Callable:
    if hook not in left_behind:
        left_behind.append(hook)
    return hook


def work_left_behind(user: User) -> list[str]:
    return [sentence for hook in left_behind for sentence in hook(user)]


def staff_for(actor: User):
    """The staff a clinic admin manages: everyone but superusers (for a superuser, all), and
    never the service users of API keys (their roles and sites follow the key)."""
    staff = (
        User.objects.filter(is_service_account=False)
        .prefetch_related("groups", "locations")
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    return staff if actor.is_superuser else staff.filter(is_superuser=False)


@transaction.atomic
def staff_update(
    *,
    actor: User,
    user: User,
    roles: list[str],
    locations: list[Location],
    is_active: bool,
) -> User:
    require_role(actor, Role.CLINIC_ADMIN, doing="change a colleague's roles or sites")
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only a superuser changes a superuser.")
    if user == actor and (not is_active or Role.CLINIC_ADMIN not in roles):
        raise ValidationError(
            {"roles": "You cannot remove your own clinic admin role or deactivate yourself; "
                      "ask another clinic admin."}
        )  # fmt: skip
    if is_active and not roles:
        raise ValidationError({"roles": "An active member of staff needs at least one role."})
    labels = dict(Role.choices)
    if unknown := [r for r in roles if r not in labels]:
        raise ValidationError({"roles": f"Unknown role: {', '.join(unknown)}."})
    user.groups.set(Group.objects.filter(name__in=[labels[r] for r in roles]))
    user.locations.set(locations)
    if hasattr(user, "_roles"):
        del user._roles
    if user.is_active and not is_active:
        return user_deactivate(user=user)
    if is_active and not user.is_active:
        user.is_active = True
        user.full_clean()
        user.save(update_fields=["is_active"])
    return user
