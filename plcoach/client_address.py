"""Who a request came from, behind the load balancer: the address django-axes logs a failed
sign-in under (AXES_CLIENT_IP_CALLABLE) and plcoach/throttle.py counts those failures by, and
whether the balancer's word on the client (X-Forwarded-For, X-Forwarded-Proto) is heard at all."""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")


def from_proxy(request: HttpRequest) -> bool:
    """Sent by a balancer: from TRUSTED_PROXIES, or from a private address when none are named
    (only while developing: settings require them named in production)."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "")
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address  # a balancer's IPv4 on a dual-stack socket
    if settings.TRUSTED_PROXIES:
        return any(address in network for network in settings.TRUSTED_PROXIES)
    return address.is_private


def forwarded_headers_guard(get_response: Callable) -> Callable:
    """Drops X-Forwarded-For and X-Forwarded-Proto from anyone but a balancer: a client reaching an
    app server directly would otherwise choose its own address (escaping a sign-in lock) and pass
    for HTTPS (SECURE_PROXY_SSL_HEADER)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not from_proxy(request):
            for header in FORWARDED:
                request.META.pop(header, None)
        return get_response(request)

    return middleware


def client_address(request: HttpRequest) -> str | None:
    """Behind PROXY_COUNT proxies, the address the outermost one received the request from.

    Each proxy appends the address it heard from to X-Forwarded-For, so the client is that many
    entries from the right; entries further left were written by the client and prove nothing.
    Without the header (forwarded_headers_guard dropped it unless a balancer sent it), REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR")
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not settings.PROXY_COUNT or not hops:
        return remote
    candidate = hops[-settings.PROXY_COUNT] if len(hops) >= settings.PROXY_COUNT else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
