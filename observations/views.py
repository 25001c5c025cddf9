"""Walkthrough pages: start, walk to the pause, finish, reopen and correct.

Every write goes through services.py. An htmx POST gets the updated fragment back
(`#walk`), a plain form POST is redirected, so each step works without JavaScript.
Refusals are 400 (bad input) or 409 (changed in another tab), with the page showing why.
"""

import uuid

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from people.models import Role, Teacher
from plcoach.access import role_required, signed_in, teachers_only
from plcoach.lists import capped
from progressions.models import Action, ActionStep, Component, Framework, Phase, Stage

from . import inputs
from .history import teacher_history
from .models import Answer, DriverFocus, ProgressionWalk, Walkthrough
from .services import (
    KeyUsedForOther,
    WalkClosed,
    WalkthroughConflict,
    WalkthroughInvalid,
    walkthrough_answer,
    walkthrough_back,
    walkthrough_back_to,
    walkthrough_correct,
    walkthrough_discard,
    walkthrough_finish,
    walkthrough_focus,
    walkthrough_reopen,
    walkthrough_start,
    walkthrough_unfocus,
)
from .walk_views import get_walk_for_observer



def _get_walkthrough_for_user(request: HttpRequest, pk: int) -> Walkthrough:
    """A walkthrough this user may see, with what its pages show; 404 otherwise."""
    try:
        return (
            Walkthrough.objects.visible_to(request.user)
            .select_related("teacher__campus", "framework", "observer", "walk")
            .get(pk=pk)
        )
    except Walkthrough.DoesNotExist:
        raise Http404("No walkthrough here.") from None


def _get_walkthrough_for_observer(request: HttpRequest, pk: int) -> Walkthrough:
    """Only its observer writes to a walkthrough; to anyone else it does not exist."""
    try:
        return Walkthrough.objects.only("pk", "observer_id").get(pk=pk, observer_id=request.user.pk)
    except Walkthrough.DoesNotExist:
        raise Http404("No walkthrough here.") from None


# Starting ------------------------------------------------------------------------------------


@role_required(*Role.OBSERVERS)
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache  # a start page from the browser's cache would carry a key already used
def walkthrough_new(request: HttpRequest) -> HttpResponse:
    """A coach (or principal, or district leader) starts a walkthrough of a teacher they may see.

    In a progression walk (`?walk=<pk>`, its observers only) the choice is the teachers of the
    walk's campuses instead: the leader who planned the walk asked these observers to visit them."""
    data = request.POST if request.method == "POST" else request.GET
    if walk_pk := data.get("walk", ""):
        walk = get_walk_for_observer(request, walk_pk)
        if not walk.is_open_for_logging:
            return _walk_closed(request, walk)
        teachers = Teacher.objects.filter(campus__in=walk.campuses.all())
        return _start_page(request, kind=Walkthrough.Kind.COACH, teachers=_others(teachers, request.user), walk=walk)
    return _start_page(request, kind=Walkthrough.Kind.COACH, teachers=_others(Teacher.objects.visible_to(request.user), request.user))


def _others(teachers, user):
    """Whom a coach may walk: not their own classroom, if they also teach (that is a self-reflection)."""
    return teachers.exclude(user_id=user.pk)


@teachers_only
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def reflection_new(request: HttpRequest) -> HttpResponse:
    """A teacher walks a progression about their own classroom."""
    return _start_page(request, kind=Walkthrough.Kind.SELF, teachers=Teacher.objects.filter(user=request.user))


