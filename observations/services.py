"""Walkthrough writes. Each is idempotent or version-checked, so a tap is never lost or counted twice.

- A start and an answer carry a client-generated key with a unique constraint behind it:
  a double tap, a resent request or a reloaded page records exactly one.
- Every other write names the version it was based on; a write from a stale tab is refused
  with WalkthroughConflict instead of corrupting the walk.
"""

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from people.models import Teacher
from progressions.models import Action, Framework, Phase

from .models import Answer, Walkthrough, WalkthroughChange

NOTE_LIMIT = 5000


class WalkthroughConflict(Exception):
    """The walkthrough changed elsewhere (another tab or device) since this page was shown."""


class WalkthroughInvalid(ValueError):
    """A request that cannot be applied; the message says what and why."""


def walk_sequence(walkthrough: Walkthrough) -> list[Action]:
    """The current actions to walk, in order, from the start phase on, skipping unavailable phases."""
    start = Phase.Kind.values.index(walkthrough.start_phase) + 1 if walkthrough.start_phase else 1
    return list(
        Action.objects.current()
        .filter(phase__framework_id=walkthrough.framework_id, phase__available=True, phase__position__gte=start)
        .select_related("phase")
        .order_by("phase__position", "number")
    )


def live_answers(walkthrough: Walkthrough) -> list[Answer]:
    return list(walkthrough.answers.filter(undone_at__isnull=True).order_by("answered_at", "pk"))


def next_action(sequence: list[Action], answers: list[Answer]) -> Action | None:
    """The action to ask about next; None once the pause is found or every action is answered."""
    if any(not a.in_place for a in answers):
        return None
    answered = {(a.phase, a.number) for a in answers}
    return next((action for action in sequence if (action.phase.kind, action.number) not in answered), None)


def walkthrough_start(
    *,
    client_key: uuid.UUID,
    observer,
    teacher: Teacher,
    framework: Framework,
    start_phase: str = Phase.Kind.FOUNDATION,
    kind: str = Walkthrough.Kind.COACH,
    observed_at: datetime | None = None,
) -> Walkthrough:
    existing = Walkthrough.objects.filter(client_key=client_key).first()
    if existing is not None:
        if existing.observer_id != observer.pk:
            raise WalkthroughInvalid("That walkthrough key is already used.")
        return existing  # a resent start
    if framework.is_progression:
        if start_phase not in Phase.Kind.values:
            raise WalkthroughInvalid(f"Unknown phase {start_phase!r}: choose Foundation, Differentiated or Personalized.")
    else:
        start_phase = ""
    try:
        with transaction.atomic():
            return Walkthrough.objects.create(
                client_key=client_key,
                kind=kind,
                observer=observer,
                teacher=teacher,
                framework=framework,
                start_phase=start_phase,
                observed_at=observed_at or timezone.now(),
            )
    except IntegrityError:
        return Walkthrough.objects.get(client_key=client_key, observer=observer)  # two sends raced


def _locked(walkthrough: Walkthrough, version: int) -> Walkthrough:
    locked = Walkthrough.objects.select_for_update().get(pk=walkthrough.pk)
    if locked.version != version:
        raise WalkthroughConflict(
            "This walkthrough was changed in another tab or on another device. The page now shows where it stands."
        )
    return locked


