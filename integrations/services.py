"""Issuing, changing and revoking API keys, and recording their calls.

Each key acts as its own service user: the roles its scopes need (``scopes.ROLES_FOR_SCOPE``)
and exactly its allowed sites. Why a user and not a bare key: the API's site scoping
(``clinic.access.locations_for`` and every ``*_for`` lookup and ``get_queryset`` built on
it), the role rules the services repeat, the change log's actor and the access log's
``user`` all take a user, so a key limited like a member of staff needs no second set of
rules. The service user has no usable password (no login page, no token) and is kept off
the staff page (``is_service_account``).
"""

import datetime
import ipaddress

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.network import client_ip
from clinic.access import require_role
from clinic.models import Location, User
from clinic.roles import ADMINS, Role

from .models import ApiKey, KeyCall, WebhookSubscription
from .scopes import roles_for
from .webhooks import new_secret

ISSUERS = ADMINS  # clinic admins issue, change and revoke keys


def _sync_service_user(key: ApiKey) -> None:
    """The service user's roles and sites follow the key's scopes and sites."""
    user = key.user
    labels = dict(Role.choices)
    user.groups.set(Group.objects.filter(name__in=[labels[r] for r in roles_for(key.scopes)]))
    user.locations.set(key.sites.all())
    user.first_name, user.last_name = key.name[:150], "(API key)"
    user.save(update_fields=["first_name", "last_name"])


@transaction.atomic
def api_key_create(
    *,
    name: str,
    scopes: list[str],
    sites: list[Location],
    created_by: User,
    allowed_networks: list[str] | None = None,
    expiry_date: datetime.datetime | None = None,
    requests_per_minute: int | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret (``<prefix>.<secret>``): the only time the secret exists
    outside the caller's hands; only its hash is stored."""
    require_role(created_by, *ISSUERS, doing="issue API keys")
    key = ApiKey(
        name=name,
        scopes=sorted(set(scopes)),
        allowed_networks=list(allowed_networks or []),
        expiry_date=expiry_date,
        requests_per_minute=requests_per_minute,
        created_by=created_by,
    )
    secret = ApiKey.objects.assign_key(key)
    key.user = User(username=f"apikey-{key.prefix}", is_service_account=True)
    key.user.set_unusable_password()
    key.user.full_clean()
    key.user.save()
    key.full_clean(validate_unique=False)
    key.save()
    key.sites.set(sites)
    _require_sites(key)
    _sync_service_user(key)
    return key, secret


def _require_sites(key: ApiKey) -> None:
    if not key.sites.exists():
        raise ValidationError({"sites": "A key needs at least one site."})


@transaction.atomic
def api_key_update(
    *,
    key: ApiKey,
    changed_by: User,
    name: str,
    scopes: list[str],
    sites: list[Location],
    allowed_networks: list[str],
    expiry_date: datetime.datetime | None,
    requests_per_minute: int | None,
) -> ApiKey:
    """Change what a key may do (never its secret: issue a new key for that)."""
    require_role(changed_by, *ISSUERS, doing="change API keys")
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    key.name, key.scopes = name, sorted(set(scopes))
    key.allowed_networks, key.expiry_date = list(allowed_networks), expiry_date
    key.requests_per_minute = requests_per_minute
    key.full_clean(validate_unique=False)
    key.save()
    key.sites.set(sites)
    _require_sites(key)
    _sync_service_user(key)
    return key


@transaction.atomic
def api_key_revoke(*, key: ApiKey, revoked_by: User) -> ApiKey:
    """Revoke a key for good (a revoked key cannot be brought back); its service user is
    deactivated with it. Revoking a revoked key changes nothing."""
    require_role(revoked_by, *ISSUERS, doing="revoke API keys")
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked:
        return key
    key.revoked, key.revoked_at, key.revoked_by = True, timezone.now(), revoked_by
    key.save(update_fields=["revoked", "revoked_at", "revoked_by"])
    user = key.user
    user.is_active = False
    user.save(update_fields=["is_active"])  # clinic.credentials ends whatever else it holds
    return key


def revoke_keys_of(user: User) -> None:
    """``clinic.credentials`` kind: a deactivated service user's key is revoked with it."""
    ApiKey.objects.filter(user=user, revoked=False).update(revoked=True, revoked_at=timezone.now())


def key_call_record(*, key: ApiKey, request, status_code: int) -> None:
    """One row in the key's call log, and its last-used time and use count."""
    now = timezone.now()
    match = getattr(request, "resolver_match", None)
    KeyCall.objects.create(
        key=key,
        at=now,
        method=request.method[:8],
        path=request.path[:300],
        view_name=(match.view_name if match else "")[:120],
        status_code=status_code,
        ip_address=_valid_ip(client_ip(request)),
    )
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, use_count=F("use_count") + 1)


def _valid_ip(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


@transaction.atomic
def webhook_subscribe(
    *, key: ApiKey, url: str, events: list[str], created_by: User, include_phi: bool = False
):
    """A subscription of ``key``'s integration to ``events``, with a new signing secret.
    ``include_phi`` (deliveries carry the resource itself) needs the key's read scope of
    every event's resource group."""
    require_role(created_by, *ISSUERS, doing="subscribe integrations to events")
    subscription = WebhookSubscription(
        key=key, url=url, events=sorted(set(events)), secret=new_secret(), include_phi=include_phi
    )
    subscription.full_clean()
    subscription.save()
    return subscription