def _start_page(request: HttpRequest, *, kind: str, teachers, walk=None) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    teachers = teachers.select_related("campus")
    teacher = framework = None
    if kind == Walkthrough.Kind.SELF:
        teacher = teachers.first()
    elif teacher_id := data.get("teacher", "").strip():
        teacher = teachers.filter(pk=inputs.read_id(teacher_id)).first()
        if teacher is None:
            raise Http404("No teacher here.")
    if teacher and (slug := data.get("framework", "").replace("\x00", "").strip()):
        framework = Framework.objects.filter(slug=slug).first()
        if framework is None:
            raise Http404("No such progression.")

    problem, new_key = "", False
    if request.method == "POST":
        try:
            walkthrough = _start(request, kind=kind, teacher=teacher, framework=framework, walk=walk)
        except WalkClosed:
            return _walk_closed(request, walk)
        except KeyUsedForOther as exc:
            problem, new_key = str(exc), True
        except WalkthroughInvalid as exc:
            problem = str(exc)
        else:
            return _on_to(request, walkthrough)
    context = {
        "kind": kind,
        "teacher": teacher,
        "framework": framework,
        "problem": problem,
        "client_key": (not new_key and data.get("client_key")) or uuid.uuid4(),  # kept for a resend
        "observed_at": data.get("observed_at") or inputs.now_for_input(),
        "walk": walk,
        "models_seen": Walkthrough.BlendedModel.choices,
        "model_seen": data.get("model_seen", ""),
    }
    if teacher is None:
        context.update(_teacher_choices(data, teachers))
    else:
        context.update(_framework_choices(request, teacher, framework, kind, data, walk=walk))
    template = "observations/start.html"
    if request.htmx and request.htmx.target == "teacher-choices":
        template += "#teacher-choices"
    return render(request, template, context, status=400 if problem else 200)


def _walk_closed(request: HttpRequest, walk) -> HttpResponse:
    """The walk no longer takes new walkthroughs (nor searches of its campuses' teachers): say so,
    and where to go instead. A start sent again after its reply was lost still finds what it made."""
    if request.method == "POST":
        try:
            key = inputs.read_optional_key(request.POST)
        except WalkthroughInvalid:
            key = None  # refused below all the same
        made = key and Walkthrough.objects.filter(client_key=key, observer=request.user, walk=walk).first()
        if made:
            return _on_to(request, made)
    if request.htmx:  # a search typed on a page loaded before the close: show the whole page's answer
        return HttpResponseClientRedirect(f"{reverse('observations:walkthrough-new')}?walk={walk.pk}")
    context = {"walk": walk, "can_reopen": request.user.has_role(Role.Kind.DISTRICT_LEADER)}
    return render(request, "observations/walk_closed.html", context, status=403)


def _start(request: HttpRequest, *, kind: str, teacher, framework, walk) -> Walkthrough:
    if teacher is None or framework is None:
        raise WalkthroughInvalid("Choose the teacher and the progression first.")
    return walkthrough_start(
        client_key=inputs.read_key(request.POST),
        observer=request.user,
        teacher=teacher,
        framework=framework,
        start_phase=request.POST.get("start_phase", Phase.Kind.FOUNDATION),
        kind=kind,
        observed_at=inputs.read_observed_at(request.POST),
        walk=walk,
        model_seen=request.POST.get("model_seen", "") if kind == Walkthrough.Kind.COACH else "",
    )


def _teacher_choices(data, teachers) -> dict:
    query = data.get("q", "").replace("\x00", "").strip()[:100]
    return {"query": query, "teachers": list(teachers.matching(query).order_by("last_name", "first_name")[:25])}


