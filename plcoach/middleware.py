"""The liveness probe, and guards that turn what Django would answer with a 500 into a 400 that
says why: an unreadable form body, and the admin's filters and search read from the address as they come."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError

from dashboard.filters import EARLIEST, LATEST
from observations.inputs import read_id

LONGEST_SEARCH = 200
YEAR_FIRST = re.compile(r"\d{4}-")  # a date or a date and time, as the admin's date filters send them
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
    """A 400 for what the admin would turn into a 500 (`_admin_problem`)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/admin/") and (problem := _admin_problem(request)):
            return HttpResponseBadRequest(problem, content_type="text/plain")
        return get_response(request)

    return middleware


def _admin_problem(request: HttpRequest) -> str:
    """What in the admin's address or bulk action it would fail on: a null character in a filter
    (PostgreSQL refuses it), a search too long for SQLite's LIKE, a number past any id or a date
    past any year SQLite converts (OverflowError), or rows to act on named by anything but their id."""
    if "%00" in request.META.get("QUERY_STRING", ""):
        return "The address contains a null character."
    if len(request.GET.get("q", "")) > LONGEST_SEARCH:
        return f"Search for at most {LONGEST_SEARCH} characters."
    for key, values in request.GET.lists():
        for part in (part for value in values if key != "q" for part in value.split(",")):
            if part.isdecimal() and part.strip("0") and not read_id(part):  # a number, not 0, and no id
                return f"{key[:40]}: no id is that large."
            if YEAR_FIRST.match(part) and not EARLIEST.year <= int(part[:4]) <= LATEST.year:
                return f"{key[:40]}: choose a date between {EARLIEST.year} and {LATEST.year}."
    if request.method == "POST" and "_selected_action" in request.POST:
        if not all(read_id(value) for value in request.POST.getlist("_selected_action")):
            return "Choose the rows to act on from the list."
    return ""


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
