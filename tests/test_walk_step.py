"""The walk: one action at a time, In place / Not yet, Back, and never losing or double counting a tap.

Taps are posted the way the page sends them: its hidden client_key, action and version,
with the HX-Request header for htmx and without it for a browser without JavaScript.
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from observations.models import Answer, Walkthrough
from observations.services import walkthrough_answer, walkthrough_start
from progressions.models import Action, Framework

HX = {"HX-Request": "true", "HX-Target": "walk"}
FLEX_ACTIONS = 29  # Foundation 11, Differentiated 9, Personalized 9


def field(html: str, name: str) -> str:
    """The value of a hidden input, as a browser submits it."""
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def start(coach, teacher, framework="flex") -> Walkthrough:
    return walkthrough_start(
        client_key=uuid.uuid4(), observer=coach, teacher=teacher, framework=Framework.objects.get(slug=framework)
    )


def answer_url(walk) -> str:
    return reverse("observations:answer", args=[walk.pk])


def tap_data(page: str, in_place: str = "yes", evidence: str = "") -> dict:
    """What pressing In place ("yes") or Not yet ("no") on this page sends."""
    keys = ("client_key", "action", "version")
    return {**{k: field(page, k) for k in keys}, "in_place": in_place, "evidence": evidence}


def page_of(client, walk) -> str:
    response = client.get(walk.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def tap(client, walk, in_place="yes", evidence="", headers=None):
    """Loads the walk page and presses a button on it."""
    return client.post(answer_url(walk), tap_data(page_of(client, walk), in_place, evidence), headers=headers)


def form_action(page: str, name: str) -> str:
    """The action of the page's form posting to observations:<name>: the page decides where a tap goes."""
    return re.search(rf'action="(/walkthroughs/\d+/{name}/)"', page).group(1)


def flex_action(phase: str, number: int) -> Action:
    return Action.objects.current().get(phase__framework__slug="flex", phase__kind=phase, number=number)


def written(walk) -> tuple[int, int]:
    """What a refused request must leave untouched: the answers and the version."""
    return Answer.objects.filter(walkthrough=walk).count(), Walkthrough.objects.get(pk=walk.pk).version


@pytest.fixture
def walk(client, content, district):
    client.force_login(district.coach)
    return start(district.coach, district.teacher)


# What the coach sees --------------------------------------------------------------------------------


def test_the_walk_asks_one_action_with_its_phase_section_and_progress(client, walk):
    page = page_of(client, walk)
    first = flex_action("foundation", 1)
    assert page.count('class="question card"') == 1 and field(page, "action") == str(first.pk)
    assert f"<span>{escape(first.text)}</span></h2>" in page
    assert "<strong>Foundation</strong> · Planning Before Lesson" in page
    assert "Action 1 of 29" in page
    assert 'name="in_place" value="yes"' in page and ">In place</button>" in page
    assert 'name="in_place" value="no"' in page and ">Not yet</button>" in page
    assert '<textarea id="evidence" name="evidence"' in page
    assert "Back: undo" not in page  # nothing to undo yet


def test_the_evidence_box_says_the_teacher_will_read_it(client, walk):
    """Evidence shows on the teacher's pages and summaries: a coach must not take it for private."""
    assert "what you saw or heard; shared with the teacher" in page_of(client, walk)


def test_the_full_list_of_actions_is_in_a_details_element(client, walk):
    page = page_of(client, walk)
    details = re.search(r'<details class="all-actions">(.*?)</details>', page, re.DOTALL).group(1)
    assert f"All {FLEX_ACTIONS} actions of this walk" in details
    assert details.count('class="all-actions-row') == FLEX_ACTIONS
    for action in Action.objects.current().filter(phase__framework__slug="flex"):
        assert escape(action.text) in details
    assert details.count('<span class="current-mark">Now</span>') == 1


