from django.utils.functional import SimpleLazyObject

from people.models import Role

DASHBOARD_ROLES = (Role.Kind.PRINCIPAL, Role.Kind.DISTRICT_LEADER)  # who may open the dashboard (views.py)


def dashboard_link(request) -> dict:
    """Whether the nav shows the Dashboard link: decided from the user's roles (read once per request,
    and only if a page draws the nav), the same rule the dashboard's views enforce."""
    user = getattr(request, "user", None)
    return {"dashboard_link": SimpleLazyObject(lambda: bool(user and user.is_authenticated and any(user.has_role(k) for k in DASHBOARD_ROLES)))}