def _framework_choices(request, teacher, framework, kind, data, walk=None) -> dict:
    """Each framework with where this teacher last paused on it, the suggested starting phase, and
    this user's unfinished walkthrough of the teacher on it, to resume rather than start twice.
    In a progression walk the last pause is not shown: observers rate blind, from Foundation."""
    history = {} if walk else {h.framework.pk: h for h in teacher_history(teacher=teacher, viewer=request.user, latest_stops=1)}
    unfinished = {}
    # Only one of the same walk (or of none): resuming another would leave this walk's rating out of its debrief.
    open_ones = Walkthrough.objects.filter(observer=request.user, teacher=teacher, kind=kind, status=Walkthrough.Status.IN_PROGRESS, walk=walk)
    for open_one in open_ones.order_by("-updated_at"):
        unfinished.setdefault(open_one.framework_id, open_one)
    frameworks = []
    for choice in Framework.objects.order_by("kind", "name"):
        track = history.get(choice.pk)
        track = (track.coach if kind == Walkthrough.Kind.COACH else track.self_reflection) if track else None
        frameworks.append((choice, track.stops[-1] if track and track.stops else None, unfinished.get(choice.pk)))
    context = {"frameworks": frameworks, "unfinished": unfinished.get(framework.pk) if framework else None}
    if kind == Walkthrough.Kind.COACH and walk is None:
        # Started here, a rating of a walk's classroom is outside the walk: seen at once, never compared.
        context["open_walks"] = list(
            ProgressionWalk.objects.filter(observers=request.user, campuses=teacher.campus_id, logging_ends_at__gt=timezone.now())
            .order_by("-date", "-pk")[:3]
        )
    if framework and framework.is_progression:
        last_stop = {f.pk: stop for f, stop, _unfinished in frameworks}.get(framework.pk)
        phases = list(framework.phases.all())
        offered = [phase for phase in phases if phase.available]  # the others have no actions to start from
        walked = [phase.kind for phase in offered] or [Phase.Kind.FOUNDATION]
        # The last pause's phase, unless the copy carried now has no actions there.
        suggested = last_stop.phase if last_stop and last_stop.number and last_stop.phase in walked else walked[0]
        context["phases"] = offered
        context["skipped_phases"] = [phase for phase in phases if not phase.available]
        context["last_stop"] = last_stop
        context["start_phase"] = data.get("start_phase") or suggested
        context["suggested_phase"] = suggested
    return context


# The walk --------------------------------------------------------------------------------------


OPEN_LISTED, FINISHED_LISTED = 50, 30  # "Your walkthroughs": the unfinished, then a page of the finished
LAST_PAGE = 10_000
LISTED_FIELDS = ("kind", "status", "observed_at", "updated_at", "pause_phase", "pause_number", "teacher__first_name",
                 "teacher__last_name", "framework__kind", "framework__name")  # fmt: skip


@signed_in
@require_safe
def walkthrough_list(request: HttpRequest) -> HttpResponse:
    """The user's own walkthroughs: unfinished ones first, to resume from any device; then the
    finished ones, latest first, a page at a time (?page=2 for older ones)."""
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 0
    if not 1 <= page <= LAST_PAGE:
        return HttpResponseBadRequest(f"Page: give a whole number from 1 to {LAST_PAGE}.", content_type="text/plain")
    # Only what the list shows: reading each row's notes and its progression's texts cost about a tenth of the page.
    mine = (
        Walkthrough.objects.filter(observer=request.user)
        .select_related("teacher", "framework")
        .only(*LISTED_FIELDS)
    )
    # How far each unfinished one has got, so two of one teacher can be told apart: subqueries, in the same query.
    live = Answer.objects.filter(walkthrough=OuterRef("pk"), undone_at__isnull=True).order_by()
    saved = DriverFocus.objects.filter(walkthrough=OuterRef("pk")).order_by()
    open_ones = mine.filter(status=Walkthrough.Status.IN_PROGRESS).annotate(
        answered=Subquery(live.values("walkthrough").annotate(n=Count("pk")).values("n")),
        paused=Exists(live.filter(in_place=False)),
        focused=Subquery(saved.values("walkthrough").annotate(n=Count("pk")).values("n")),
    )
    unfinished, more_unfinished = capped(open_ones.order_by("-updated_at"), OPEN_LISTED)
    finished = mine.filter(status=Walkthrough.Status.COMPLETE).order_by("-observed_at", "-pk")
    finished, more_finished = capped(finished[(page - 1) * FINISHED_LISTED :], FINISHED_LISTED)
    return render(
        request,
        "observations/walkthrough_list.html",
        {
            "open": unfinished,
            "more_open": more_unfinished,
            "finished": finished,
            "more_finished": more_finished,
            "page": page,
            "first_listed": (page - 1) * FINISHED_LISTED + 1,
            "last_listed": (page - 1) * FINISHED_LISTED + len(finished),
            "can_observe": request.user.can_observe,
            "can_reflect": Teacher.objects.filter(user=request.user).exists(),
        },
    )


