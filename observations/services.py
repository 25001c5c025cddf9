"""Walkthrough writes. Each is idempotent or version-checked, so a tap is never lost or counted twice.

- A start and an answer carry a client-generated key with a unique constraint behind it:
  a double tap, a resent request or a reloaded page records exactly one.
- Every other write names the version it was based on; a write from a stale tab is refused
  with WalkthroughConflict instead of corrupting the walk. A walkthrough keeps the key of its
  last write, so that write sent again (a Back, a Remove, a finish whose reply was lost) is
  found already done rather than refused.
"""

import uuid
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from people.models import Campus, Teacher
from progressions.models import Action, ActionStep, Component, Framework, Phase, Stage

from .models import Answer, DriverFocus, ProgressionWalk, Walkthrough, WalkthroughChange

NOTE_LIMIT = 5000


def typed(text: str) -> str:
    """Text as the person typed it: a browser sends each line break as CR LF yet counts it as one
    character against the field's maxlength, so a full note would come in over the limit."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


class WalkthroughConflict(Exception):
    """The walkthrough changed elsewhere (another tab or device) since this page was shown."""


class WalkthroughInvalid(ValueError):
    """A request that cannot be applied; the message says what and why."""


class KeyUsedForOther(WalkthroughInvalid):
    """A form's key came again with other content: its first send was saved (its reply lost, say)
    and the form was then changed. Not the same request, so not answered as one: the page says
    what the key made, and offers a new key."""


class WalkClosed(WalkthroughInvalid):
    """The walk is closed for logging: no new walkthrough in it (those already started carry on)."""


NUL_PROBLEM = "{label}: it holds a null character, which cannot be saved. Remove it and try again."


def _refuse_nul(label: str, text: str) -> None:
    """PostgreSQL cannot store a NUL character: refuse it with a message instead of a 500."""
    if "\x00" in text:
        raise WalkthroughInvalid(NUL_PROBLEM.format(label=label))


def walkthrough_start(
    *,
    client_key: uuid.UUID,
    observer,
    teacher: Teacher,
    framework: Framework,
    start_phase: str = Phase.Kind.FOUNDATION,
    kind: str = Walkthrough.Kind.COACH,
    observed_at: datetime | None = None,
    walk: ProgressionWalk | None = None,
    model_seen: str = "",
) -> Walkthrough:
    existing = Walkthrough.objects.filter(client_key=client_key).select_related("teacher", "framework").first()
    if existing is not None:
        if existing.observer_id != observer.pk:
            raise WalkthroughInvalid("That walkthrough key is already used.")
        if (existing.teacher_id, existing.framework_id, existing.walk_id) != (teacher.pk, framework.pk, walk and walk.pk):
            raise KeyUsedForOther(
                f"This page already started a walkthrough of {existing.teacher.name} on {existing.framework.name} "
                "(find it under Your walkthroughs). Choose again to start this one."
            )
        return existing  # a resent start
    if walk is not None and not walk.is_open_for_logging:
        raise WalkClosed(walk.logging_closed_message())  # whatever else is wrong: checked again under the lock
    if kind == Walkthrough.Kind.COACH and teacher.user_id is not None and teacher.user_id == observer.pk:
        raise WalkthroughInvalid(f"You are {teacher.name}: walk your own classroom as a self-reflection instead.")
    if framework.is_progression:
        if start_phase not in Phase.Kind.values:
            raise WalkthroughInvalid("Unknown phase: choose Foundation, Differentiated or Personalized.")
    else:
        start_phase = ""
    if model_seen not in Walkthrough.BlendedModel.values:
        raise WalkthroughInvalid("Choose the blended-learning model you saw from the list, or leave it as Not noted.")
    try:
        with transaction.atomic():
            if walk is not None:
                # Checked under the walk's row lock: an edit taking this campus or observer off the
                # walk waits for the new walkthrough, or is waited for and then refuses it.
                walk = ProgressionWalk.objects.select_for_update().filter(pk=walk.pk).first()
                if walk is None:
                    raise WalkthroughInvalid("That progression walk no longer exists.")
                _check_walk(walk, observer, teacher, kind)
            return Walkthrough.objects.create(
                client_key=client_key,
                kind=kind,
                observer=observer,
                teacher=teacher,
                framework=framework,
                start_phase=start_phase,
                observed_at=observed_at or timezone.now(),
                walk=walk,
                model_seen=model_seen,
            )
    except IntegrityError:
        return Walkthrough.objects.get(client_key=client_key, observer=observer)  # two sends raced


def _check_walk(walk: ProgressionWalk, observer, teacher: Teacher, kind: str) -> None:
    if not walk.is_open_for_logging:
        raise WalkClosed(walk.logging_closed_message())
    if kind != Walkthrough.Kind.COACH:
        raise WalkthroughInvalid("A self-reflection is not part of a progression walk.")
    if not walk.observers.filter(pk=observer.pk).exists():
        raise WalkthroughInvalid(f"You are not an observer on the walk “{walk.name}”.")
    if not walk.campuses.filter(pk=teacher.campus_id).exists():
        raise WalkthroughInvalid(f"{teacher.name} does not teach on a campus of the walk “{walk.name}”.")


# Progression walks --------------------------------------------------------------------------------


def walk_create(
    *, client_key: uuid.UUID, created_by, date: date, name: str, norms: str, campuses: list[Campus], observers: list
) -> ProgressionWalk:
    """A district leader plans a walk. A resent form (same key) is the same walk."""
    name, norms = typed(name), typed(norms)
    existing = ProgressionWalk.objects.filter(client_key=client_key).first()
    if existing is not None:
        if existing.created_by_id != created_by.pk:
            raise WalkthroughInvalid("That walk key is already used.")
        if _walk_plan(existing) != _plan(date, name, norms, campuses, observers):
            raise KeyUsedForOther(
                f"This form already planned the walk “{existing.name}” (find it under Walks). "
                "Send it again to plan this one as another walk."
            )
        return existing
    _check_walk_fields(date, name, norms, campuses, observers)
    try:
        with transaction.atomic():
            walk = ProgressionWalk.objects.create(
                client_key=client_key, created_by=created_by, date=date, name=name, norms=norms,
                logging_ends_at=ProgressionWalk.logging_end(date, ProgressionWalk.LOGGING_DAYS),
            )  # fmt: skip
            walk.campuses.set(campuses)
            walk.observers.set(observers)
            return walk
    except IntegrityError:
        return ProgressionWalk.objects.get(client_key=client_key, created_by=created_by)  # two sends raced


def walk_update(
    *,
    walk: ProgressionWalk,
    edited_by,
    version: int,
    date: date,
    name: str,
    norms: str,
    campuses: list[Campus],
    observers: list,
) -> ProgressionWalk:
    """A district leader edits a walk's date, purpose, norms, campuses and observers.

    A campus or an observer with walkthroughs in the walk cannot be taken off: every walkthrough
    of a walk stays one of its campuses' classrooms, and every rater stays blind until they have
    submitted (off the walk, a principal or a district leader could read the others' ratings and
    then finish their own). An observer added later is recorded as joining now (WalkObserver). A
    form based on an older version is refused, unless the walk already holds what it sends.
    """
    name, norms = typed(name), typed(norms)
    _check_walk_fields(date, name, norms, campuses, observers, planned_for=walk.date)
    with transaction.atomic():
        locked = ProgressionWalk.objects.select_for_update().get(pk=walk.pk)
        wanted = _plan(date, name, norms, campuses, observers)
        if wanted == _walk_plan(locked):
            return locked  # nothing changed, or this very edit was saved already
        if locked.version != version:
            raise WalkthroughConflict(
                "This walk was changed in another tab or by another district leader. "
                "The form now shows the walk as it stands: make your changes again."
            )
        _check_campuses_kept(locked, wanted[3])
        _check_observers_kept(locked, wanted[4])
        locked.date, locked.name, locked.norms = date, name, norms
        if locked.logging_set_by_id is None:  # logging follows the date until a leader closes or reopens it
            locked.open_logging_until(locked.usual_logging_end)
        locked.edited_by, locked.edited_at = edited_by, timezone.now()
        locked.version += 1
        locked.save()
        locked.campuses.set(campuses)
        locked.observers.set(observers)
        return locked


def walk_close_logging(*, walk: ProgressionWalk, closed_by) -> ProgressionWalk:
    """A district leader closes logging in the walk now. Walkthroughs already started in it can
    still be finished. Closing a closed walk changes nothing (a resent form keeps the first close)."""
    with transaction.atomic():
        locked = ProgressionWalk.objects.select_for_update().get(pk=walk.pk)
        if locked.is_open_for_logging:
            now = timezone.now()
            locked.logging_ends_at, locked.logging_set_by, locked.logging_set_at = now, closed_by, now
            locked.save(update_fields=["logging_ends_at", "logging_set_by", "logging_set_at"])
        return locked


def walk_reopen_logging(*, walk: ProgressionWalk, reopened_by) -> ProgressionWalk:
    """A district leader reopens logging: for its usual 14 days after the walk while they last, else
    for a week from today. Reopening an open walk changes nothing."""
    with transaction.atomic():
        locked = ProgressionWalk.objects.select_for_update().get(pk=walk.pk)
        if not locked.is_open_for_logging:
            locked.open_logging_until(locked.logging_end_if_reopened())
            if locked.logging_ends_at == locked.usual_logging_end:
                locked.logging_set_by = locked.logging_set_at = None  # back to following its date
            else:
                locked.logging_set_by, locked.logging_set_at = reopened_by, timezone.now()
            locked.save(update_fields=["logging_ends_at", "logging_set_by", "logging_set_at", "blind_lifted_at"])
        return locked


def _plan(date: date, name: str, norms: str, campuses: list[Campus], observers: list) -> tuple:
    """A walk's plan as `_walk_plan` reads it from the database, to tell a resent form from a changed one."""
    return (date, name, norms, {c.pk for c in campuses}, {u.pk for u in observers})


