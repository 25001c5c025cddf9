"""Progression walks: a district leader plans one; its observers log walkthroughs tied to it
(through the usual start page, `?walk=<pk>`), then debrief on how far they agreed.

Who sees a walk is `ProgressionWalk.objects.visible_to`; who sees which walkthroughs of it is
`Walkthrough.objects.visible_to`, which keeps each observer blind to the others' ratings of a
classroom until they have submitted their own. The debrief applies the same rule.
"""

import uuid
from datetime import date, datetime

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from people.models import Campus, Role, User
from plcoach.access import role_required, signed_in
from plcoach.lists import capped

from . import inputs
from .models import ProgressionWalk, Walkthrough
from .services import (
    KeyUsedForOther,
    WalkthroughConflict,
    WalkthroughInvalid,
    campuses_walked,
    typed,
    walk_close_logging,
    walk_create,
    walk_plan_problems,
    walk_reopen_logging,
    walk_update,
)

ON_THE_WALK = ProgressionWalk.observers.through.objects
WALKS_LISTED = 100  # the latest
WALK_RATINGS_LISTED = 200  # a walk's walkthroughs on its page; beyond them, a campus at a time


def get_walk_for_user(request: HttpRequest, pk: int) -> ProgressionWalk:
    """A walk this user may see (district leaders: any; observers: theirs), marked with
    whether the user observes on it; 404 otherwise, so nothing leaks that it exists."""
    on_it = ON_THE_WALK.filter(progressionwalk_id=OuterRef("pk"), user_id=request.user.pk)
    try:
        return (
            ProgressionWalk.objects.visible_to(request.user)
            .annotate(is_observer=Exists(on_it))
            .select_related("created_by", "edited_by", "logging_set_by")
            .get(pk=pk)
        )
    except ProgressionWalk.DoesNotExist:
        raise Http404("No walk here.") from None


def get_walk_for_observer(request: HttpRequest, pk: str) -> ProgressionWalk:
    """For the start page: only a walk's observers log walkthroughs in it (while it is open for
    logging: the start page and the service check that)."""
    walks = ProgressionWalk.objects.filter(observers=request.user).select_related("logging_set_by")
    walk = walks.filter(pk=inputs.read_id(pk)).first()
    if walk is None:
        raise Http404("No walk of yours here.")
    return walk


def _observer_choices():
    """Everyone who may walk a classroom, with their roles (read once for the whole list)."""
    observers = User.objects.filter(roles__kind__in=Role.OBSERVERS).distinct()
    return observers.select_related("teacher").prefetch_related("roles").order_by("last_name", "first_name", "pk")


@signed_in
@require_safe
def walk_list(request: HttpRequest) -> HttpResponse:
    walks = ProgressionWalk.objects.visible_to(request.user).prefetch_related("campuses", "observers")
    listed, more = capped(walks, WALKS_LISTED)
    context = {"walks": listed, "more": more, "can_plan": request.user.has_role(Role.Kind.DISTRICT_LEADER)}
    return render(request, "observations/walk_list.html", context)


@role_required(Role.Kind.DISTRICT_LEADER)
@require_http_methods(["GET", "HEAD", "POST"])
def walk_new(request: HttpRequest) -> HttpResponse:
    campuses, observers = _walk_choices()
    problem, new_key = "", False
    if request.method == "POST":
        try:
            walk = walk_create(
                client_key=inputs.read_key(request.POST),
                created_by=request.user,
                **_posted_plan(request.POST, campuses, observers),
            )
        except KeyUsedForOther as exc:
            problem, new_key = str(exc), True
        except WalkthroughInvalid as exc:
            problem = str(exc)
        else:
            messages.success(request, "Walk planned. Its observers see it under Walks.")
            return redirect(walk)
    # The form's own key, kept for a resend; a new one once that key made another walk.
    values = {**_posted_values(request.POST), "client_key": (not new_key and request.POST.get("client_key")) or uuid.uuid4()}
    return _walk_form(request, campuses, observers, values, problem=problem, status=400 if problem else 200)


