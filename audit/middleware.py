"""Two middlewares: the actor of auditlog's change log, and the read access log."""

from auditlog.middleware import AuditlogMiddleware
from django.utils.functional import SimpleLazyObject

from .network import client_ip
from .reads import log_read


class AuditActorMiddleware(AuditlogMiddleware):
    """auditlog's middleware, with the actor looked up when a change is saved, not when the
    request starts: a DRF token is authenticated inside the view (DRF then sets the user on
    the Django request too), so an API change gets its actor like a page's does."""

    @staticmethod
    def _get_actor(request):
        def actor():
            user = getattr(request, "user", None)
            return user if user is not None and user.is_authenticated else None

        return SimpleLazyObject(actor)

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None


class AccessLogMiddleware:
    """After a successful GET of a registered view (``audit.reads.READS``), one INSERT."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and 200 <= response.status_code < 300:
            log_read(request)
        return response
