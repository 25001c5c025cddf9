"""The address a request came from: what django-axes logs a failed sign-in under
(AXES_CLIENT_IP_CALLABLE), and what plcoach/throttle.py counts those failures by."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """Behind PROXY_COUNT proxies, the address the outermost one received the request from.

    Each proxy appends the address it heard from to X-Forwarded-For, so the client is that many
    entries from the right; entries further left were written by the client and prove nothing.
    The header is read only from a private address (a balancer's): a client reaching the app
    straight from outside writes it themselves. Otherwise, and without the header, REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR")
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not settings.PROXY_COUNT or not hops or not _private(remote):
        return remote
    candidate = hops[-settings.PROXY_COUNT] if len(hops) >= settings.PROXY_COUNT else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _private(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_private
    except ValueError:
        return False
