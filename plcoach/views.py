from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from .access import public

# Nothing here is for search engines: walkthroughs are private, and the content is the PL Toolbox's.
ROBOTS = "User-agent: *\nDisallow: /\n"


@public
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Asks search engines to stay out. No database: the load benchmark's trivial view too, a
    request through every middleware that does nothing else."""
    return HttpResponse(ROBOTS, content_type="text/plain")
