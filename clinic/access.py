"""Role and location scoping: every view asks here before it shows or changes anything.

HTML views use ``role_required``; DRF views use ``HasRole``; object lookups use the
``*_for(user, ...)`` helpers of each app, which build on ``locations_for``.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from rest_framework.permissions import BasePermission

from .models import Location, User
from .roles import Role


def locations_for(user: User) -> QuerySet[Location]:
    """The active sites a user may see: their assigned ones; all of them for clinic admins."""
    active = Location.objects.filter(is_active=True)
    if user.may(Role.CLINIC_ADMIN):
        return active
    return active.filter(staff=user)


def site_ids_for(user: User) -> list[int]:
    """The ids of ``locations_for(user)``, read once per user object (a request's user).

    As literal ids, not a subquery, in the patient-visibility test (``patients.selectors.
    seen_by``): with the subquery, Postgres re-ran the user's sites join for each of the
    network's 100,000 patients to count the patient list (140 ms); with the ids it looks
    each patient's visits up by index, or hashes the site's visits once (40 ms)."""
    if (ids := getattr(user, "_site_ids", None)) is None:
        ids = user._site_ids = list(locations_for(user).order_by().values_list("pk", flat=True))
    return ids


def pick_site(sites: list[Location], location_pk) -> tuple[Location, list[Location]]:
    """The site a page was asked for (``location_pk``, from its query string) among
    ``sites``, the user's, else the first of them; with all of them for the site switcher.
    404 when the user has no site or asked for one that is not theirs."""
    if not sites:
        raise Http404("You are not assigned to any site.")
    chosen = next((s for s in sites if str(s.pk) == str(location_pk)), None)
    if location_pk and chosen is None:
        raise Http404("No such site.")
    return chosen or sites[0], sites


def role_required(*roles: str) -> Callable:
    """Login first (anonymous users are redirected), then 403 unless the user holds a role."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.may(*roles):
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasRole(BasePermission):
    """DRF permission: ``permission_classes = [HasRole.of(Role.NURSE, ...)]``."""

    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.may(*self.roles))


def require_role(user: User, *roles: str, doing: str) -> None:
    """Services call this: the rule holds whichever door (page, API, admin, task) was used."""
    if not user.may(*roles):
        raise PermissionDenied(f"Your role may not {doing}.")