def test_an_htmx_tap_returns_the_walk_fragment_with_the_next_action(client, walk):
    response = tap(client, walk, "yes", headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="walk-now"') and "<html" not in body
    assert field(body, "action") == str(flex_action("foundation", 2).pk) and "Action 2 of 29" in body
    assert field(body, "version") == "2"
    assert "HX-Retarget" not in response.headers


def test_an_htmx_tap_updates_only_the_rows_of_the_list_it_changed(client, walk):
    """The list stays as the coach left it (open or closed): the tap sends the rows it changed,
    to be swapped in place by their ids, not the 29-row list again."""
    first, second, third = (flex_action("foundation", n) for n in (1, 2, 3))
    body = tap(client, walk, "yes", headers=HX).content.decode()
    assert '<details class="all-actions">' not in body
    rows = dict(re.findall(r'<li id="action-(\d+)" class="all-actions-row[^"]*" hx-swap-oob="true">(.*?)</li>', body, re.DOTALL))
    assert set(rows) == {str(first.pk), str(second.pk), str(third.pk)}
    assert '<span class="in-place-mark">In place</span>' in rows[str(first.pk)]
    assert '<span class="current-mark">Now</span>' in rows[str(second.pk)]
    assert '<span class="mark"></span>' in rows[str(third.pk)]
    body = client.post(reverse("observations:back", args=[walk.pk]), {"version": 2}, headers=HX).content.decode()
    rows = dict(re.findall(r'<li id="action-(\d+)" class="all-actions-row[^"]*" hx-swap-oob="true">(.*?)</li>', body, re.DOTALL))
    assert '<span class="current-mark">Now</span>' in rows[str(first.pk)]
    assert '<span class="mark"></span>' in rows[str(second.pk)]


def test_a_tap_resent_after_another_tab_went_on_redraws_the_whole_walk(client, walk):
    """The first tap's answer was lost on the way back; meanwhile another tab answered three more.
    The resend is recorded once, and its page gets the whole walk, not rows around a position it
    never saw."""
    first = tap_data(page_of(client, walk))
    assert client.post(answer_url(walk), first, headers=HX).status_code == 200
    for _ in range(3):
        tap(client, walk, "yes")
    resent = client.post(answer_url(walk), first, headers=HX)
    assert resent.status_code == 200 and resent.headers["HX-Retarget"] == "#walk"
    body = resent.content.decode()
    assert '<details class="all-actions">' in body and body.count('<span class="in-place-mark">In place</span>') == 4
    assert "Action 5 of 29" in body and Answer.objects.filter(walkthrough=walk).count() == 4
    latest = tap_data(page_of(client, walk))
    assert client.post(answer_url(walk), latest, headers=HX).status_code == 200
    resent_latest = client.post(answer_url(walk), latest, headers=HX)  # still the last answer: the rows suffice
    assert resent_latest.status_code == 200 and "HX-Retarget" not in resent_latest.headers
    assert Answer.objects.filter(walkthrough=walk).count() == 5


def test_a_refused_htmx_tap_redraws_the_whole_walk(client, walk):
    tap(client, walk, "yes")
    stale = client.post(
        reverse("observations:answer", args=[walk.pk]),
        {"client_key": uuid.uuid4(), "action": flex_action("foundation", 1).pk, "version": 1, "in_place": "yes"},
        headers=HX,
    )
    assert stale.status_code == 409
    assert stale.headers["HX-Retarget"] == "#walk" and stale.headers["HX-Reswap"] == "outerHTML"
    body = stale.content.decode()
    assert body.lstrip().startswith('<div id="walk"') and '<details class="all-actions">' in body
    assert "changed in another tab" in body


def test_a_plain_post_redirects_to_the_walk_page(client, walk):
    response = tap(client, walk, "yes")
    assert response.status_code == 302 and response["Location"] == walk.get_absolute_url()
    assert field(page_of(client, walk), "action") == str(flex_action("foundation", 2).pk)


def test_not_yet_is_the_pause_and_shows_its_possible_next_move(client, walk):
    tap(client, walk, "yes")
    body = tap(client, walk, "no", evidence="No schedule posted.", headers=HX).content.decode()
    second = flex_action("foundation", 2)
    assert "Progression pause: Foundation 2" in body and escape(second.text) in body
    assert f'<p class="suggested">{escape(second.next_move)}</p>' in body
    assert "No schedule posted." in body
    assert 'class="question card"' not in body  # no further action is asked
    assert "Action 2 of 29" in body


def test_a_full_evidence_note_typed_in_lines_is_saved_whole(client, walk):
    """A browser lets 5000 characters into the box, counting each line break as one, but sends it
    as CR LF: 49 breaks make 5048 characters sent. Saved as typed, with plain line breaks."""
    lines = ["a" * 99] * 50
    assert len("\n".join(lines)) <= 5000 < len("\r\n".join(lines))
    response = tap(client, walk, "no", evidence="\r\n".join(lines), headers=HX)
    assert response.status_code == 200
    assert walk.answers.get().evidence == "\n".join(lines)


def test_back_undoes_the_last_answer(client, walk):
    tap(client, walk, "yes")
    tap(client, walk, "no")
    page = page_of(client, walk)
    assert "Back: undo “Foundation 2”" in page
    response = client.post(
        reverse("observations:back", args=[walk.pk]), {"version": field(page, "version")}, headers=HX
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="walk-now"')
    assert field(body, "action") == str(flex_action("foundation", 2).pk)  # asked again
    assert "Back: undo “Foundation 1”" in body
    walk.refresh_from_db()
    assert walk.pause_number is None and len(walk.state.live) == 1


def test_a_back_without_javascript_sent_twice_undoes_one_answer(client, walk):
    """The page's own form, key included, submitted twice (a double click, the browser resending)."""
    tap(client, walk, "yes")
    tap(client, walk, "yes")
    back_form = page_of(client, walk).split('class="back-form"', 1)[1]
    data = {"client_key": field(back_form, "client_key"), "version": field(back_form, "version")}
    back = reverse("observations:back", args=[walk.pk])
    assert client.post(back, data)["Location"] == walk.get_absolute_url()
    again = client.post(back, data)
    assert again.status_code == 302 and again["Location"] == walk.get_absolute_url()
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 1


def test_a_back_from_a_page_without_keys_redirects_and_a_resent_one_is_refused(client, walk):
    """A page rendered before forms sent keys: the version alone tells a resent Back from a new one."""
    tap(client, walk, "yes")
    tap(client, walk, "yes")
    version = field(page_of(client, walk), "version")
    back = reverse("observations:back", args=[walk.pk])
    assert client.post(back, {"version": version})["Location"] == walk.get_absolute_url()
    again = client.post(back, {"version": version})  # the same Back sent twice undoes one answer
    assert again.status_code == 409 and "changed in another tab" in again.content.decode()
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 1


def test_a_back_whose_reply_was_lost_and_is_resent_undoes_one_answer(client, walk):
    """The page's script resends the same Back (its key and version): the walk as it stands, no conflict."""
    tap(client, walk, "yes")
    tap(client, walk, "yes")
    page = page_of(client, walk)
    back_form = page.split('class="back-form"', 1)[1]
    data = {"client_key": field(back_form, "client_key"), "version": field(back_form, "version")}
    back = reverse("observations:back", args=[walk.pk])
    assert client.post(back, data, headers=HX).status_code == 200  # undone; the reply is lost
    again = client.post(back, data, headers=HX)
    body = again.content.decode()
    assert again.status_code == 200 and "changed in another tab" not in body
    assert field(body, "action") == str(flex_action("foundation", 2).pk) and "Back: undo “Foundation 1”" in body
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 1


def test_a_back_with_a_garbled_key_is_a_400_and_undoes_nothing(client, walk):
    tap(client, walk, "yes")
    page = page_of(client, walk)
    back = reverse("observations:back", args=[walk.pk])
    response = client.post(back, {"client_key": "not-a-key", "version": field(page, "version")}, headers=HX)
    assert response.status_code == 400 and "no valid key" in response.content.decode()
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 1


def change_from_here(page: str, phase: str, number: int) -> dict:
    """What the row's "Change from here" in the page's full list sends."""
    label = f'aria-label="Change from {phase} {number}: undo it and the answers after it"'
    form = page.split(label, 1)[0].rsplit('<form class="back-to-form"', 1)[1]
    return {"client_key": field(form, "client_key"), "answer": field(form, "answer")}


def test_change_from_here_undoes_that_answer_and_every_one_after_it(client, walk):
    """Further on, the coach sees Foundation 2 was not in place after all: one tap, not three Backs."""
    for _ in range(4):
        tap(client, walk, "yes")
    page = page_of(client, walk)
    assert page.count('<form class="back-to-form"') == 3  # Foundation 1 to 3; the last one has Back
    sent = change_from_here(page, "Foundation", 2)
    response = client.post(reverse("observations:back", args=[walk.pk]), sent)
    assert response.status_code == 302 and response["Location"] == walk.get_absolute_url()
    page = page_of(client, walk)
    assert field(page, "action") == str(flex_action("foundation", 2).pk) and "Back: undo “Foundation 1”" in page
    assert [(a.number, a.undone_at is None) for a in Answer.objects.filter(walkthrough=walk).order_by("number")] == [
        (1, True), (2, False), (3, False), (4, False)]  # fmt: skip
    again = client.post(reverse("observations:back", args=[walk.pk]), sent)  # sent twice: nothing more undone
    assert again.status_code == 302 and len(Walkthrough.objects.get(pk=walk.pk).state.live) == 1


def test_change_from_here_with_htmx_redraws_the_whole_walk_and_clears_a_pause(client, walk):
    tap(client, walk, "yes", headers=HX)
    second = tap(client, walk, "yes", headers=HX).content.decode()
    # the tap's rows swapped in place include the one that now gets its button
    assert 'aria-label="Change from Foundation 1: undo it and the answers after it"' in second
    tap(client, walk, "no")  # the pause at Foundation 3
    sent = change_from_here(page_of(client, walk), "Foundation", 1)
    response = client.post(reverse("observations:back", args=[walk.pk]), sent, headers=HX)
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == "#walk"
    assert field(body, "action") == str(flex_action("foundation", 1).pk) and "Progression pause" not in body
    assert 'class="all-actions-row' in body and "In place</span>" not in body  # the list redrawn too, nothing answered
    walk.refresh_from_db()
    assert walk.pause_number is None and walk.state.live == []


def test_change_from_here_on_a_list_drawn_before_later_taps_means_the_same_answer(client, walk):
    tap(client, walk, "yes")
    tap(client, walk, "yes")
    sent = change_from_here(page_of(client, walk), "Foundation", 1)
    tap(client, walk, "yes")  # another tab went on meanwhile
    tap(client, walk, "yes")
    assert client.post(reverse("observations:back", args=[walk.pk]), sent).status_code == 302
    assert Walkthrough.objects.get(pk=walk.pk).state.live == []


@pytest.mark.parametrize("answer", ["999999", "x", ""])
def test_change_from_here_for_no_live_answer_is_a_400_and_undoes_nothing(client, walk, answer):
    tap(client, walk, "yes")
    tap(client, walk, "yes")
    response = client.post(reverse("observations:back", args=[walk.pk]), {"client_key": str(uuid.uuid4()), "answer": answer}, headers=HX)
    assert response.status_code == 400
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 2


def test_change_from_here_on_someone_elses_walkthrough_is_404(client, walk, district):
    tap(client, walk, "yes")
    tap(client, walk, "yes")
    sent = change_from_here(page_of(client, walk), "Foundation", 1)
    client.force_login(district.principal)
    assert client.post(reverse("observations:back", args=[walk.pk]), sent).status_code == 404
    assert len(Walkthrough.objects.get(pk=walk.pk).state.live) == 2


def test_a_whole_walk_works_without_javascript(client, content, district):
    """Start, taps, Back, the pause and Finish, with plain form posts only."""
    client.force_login(district.coach)
    new = reverse("observations:walkthrough-new")
    form = client.get(new, {"teacher": district.oak_teacher.pk, "framework": "flex"}).content.decode()
    keys = ("client_key", "teacher", "framework", "observed_at")
    response = client.post(new, {**{k: field(form, k) for k in keys}, "start_phase": "foundation"})
    walk_url = response["Location"]
    for in_place in ["yes", "yes", "yes", "no"]:
        page = client.get(walk_url).content.decode()
        response = client.post(form_action(page, "answer"), tap_data(page, in_place))
        assert response.status_code == 302 and response["Location"] == walk_url
    page = client.get(walk_url).content.decode()
    assert "Progression pause: Foundation 4" in page
    client.post(form_action(page, "back"), {"version": field(page, "version")})  # not yet was a mistake
    page = client.get(walk_url).content.decode()
    client.post(form_action(page, "answer"), tap_data(page, "yes"))  # Foundation 4 in place after all
    page = client.get(walk_url).content.decode()
    client.post(form_action(page, "answer"), tap_data(page, "no", "No directions posted."))
    page = client.get(walk_url).content.decode()
    next_move = re.search(r'<textarea id="next_move"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1)
    finish = {
        "version": field(page, "version"),
        "next_move": next_move,
        "teacher_note": "Thank you.",
        "private_note": "",
    }
    response = client.post(form_action(page, "finish"), finish)
    assert response.status_code == 302 and response["Location"] == walk_url
    walk = Walkthrough.objects.get()
    assert walk.status == Walkthrough.Status.COMPLETE and walk.pause_label == "Foundation 5"
    assert walk.next_move == flex_action("foundation", 5).next_move  # the suggestion, accepted as shown
    assert [(a.number, a.in_place) for a in walk.state.live] == [(1, True), (2, True), (3, True), (4, True), (5, False)]
    assert "Progression pause: Foundation 5" in client.get(walk_url).content.decode()


def test_resuming_on_another_device_shows_the_same_action(client, walk, district):
    tap(client, walk, "yes")
    tap(client, walk, "yes")
    tablet = Client()
    tablet.force_login(district.coach)
    page = page_of(tablet, walk)
    assert field(page, "action") == str(flex_action("foundation", 3).pk) and "Action 3 of 29" in page
    assert tablet.post(answer_url(walk), tap_data(page, "yes")).status_code == 302
    assert field(page_of(client, walk), "action") == str(flex_action("foundation", 4).pk)


# Never lose or double count ---------------------------------------------------------------------


def test_a_double_tap_records_one_answer_and_both_responses_show_the_next_action(client, walk):
    data = tap_data(page_of(client, walk), "yes")
    first = client.post(answer_url(walk), data, headers=HX).content.decode()
    again = client.post(answer_url(walk), data, headers=HX).content.decode()
    assert Answer.objects.filter(walkthrough=walk).count() == 1
    second = str(flex_action("foundation", 2).pk)
    assert field(first, "action") == field(again, "action") == second
    assert "Action 2 of 29" in first and "Action 2 of 29" in again
    assert 'role="alert"' not in again  # a resend is not an error


def test_a_page_from_before_a_tap_sends_its_key_with_another_answer_and_is_refused(client, walk):
    """The browser's Back (or a cached copy) can show the walk as it was, with the key its first tap
    used: another answer sent with that key is no resend of the one saved, and is not dropped."""
    stale = page_of(client, walk)
    client.post(answer_url(walk), tap_data(stale, "yes"), headers=HX)
    response = client.post(answer_url(walk), tap_data(stale, "no", "No schedule posted."), headers=HX)
    body = response.content.decode()
    assert response.status_code == 409
    assert "This page was out of date: the walk had moved on." in body
    assert "Your “Not yet” on Foundation 1 was not saved; your evidence note was: “No schedule posted.”" in body
    assert list(Answer.objects.filter(walkthrough=walk).values_list("number", "in_place")) == [(1, True)]
    assert "Action 2 of 29" in body  # where the walk stands


def test_the_walk_and_start_pages_are_never_kept_by_the_browser(client, walk):
    """Back to a copy of the walk from before the taps since would offer its used keys again."""
    for url in (walk.get_absolute_url(), reverse("observations:walkthrough-new")):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_a_resent_plain_post_records_one_answer(client, walk):
    data = tap_data(page_of(client, walk), "no", "Seen once.")
    assert client.post(answer_url(walk), data).status_code == 302
    assert client.post(answer_url(walk), data).status_code == 302
    assert Answer.objects.filter(walkthrough=walk).count() == 1


@pytest.mark.parametrize("headers", [HX, None], ids=["htmx", "plain"])
def test_a_second_tab_is_refused_with_409_and_shown_the_current_state(client, walk, headers):
    tab_one, tab_two = page_of(client, walk), page_of(client, walk)
    client.post(answer_url(walk), tap_data(tab_one, "yes"), headers=HX)
    before = written(walk)
    response = client.post(answer_url(walk), tap_data(tab_two, "no", "From the <stale> tab."), headers=headers)
    body = response.content.decode()
    assert response.status_code == 409
    assert "changed in another tab" in body and 'role="alert"' in body
    # what was refused, and the evidence typed for it, which no form holds any more (escaped)
    assert "Your “Not yet” on Foundation 1 was not saved; your evidence note was: “From the &lt;stale&gt; tab.”" in body
    assert field(body, "action") == str(flex_action("foundation", 2).pk)  # where the walk now stands
    assert field(body, "version") == "2"
    assert ("<html" in body) is (headers is None)
    assert written(walk) == before and not Answer.objects.filter(evidence="From the <stale> tab.").exists()


def test_a_tap_on_an_action_that_is_no_longer_current_is_refused(client, walk):
    data = {**tap_data(page_of(client, walk), "yes"), "action": flex_action("foundation", 7).pk}
    response = client.post(answer_url(walk), data, headers=HX)
    assert response.status_code == 409 and "moved on" in response.content.decode()
    assert written(walk) == (0, 1)


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"in_place": None}, "Choose In place or Not yet."),
        ({"in_place": "maybe"}, "Choose In place or Not yet."),
        ({"client_key": "not-a-uuid"}, "no valid key"),
        ({"client_key": None}, "no valid key"),
        ({"action": None}, "no action"),
        ({"version": "two"}, "no walkthrough version"),
        ({"version": "9" * 30}, "no walkthrough version"),  # beyond a bigint: no version (was a 409)
        ({"action": "9" * 30}, "no action"),
        ({"evidence": "x" * 5001}, "longer than 5000 characters"),
        ({"evidence": "a\x00b"}, "null character"),  # PostgreSQL cannot store it: was a 500
    ],
)
def test_bad_tap_input_is_a_400_with_a_clear_message_and_writes_nothing(client, walk, changes, message):
    data = {**tap_data(page_of(client, walk), "yes"), **changes}
    response = client.post(answer_url(walk), {k: v for k, v in data.items() if v is not None}, headers=HX)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and 'role="alert"' in body
    assert field(body, "action") == str(flex_action("foundation", 1).pk)  # the same question, to try again
    assert written(walk) == (0, 1)


