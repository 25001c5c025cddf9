from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from plcoach.access import public

from .models import Framework


@public
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    frameworks = Framework.objects.all()
    return render(request, "progressions/home.html", {"frameworks": frameworks})


@public
@require_safe
def progression_detail(request: HttpRequest, slug: str) -> HttpResponse:
    progression = get_object_or_404(Framework.objects.progressions(), slug=slug)
    return render(
        request,
        "progressions/progression_detail.html",
        {"framework": progression, "phases": progression.phases_with_actions()},
    )


@public
@require_safe
def driver_model_detail(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_object_or_404(Framework.objects.driver_models(), slug=slug)
    stages, domains = framework.driver_model_outline()
    return render(
        request,
        "progressions/driver_model_detail.html",
        {"framework": framework, "stages": stages, "domains": domains},
    )
