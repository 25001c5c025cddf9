"""Access rules: every view declares who may use it, and tests/test_access.py checks each one.

The rule is enforced here (or by the view's queryset, e.g. `Teacher.objects.visible_to`),
never by a template. An object a user may not see answers 404, so nothing leaks that it exists.
"""

from collections.abc import Callable
from functools import wraps

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django_htmx.http import HttpResponseClientRedirect


def login_required(view: Callable) -> Callable:
    """Django's login_required, except that an htmx request whose session has expired sends
    the whole page to the login (and back to it afterwards) instead of swapping the login
    form into a fragment. An htmx write (a tap, which the page keeps and sends again) is a 401
    instead: leaving the page would lose it, and once the coach has signed in again in another
    tab, the page's resend goes through."""
    plain = django_login_required(view)

    @wraps(view)
    def check(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated and request.method == "POST":
            return HttpResponse("Not saved: your sign-in has ended. Sign in again to save it.", status=401, content_type="text/plain")
        if request.htmx and not request.user.is_authenticated:
            try:
                current = urlsplit(request.htmx.current_url or request.get_full_path())
            except ValueError:  # a malformed HX-Current-URL header: back to this request's page
                current = urlsplit(request.get_full_path())
            back_to = current.path + (f"?{current.query}" if current.query else "")
            return HttpResponseClientRedirect(redirect_to_login(back_to)["Location"])
        return plain(request, *args, **kwargs)

    return check


def public(view: Callable) -> Callable:
    """Anyone may use this view, signed in or not.

    The PL Toolbox content is published openly under CC BY-NC-SA 4.0, so the
    pages that show it hold nothing about people and need no login.
    """
    view.access_rule = "public"
    return view


def signed_in(view: Callable) -> Callable:
    """Any signed-in user; what they see is narrowed by the view's queryset."""
    wrapped = login_required(view)
    wrapped.access_rule = "signed in"
    return wrapped


ROLE_PLURALS = {"coach": "coaches", "principal": "principals", "district_leader": "district leaders", "site_admin": "site admins", "teacher": "teachers"}


def role_required(*kinds: str) -> Callable:
    """Signed-in users holding one of these roles; others get 403, anonymous users the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def check(request, *args, **kwargs):
            if not any(request.user.has_role(kind) for kind in kinds):
                raise PermissionDenied("This page is for " + " or ".join(ROLE_PLURALS.get(k, k) for k in kinds) + ".")
            return view(request, *args, **kwargs)

        wrapped = login_required(check)
        wrapped.access_rule = "roles: " + ", ".join(kinds)
        return wrapped

    return decorator


def teachers_only(view: Callable) -> Callable:
    """Signed-in users who are on the roster as a teacher (self-reflection); others get 403."""

    @wraps(view)
    def check(request, *args, **kwargs):
        from people.models import Teacher  # access rules load before the apps' models

        if not Teacher.objects.filter(user_id=request.user.pk).exists():
            raise PermissionDenied("Self-reflection is for teachers with a login.")
        return view(request, *args, **kwargs)

    wrapped = login_required(check)
    wrapped.access_rule = "teachers with a login"
    return wrapped