def test_bad_input_without_javascript_shows_the_page_with_the_message(client, walk):
    data = {**tap_data(page_of(client, walk), "yes"), "evidence": "x" * 5001}
    response = client.post(answer_url(walk), data)
    assert response.status_code == 400 and "<html" in response.content.decode()
    assert "longer than 5000 characters" in response.content.decode()
    assert written(walk) == (0, 1)


def test_evidence_of_exactly_5000_characters_is_kept(client, walk):
    tap(client, walk, "no", evidence="e" * 5000)
    assert Answer.objects.get(walkthrough=walk).evidence == "e" * 5000


def test_a_tap_key_used_on_another_walkthrough_is_refused_not_a_500(client, walk, district):
    """A key names one tap: reused on another walkthrough it is a 400 (it was an IntegrityError)."""
    other = start(district.coach, district.oak_teacher)
    used = uuid.uuid4()
    walkthrough_answer(walkthrough=other, client_key=used, action_id=other.state.current.pk, in_place=True, version=1)
    data = {**tap_data(page_of(client, walk), "yes"), "client_key": str(used)}
    response = client.post(answer_url(walk), data, headers=HX)
    assert response.status_code == 400 and "already used" in response.content.decode()
    assert written(walk) == (0, 1)


def test_evidence_is_escaped_on_the_walk_page(client, walk):
    tap(client, walk, "no", evidence='<script>alert("x")</script>')
    page = page_of(client, walk)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and '<script>alert("x")' not in page