@signed_in
@require_safe
@never_cache  # the browser's Back must not bring back a walk's page, and its keys, from before the taps since
def walkthrough_detail(request: HttpRequest, pk: int) -> HttpResponse:
    walkthrough = _get_walkthrough_for_user(request, pk)
    if walkthrough.is_open and request.htmx and request.htmx.target == "focus-form":
        return render(request, "observations/_driver_walk.html#focus-form", _walk_context(request, walkthrough))
    return _page(request, walkthrough)


def _page(request: HttpRequest, walkthrough: Walkthrough, *, problem: str = "", status: int = 200, as_posted: bool = False) -> HttpResponse:
    """The walkthrough's page, with what was refused if anything: the walk while it is open (only
    its observer gets one: visible_to), else what was saved."""
    if walkthrough.is_open:
        context = _walk_context(request, walkthrough, problem, as_posted=as_posted)
        start = Phase.Kind.values.index(walkthrough.start_phase) + 1 if walkthrough.start_phase else 1
        context["skipped_phases"] = list(walkthrough.framework.phases.filter(available=False, position__gte=start))
        return render(request, "observations/walk.html", context, status=status)
    context = {
        "walkthrough": walkthrough,
        "problem": problem,
        "private_note": walkthrough.private_note_for(request.user),
        "is_observer": walkthrough.observer_id == request.user.pk,
        "focuses": list(walkthrough.focuses.all()),
        "changes": list(walkthrough.changes.select_related("changed_by")),
    }
    return render(request, "observations/walkthrough_detail.html", context, status=status)


def _walk_context(request: HttpRequest, walkthrough: Walkthrough, problem: str = "", *, as_posted: bool = False) -> dict:
    """What the walk fragment shows. A fresh client key for the next tap: a resend of this one reuses its own."""
    context = {"walkthrough": walkthrough, "state": walkthrough.state, "client_key": uuid.uuid4(), "problem": problem}
    if not walkthrough.framework.is_progression:
        # A refused save, or a form posted back to show its steps, shows what was posted again; a
        # saved one starts a clean form.
        data = request.GET if request.method != "POST" else request.POST if problem or as_posted else QueryDict()
        context.update(_focus_choices(walkthrough, data, posted=request.method == "POST"))
    return context


def _focus_choices(walkthrough: Walkthrough, data: QueryDict, *, posted: bool) -> dict:
    """The Driver Model form: components by domain, then the stage, then that cell's action steps."""
    framework = walkthrough.framework
    focuses = list(walkthrough.focuses.all())
    components = list(
        Component.objects.filter(framework=framework, retired=False, domain__retired=False)
        .select_related("domain")
        .order_by("domain__position", "position")
    )
    stages = list(framework.stages.all())
    component = next((c for c in components if str(c.pk) == data.get("component")), None)
    stage = next((s for s in stages if str(s.pk) == data.get("stage")), None)
    existing = next((f for f in focuses if component and f.component_id == component.pk), None)
    if existing and stage is None:
        stage = next((s for s in stages if s.pk == existing.stage_id), None)
    groups = []
    if component and stage:
        steps = ActionStep.objects.current().filter(component=component, stage=stage).order_by("position")
        groups = ActionStep.grouped(list(steps))
    chosen = set(data.getlist("steps")) if posted else set()
    if existing and not chosen and existing.stage_id == getattr(stage, "pk", None):
        chosen = {str(step["id"]) for step in existing.steps}
    return {
        "focuses": focuses,
        "components": components,
        "stages": stages,
        "component": component,
        "stage": stage,
        "step_groups": groups,
        "step_limit": DriverFocus.STEP_LIMIT,
        "chosen_steps": chosen,
        "own_words": data.get("own_words", existing.own_words if existing else ""),
    }