def _walk_plan(walk: ProgressionWalk) -> tuple:
    campuses = set(walk.campuses.values_list("pk", flat=True))
    return (walk.date, walk.name, walk.norms, campuses, set(walk.observers.values_list("pk", flat=True)))


def campuses_walked(walk: ProgressionWalk) -> "QuerySet[Campus]":
    """The walk's campuses that have walkthroughs logged in it (in progress ones too)."""
    return walk.campuses.filter(teachers__walkthroughs__walk=walk).distinct().order_by("name")


def _check_campuses_kept(walk: ProgressionWalk, kept: set[int]) -> None:
    taken_off = [campus.name for campus in campuses_walked(walk) if campus.pk not in kept]
    if taken_off:
        one = len(taken_off) == 1
        raise WalkthroughInvalid(
            f"Campuses: {_listed(taken_off)} {'has' if one else 'have'} walkthroughs logged in this walk, "
            f"so {'it stays' if one else 'they stay'} on it. Keep {'it' if one else 'them'} checked."
        )


def _check_observers_kept(walk: ProgressionWalk, kept: set[int]) -> None:
    raters = walk.observers.filter(pk__in=walk.walkthroughs.values("observer_id")).exclude(pk__in=kept)
    taken_off = sorted((str(user) for user in raters), key=str.casefold)
    if taken_off:
        one = len(taken_off) == 1
        raise WalkthroughInvalid(
            f"Observers: {_listed(taken_off)} {'has' if one else 'have'} walkthroughs logged in this walk, "
            f"so {'stays' if one else 'stay'} on it. Keep {'them' if one else 'them all'} checked."
        )


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _check_walk_fields(
    day: date, name: str, norms: str, campuses: list[Campus], observers: list, planned_for: date | None = None
) -> None:
    problems = walk_plan_problems(day, name, norms, campuses, observers, planned_for)
    if problems:
        raise WalkthroughInvalid("\n".join(problems))