# Only the observer writes --------------------------------------------------------------------------


@pytest.mark.parametrize("intruder", ["lkw_coach", "principal", "teacher_user", "leader"])
def test_nobody_else_can_answer_or_undo_on_a_walkthrough(client, walk, district, intruder):
    """The walkthrough is about Maria (OAK), written by the OAK/LKW coach: to anyone else it does not exist."""
    tap(client, walk, "yes")
    data = tap_data(page_of(client, walk), "no", "INTRUDER")
    before = written(walk)
    client.force_login(getattr(district, intruder))
    assert client.post(answer_url(walk), data, headers=HX).status_code == 404
    assert client.post(answer_url(walk), data).status_code == 404
    assert client.post(reverse("observations:back", args=[walk.pk]), {"version": data["version"]}).status_code == 404
    assert client.get(walk.get_absolute_url()).status_code == 404  # an unfinished walk is its observer's alone
    bad = {**data, "version": "not a number"}  # refused before the lock: still 404, never the walk with a message
    assert client.post(answer_url(walk), bad, headers=HX).status_code == 404
    assert client.post(answer_url(walk), {**data, "evidence": "x" * 5001}, headers=HX).status_code == 404
    assert written(walk) == before and not Answer.objects.filter(evidence="INTRUDER").exists()


