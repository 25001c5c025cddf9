"""Sign-in throttling by address, beside django-axes' by account: many failures from one address
(a password tried across accounts) pause signing in from it, at a limit a school can share."""

from collections.abc import Callable
from functools import wraps

from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .client_address import client_address


def address_locked(request: HttpRequest) -> bool:
    recent = AccessFailureLog.objects.filter(
        ip_address=client_address(request), attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )
    return recent.count() >= settings.ADDRESS_FAILURE_LIMIT


def address_throttled(view: Callable) -> Callable:
    """The sign-in form refuses posts from an address over the limit, before any password is tried."""

    @wraps(view)
    def check(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and address_locked(request):
            context = {
                "address_lock": True, "failure_limit": settings.ADDRESS_FAILURE_LIMIT, "cooloff_timedelta": settings.AXES_COOLOFF_TIME,
            }  # fmt: skip
            return render(request, "registration/locked_out.html", context, status=429)
        return view(request, *args, **kwargs)

    return check
