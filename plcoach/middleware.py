"""The liveness probe, and guards that turn what Django would answer with a 500 into a 400 that
says why: an unreadable form body, and the admin's filters and search read from the address as they come."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError

LONGEST_SEARCH = 200
LIVENESS_PATH = "/healthz/"


def liveness_probe(get_response: Callable) -> Callable:
    """/healthz/ answers "ok" to anyone, first of all: a load balancer probes an app server by its
    own address, over plain HTTP, where the host check would refuse it and the HTTPS redirect send
    it away. No database and no page: it says only that the server answers."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info != LIVENESS_PATH:
            return get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return HttpResponse("ok", content_type="text/plain")

    return middleware


def admin_address_guard(get_response: Callable) -> Callable:
    """A 400 for what the admin would turn into a 500: a null character in a filter (PostgreSQL
    refuses it) or a search too long for SQLite's LIKE."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/admin/"):
            if "%00" in request.META.get("QUERY_STRING", ""):
                return HttpResponseBadRequest("The address contains a null character.", content_type="text/plain")
            if len(request.GET.get("q", "")) > LONGEST_SEARCH:
                return HttpResponseBadRequest(f"Search for at most {LONGEST_SEARCH} characters.", content_type="text/plain")
        return get_response(request)

    return middleware


def unreadable_form_guard(get_response: Callable) -> Callable:
    """A 400 for a POST whose body cannot be read as a form (a multipart body without a valid
    boundary): the CSRF check reads the form first, and raised a 500 from it."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 - parsed once here; Django keeps it for the view
            except MultiPartParserError:
                return HttpResponseBadRequest("The form could not be read: send it again from the page.", content_type="text/plain")
        return get_response(request)

    return middleware
