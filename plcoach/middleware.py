"""Guards for Django's admin, which reads its filters and search from the address as they come."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

LONGEST_SEARCH = 200


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