def walk_plan_problems(
    day: date | None, name: str, norms: str, campuses: list[Campus] | None, observers: list | None, planned_for: date | None = None
) -> list[str]:
    """Every problem of a walk's plan at once, one line each, so the form is fixed in one go.
    A field given as None could not be read at all: its own problem is said where it was read."""
    problems = []
    today = timezone.localdate()
    # An edit that keeps the date is allowed on an old walk (e.g. to fix its norms afterwards).
    if day is not None and day != planned_for and not today - timedelta(days=366) <= day <= today + timedelta(days=366):
        problems.append("Date: choose a day within a year of today.")
    if not name:
        problems.append("Purpose: say what the walk is for, e.g. “Foundation 5: small-group instruction”.")
    elif len(name) > ProgressionWalk.NAME_LIMIT:
        problems.append(f"Purpose: keep it under {ProgressionWalk.NAME_LIMIT} characters; the norms can say more.")
    elif "\x00" in name:
        problems.append(NUL_PROBLEM.format(label="The purpose"))
    if len(norms) > NOTE_LIMIT:
        problems.append(f"Norms: keep them under {NOTE_LIMIT} characters.")
    elif "\x00" in norms:
        problems.append(NUL_PROBLEM.format(label="The norms"))
    if campuses is not None and not campuses:
        problems.append("Campuses: choose at least one campus to walk.")
    if observers is not None and not observers:
        problems.append("Observers: choose at least one observer.")
    not_observers = [str(u) for u in observers or [] if not u.can_observe]
    if not_observers:
        problems.append(f"Observers: {', '.join(not_observers)} holds no coach, principal or district leader role.")
    return problems


