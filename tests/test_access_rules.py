"""Every view declares an access rule; a view added without one fails here."""

from django.urls import URLPattern, URLResolver, get_resolver

KNOWN_RULES = {"public"}


def views(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin checks staff status itself
            yield from views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_view_declares_an_access_rule():
    missing = [route for route, view in views() if getattr(view, "access_rule", None) not in KNOWN_RULES]
    assert missing == []


def test_the_admin_requires_a_staff_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
