"""Reads of protocols and their versions, as the dose screens and the API list them."""

from django.db.models import QuerySet

from ..models import Protocol, ProtocolVersion


def protocols_with_versions() -> QuerySet[Protocol]:
    """Every protocol, active ones first, each with its versions prefetched."""
    return Protocol.objects.with_versions().order_by("-is_active", "name")


def protocol_versions() -> QuerySet[ProtocolVersion]:
    return ProtocolVersion.objects.select_related("protocol", "created_by").order_by(
        "protocol__name", "-number"
    )


def current_protocol_version(protocol: Protocol) -> ProtocolVersion | None:
    """The version a new dose uses: the latest of an active protocol, else None."""
    if not protocol.is_active:
        return None
    return protocol.versions.select_related("protocol").order_by("-number").first()