# Query count --------------------------------------------------------------------------------------


def step_queries(client, walk) -> list[str]:
    """The SQL of one htmx tap, without SAVEPOINT / RELEASE SAVEPOINT.

    pytest's `db` fixture runs each test inside a transaction, so the service's
    `transaction.atomic()` becomes SAVEPOINT/RELEASE statements here. In production that
    atomic block is the outermost one: BEGIN/COMMIT, which Django does not send as queries.
    Leaving the savepoints out counts what production runs.
    """
    data = tap_data(page_of(client, walk), "yes")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(answer_url(walk), data, headers=HX)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def earlier_walkthroughs(coach, teacher, how_many: int) -> None:
    """Finished Flex walkthroughs of this teacher, each with its answer, made in bulk."""
    first = flex_action("foundation", 1)
    walks = Walkthrough.objects.bulk_create(
        Walkthrough(
            client_key=uuid.uuid4(), observer=coach, teacher=teacher, framework=first.phase.framework,
            start_phase="foundation", observed_at=walk_time(i), status=Walkthrough.Status.COMPLETE,
            completed_at=walk_time(i), pause_action=first,
            pause_phase="foundation", pause_number=1, pause_section=first.section, pause_text=first.text,
            pause_next_move=first.next_move, next_move=first.next_move,
        )
        for i in range(how_many)
    )  # fmt: skip
    Answer.objects.bulk_create(
        Answer(
            client_key=uuid.uuid4(), walkthrough=w, action=first, phase="foundation", number=1, section=first.section,
            text=first.text, next_move=first.next_move, in_place=False,
        )
        for w in walks
    )  # fmt: skip


