from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from people.models import Role, Teacher

from .access import public, signed_in

# Nothing here is for search engines: walkthroughs are private, and the content is the PL Toolbox's.
ROBOTS = "User-agent: *\nDisallow: /\n"


@public
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Asks search engines to stay out. No database: the load benchmark's trivial view too, a
    request through every middleware that does nothing else."""
    return HttpResponse(ROBOTS, content_type="text/plain")


@signed_in
@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """Where signing in leads, unless a page asked for it (?next=): each person's own starting
    point, not the content's home page. A district leader reads the dashboard; a principal their
    teachers and campus summaries; a coach or a teacher their walkthroughs or reflections, with
    the unfinished ones to resume on top; a site admin the roster."""
    user = request.user
    if user.has_role(Role.Kind.DISTRICT_LEADER):
        return redirect("dashboard:pauses")
    if user.has_role(Role.Kind.PRINCIPAL):
        return redirect("people:teacher-list")
    if user.can_observe or Teacher.objects.filter(user=user).exists():
        return redirect("observations:walkthrough-list")
    if user.is_site_admin:
        return redirect("people:roster")
    return redirect("progressions:home")
