"""Walkthrough writes: idempotent taps, the pause, Back, two tabs, finishing, corrections, snapshots."""

import uuid

import pytest
from django.core.management import call_command

from observations.models import Answer, Walkthrough
from observations.services import (
    WalkthroughConflict,
    WalkthroughInvalid,
    walkthrough_answer,
    walkthrough_back,
    walkthrough_correct,
    walkthrough_finish,
    walkthrough_start,
)
from progressions.models import Framework


def key() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def walk(content, district):
    return walkthrough_start(
        client_key=key(), observer=district.coach, teacher=district.oak_teacher, framework=Framework.objects.get(slug="flex")
    )


def current(walkthrough):
    return Walkthrough.objects.get(pk=walkthrough.pk).state.current


def tap(walkthrough, in_place=True, client_key=None, **extra):
    return walkthrough_answer(
        walkthrough=walkthrough,
        client_key=client_key or key(),
        action_id=current(walkthrough).pk,
        in_place=in_place,
        version=walkthrough.version,
        **extra,
    )


def test_a_resent_start_is_one_walkthrough(content, district):
    flex, start_key = Framework.objects.get(slug="flex"), key()
    first = walkthrough_start(client_key=start_key, observer=district.coach, teacher=district.oak_teacher, framework=flex)
    again = walkthrough_start(client_key=start_key, observer=district.coach, teacher=district.oak_teacher, framework=flex)
    assert first.pk == again.pk and Walkthrough.objects.count() == 1


def test_the_first_not_yet_is_the_pause_with_its_next_move(walk):
    for _ in range(4):
        walk = tap(walk)
    walk = tap(walk, in_place=False, evidence="No on-demand directions posted.")
    assert (walk.pause_phase, walk.pause_number, walk.pause_section) == ("foundation", 5, "Organization of Learning")
    assert walk.pause_text.startswith("On-demand directions are leveraged")
    assert walk.next_move == walk.pause_next_move
    assert walk.next_move.startswith("Include directions that are specific, concrete, sequential")
    assert current(walk) is None


def test_a_double_tap_or_resend_records_one_answer(walk):
    tap_key = key()
    action = current(walk)
    first = walkthrough_answer(walkthrough=walk, client_key=tap_key, action_id=action.pk, in_place=True, version=walk.version)
    again = walkthrough_answer(walkthrough=walk, client_key=tap_key, action_id=action.pk, in_place=True, version=walk.version)
    assert Answer.objects.filter(walkthrough=walk).count() == 1
    assert again.version == first.version == walk.version + 1
    assert current(again).number == 2


def test_a_stale_tab_is_refused_and_changes_nothing(walk):
    stale = Walkthrough.objects.get(pk=walk.pk)
    tap(walk)  # the other tab
    with pytest.raises(WalkthroughConflict, match="another tab"):
        walkthrough_answer(walkthrough=stale, client_key=key(), action_id=current(stale).pk, in_place=False, version=stale.version)
    assert Answer.objects.filter(walkthrough=walk).count() == 1


def test_back_undoes_the_last_answer_and_a_resent_back_is_refused(walk):
    walk = tap(walk)
    walk = tap(walk, in_place=False)
    version = walk.version
    walk = walkthrough_back(walkthrough=walk, version=version)
    assert walk.pause_number is None and current(walk).number == 2
    with pytest.raises(WalkthroughConflict):
        walkthrough_back(walkthrough=walk, version=version)  # the same Back sent again
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 1
    assert Answer.objects.filter(walkthrough=walk, undone_at__isnull=False).count() == 1  # kept, marked undone


def test_a_back_sent_again_with_its_key_is_done_once_until_the_walk_moves_on(walk):
    walk = tap(tap(walk))
    version, back_key = walk.version, key()
    walk = walkthrough_back(walkthrough=walk, version=version, client_key=back_key)
    again = walkthrough_back(walkthrough=walk, version=version, client_key=back_key)  # its reply was lost
    assert again.version == walk.version and len(again.state.live) == 1
    with pytest.raises(WalkthroughConflict):  # another Back from the same old page is another Back
        walkthrough_back(walkthrough=walk, version=version, client_key=key())
    walk = tap(walk)
    with pytest.raises(WalkthroughConflict):  # once the walk moved on, that Back is stale
        walkthrough_back(walkthrough=walk, version=version, client_key=back_key)
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 2


def test_finishing_saves_the_edited_next_move_and_notes(walk):
    walk = tap(walk, in_place=False)
    walk = walkthrough_finish(
        walkthrough=walk, version=walk.version, next_move="Block 20 minutes daily.", teacher_note="Great start.", private_note="Seemed tired."
    )
    assert walk.status == Walkthrough.Status.COMPLETE and walk.completed_at
    assert (walk.next_move, walk.teacher_note, walk.private_note) == ("Block 20 minutes daily.", "Great start.", "Seemed tired.")
    with pytest.raises(WalkthroughConflict, match="already finished"):
        walkthrough_answer(walkthrough=walk, client_key=key(), action_id=walk.pause_action_id, in_place=True, version=walk.version)


def test_finishing_before_the_pause_is_refused(walk):
    walk = tap(walk)
    with pytest.raises(WalkthroughInvalid, match="up to the pause"):
        walkthrough_finish(walkthrough=walk, version=walk.version, next_move="x")


def test_every_action_in_place_completes_with_no_pause(content, district):
    ev = Framework.objects.get(slug="enriched-virtual")
    walk = walkthrough_start(client_key=key(), observer=district.coach, teacher=district.oak_teacher, framework=ev)
    assert current(walk).phase.kind == "personalized"  # Foundation and Differentiated are not in the source
    while current(walk) is not None:
        walk = tap(walk)
    walk = walkthrough_finish(walkthrough=walk, version=walk.version, next_move="")
    assert walk.status == Walkthrough.Status.COMPLETE and walk.pause_number is None
    assert walk.pause_label == "No pause: every action in place"
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 11


def test_a_later_content_revision_changes_nothing_recorded(walk, fixture_dir):
    walk = tap(walk)
    walk = tap(walk)
    walk = tap(walk, in_place=False)
    flex = fixture_dir / "flex.yaml"
    flex.write_text(flex.read_text().replace("through a self-paced lesson.", "through a recorded lesson."))
    call_command("load_progressions", str(fixture_dir), verbosity=0)
    walk.refresh_from_db()
    assert walk.pause_text == "Direct instruction is delivered through a self-paced lesson."
    assert walk.pause_action.text == "Direct instruction is delivered through a self-paced lesson."


def test_the_observer_corrects_a_finished_walkthrough_and_the_change_is_recorded(walk, district):
    walk = tap(walk, in_place=False)
    walk = walkthrough_finish(walkthrough=walk, version=walk.version, next_move="Plan A", private_note="secret one")
    walk = walkthrough_correct(
        walkthrough=walk, by=district.coach, version=walk.version, next_move="Plan B", teacher_note="", private_note="secret two"
    )
    change = walk.changes.get()
    assert change.changed_by == district.coach
    assert change.fields["next_move"] == ["Plan A", "Plan B"]
    assert "secret" not in str(change.fields)  # the log never copies private text
    with pytest.raises(WalkthroughInvalid, match="Only the observer"):
        walkthrough_correct(walkthrough=walk, by=district.leader, version=walk.version, next_move="C", teacher_note="", private_note="")