def walk_time(days_ago: int):
    return timezone.now() - timedelta(days=days_ago + 1)


def test_a_tap_costs_at_most_eight_queries_whatever_the_history(client, content, district):
    """A tap on a phone on school wifi must stay cheap however long the coaching history grows.

    Measured: session, user, the lock (by id and observer, which is also the access check, with
    teacher and framework), the walk's answers, the answer's insert, the walkthrough's update:
    six. The walk's actions are kept per process (models.walk_sequence) and were read by the page
    load before the tap; without that cache they are a seventh query. The count must not move
    with 1 or 30 earlier walkthroughs of the teacher, nor with 10 answers already given."""
    client.force_login(district.coach)
    teacher = district.oak_teacher
    earlier_walkthroughs(district.coach, teacher, 1)
    with_one = step_queries(client, start(district.coach, teacher))

    earlier_walkthroughs(district.coach, teacher, 29)
    assert Walkthrough.objects.filter(teacher=teacher, status=Walkthrough.Status.COMPLETE).count() == 30
    with_thirty = step_queries(client, start(district.coach, teacher))

    long_walk = start(district.coach, teacher)
    for _ in range(10):
        long_walk = walkthrough_answer(
            walkthrough=long_walk,
            client_key=uuid.uuid4(),
            action_id=long_walk.state.current.pk,
            in_place=True,
            version=long_walk.version,
        )
    with_long_walk = step_queries(client, long_walk)

    listing = "\n".join(with_one)
    assert len(with_one) == 6 <= 8, listing
    assert len(with_one) == len(with_thirty) == len(with_long_walk), listing
    assert Answer.objects.filter(walkthrough=long_walk).count() == 11


def test_finishing_a_walk_needs_the_pause_first(client, walk):
    """Finish is offered only at the pause; a finish posted earlier is refused, not saved."""
    tap(client, walk, "yes")
    response = client.post(
        reverse("observations:finish", args=[walk.pk]), {"version": "2", "next_move": "x"}, headers=HX
    )
    assert response.status_code == 400 and "Answer every action up to the pause" in response.content.decode()
    assert Walkthrough.objects.get(pk=walk.pk).is_open