def _walk_response(request: HttpRequest, walkthrough: Walkthrough, *, problem: str = "", status: int = 200) -> HttpResponse:
    """htmx: the updated walk fragment. Plain POST: back to the page, or the page with the problem."""
    if request.htmx:
        if problem or not walkthrough.framework.is_progression or getattr(walkthrough, "redraw_whole", False):
            # The whole walk, wherever the form pointed: a refused write may have left the page behind.
            response = render(request, "observations/walk.html#walk", _walk_context(request, walkthrough, problem), status=status)
            return reswap(retarget(response, "#walk"), "outerHTML")
        return render(request, "observations/_walk_step.html", _walk_context(request, walkthrough))
    if not problem:
        return redirect(walkthrough)
    return _page(request, walkthrough, problem=problem, status=status)


def _write(request: HttpRequest, pk: int, write) -> HttpResponse:
    """Runs one write for the walkthrough's observer and answers with where the walk now stands.

    Only its observer writes to a walkthrough: the write is handed this user's claim on it (`_claim`)."""
    mine = _claim(request, pk)
    try:
        walkthrough = write(mine)
    except Walkthrough.DoesNotExist:
        raise Http404("No walkthrough here.") from None
    except WalkthroughConflict as exc:
        return _walk_response(request, _reloaded(mine), problem=str(exc), status=409)
    except WalkthroughInvalid as exc:
        return _walk_response(request, _reloaded(mine), problem=str(exc), status=400)
    return _walk_response(request, walkthrough)


def _claim(request: HttpRequest, pk: int) -> Walkthrough:
    """This user's claim on a walkthrough, unread: the service locks the row by id and observer
    together, so to anyone but its observer it does not exist (DoesNotExist, answered 404), found
    out by the same query that locks it."""
    return Walkthrough(pk=pk, observer_id=request.user.pk)


def _reloaded(walkthrough: Walkthrough) -> Walkthrough:
    """The walkthrough as saved, for its observer only (404 to anyone else)."""
    try:
        return Walkthrough.objects.select_related("teacher", "framework").get(pk=walkthrough.pk, observer_id=walkthrough.observer_id)
    except Walkthrough.DoesNotExist:
        raise Http404("No walkthrough here.") from None


@signed_in
@require_POST
def walkthrough_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap: In place or Not yet. At most eight queries (tests/test_walk_step.py)."""

    def write(walkthrough):
        key = inputs.read_key(request.POST)
        in_place = inputs.read_choice(request.POST, "in_place", {"yes": True, "no": False}, "In place or Not yet")
        try:
            walkthrough = walkthrough_answer(
                walkthrough=walkthrough,
                client_key=key,
                action_id=inputs.read_int(request.POST, "action", "action"),
                in_place=in_place,
                evidence=request.POST.get("evidence", ""),
                version=inputs.read_int(request.POST, "version", "walkthrough version"),
            )
        except WalkthroughConflict as exc:
            raise WalkthroughConflict(f"{exc} {_not_saved(request.POST, in_place)}") from None
        # A resent tap that is no longer the walk's last answer (another tab or device went on,
        # or went back): the rows around it are not all that changed on this page, so redraw it.
        live = walkthrough.state.live
        walkthrough.redraw_whole = not live or str(live[-1].client_key) != str(key)
        return walkthrough

    return _write(request, pk, write)


def _not_saved(posted: QueryDict, in_place: bool) -> str:
    """What a refused tap was, so the coach can give it again where the walk now stands: the
    evidence they typed is on no form any more."""
    action = Action.objects.filter(pk=inputs.read_id(posted.get("action"))).select_related("phase").first()
    answer = "“In place”" if in_place else "“Not yet”"
    said = f"Your {answer} on {action.phase.get_kind_display()} {action.number}" if action else f"Your {answer}"
    evidence = posted.get("evidence", "").strip()
    return f"{said} was not saved" + (f"; your evidence note was: “{evidence}”" if evidence else ".")


@signed_in
@require_POST
def walkthrough_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Back: undoes the last answer; or, from a row of the full list (`answer`), that answer and
    every one after it, which redraws the whole walk."""

    def write(walkthrough):
        if "answer" in request.POST:
            answer_id = inputs.read_int(request.POST, "answer", "answer")
            walkthrough = walkthrough_back_to(walkthrough=walkthrough, answer_id=answer_id, client_key=inputs.read_key(request.POST))
            walkthrough.redraw_whole = True
            return walkthrough
        version = inputs.read_int(request.POST, "version", "walkthrough version")
        return walkthrough_back(walkthrough=walkthrough, version=version, client_key=inputs.read_optional_key(request.POST))

    return _write(request, pk, write)


