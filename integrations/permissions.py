"""What a key may call: its scope for the URL's resource group, read or write, and the
address it calls from. ``ApiKeyAuthentication`` applies it while it authenticates, so it
holds on every DRF view whatever ``permission_classes`` the view names (most name only their
roles). Site limits need nothing here: the key's service user works at the key's sites
only, and every list and lookup of the API is already scoped to the user's sites
(``clinic.access.locations_for``)."""

from django.urls import Resolver404, resolve

from audit.network import client_ip

from .models import ApiKey
from .scopes import NO_KEY, ResourceGroup, allows, group_of, writes


def url_name_of(django_request) -> str | None:
    match = getattr(django_request, "resolver_match", None)
    if match is None:  # authenticated ahead of the view (the idempotency middleware)
        try:
            match = resolve(django_request.path_info)
        except Resolver404:
            return None
    return match.view_name


def refusal(key: ApiKey, django_request) -> str | None:
    """Why ``key`` may not make this request, or None when it may."""
    if not key.allows_address(client_ip(django_request)):
        return "This API key may not be used from this address."
    group = group_of(url_name_of(django_request))
    writing = writes(django_request.method)
    if allows(key.scopes, group, writing=writing):
        return None
    if group is None or group == NO_KEY:
        return "This endpoint is not available to API keys."
    if writing and group == ResourceGroup.DOSING:
        return "Dosing and drug-log entries are never written through an API key."
    doing = "write" if writing else "read"
    return f"This API key's scopes do not allow it to {doing} {group}."
