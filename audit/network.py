"""Where a request came from."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address. ``X-Forwarded-For`` counts only when ``TRUSTED_PROXY_COUNT``
    says how many proxies of ours append to it: the entry that many places from the right
    is the address our outermost proxy saw (anything left of it the client could forge)."""
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return _without_port(hops[-min(trusted, len(hops))])
    return request.META.get("REMOTE_ADDR") or None


def _without_port(address: str) -> str:
    if address.startswith("["):  # [v6]:port
        return address[1:].split("]")[0]
    if address.count(":") == 1:  # v4:port
        return address.split(":")[0]
    return address