@signed_in
@require_POST
def walkthrough_focus_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Driver Model: saves the feedback on one component. Without JavaScript, "Show the action steps"
    posts the form back to show the stage's steps, saving nothing: a GET would carry the form's
    CSRF token into the address bar, the history and the server's logs."""
    if "show_steps" in request.POST:
        return _page(request, _reloaded(_claim(request, pk)), as_posted=True)

    def write(walkthrough):
        walkthrough = _reloaded(walkthrough)
        framework = walkthrough.framework
        component = Component.objects.filter(framework=framework, pk=inputs.read_id(request.POST.get("component"))).select_related("domain").first()
        if component is None:
            raise WalkthroughInvalid("Choose a component.")
        stage = Stage.objects.filter(framework=framework, pk=inputs.read_id(request.POST.get("stage"))).first()
        if stage is None:
            raise WalkthroughInvalid(f"Choose the stage {walkthrough.teacher.first_name} is working toward on {component.name}.")
        wanted = [inputs.read_id(v) for v in request.POST.getlist("steps")]
        steps = list(ActionStep.objects.current().filter(pk__in=wanted).order_by("position"))
        if len(steps) != len(set(wanted)):
            raise WalkthroughInvalid("One of the chosen action steps is no longer in the Driver Model. Choose again.")
        return walkthrough_focus(
            walkthrough=walkthrough,
            client_key=inputs.read_key(request.POST),
            component=component,
            stage=stage,
            steps=steps,
            own_words=request.POST.get("own_words", ""),
            version=inputs.read_int(request.POST, "version", "walkthrough version"),
        )

    return _write(request, pk, write)


@signed_in
@require_POST
def walkthrough_unfocus_view(request: HttpRequest, pk: int, component_pk: int) -> HttpResponse:
    def write(walkthrough):
        component = Component.objects.filter(pk=component_pk).first()
        if component is None:
            raise WalkthroughInvalid("That component is not part of this walkthrough.")
        version = inputs.read_int(request.POST, "version", "walkthrough version")
        key = inputs.read_optional_key(request.POST)
        return walkthrough_unfocus(walkthrough=walkthrough, component=component, version=version, client_key=key)

    return _write(request, pk, write)


@signed_in
@require_POST
def walkthrough_finish_view(request: HttpRequest, pk: int) -> HttpResponse:
    walkthrough = _claim(request, pk)
    try:
        walkthrough = walkthrough_finish(
            walkthrough=walkthrough,
            version=inputs.read_int(request.POST, "version", "walkthrough version"),
            next_move=request.POST.get("next_move", ""),
            teacher_note=request.POST.get("teacher_note", ""),
            private_note=request.POST.get("private_note", ""),
            client_key=inputs.read_optional_key(request.POST),
        )
    except Walkthrough.DoesNotExist:
        raise Http404("No walkthrough here.") from None
    except WalkthroughConflict as exc:
        walkthrough = _reloaded(walkthrough)
        if not walkthrough.is_open:  # finished already, in another tab
            messages.info(request, "This walkthrough was already finished; this is what was saved.")
            return _on_to(request, walkthrough)
        return _walk_response(request, _as_typed(walkthrough, request.POST), problem=str(exc), status=409)
    except WalkthroughInvalid as exc:
        return _walk_response(request, _as_typed(_reloaded(walkthrough), request.POST), problem=str(exc), status=400)
    messages.success(request, "Reflection saved." if walkthrough.kind == Walkthrough.Kind.SELF else "Walkthrough saved.")
    return _on_to(request, walkthrough)


def _as_typed(walkthrough: Walkthrough, posted) -> Walkthrough:
    """The walkthrough, for a refused finish's form only (never saved), with the next move and
    notes as they were typed: the coach fixes what was refused without typing the rest again."""
    for name in ("next_move", "teacher_note", "private_note"):
        if name in posted:
            setattr(walkthrough, name, posted[name])
    return walkthrough