def _lock(walkthrough: Walkthrough) -> Walkthrough:
    """A fresh copy, locked until the transaction ends, so two tabs' writes take turns. Read by
    id and observer: a view hands in its user's claim (`Walkthrough(pk=..., observer_id=user)`),
    and a walkthrough that is not theirs raises DoesNotExist here, before anything is written."""
    return (
        Walkthrough.objects.select_for_update(of=("self",))
        .select_related("teacher", "framework")
        .get(pk=walkthrough.pk, observer_id=walkthrough.observer_id)
    )


def _check_version(locked: Walkthrough, version: int) -> None:
    if locked.version != version:
        raise WalkthroughConflict(
            "This walkthrough was changed in another tab or on another device. The page now shows where it stands."
        )


def _locked(walkthrough: Walkthrough, version: int, client_key: uuid.UUID | None = None) -> Walkthrough:
    """Locked and checked against the version its write was based on; unless the write is the
    walkthrough's last one sent again (`_sent_again`), which the caller returns as done."""
    locked = _lock(walkthrough)
    if not _sent_again(locked, client_key):
        _check_version(locked, version)
    return locked


def _sent_again(locked: Walkthrough, key: uuid.UUID | None) -> bool:
    """This write is the walkthrough's last one, sent again: it is done already."""
    return key is not None and locked.last_write_key == key


def _bump(locked: Walkthrough, key: uuid.UUID | None) -> None:
    locked.version += 1
    locked.last_write_key = key


def walkthrough_answer(
    *, walkthrough: Walkthrough, client_key: uuid.UUID, action_id: int, in_place: bool, evidence: str = "", version: int
) -> Walkthrough:
    """Records one tap; the first "not yet" is the progression pause.

    Four queries, whatever the history: lock, the walk's answers, insert, update.
    The returned walkthrough's `state` is already up to date for the response.
    """
    evidence = typed(evidence)
    if len(evidence) > NOTE_LIMIT:
        raise WalkthroughInvalid(f"The evidence note is longer than {NOTE_LIMIT} characters.")
    _refuse_nul("The evidence note", evidence)
    try:
        return _answer(walkthrough, client_key, action_id, in_place, evidence, version)
    except IntegrityError:  # the key of a tap on another walkthrough: not a resend of this one
        raise WalkthroughInvalid("The page sent a key that is already used. Reload the page and try again.") from None


def _answer(walkthrough, client_key, action_id, in_place, evidence, version) -> Walkthrough:
    with transaction.atomic():
        locked = _lock(walkthrough)
        state = locked.state
        if earlier := state.recorded(client_key):
            if (earlier.action_id, earlier.in_place, earlier.evidence) == (action_id, in_place, evidence):
                return locked  # already recorded: a resend or a double tap
            # The same key with another tap: a page from before that one (the browser's Back, a cached copy).
            raise WalkthroughConflict("This page was out of date: the walk had moved on. The page now shows where it stands.")
        _check_version(locked, version)
        if not locked.is_open:
            raise WalkthroughConflict("This walkthrough is already finished.")
        action = state.current
        if action is None or action.pk != action_id:
            raise WalkthroughConflict("This walkthrough moved on in another tab. The page now shows where it stands.")
        answer = Answer.objects.create(
            client_key=client_key,
            walkthrough=locked,
            action=action,
            phase=action.phase.kind,
            number=action.number,
            section=action.section,
            text=action.text,
            next_move=action.next_move,
            in_place=in_place,
            evidence=evidence,
        )
        state.answers.append(answer)
        fields = ["version", "last_write_key", "updated_at"]
        if not in_place:
            _set_pause(locked, action)
            fields += PAUSE_FIELDS
        _bump(locked, client_key)
        locked.save(update_fields=fields)
        return locked


