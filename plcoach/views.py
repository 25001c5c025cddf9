from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from .access import public


@public
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for a load balancer: the app answers. No database, so it is also the
    trivial view the load benchmark compares the real pages against."""
    return HttpResponse("ok", content_type="text/plain")
