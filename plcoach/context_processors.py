from django.conf import settings


def content_credit(request):
    return {
        "content_credit": settings.CONTENT_CREDIT,
        "content_source_url": settings.CONTENT_SOURCE_URL,
        "content_licence_url": settings.CONTENT_LICENCE_URL,
    }