PAUSE_FIELDS = ["pause_action", "pause_phase", "pause_number", "pause_section", "pause_text", "pause_next_move", "next_move"]


def _set_pause(walkthrough: Walkthrough, action: Action | None) -> None:
    walkthrough.pause_action = action
    walkthrough.pause_phase = action.phase.kind if action else ""
    walkthrough.pause_number = action.number if action else None
    walkthrough.pause_section = action.section if action else ""
    walkthrough.pause_text = action.text if action else ""
    walkthrough.pause_next_move = action.next_move if action else ""
    walkthrough.next_move = action.next_move if action else ""  # suggested until the coach edits it


def walkthrough_back(*, walkthrough: Walkthrough, version: int, client_key: uuid.UUID | None = None) -> Walkthrough:
    """Undoes the last answer (kept, marked undone). The same Back sent again undoes nothing more:
    found by its key, or refused by its old version when it came without one."""
    with transaction.atomic():
        locked = _locked(walkthrough, version, client_key)
        if _sent_again(locked, client_key):
            return locked
        live = _answers_to_undo(locked)
        if not live:
            raise WalkthroughInvalid("There is no answer to undo yet.")
        return _undo(locked, live[-1:], client_key)


def walkthrough_back_to(*, walkthrough: Walkthrough, answer_id: int, client_key: uuid.UUID) -> Walkthrough:
    """Undoes one answer and every answer after it (kept, marked undone), so the walk asks that
    action again: a coach further on who finds an earlier action was not in place after all, in
    one tap instead of a Back per action. The answer named says what to undo, so a list drawn
    before later taps means the same; sent again (by its key) it undoes nothing more."""
    with transaction.atomic():
        locked = _lock(walkthrough)
        if _sent_again(locked, client_key):
            return locked
        live = _answers_to_undo(locked)
        at = next((i for i, answer in enumerate(live) if answer.pk == answer_id), None)
        if at is None:
            raise WalkthroughInvalid("That answer is no longer in the walk (undone meanwhile): the walk shows where it now stands.")
        return _undo(locked, live[at:], client_key)


def _answers_to_undo(locked: Walkthrough) -> list[Answer]:
    """The walk's live answers, in order; a finished walkthrough is corrected by reopening it."""
    if not locked.is_open:
        raise WalkthroughConflict("This walkthrough is already finished; reopen it to correct it.")
    return locked.state.live


def _undo(locked: Walkthrough, answers: list[Answer], client_key: uuid.UUID | None) -> Walkthrough:
    """Marks the answers undone (kept for the record), in the state in hand too for the response,
    and lifts the pause if the last of them was it."""
    now = timezone.now()
    for answer in answers:
        answer.undone_at = now
    Answer.objects.filter(pk__in=[answer.pk for answer in answers]).update(undone_at=now)
    if not answers[-1].in_place:
        _set_pause(locked, None)
    _bump(locked, client_key)
    locked.save()
    return locked


def _clean_notes(next_move: str, teacher_note: str, private_note: str, kind: str) -> tuple[str, str, str]:
    notes = (typed(next_move), typed(teacher_note), typed(private_note))
    note = "The reflection note" if kind == Walkthrough.Kind.SELF else "The note for the teacher"
    for label, text in zip(("The next move", note, "The private note"), notes):
        if len(text) > NOTE_LIMIT:
            raise WalkthroughInvalid(f"{label} is longer than {NOTE_LIMIT} characters.")
        _refuse_nul(label, text)
    return notes


def _whose_move(walkthrough: Walkthrough) -> str:
    return "you will try" if walkthrough.kind == Walkthrough.Kind.SELF else "you agreed on"


RECORDED_FIELDS = ("pause_label", "next_move", "teacher_note", "private_note")


def _recorded(walkthrough: Walkthrough) -> dict[str, str]:
    return {field: getattr(walkthrough, field) for field in RECORDED_FIELDS}


