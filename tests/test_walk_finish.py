"""The pause, finishing, reopening and correcting, the private note, and "Your walkthroughs".

The walk up to the pause is made with the services (tests/test_walk_step.py drives it
through the pages); what is checked here is what the finish, reopen and correct pages
show and write, and who may use them.
"""

import html
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observations.models import Walkthrough, WalkthroughChange
from observations.services import walkthrough_answer, walkthrough_finish, walkthrough_start
from progressions.models import Action, Framework

HX = {"HX-Request": "true", "HX-Target": "walk"}
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def field(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def textarea(page: str, name: str) -> str:
    """What a textarea of the page holds, as the browser would send it back."""
    return html.unescape(
        re.search(rf'<textarea id="{name}" name="{name}"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1)
    )


def walked(observer, teacher, answers, framework="flex") -> Walkthrough:
    """A walkthrough with these answers given (True: in place, False: not yet)."""
    walk = walkthrough_start(
        client_key=uuid.uuid4(), observer=observer, teacher=teacher, framework=Framework.objects.get(slug=framework)
    )
    for in_place in answers:
        walk = walkthrough_answer(
            walkthrough=walk,
            client_key=uuid.uuid4(),
            action_id=walk.state.current.pk,
            in_place=in_place,
            version=walk.version,
        )
    return walk


def page_of(client, walk) -> str:
    response = client.get(walk.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def finish(client, walk, headers=None, **notes):
    """Presses Finish on the walk page, with the next move as shown unless given."""
    page = page_of(client, walk)
    form = page.split('class="stacked-form finish-form"', 1)[1]
    data = {"client_key": field(form, "client_key"), "version": field(form, "version"), "teacher_note": "", "private_note": ""}
    if 'id="next_move"' in page:
        data["next_move"] = textarea(page, "next_move")
    return client.post(reverse("observations:finish", args=[walk.pk]), {**data, **notes}, headers=headers)


def reloaded(walk) -> Walkthrough:
    return Walkthrough.objects.get(pk=walk.pk)


FOUNDATION_3 = "Direct instruction is delivered through a self-paced lesson."


@pytest.fixture
def paused(client, content, district) -> Walkthrough:
    """The coach's walkthrough of Maria, paused at Foundation 3."""
    client.force_login(district.coach)
    return walked(district.coach, district.teacher, [True, True, False])


# The pause and finishing --------------------------------------------------------------------------


def test_the_pause_shows_the_action_and_offers_its_next_move_to_keep_edit_or_replace(client, paused):
    page = page_of(client, paused)
    suggestion = (
        Action.objects.current().get(phase__framework__slug="flex", phase__kind="foundation", number=3).next_move
    )
    assert "Progression pause: Foundation 3" in page and FOUNDATION_3 in page
    assert "Possible next move to take" in page
    assert textarea(page, "next_move") == suggestion  # prefilled: keep it, edit it or write your own
    assert "Keep the possible next move, edit it, or write your own." in page
    assert '<textarea id="teacher_note"' in page and "Note for Maria" in page
    assert '<textarea id="private_note"' in page and "only you will ever see this" in page


@pytest.mark.parametrize(
    "next_move",
    [
        lambda suggestion: suggestion,  # accepted as suggested
        lambda suggestion: suggestion + " Start with Monday's math block.",  # edited
        lambda suggestion: "Record one 5-minute lesson video this week.",  # the coach's own
    ],
    ids=["accepted", "edited", "own"],
)
def test_an_htmx_finish_saves_and_redirects_to_the_walkthrough(client, paused, next_move):
    suggestion = paused.next_move
    chosen = next_move(suggestion)
    response = finish(client, paused, HX, next_move=chosen, teacher_note="Good routines.", private_note="Ask about PD.")
    assert response.status_code == 200 and response["HX-Redirect"] == paused.get_absolute_url()
    walk = reloaded(paused)
    assert walk.status == Walkthrough.Status.COMPLETE and walk.completed_at
    assert (walk.next_move, walk.teacher_note, walk.private_note) == (chosen, "Good routines.", "Ask about PD.")
    page = page_of(client, walk)
    assert "Walkthrough saved." in page
    assert "Flex Model: Foundation 3" in page and html.escape(chosen) in page
    assert ("The PL Toolbox's possible next move" in page) is (chosen != suggestion)


def test_a_plain_finish_redirects_to_the_walkthrough(client, paused):
    response = finish(client, paused, teacher_note="Thanks for having me.")
    assert response.status_code == 302 and response["Location"] == paused.get_absolute_url()
    assert reloaded(paused).status == Walkthrough.Status.COMPLETE
    assert "Thanks for having me." in page_of(client, paused)


def test_a_finish_whose_reply_was_lost_and_is_resent_is_simply_saved(client, paused):
    """The page's script resends the same form: one finish, told as saved, not as "already finished"."""
    page = page_of(client, paused)
    data = {"client_key": field(page, "client_key"), "version": field(page, "version"), "next_move": "Plan A"}
    url = reverse("observations:finish", args=[paused.pk])
    client.post(url, data, headers=HX)  # saved; the reply never reaches the tablet
    client.cookies.pop("messages", None)  # ...nor the "saved" message it carried
    again = client.post(url, data, headers=HX)
    assert again.status_code == 200 and again["HX-Redirect"] == paused.get_absolute_url()
    shown = page_of(client, paused)
    assert shown.count("Walkthrough saved.") == 1 and "already finished" not in shown
    walk = reloaded(paused)
    assert walk.next_move == "Plan A" and walk.version == paused.version + 1


def test_the_same_finish_form_sent_again_with_other_notes_is_not_taken_for_a_resend(client, paused):
    """Browser Back to the finished form, a typo fixed, Finish again: the key is the same, the
    notes are not. It is refused as already finished, never told "saved" while dropped."""
    page = page_of(client, paused)
    data = {"client_key": field(page, "client_key"), "version": field(page, "version"), "next_move": "Plan A"}
    url = reverse("observations:finish", args=[paused.pk])
    client.post(url, data, headers=HX)
    client.cookies.pop("messages", None)
    client.post(url, {**data, "next_move": "Plan A, typo fixed"}, headers=HX)
    shown = page_of(client, paused)
    assert "already finished" in shown and "Walkthrough saved." not in shown
    assert reloaded(paused).next_move == "Plan A"


def test_a_finish_from_another_tab_shows_what_was_saved(client, paused):
    """Another tab's finish, sent after this one: nothing changes, and the coach is told why."""
    page = page_of(client, paused)
    data = {"client_key": field(page, "client_key"), "version": field(page, "version"), "next_move": "Plan A"}
    url = reverse("observations:finish", args=[paused.pk])
    client.post(url, data)
    other_tab = client.post(url, {**data, "client_key": str(uuid.uuid4()), "next_move": "Plan B"}, headers=HX)
    assert other_tab["HX-Redirect"] == paused.get_absolute_url()
    assert reloaded(paused).next_move == "Plan A" and "already finished" in page_of(client, paused)


@pytest.mark.parametrize(
    "notes,message",
    [
        ({"next_move": "  "}, "Write the next move"),
        ({"teacher_note": "x" * 5001}, "The note for the teacher is longer than 5000 characters."),
        ({"private_note": "x" * 5001}, "The private note is longer than 5000 characters."),
        ({"next_move": "Try\x00it"}, "null character"),  # PostgreSQL cannot store it: was a 500
        ({"version": "old"}, "no walkthrough version"),
    ],
)
def test_a_bad_finish_is_a_400_with_a_clear_message_and_saves_nothing(client, paused, notes, message):
    response = finish(client, paused, HX, **notes)
    assert response.status_code == 400 and message in response.content.decode()
    assert reloaded(paused).is_open and reloaded(paused).version == paused.version


def test_a_finish_from_a_stale_tab_is_refused(client, paused):
    response = finish(client, paused, HX, version=str(paused.version - 1))
    assert response.status_code == 409 and "changed in another tab" in response.content.decode()
    assert reloaded(paused).is_open


@pytest.mark.parametrize("refusal", [{"next_move": "  "}, {"version": "0"}], ids=["no next move", "stale tab"])
def test_a_refused_finish_keeps_what_was_typed(client, paused, refusal):
    """Refused (400) or stale (409), the form comes back with the notes as typed, escaped, not as saved."""
    typed = {"next_move": "Try stations " + SCRIPT, "teacher_note": "Line one\nLine two", "private_note": "Ask about PD"}
    response = finish(client, paused, HX, **{**typed, **refusal})
    assert response.status_code in (400, 409)
    page = response.content.decode()
    assert SCRIPT not in page
    for name, text in {**typed, **refusal}.items():
        if name != "version":
            assert textarea(page, name) == text
    assert reloaded(paused).teacher_note == "" and reloaded(paused).is_open


def test_every_action_in_place_completes_with_no_pause(client, content, district):
    client.force_login(district.coach)
    walk = walked(district.coach, district.oak_teacher, [True] * 11, framework="enriched-virtual")
    page = page_of(client, walk)
    assert "Every action is in place" in page and 'id="next_move"' not in page
    assert "Action 11 of 11" in page
    assert finish(client, walk)["Location"] == walk.get_absolute_url()
    walk = reloaded(walk)
    assert walk.status == Walkthrough.Status.COMPLETE and walk.pause_number is None and walk.next_move == ""
    page = page_of(client, walk)
    assert "Enriched Virtual: No pause: every action in place" in page and "Progression pause" not in page


# The private note ------------------------------------------------------------------------------------


@pytest.fixture
def finished(client, paused) -> Walkthrough:
    finish(client, paused, next_move="Plan A", teacher_note="SHARED-NOTE", private_note="PRIVATE-NOTE")
    return reloaded(paused)


def test_the_observer_reads_their_private_note(client, finished):
    page = page_of(client, finished)
    assert "PRIVATE-NOTE" in page and "only you see this" in page


def test_a_finished_walkthrough_offers_the_observer_the_next_one(client, finished, district):
    assert f'href="{reverse("observations:walkthrough-new")}">Start another walkthrough</a>' in page_of(client, finished)
    home = client.get(reverse("progressions:home")).content.decode()
    assert "Start a walkthrough</a>" in home and "Your walkthroughs</a>" in home
    client.force_login(district.teacher_user)  # the teacher reads it, and starts no walkthrough
    assert "Start another walkthrough" not in page_of(client, finished)
    assert "Start a walkthrough</a>" not in client.get(reverse("progressions:home")).content.decode()


def test_notes_keep_their_line_breaks_and_stay_escaped(client, paused, district):
    """A note written in paragraphs reads in paragraphs on the walkthrough and teacher pages."""
    finish(client, paused, next_move="First\nthen " + SCRIPT, teacher_note="Line one\n\nLine two", private_note="Mine\nonly")
    for url in (paused.get_absolute_url(), reverse("people:teacher", args=[district.teacher.pk])):
        page = client.get(url).content.decode()
        assert "First<br>then " + ESCAPED in page and SCRIPT not in page
        assert "Line one<br><br>Line two" in page and "Mine<br>only" in page


@pytest.mark.parametrize("viewer", ["teacher_user", "principal", "leader"])
def test_nobody_else_ever_sees_the_private_note(client, finished, district, viewer):
    client.force_login(getattr(district, viewer))
    page = page_of(client, finished)
    assert "SHARED-NOTE" in page and "Plan A" in page  # the shared part is there
    assert "PRIVATE-NOTE" not in page and "Private note" not in page
    assert "Reopen" not in page and reverse("observations:correct", args=[finished.pk]) not in page


def test_user_text_is_escaped_on_the_walkthrough_page(client, content, district):
    client.force_login(district.coach)
    walk = walkthrough_start(
        client_key=uuid.uuid4(),
        observer=district.coach,
        teacher=district.teacher,
        framework=Framework.objects.get(slug="flex"),
    )
    walk = walkthrough_answer(
        walkthrough=walk,
        client_key=uuid.uuid4(),
        action_id=walk.state.current.pk,
        in_place=False,
        version=1,
        evidence=SCRIPT,
    )
    walkthrough_finish(
        walkthrough=walk, version=walk.version, next_move=SCRIPT, teacher_note=SCRIPT, private_note=SCRIPT
    )
    observer_page = page_of(client, walk)
    assert observer_page.count(ESCAPED) == 4 and SCRIPT not in observer_page  # evidence, next move, both notes
    client.force_login(district.principal)
    principal_page = page_of(client, walk)
    assert principal_page.count(ESCAPED) == 3 and SCRIPT not in principal_page  # not the private note
    client.force_login(district.coach)
    correct_page = client.get(reverse("observations:correct", args=[walk.pk])).content.decode()
    assert correct_page.count(ESCAPED) == 3 and SCRIPT not in correct_page


# Correcting: reopen, or the correct page ----------------------------------------------------------------


def corrections(page: str) -> str:
    found = re.search(r'<h2>Corrections</h2>\s*<ul class="changes">(.*?)</ul>', page, re.DOTALL)
    return found.group(1) if found else ""


def test_the_observer_reopens_to_correct_the_answers_and_the_change_is_shown(client, finished, district):
    response = client.post(reverse("observations:reopen", args=[finished.pk]), {"version": finished.version})
    assert response.status_code == 302 and response["Location"] == finished.get_absolute_url()
    page = page_of(client, finished)
    assert "Progression pause: Foundation 3" in page and "Back: undo “Foundation 3”" in page  # the walk again
    client.post(reverse("observations:back", args=[finished.pk]), {"version": field(page, "version")})
    page = page_of(client, finished)
    data = {k: field(page, k) for k in ("client_key", "action", "version")}
    client.post(
        reverse("observations:answer", args=[finished.pk]), {**data, "in_place": "yes"}
    )  # 3 was in place after all
    page = page_of(client, finished)
    data = {k: field(page, k) for k in ("client_key", "action", "version")}
    client.post(reverse("observations:answer", args=[finished.pk]), {**data, "in_place": "no"})
    finish(client, finished, teacher_note="SHARED-NOTE", private_note="PRIVATE-NOTE")
    walk = reloaded(finished)
    assert walk.status == Walkthrough.Status.COMPLETE and walk.pause_label == "Foundation 4"
    log = corrections(page_of(client, walk))
    assert "Priya Shah" in log
    assert "Status: “Complete” → “Reopened”" in log
    assert "Pause: “Foundation 3” → “Foundation 4”" in log
    assert [c.changed_by for c in walk.changes.all()] == [district.coach, district.coach]


def test_a_reopened_walkthrough_is_marked_in_progress_on_the_teacher_page(client, finished, district):
    teacher_page = reverse("people:teacher", args=[district.teacher.pk])
    assert '<span class="tag">In progress</span>' not in client.get(teacher_page).content.decode()
    client.post(reverse("observations:reopen", args=[finished.pk]), {"version": finished.version})
    latest = client.get(teacher_page).content.decode().split("Latest walkthroughs", 1)[1]
    assert re.search(r"Flex Model: Foundation 3</a> <span class=\"tag\">In progress</span>", latest)


def test_the_correct_page_edits_the_next_move_and_notes_and_logs_it(client, finished, district):
    url = reverse("observations:correct", args=[finished.pk])
    form = client.get(url).content.decode()
    assert textarea(form, "next_move") == "Plan A" and textarea(form, "private_note") == "PRIVATE-NOTE"
    data = {
        "version": field(form, "version"),
        "next_move": "Plan B",
        "teacher_note": "SHARED-NOTE",
        "private_note": "NEW-PRIVATE",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == finished.get_absolute_url()
    walk = reloaded(finished)
    assert (walk.next_move, walk.private_note) == ("Plan B", "NEW-PRIVATE")
    change = WalkthroughChange.objects.get(walkthrough=walk)
    assert change.changed_by == district.coach and change.changed_at
    log = corrections(page_of(client, walk))
    assert "Priya Shah" in log and "Next move: “Plan A” → “Plan B”" in log
    assert "Private note: “(private)” → “(private, changed)”" in log
    assert "PRIVATE" not in log  # the log never copies private text
    client.force_login(district.principal)
    page = page_of(client, walk)
    assert "Next move: “Plan A” → “Plan B”" in corrections(page) and "PRIVATE" not in page


def test_a_resent_reopen_or_correction_is_done_once_and_no_conflict(client, finished):
    """A plain form sent twice (a double tap, or the browser resending after a lost reply)."""
    page = page_of(client, finished)
    reopen = {"client_key": field(page, "client_key"), "version": field(page, "version")}
    url = reverse("observations:reopen", args=[finished.pk])
    assert client.post(url, reopen).status_code == 302
    client.cookies.pop("messages", None)
    assert client.post(url, reopen).status_code == 302
    page = page_of(client, finished)
    assert "already open" not in page and "changed in another tab" not in page
    assert list(WalkthroughChange.objects.values_list("fields", flat=True)) == [{"status": ["Complete", "Reopened"]}]
    finish(client, finished)
    url = reverse("observations:correct", args=[finished.pk])
    form = client.get(url).content.decode()
    data = {"version": field(form, "version"), "next_move": "Plan B", "teacher_note": "", "private_note": "PRIVATE-NOTE"}
    assert client.post(url, data).status_code == 302
    assert "Correction saved; the history below records it." in page_of(client, finished)
    again = client.post(url, data)
    assert again.status_code == 302 and again["Location"] == finished.get_absolute_url()
    assert reloaded(finished).next_move == "Plan B"
    assert WalkthroughChange.objects.filter(fields__has_key="next_move").count() == 1
    shown = page_of(client, finished)  # no correction claimed where none was recorded
    assert "Nothing changed: the walkthrough already reads as sent." in shown and "Correction saved" not in shown


def test_a_correction_cannot_erase_the_next_move_of_a_walkthrough_with_a_pause(client, finished):
    """Finishing requires it; so does correcting (a form posted without it erased it)."""
    url = reverse("observations:correct", args=[finished.pk])
    response = client.post(url, {"version": finished.version, "teacher_note": "", "private_note": ""})
    assert response.status_code == 400 and "Write the next move you agreed on" in response.content.decode()
    assert reloaded(finished).next_move == "Plan A" and not WalkthroughChange.objects.exists()


def test_a_correction_from_a_stale_page_is_refused(client, finished):
    url = reverse("observations:correct", args=[finished.pk])
    data = {"version": finished.version - 1, "next_move": "Plan C", "teacher_note": "", "private_note": ""}
    response = client.post(url, data)
    assert response.status_code == 409 and "changed in another tab" in response.content.decode()
    assert reloaded(finished).next_move == "Plan A" and not WalkthroughChange.objects.exists()


def test_a_reopen_from_a_stale_page_is_refused_on_the_page_it_came_from(client, finished):
    """A 409 with the walkthrough as saved and why, not a redirect carrying a message."""
    stale = page_of(client, finished)
    correct = reverse("observations:correct", args=[finished.pk])
    client.post(correct, {"version": finished.version, "next_move": "Plan C", "teacher_note": "", "private_note": ""})
    response = client.post(reverse("observations:reopen", args=[finished.pk]), {"version": field(stale, "version")})
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed in another tab" in page and "Plan C" in page and 'role="alert"' in page
    assert not reloaded(finished).is_open


def test_a_reopen_of_a_walkthrough_already_open_shows_the_walk_with_why(client, finished):
    stale = page_of(client, finished)
    url = reverse("observations:reopen", args=[finished.pk])
    assert client.post(url, {"version": field(stale, "version")}).status_code == 302
    again = client.post(url, {"version": reloaded(finished).version})  # another tab, reloaded meanwhile
    assert again.status_code == 409
    page = again.content.decode()
    assert "already open" in page and "Back: undo “Foundation 3”" in page  # the walk, to go on with
    assert WalkthroughChange.objects.count() == 1


def test_a_plain_tap_on_a_walkthrough_finished_meanwhile_shows_what_was_saved(client, content, district):
    """Without JavaScript: the answer is refused with a 409 on the finished walkthrough's page."""
    client.force_login(district.coach)
    walk = walked(district.coach, district.teacher, [True, True])
    page = page_of(client, walk)  # this tab asks about Foundation 3
    tap = {k: field(page, k) for k in ("client_key", "action", "version")}
    walk = walkthrough_answer(
        walkthrough=walk, client_key=uuid.uuid4(), action_id=walk.state.current.pk, in_place=False, version=walk.version
    )
    finish(client, walk, next_move="Plan A")  # another tab: not in place, and finished
    response = client.post(reverse("observations:answer", args=[walk.pk]), {**tap, "in_place": "yes"})
    assert response.status_code == 409
    body = response.content.decode()
    assert 'class="form-errors" role="alert"' in body and "Agreed next move" in body and "Plan A" in body
    assert reloaded(walk).pause_label == "Foundation 3"  # the pause stands


@pytest.mark.parametrize("intruder", ["lkw_coach", "principal", "teacher_user", "leader"])
def test_only_the_observer_can_finish_reopen_or_correct(client, paused, district, intruder):
    """To anyone but its observer these pages do not exist (404), and nothing is written."""
    intruder_client = Client()
    intruder_client.force_login(getattr(district, intruder))
    notes = {"version": paused.version, "next_move": "HIJACK", "teacher_note": "HIJACK", "private_note": ""}
    assert intruder_client.post(reverse("observations:finish", args=[paused.pk]), notes, headers=HX).status_code == 404
    assert reloaded(paused).is_open
    finish(client, paused, next_move="Plan A")
    version = reloaded(paused).version
    for name in ("reopen", "correct", "finish"):
        assert (
            intruder_client.post(
                reverse(f"observations:{name}", args=[paused.pk]), {**notes, "version": version}
            ).status_code
            == 404
        )
    assert intruder_client.get(reverse("observations:correct", args=[paused.pk])).status_code == 404
    walk = reloaded(paused)
    assert (walk.version, walk.next_move, walk.status) == (version, "Plan A", Walkthrough.Status.COMPLETE)
    assert not WalkthroughChange.objects.exists()


# Your walkthroughs --------------------------------------------------------------------------------------


def test_your_walkthroughs_lists_unfinished_ones_to_resume_and_finished_ones(client, content, district):
    client.force_login(district.coach)
    unfinished = walked(district.coach, district.oak_teacher, [True, True])
    done = walked(district.coach, district.teacher, [False])
    walkthrough_finish(walkthrough=done, version=done.version, next_move="Plan A")
    someone_elses = walked(district.lkw_coach, district.lkw_teacher, [True])
    page = client.get(reverse("observations:walkthrough-list")).content.decode()
    not_finished, finished_part = page.split("<h2 id=\"finished\">Finished</h2>")
    assert f'<a href="{unfinished.get_absolute_url()}">Resume: James Brooks, Flex Model</a>' in not_finished
    assert done.get_absolute_url() in finished_part and "Maria Alvarez, Flex Model: Foundation 1" in finished_part
    assert someone_elses.get_absolute_url() not in page and "Grace Kim" not in page


def test_each_unfinished_walkthrough_says_how_far_it_got(client, content, district, django_assert_num_queries):
    """Two unfinished walkthroughs of one teacher can be told apart; read in the list's own query,
    so the page costs the same however many are open."""
    client.force_login(district.coach)
    url = reverse("observations:walkthrough-list")
    walked(district.coach, district.oak_teacher, [True, True])
    with CaptureQueriesContext(connection) as one_open:
        client.get(url)
    walked(district.coach, district.oak_teacher, [True, True, True, False])
    walked(district.coach, district.teacher, [True])
    walked(district.coach, district.teacher, [], framework="driver-model")
    with django_assert_num_queries(len(one_open)):
        page = client.get(url).content.decode().split('<h2 id="finished">')[0]
    cards = re.findall(r"Resume: ([^<]+)</a></h3>\s*<p class=\"meta\">([^<]+)</p>", page)
    progress = sorted((name, meta.split("·")[-1].strip()) for name, meta in cards)
    assert progress == [
        ("James Brooks, Flex Model", "2 actions answered"),
        ("James Brooks, Flex Model", "at the pause, to finish"),
        ("Maria Alvarez, Driver Model Action Steps", "0 components saved"),
        ("Maria Alvarez, Flex Model", "1 action answered"),
    ]


def test_your_walkthroughs_say_when_more_than_are_listed(client, content, district, monkeypatch):
    monkeypatch.setattr("observations.views.OPEN_LISTED", 1)
    monkeypatch.setattr("observations.views.FINISHED_LISTED", 1)
    client.force_login(district.coach)
    url = reverse("observations:walkthrough-list")
    walked(district.coach, district.oak_teacher, [True])
    done = walked(district.coach, district.teacher, [False])
    walkthrough_finish(walkthrough=done, version=done.version, next_move="Plan A")
    page = client.get(url).content.decode()
    assert "More are unfinished" not in page and "latest are listed" not in page
    walked(district.coach, district.lkw_teacher, [True])
    done = walked(district.coach, district.oak_teacher, [False])
    walkthrough_finish(walkthrough=done, version=done.version, next_move="Plan B")
    page = client.get(url).content.decode()
    assert page.count("Resume:") == 1 and "More are unfinished: the 1 saved most recently are listed." in page
    latest, older = page.split("<h2 id=\"finished\">")[1], f'href="{url}?page=2#finished">Older</a>'
    assert done.get_absolute_url() in latest and older in latest and "Newer" not in latest
    second = client.get(url, {"page": 2}).content.decode().split("<h2 id=\"finished\">")[1]
    assert second.startswith("Finished: 2 to 2</h2>") and "Maria Alvarez, Flex Model: Foundation 1" in second
    assert f'href="{url}#finished">Newer</a>' in second and "Older" not in second
    assert "No finished walkthroughs this far back" in client.get(url, {"page": 3}).content.decode()
    for bad in ("0", "x", "10001"):
        refused = client.get(url, {"page": bad})
        assert refused.status_code == 400 and b"Page: give a whole number from 1 to 10000." in refused.content


def test_your_walkthroughs_take_the_same_queries_however_many_there_are(client, content, district, django_assert_num_queries):
    """The list reads only the fields it shows: one read of a field left out would be a query a row."""
    client.force_login(district.coach)
    walked(district.coach, district.oak_teacher, [True])
    finished = walked(district.coach, district.teacher, [False])
    walkthrough_finish(walkthrough=finished, version=finished.version, next_move="Plan A")
    url = reverse("observations:walkthrough-list")
    with django_assert_num_queries(6):  # session, user, roles, open, finished, a teacher's login
        client.get(url)
    for n in range(4):
        walked(district.coach, district.lkw_teacher, [True] * n)
        walkthrough_finish(walkthrough=(w := walked(district.coach, district.teacher, [True, False])), version=w.version, next_move="B")
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert page.count("Resume: ") == 5 and page.count("Maria Alvarez, Flex Model: Foundation") == 5


def test_resuming_from_another_device_asks_the_same_action(client, content, district):
    client.force_login(district.coach)
    walk = walked(district.coach, district.oak_teacher, [True, True])
    phone = Client()
    phone.force_login(district.coach)
    resume = re.search(
        r'<a href="([^"]+)">Resume:', phone.get(reverse("observations:walkthrough-list")).content.decode()
    ).group(1)
    on_phone, on_laptop = phone.get(resume).content.decode(), page_of(client, walk)
    third = Action.objects.current().get(phase__framework__slug="flex", phase__kind="foundation", number=3)
    assert field(on_phone, "action") == field(on_laptop, "action") == str(third.pk)
    assert "Action 3 of 29" in on_phone