@role_required(Role.Kind.DISTRICT_LEADER)
@require_http_methods(["GET", "HEAD", "POST"])
def walk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A district leader edits a walk. A form based on an older version of the walk (another tab,
    another leader) is refused with 409 and shows the walk as it now stands; bad input is a 400
    that keeps what was entered."""
    walk = get_walk_for_user(request, pk)
    campuses, observers = _walk_choices()
    problem, status, values = "", 200, _saved_values(walk)
    if request.method == "POST":
        try:
            walk = walk_update(
                walk=walk,
                edited_by=request.user,
                version=inputs.read_int(request.POST, "version", "walk version"),
                **_posted_plan(request.POST, campuses, observers, planned_for=walk.date),
            )
        except WalkthroughConflict as exc:
            walk = get_walk_for_user(request, pk)
            problem, status, values = str(exc), 409, _saved_values(walk)
        except WalkthroughInvalid as exc:
            problem, status = str(exc), 400
            values = {**_posted_values(request.POST), "version": request.POST.get("version", "")}
        else:
            messages.success(request, "Walk saved. Its observers see the changes under Walks.")
            return redirect(walk)
    return _walk_form(request, campuses, observers, values, problem=problem, status=status, walk=walk)


def _walk_choices() -> tuple[list[Campus], list[User]]:
    return list(Campus.objects.order_by("name")), list(_observer_choices())


def _posted_plan(data, campuses: list[Campus], observers: list[User], planned_for=None) -> dict:
    """The walk form's fields as the services take them. If one cannot be read, WalkthroughInvalid
    names it and every other problem of the form too, one line each, so it is fixed in one go."""
    readers = {
        "date": lambda: _read_date(data),
        "campuses": lambda: _chosen(data, "campuses", campuses, "a campus"),
        "observers": lambda: _chosen(data, "observers", observers, "an observer"),
    }
    plan, problems = {"name": data.get("name", ""), "norms": data.get("norms", "")}, []
    for field, read in readers.items():
        try:
            plan[field] = read()
        except WalkthroughInvalid as exc:
            plan[field] = None
            problems.append(str(exc))
    if problems:
        problems += walk_plan_problems(
            plan["date"], typed(plan["name"]), typed(plan["norms"]), plan["campuses"], plan["observers"], planned_for
        )
        raise WalkthroughInvalid("\n".join(problems))
    return plan


def _posted_values(data) -> dict:
    """What the form showed, as sent: a refused form keeps what was entered."""
    return {
        "date": data.get("date", ""),
        "name": data.get("name", ""),
        "norms": data.get("norms", ""),
        "chosen_campuses": set(data.getlist("campuses")),
        "chosen_observers": set(data.getlist("observers")),
    }


def _saved_values(walk: ProgressionWalk) -> dict:
    return {
        "date": walk.date.isoformat(),
        "name": walk.name,
        "norms": walk.norms,
        "chosen_campuses": {str(pk) for pk in walk.campuses.values_list("pk", flat=True)},
        "chosen_observers": {str(pk) for pk in walk.observers.values_list("pk", flat=True)},
        "version": walk.version,
    }


# Each problem line starts with the label of the field it is about, in the form's own words.
PROBLEM_FIELDS = {"Date": "date", "Purpose": "name", "The purpose": "name", "Norms": "norms", "The norms": "norms",
                  "Campuses": "campuses", "Observers": "observers"}  # fmt: skip
FORM_FIELDS = ("date", "name", "norms", "campuses", "observers")


def _problems_by_field(problem: str) -> dict[str, str]:
    """The problems of each field, to say beside it (a conflict with another edit names none)."""
    by_field: dict[str, list[str]] = {}
    for line in problem.splitlines():
        if field := PROBLEM_FIELDS.get(line.split(":", 1)[0]):
            by_field.setdefault(field, []).append(line)
    return {field: " ".join(lines) for field, lines in by_field.items()}


def _walk_form(request, campuses, observers, values: dict, *, problem: str, status: int, walk=None) -> HttpResponse:
    """The plan form, for a new walk or (with `walk`) an edit, which marks the campuses and
    observers that walkthroughs in the walk already tie to it. A refused form says each problem
    beside its field too, and the first field with one takes the focus."""
    errors = _problems_by_field(problem)
    first = next((field for field in FORM_FIELDS if field in errors), "")
    context = {"walk": walk, "campuses": campuses, "observers": observers, "problem": problem, "errors": errors,
               "first_invalid": first, "logging_days": ProgressionWalk.LOGGING_DAYS, **values}  # fmt: skip
    if walk is not None:
        context["walked_campuses"] = {str(pk) for pk in campuses_walked(walk).values_list("pk", flat=True)}
        context["logging_observers"] = {str(pk) for pk in walk.walkthroughs.values_list("observer_id", flat=True)}
    return render(request, "observations/walk_form.html", context, status=status)


def _read_date(data) -> date:
    try:
        return datetime.strptime(data.get("date", "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise WalkthroughInvalid("Date: enter the day of the walk, like 2026-11-22.") from None


def _chosen(data, name: str, choices: list, what: str) -> list:
    by_pk = {str(choice.pk): choice for choice in choices}
    wanted = data.getlist(name)
    if any(pk not in by_pk for pk in wanted):
        raise WalkthroughInvalid(f"{name.capitalize()}: choose from the list (one of those sent is not {what} you can choose).")
    return [by_pk[pk] for pk in dict.fromkeys(wanted)]


@signed_in
@require_safe
def walk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The walk: where, who, why and the norms; the walkthroughs of it this user may see, how many
    at each campus, and those of one campus (?campus=CODE) when a big walk's list stops short."""
    walk = get_walk_for_user(request, pk)
    campuses = list(walk.campuses.all())
    code = request.GET.get("campus", "")
    chosen = next((campus for campus in campuses if campus.code == code), None)
    if code and chosen is None:
        return HttpResponseBadRequest("Campus: choose one of the walk's campuses.", content_type="text/plain")
    visible = Walkthrough.objects.visible_to(request.user).filter(walk=walk)
    per_campus = dict(visible.values_list("teacher__campus").annotate(n=Count("pk")).order_by())
    walkthroughs = (
        visible.filter(**({"teacher__campus": chosen} if chosen else {}))
        .select_related("teacher__campus", "framework", "observer")
        .order_by("teacher__last_name", "teacher__first_name", "observed_at")
    )
    listed, more = capped(walkthroughs, WALK_RATINGS_LISTED)
    context = {
        "walk": walk,
        "campuses": campuses,
        "chosen": chosen,
        "per_campus": [(campus, per_campus.get(campus.pk, 0)) for campus in campuses],
        "seen": sum(per_campus.values()),
        "observers": list(walk.observers.order_by("last_name", "first_name")),
        "walkthroughs": listed,
        "more": more,
        "can_edit": request.user.has_role(Role.Kind.DISTRICT_LEADER),  # as walk_edit's role_required
    }
    return render(request, "observations/walk_detail.html", context)


@role_required(Role.Kind.DISTRICT_LEADER)
@require_POST
def walk_close(request: HttpRequest, pk: int) -> HttpResponse:
    """A district leader closes logging in the walk now; what is logged in it stays."""
    walk = walk_close_logging(walk=get_walk_for_user(request, pk), closed_by=request.user)
    messages.success(request, "Logging closed: no new walkthroughs in this walk. Those already started can be finished.")
    return redirect(walk)


@role_required(Role.Kind.DISTRICT_LEADER)
@require_POST
def walk_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """A district leader reopens logging in the walk: its usual window while that lasts, else a week."""
    walk = walk_reopen_logging(walk=get_walk_for_user(request, pk), reopened_by=request.user)
    messages.success(request, f"Logging reopened: its observers can log walkthroughs in it through {date_format(walk.last_logging_day, 'l j F')}.")
    return redirect(walk)
