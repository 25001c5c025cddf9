"""Progression walks: a district leader plans one; its observers log walkthroughs tied to it
(through the usual start page, `?walk=<pk>`), then debrief on how far they agreed.

Who sees a walk is `ProgressionWalk.objects.visible_to`; who sees which walkthroughs of it is
`Walkthrough.objects.visible_to`, which keeps each observer blind to the others' ratings of a
classroom until they have submitted their own. The debrief applies the same rule.
"""

import uuid
from datetime import date, datetime

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from people.models import Campus, Role, User
from plcoach.access import role_required, signed_in

from . import inputs
from .calibration import walk_debrief as build_debrief
from .models import ProgressionWalk, Walkthrough
from .services import WalkthroughInvalid, walk_create

ON_THE_WALK = ProgressionWalk.observers.through.objects


def _get_walk_for_user(request: HttpRequest, pk: int) -> ProgressionWalk:
    """A walk this user may see (district leaders: any; observers: theirs), marked with
    whether the user observes on it; 404 otherwise, so nothing leaks that it exists."""
    on_it = ON_THE_WALK.filter(progressionwalk_id=OuterRef("pk"), user_id=request.user.pk)
    try:
        return (
            ProgressionWalk.objects.visible_to(request.user)
            .annotate(is_observer=Exists(on_it))
            .select_related("created_by")
            .get(pk=pk)
        )
    except ProgressionWalk.DoesNotExist:
        raise Http404("No walk here.") from None


def get_walk_for_observer(request: HttpRequest, pk: str) -> ProgressionWalk:
    """For the start page: only a walk's observers log walkthroughs in it."""
    walks = ProgressionWalk.objects.filter(observers=request.user)
    walk = walks.filter(pk=pk).first() if pk.isdecimal() and len(pk) < 10 else None
    if walk is None:
        raise Http404("No walk of yours here.")
    return walk


def _observer_choices():
    """Everyone who may walk a classroom, with their roles (read once for the whole list)."""
    return User.objects.filter(roles__kind__in=Role.OBSERVERS).distinct().prefetch_related("roles").order_by("last_name", "first_name", "pk")


@signed_in
@require_safe
def walk_list(request: HttpRequest) -> HttpResponse:
    walks = ProgressionWalk.objects.visible_to(request.user).prefetch_related("campuses", "observers")
    context = {"walks": list(walks[:100]), "can_plan": request.user.has_role(Role.Kind.DISTRICT_LEADER)}
    return render(request, "observations/walk_list.html", context)


@role_required(Role.Kind.DISTRICT_LEADER)
@require_http_methods(["GET", "HEAD", "POST"])
def walk_new(request: HttpRequest) -> HttpResponse:
    campuses, observers = list(Campus.objects.order_by("name")), list(_observer_choices())
    data = request.POST if request.method == "POST" else {}
    problem = ""
    if request.method == "POST":
        try:
            walk = walk_create(
                client_key=inputs.read_key(request.POST),
                created_by=request.user,
                date=_read_date(request.POST),
                name=request.POST.get("name", ""),
                norms=request.POST.get("norms", ""),
                campuses=_chosen(request.POST, "campuses", campuses, "campus"),
                observers=_chosen(request.POST, "observers", observers, "observer"),
            )
        except WalkthroughInvalid as exc:
            problem = str(exc)
        else:
            messages.success(request, "Walk planned. Its observers see it under Walks.")
            return redirect(walk)
    context = {
        "campuses": campuses,
        "observers": observers,
        "chosen_campuses": set(request.POST.getlist("campuses")),
        "chosen_observers": set(request.POST.getlist("observers")),
        "client_key": data.get("client_key") or uuid.uuid4(),
        "date": data.get("date", ""),
        "name": data.get("name", ""),
        "norms": data.get("norms", ""),
        "problem": problem,
    }
    return render(request, "observations/walk_form.html", context, status=400 if problem else 200)


def _read_date(data) -> date:
    try:
        return datetime.strptime(data.get("date", "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise WalkthroughInvalid("Date: enter the day of the walk, like 2026-11-22.") from None


def _chosen(data, name: str, choices: list, what: str) -> list:
    by_pk = {str(choice.pk): choice for choice in choices}
    wanted = data.getlist(name)
    if any(pk not in by_pk for pk in wanted):
        raise WalkthroughInvalid(f"{name.capitalize()}: choose from the list (one of those sent is not a {what} you can choose).")
    return [by_pk[pk] for pk in dict.fromkeys(wanted)]


@signed_in
@require_safe
def walk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The walk: where, who, why and the norms; the walkthroughs of it this user may see."""
    walk = _get_walk_for_user(request, pk)
    walkthroughs = (
        Walkthrough.objects.visible_to(request.user)
        .filter(walk=walk)
        .select_related("teacher__campus", "framework", "observer")
        .order_by("teacher__last_name", "teacher__first_name", "observed_at")
    )
    context = {
        "walk": walk,
        "campuses": list(walk.campuses.all()),
        "observers": list(walk.observers.order_by("last_name", "first_name")),
        "walkthroughs": list(walkthroughs),
    }
    return render(request, "observations/walk_detail.html", context)


@signed_in
@require_safe
def walk_debrief(request: HttpRequest, pk: int) -> HttpResponse:
    """The calibration debrief. An observer on the walk sees only the classrooms they have
    submitted their own walkthrough of; a district leader not on it sees every classroom.
    Constant queries however large the walk (tests/test_calibration.py)."""
    walk = _get_walk_for_user(request, pk)
    debrief = build_debrief(walk=walk, only_submitted_by=request.user if walk.is_observer else None)
    return render(request, "observations/walk_debrief.html", {"walk": walk, "debrief": debrief})