def walkthrough_answer(
    *, walkthrough: Walkthrough, client_key: uuid.UUID, action: Action, in_place: bool, evidence: str = "", version: int
) -> Walkthrough:
    """Records one tap; the first "not yet" is the progression pause."""
    evidence = evidence.strip()
    if len(evidence) > NOTE_LIMIT:
        raise WalkthroughInvalid(f"The evidence note is longer than {NOTE_LIMIT} characters.")
    with transaction.atomic():
        if Answer.objects.filter(client_key=client_key, walkthrough=walkthrough).exists():
            return Walkthrough.objects.get(pk=walkthrough.pk)  # already recorded: a resend or a double tap
        locked = _locked(walkthrough, version)
        if locked.status == Walkthrough.Status.COMPLETE:
            raise WalkthroughConflict("This walkthrough is already finished.")
        expected = next_action(walk_sequence(locked), live_answers(locked))
        if expected is None or expected.pk != action.pk:
            raise WalkthroughConflict("This walkthrough moved on in another tab. The page now shows where it stands.")
        Answer.objects.create(
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
        if not in_place:
            _set_pause(locked, action)
        locked.version += 1
        locked.save()
        return locked


def _set_pause(walkthrough: Walkthrough, action: Action | None) -> None:
    walkthrough.pause_action = action
    walkthrough.pause_phase = action.phase.kind if action else ""
    walkthrough.pause_number = action.number if action else None
    walkthrough.pause_section = action.section if action else ""
    walkthrough.pause_text = action.text if action else ""
    walkthrough.pause_next_move = action.next_move if action else ""
    walkthrough.next_move = action.next_move if action else ""  # suggested until the coach edits it


def walkthrough_back(*, walkthrough: Walkthrough, version: int) -> Walkthrough:
    """Undoes the last answer (kept, marked undone). A resent Back is refused by its old version."""
    with transaction.atomic():
        locked = _locked(walkthrough, version)
        if locked.status == Walkthrough.Status.COMPLETE:
            raise WalkthroughConflict("This walkthrough is already finished; reopen it to correct it.")
        last = locked.answers.filter(undone_at__isnull=True).order_by("-answered_at", "-pk").first()
        if last is None:
            raise WalkthroughInvalid("There is no answer to undo yet.")
        last.undone_at = timezone.now()
        last.save(update_fields=["undone_at"])
        if not last.in_place:
            _set_pause(locked, None)
        locked.version += 1
        locked.save()
        return locked


def _clean_notes(next_move: str, teacher_note: str, private_note: str) -> tuple[str, str, str]:
    notes = (next_move.strip(), teacher_note.strip(), private_note.strip())
    for label, text in zip(("The next move", "The note for the teacher", "The private note"), notes):
        if len(text) > NOTE_LIMIT:
            raise WalkthroughInvalid(f"{label} is longer than {NOTE_LIMIT} characters.")
    return notes


def walkthrough_finish(
    *, walkthrough: Walkthrough, version: int, next_move: str, teacher_note: str = "", private_note: str = ""
) -> Walkthrough:
    """Saves the agreed next move and notes and completes the walkthrough."""
    next_move, teacher_note, private_note = _clean_notes(next_move, teacher_note, private_note)
    with transaction.atomic():
        locked = _locked(walkthrough, version)
        if locked.status == Walkthrough.Status.COMPLETE:
            raise WalkthroughConflict("This walkthrough is already finished.")
        if locked.framework.is_progression:
            if next_action(walk_sequence(locked), live_answers(locked)) is not None:
                raise WalkthroughInvalid("Answer every action up to the pause before finishing.")
            if locked.pause_number and not next_move:
                raise WalkthroughInvalid("Write the next move you agreed on (or keep the suggested one).")
        locked.next_move = next_move if locked.pause_number or not locked.framework.is_progression else ""
        locked.teacher_note, locked.private_note = teacher_note, private_note
        locked.status = Walkthrough.Status.COMPLETE
        locked.completed_at = timezone.now()
        locked.version += 1
        locked.save()
        return locked


def walkthrough_correct(
    *, walkthrough: Walkthrough, by, version: int, next_move: str, teacher_note: str, private_note: str
) -> Walkthrough:
    """The observer corrects a completed walkthrough; who, when and what is recorded."""
    next_move, teacher_note, private_note = _clean_notes(next_move, teacher_note, private_note)
    with transaction.atomic():
        locked = _locked(walkthrough, version)
        if locked.observer_id != by.pk:
            raise WalkthroughInvalid("Only the observer who wrote a walkthrough can correct it.")
        if locked.status != Walkthrough.Status.COMPLETE:
            raise WalkthroughInvalid("Finish the walkthrough before correcting it.")
        wanted = {"next_move": next_move, "teacher_note": teacher_note, "private_note": private_note}
        changed = {f: [getattr(locked, f), v] for f, v in wanted.items() if getattr(locked, f) != v}
        if not changed:
            return locked
        for field, (_before, after) in changed.items():
            setattr(locked, field, after)
        locked.version += 1
        locked.save()
        if "private_note" in changed:
            changed["private_note"] = ["(private)", "(private, changed)"]  # the log never copies private text
        WalkthroughChange.objects.create(walkthrough=locked, changed_by=by, fields=changed)
        return locked