def _on_to(request: HttpRequest, walkthrough: Walkthrough) -> HttpResponse:
    """On to the walkthrough once a start or a finish is saved: htmx follows HX-Redirect after the
    page's script has taken the send as saved; a plain form post is redirected."""
    if request.htmx:
        return HttpResponseClientRedirect(walkthrough.get_absolute_url())
    return redirect(walkthrough)


@signed_in
@require_POST
def walkthrough_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    walkthrough = _get_walkthrough_for_observer(request, pk)
    try:
        version = inputs.read_int(request.POST, "version", "walkthrough version")
        key = inputs.read_optional_key(request.POST)
        walkthrough = walkthrough_reopen(walkthrough=walkthrough, by=request.user, version=version, client_key=key)
    except WalkthroughConflict as exc:
        return _page(request, _reloaded(walkthrough), problem=str(exc), status=409)
    except WalkthroughInvalid as exc:
        return _page(request, _reloaded(walkthrough), problem=str(exc), status=400)
    return redirect(walkthrough)


@signed_in
@require_http_methods(["GET", "HEAD", "POST"])
def walkthrough_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Its observer discards an unfinished walkthrough started by mistake: a page to confirm, then a
    plain POST. A resent POST (the first one deleted it) lands on the list like the first."""
    try:
        walkthrough = Walkthrough.objects.select_related("teacher", "framework").get(pk=pk, observer_id=request.user.pk)
    except Walkthrough.DoesNotExist:
        if request.method == "POST":
            return _no_longer_there(request)
        raise Http404("No walkthrough here.") from None
    problem = ""
    if request.method == "POST":
        try:
            version = inputs.read_int(request.POST, "version", "walkthrough version")
            walkthrough_discard(walkthrough=walkthrough, version=version)
        except Walkthrough.DoesNotExist:  # a second send that waited on the first one's lock
            return _no_longer_there(request)
        except WalkthroughConflict as exc:
            problem, status = str(exc), 409
        except WalkthroughInvalid as exc:
            problem, status = str(exc), 400
        else:
            messages.success(request, f"The walkthrough of {walkthrough.teacher.name} on {walkthrough.framework.name} was discarded.")
            return redirect("observations:walkthrough-list")
        walkthrough = _reloaded(walkthrough)
        return render(request, "observations/discard.html", {"walkthrough": walkthrough, "problem": problem}, status=status)
    return render(request, "observations/discard.html", {"walkthrough": walkthrough})


def _no_longer_there(request: HttpRequest) -> HttpResponse:
    messages.info(request, "That walkthrough is no longer there.")
    return redirect("observations:walkthrough-list")


@signed_in
@require_http_methods(["GET", "HEAD", "POST"])
def walkthrough_correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The observer corrects the next move and notes of a finished walkthrough; the change is logged."""
    walkthrough = _get_walkthrough_for_user(request, pk)
    if walkthrough.observer_id != request.user.pk:
        raise Http404("No walkthrough here.")  # only its observer corrects it; to others it does not exist
    if walkthrough.is_open:
        return redirect(walkthrough)
    problem, status = "", 200
    values = {f: getattr(walkthrough, f) for f in ("next_move", "teacher_note", "private_note")}
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in values}
        try:
            corrected = walkthrough_correct(
                walkthrough=walkthrough,
                by=request.user,
                version=inputs.read_int(request.POST, "version", "walkthrough version"),
                **values,
            )
        except WalkthroughConflict as exc:
            problem, status = str(exc), 409
        except WalkthroughInvalid as exc:
            problem, status = str(exc), 400
        else:
            if corrected.version == walkthrough.version:  # it already read so: nothing recorded
                messages.info(request, "Nothing changed: the walkthrough already reads as sent.")
            else:
                messages.success(request, "Correction saved; the history below records it.")
            return redirect(walkthrough)
    context = {"walkthrough": walkthrough, "values": values, "problem": problem}
    return render(request, "observations/correct.html", context, status=status)
