from django.conf import settings


def content_credit(request):
    return {
        "content_credit": settings.CONTENT_CREDIT,
        "content_source_url": settings.CONTENT_SOURCE_URL,
        "content_licence_url": settings.CONTENT_LICENCE_URL,
    }


# The main navigation's link for each part of the site, by the path's first segment.
NAV_SECTIONS = {"walkthroughs": "walkthroughs", "reflections": "walkthroughs", "teachers": "teachers", "walks": "walks",
                "dashboard": "dashboard", "roster": "roster", "accounts": "account"}  # fmt: skip


def nav_section(request):
    """Which link of the main navigation to mark as where the page is (aria-current)."""
    return {"nav_section": NAV_SECTIONS.get(request.path_info.strip("/").split("/", 1)[0], "")}