def _log_change(walkthrough: Walkthrough, by, before: dict, after: dict) -> None:
    changed = {field: [before[field], after[field]] for field in before if before[field] != after[field]}
    if changed:
        if "private_note" in changed:
            changed["private_note"] = ["(private)", "(private, changed)"]  # the log never copies private text
        WalkthroughChange.objects.create(walkthrough=walkthrough, changed_by=by, fields=changed)


def walkthrough_finish(
    *,
    walkthrough: Walkthrough,
    version: int,
    next_move: str,
    teacher_note: str = "",
    private_note: str = "",
    client_key: uuid.UUID | None = None,
) -> Walkthrough:
    """Saves the agreed next move and notes and completes the walkthrough.

    Finishing a reopened walkthrough records what the correction changed. The same finish sent
    again (its reply lost) returns the walkthrough as it finished; the same form with other notes
    (the page brought back and edited) is another finish, refused as already finished.
    """
    with transaction.atomic():
        locked = _locked(walkthrough, version, client_key)
        next_move, teacher_note, private_note = _clean_notes(next_move, teacher_note, private_note, locked.kind)
        kept_move = next_move if locked.pause_number or not locked.framework.is_progression else ""
        if _sent_again(locked, client_key) and (locked.next_move, locked.teacher_note, locked.private_note) == (
            kept_move, teacher_note, private_note
        ):
            return locked
        if locked.status == Walkthrough.Status.COMPLETE:  # or that form again, its notes since edited
            raise WalkthroughConflict("This walkthrough is already finished.")
        if locked.framework.is_progression:
            if locked.state.current is not None:
                raise WalkthroughInvalid("Answer every action up to the pause before finishing.")
            if locked.pause_number and not next_move:
                raise WalkthroughInvalid(f"Write the next move {_whose_move(locked)} (or keep the suggested one).")
        elif not locked.focuses.exists():
            raise WalkthroughInvalid("Add feedback on at least one component before finishing.")
        reopened = locked.completed_at is not None
        before = locked.recorded_before_reopen or {}
        locked.next_move = kept_move
        locked.teacher_note, locked.private_note = teacher_note, private_note
        locked.status = Walkthrough.Status.COMPLETE
        locked.completed_at = timezone.now()
        if locked.submitted_at is None:
            locked.submitted_at = locked.completed_at
            locked.submitted_phase, locked.submitted_number = locked.pause_phase, locked.pause_number
            locked.submitted_text = locked.pause_text
        locked.recorded_before_reopen = None
        _bump(locked, client_key)
        locked.save()
        if reopened and before:
            _log_change(locked, locked.observer, before, _recorded(locked))
        return locked


def walkthrough_reopen(*, walkthrough: Walkthrough, by, version: int, client_key: uuid.UUID | None = None) -> Walkthrough:
    """The observer reopens a finished walkthrough to correct its answers; finishing it again logs the change."""
    with transaction.atomic():
        locked = _locked(walkthrough, version, client_key)
        if _sent_again(locked, client_key):
            return locked
        if locked.observer_id != by.pk:
            raise WalkthroughInvalid("Only the observer who wrote a walkthrough can reopen it.")
        if locked.status != Walkthrough.Status.COMPLETE:
            raise WalkthroughConflict("This walkthrough is already open.")
        locked.recorded_before_reopen = _recorded(locked)
        locked.status = Walkthrough.Status.IN_PROGRESS
        _bump(locked, client_key)
        locked.save()
        WalkthroughChange.objects.create(walkthrough=locked, changed_by=by, fields={"status": ["Complete", "Reopened"]})
        return locked


def walkthrough_discard(*, walkthrough: Walkthrough, version: int) -> None:
    """Deletes a walkthrough started by mistake (the wrong teacher or progression), with its answers.
    Only one never finished: a finished one, even reopened, is part of the teacher's record."""
    with transaction.atomic():
        locked = _locked(walkthrough, version)
        if not locked.discardable:
            raise WalkthroughConflict("This walkthrough was finished once: it is part of the teacher's record and cannot be discarded.")
        locked.delete()


