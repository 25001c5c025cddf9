"""The walk debrief: where the walk's classrooms pause, the change since the previous walk of its
campuses, and how far its observers agreed, filtered by campus, grade band and subject.

The page, its CSV, and its print page and PDF (reports.views) read through `debrief_context` or
`_filtered`, so they share one access rule (`get_walk_for_user`: 404 without access) and one
reading of the filters.
"""

from dataclasses import replace

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from dashboard.charts import pause_sections
from dashboard.export import csv_response
from dashboard.filters import BadFilter, Choices, PeopleFilters, Scope, read_filters, status_of
from dashboard.queries import coach_walkthroughs
from plcoach.access import signed_in
from progressions.models import Framework

from .calibration import walk_debrief as calibration
from .debrief import changes_since, previous_walk
from .models import ProgressionWalk
from .walk_views import get_walk_for_user


def _filtered(request: HttpRequest, pk: int) -> tuple[ProgressionWalk, PeopleFilters, Scope | None, str]:
    """The walk (404 without access), its filters, and their scope; or no scope and the problem."""
    walk = get_walk_for_user(request, pk)
    form = PeopleFilters(request.GET, Choices.for_walk(request.user, walk))
    try:
        return walk, form, replace(read_filters(form), walk=walk), ""
    except BadFilter as exc:
        return walk, form, None, str(exc)


CLASSROOMS_LISTED = 100  # on the page, of the agreement per classroom and of those to talk through


def debrief_context(request: HttpRequest, pk: int, *, listed: int | None = None) -> dict:
    """Everything the debrief shows; with a bad filter, only the walk, the form and the problem.
    Constant queries however large the walk (tests/test_walk_debrief.py). With `listed`, the
    classrooms' lists stop there (the counts and rates still take in every classroom)."""
    walk, form, scope, problem = _filtered(request, pk)
    context = {"walk": walk, "form": form, "scope": scope, "problem": problem, "printed": timezone.localdate()}
    if problem:
        return context
    viewer = request.user
    progressions = list(Framework.objects.progressions().order_by("name"))
    previous = previous_walk(walk, viewer)
    # Calibration's own rule: an observer sees every rating of the classrooms they have rated.
    debrief = calibration(walk=walk, only_submitted_by=viewer if walk.is_observer else None, scope=scope)
    disagreements = debrief.disagreements
    return {
        **context,
        "filter_query": request.GET.urlencode(),
        "campuses_shown": [c.name for c in form.campuses.values() if scope.campus in (None, c)],
        "sections": pause_sections(viewer, scope, progressions),
        "previous": previous,
        "changes": changes_since(viewer, scope, previous, progressions),
        "debrief": debrief,
        "classrooms_listed": debrief.classrooms[:listed],
        "disagreements_listed": disagreements[:listed],
        "disagreements_count": len(disagreements),
    }


@signed_in
@require_safe
def walk_debrief(request: HttpRequest, pk: int) -> HttpResponse:
    """An observer on the walk sees the classrooms they have submitted their own walkthrough of;
    a district leader not on it sees every classroom."""
    context = debrief_context(request, pk, listed=CLASSROOMS_LISTED)
    return render(request, "observations/walk_debrief.html", context, status=status_of(context))


@signed_in
@require_safe
def walk_debrief_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The walk's walkthroughs behind the debrief, in its filters, one CSV row each (never a private note)."""
    walk, _form, scope, problem = _filtered(request, pk)
    if problem:
        return HttpResponse(f"Bad filter: {problem}\n", status=400, content_type="text/plain; charset=utf-8")
    walkthroughs = coach_walkthroughs(request.user, scope).filter(framework__kind=Framework.Kind.PROGRESSION)
    filename = f"{slugify(walk.name) or 'walk'}-{walk.date:%Y-%m-%d}.csv"  # ASCII only: no name can break the header
    return csv_response(walkthroughs, filename)