def walkthrough_focus(
    *,
    walkthrough: Walkthrough,
    client_key: uuid.UUID,
    component: Component,
    stage: Stage,
    steps: list[ActionStep],
    own_words: str = "",
    version: int,
) -> Walkthrough:
    """Saves (or replaces) the Driver Model feedback on one component."""
    own_words = typed(own_words)
    framework_id = walkthrough.framework_id
    if walkthrough.framework.is_progression:
        raise WalkthroughInvalid("Components belong to Driver Model walkthroughs.")
    if component.framework_id != framework_id or component.retired:
        raise WalkthroughInvalid("That component is not part of this Driver Model.")
    if stage.framework_id != framework_id:
        raise WalkthroughInvalid("That stage is not part of this Driver Model.")
    if any(s.component_id != component.pk or s.stage_id != stage.pk or s.kind != ActionStep.Kind.STEP for s in steps):
        raise WalkthroughInvalid(f"Choose action steps from {component.name} at the {stage.name} stage.")
    if len(steps) > DriverFocus.STEP_LIMIT:
        raise WalkthroughInvalid(f"Choose at most {DriverFocus.STEP_LIMIT} action steps: feedback stays bite-sized.")
    if not steps and not own_words:
        raise WalkthroughInvalid("Choose 1 to 3 action steps, or write the feedback in your own words.")
    if len(own_words) > NOTE_LIMIT:
        raise WalkthroughInvalid(f"Your own words are longer than {NOTE_LIMIT} characters.")
    _refuse_nul("Your own words", own_words)
    try:
        return _focus(walkthrough, client_key, component, stage, steps, own_words, version)
    except IntegrityError:  # the key of a save on another walkthrough: not a resend of this one
        raise WalkthroughInvalid("The page sent a key that is already used. Reload the page and try again.") from None


def _focus(walkthrough, client_key, component, stage, steps, own_words, version) -> Walkthrough:
    with transaction.atomic():
        locked = _lock(walkthrough)  # first: a double tap's second save waits here for the first's
        if DriverFocus.objects.filter(client_key=client_key, walkthrough=locked).exists():
            return locked  # a resend, or that double tap
        _check_version(locked, version)
        if locked.status == Walkthrough.Status.COMPLETE:
            raise WalkthroughConflict("This walkthrough is already finished.")
        DriverFocus.objects.update_or_create(
            walkthrough=locked,
            component=component,
            defaults={
                "client_key": client_key,
                "component_name": component.name,
                "domain_name": component.domain.name,
                "stage": stage,
                "stage_name": stage.name,
                "steps": [{"id": s.pk, "text": s.text} for s in steps],
                "own_words": own_words,
            },
        )
        _bump(locked, client_key)
        locked.save()
        return locked


def walkthrough_unfocus(
    *, walkthrough: Walkthrough, component: Component, version: int, client_key: uuid.UUID | None = None
) -> Walkthrough:
    """Removes the feedback on one component from an unfinished Driver Model walkthrough."""
    with transaction.atomic():
        locked = _locked(walkthrough, version, client_key)
        if _sent_again(locked, client_key):
            return locked
        if locked.status == Walkthrough.Status.COMPLETE:
            raise WalkthroughConflict("This walkthrough is already finished.")
        locked.focuses.filter(component=component).delete()
        _bump(locked, client_key)
        locked.save()
        return locked


def walkthrough_correct(
    *, walkthrough: Walkthrough, by, version: int, next_move: str, teacher_note: str, private_note: str
) -> Walkthrough:
    """The observer corrects a completed walkthrough; who, when and what is recorded.

    A correction the walkthrough already holds changes nothing, from whatever page it came:
    the same form sent again (its reply lost) is not refused as from another tab."""
    with transaction.atomic():
        locked = _lock(walkthrough)
        next_move, teacher_note, private_note = _clean_notes(next_move, teacher_note, private_note, locked.kind)
        if locked.observer_id != by.pk:
            raise WalkthroughInvalid("Only the observer who wrote a walkthrough can correct it.")
        if locked.status != Walkthrough.Status.COMPLETE:
            raise WalkthroughInvalid("Finish the walkthrough before correcting it.")
        if locked.framework.is_progression and locked.pause_number and not next_move:
            raise WalkthroughInvalid(f"Write the next move {_whose_move(locked)}: a walkthrough with a pause keeps one.")
        before = _recorded(locked)
        locked.next_move, locked.teacher_note, locked.private_note = next_move, teacher_note, private_note
        after = _recorded(locked)
        if before == after:
            return locked
        _check_version(locked, version)
        _bump(locked, None)
        locked.save()
        _log_change(locked, by, before, after)
        return locked
