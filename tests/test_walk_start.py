"""Starting a walkthrough: the teacher type-ahead, the progression, the suggested phase, the date.

Driven through the start page's own form with the Django test client, the way a coach's
browser submits it, so a start that works here works without JavaScript too.
"""

import re
import uuid
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from observations.inputs import DATETIME_INPUT
from observations.models import Walkthrough
from observations.services import walkthrough_answer, walkthrough_finish, walkthrough_start
from progressions.models import Action, Framework

NEW = reverse("observations:walkthrough-new")
HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "teacher-choices"}


def field(html: str, name: str) -> str:
    """The value an input of the page would submit (hidden or datetime-local)."""
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def start_form(client, teacher, framework="flex") -> str:
    """The start page once the teacher and the progression are chosen."""
    response = client.get(NEW, {"teacher": teacher.pk, "framework": framework})
    assert response.status_code == 200
    return response.content.decode()


def form_data(page: str, teacher, framework="flex", **changes) -> dict:
    """What pressing Start sends: the page's own key and date, Foundation unless changed."""
    data = {
        "client_key": field(page, "client_key"),
        "teacher": teacher.pk,
        "framework": framework,
        "observed_at": field(page, "observed_at"),
        "start_phase": "foundation",
    }
    return {**data, **changes}


def finished_with_pause(coach, teacher, *, in_place_first: int) -> Walkthrough:
    """A finished Flex walkthrough whose pause comes after `in_place_first` actions in place."""
    walk = walkthrough_start(
        client_key=uuid.uuid4(), observer=coach, teacher=teacher, framework=Framework.objects.get(slug="flex")
    )
    for in_place in [True] * in_place_first + [False]:
        walk = walkthrough_answer(
            walkthrough=walk,
            client_key=uuid.uuid4(),
            action_id=walk.state.current.pk,
            in_place=in_place,
            version=walk.version,
        )
    return walkthrough_finish(walkthrough=walk, version=walk.version, next_move="Keep going.")


@pytest.fixture
def coach(client, content, district):
    client.force_login(district.coach)
    return district.coach


# The teacher type-ahead ------------------------------------------------------------------------


def test_the_type_ahead_answers_htmx_with_the_choices_fragment_only(client, coach, district):
    response = client.get(NEW, {"q": "brooks"}, headers=HTMX_SEARCH)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="teacher-choices"') and "<html" not in body
    assert "James Brooks" in body and "Maria Alvarez" not in body
    assert f"?teacher={district.oak_teacher.pk}" in body  # the choice leads on to the progression
    # the count goes to the status line that stays on the page, which a screen reader reads out
    assert '<p id="teacher-count" hx-swap-oob="innerHTML">1 teacher matches “brooks”:</p>' in body
    page = client.get(NEW, {"q": "brooks"}).content.decode()
    assert '<p id="teacher-count" class="result-count" role="status">1 teacher matches “brooks”:</p>' in page
    assert "hx-swap-oob" not in page


def test_the_type_ahead_works_without_javascript(client, coach):
    """A plain GET of the search form gives the whole page with the same choices."""
    body = client.get(NEW, {"q": "Lakewood math"}).content.decode()
    assert "<html" in body and 'id="teacher-choices"' in body
    assert "Grace Kim" in body and "Hannah Weiss" in body and "Marcus Johnson" not in body


@pytest.mark.parametrize("query", ["Alvarez, Maria", "alvarez,maria", "Maria; Oak"])
def test_a_search_written_last_name_comma_first_finds_the_teacher(client, coach, query):
    body = client.get(NEW, {"q": query}, headers=HTMX_SEARCH).content.decode()
    assert "Maria Alvarez" in body and "James Brooks" not in body


def test_a_coach_finds_only_teachers_of_their_campuses(client, content, district):
    client.force_login(district.lkw_coach)
    body = client.get(NEW, {"q": "Brooks"}, headers=HTMX_SEARCH).content.decode()
    assert "James Brooks" not in body and "No teacher you work with matches" in body
    body = client.get(NEW, {"q": "Kim"}, headers=HTMX_SEARCH).content.decode()
    assert "Grace Kim" in body


# The start form ----------------------------------------------------------------------------------


def test_the_start_form_defaults_to_foundation_and_now(client, coach, district):
    page = start_form(client, district.oak_teacher)
    assert re.search(r'name="start_phase" value="foundation" checked', page)
    assert "suggested" not in page  # nothing walked yet: no suggestion, Foundation by default
    shown = timezone.make_aware(datetime.strptime(field(page, "observed_at"), DATETIME_INPUT))
    assert abs(timezone.now() - shown) < timedelta(minutes=2)


def test_the_phase_of_the_last_pause_is_suggested(client, coach, district):
    finished_with_pause(district.coach, district.oak_teacher, in_place_first=12)  # paused at Differentiated 2
    page = start_form(client, district.oak_teacher)
    assert re.search(r'name="start_phase" value="differentiated" checked', page)
    assert "Suggested: the last pause was Differentiated 2, on" in page and '<span class="tag">suggested</span>' in page
    assert "Last pause: Differentiated 2" in page  # beside the progression in the list too


def test_starting_opens_the_walk_and_a_resent_start_is_one_walkthrough(client, coach, district):
    data = form_data(start_form(client, district.oak_teacher), district.oak_teacher)
    first = client.post(NEW, data)
    walk = Walkthrough.objects.get()
    assert first.status_code == 302 and first["Location"] == walk.get_absolute_url()
    again = client.post(NEW, data)  # a double tap on Start, or the browser resending it
    assert again.status_code == 302 and again["Location"] == walk.get_absolute_url()
    assert Walkthrough.objects.count() == 1
    assert (walk.observer, walk.teacher, walk.framework.slug, walk.start_phase) == (
        district.coach,
        district.oak_teacher,
        "flex",
        "foundation",
    )
    assert walk.kind == Walkthrough.Kind.COACH and walk.is_open


def test_the_pages_script_sends_start_as_a_kept_tap_answered_with_where_to_go(client, coach, district):
    """The tablet's Start goes through htmx, so a failed send is kept and resent (static/js/walk.js):
    saved, it is told where the walk is (HX-Redirect); a resend finds the same walkthrough; a
    refusal is the page again, its form and message inside what the form swaps."""
    page = start_form(client, district.oak_teacher)
    assert re.search(r'<form [^>]*class="stacked-form start-form"[^>]*\n\s*hx-post="/walkthroughs/new/"[^>]*data-retry>', page)
    assert "js/walk.js" in page and "data-send-status" in page
    data = form_data(page, district.oak_teacher)
    answers = [client.post(NEW, data, headers={"HX-Request": "true"}) for _ in range(2)]
    walk = Walkthrough.objects.get()
    assert [(a.status_code, a["HX-Redirect"]) for a in answers] == [(200, walk.get_absolute_url())] * 2
    refused = client.post(NEW, form_data(page, district.oak_teacher, client_key="x"), headers={"HX-Request": "true"})
    swapped = refused.content.decode().split('<div class="narrow-wide">')[1]
    assert refused.status_code == 400 and "no valid key" in swapped and "start-form" in swapped


def test_a_start_key_sent_again_for_another_classroom_is_refused_and_a_new_key_offered(client, coach, district):
    """The first start was saved but its reply lost; the page was then changed to another teacher.
    Not the same request: no silent redirect to the first walkthrough, and the next press works."""
    page = start_form(client, district.oak_teacher)
    client.post(NEW, form_data(page, district.oak_teacher))
    refused = client.post(NEW, form_data(page, district.teacher))
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "This page already started a walkthrough of James Brooks on Flex Model" in body
    assert field(body, "client_key") != field(page, "client_key")
    again = client.post(NEW, form_data(body, district.teacher))
    assert again.status_code == 302
    assert sorted(Walkthrough.objects.values_list("teacher__last_name", flat=True)) == ["Alvarez", "Brooks"]


def test_starting_from_a_later_phase_asks_its_first_action(client, coach, district):
    data = form_data(start_form(client, district.oak_teacher), district.oak_teacher, start_phase="personalized")
    walk_url = client.post(NEW, data)["Location"]
    first = Action.objects.current().get(phase__framework__slug="flex", phase__kind="personalized", number=1)
    page = client.get(walk_url).content.decode()
    assert field(page, "action") == str(first.pk) and "<strong>Personalized</strong>" in page


def test_a_phase_missing_from_the_source_is_skipped_with_an_explanation(client, coach, district):
    """The source has Enriched Virtual's Personalized phase only: starting at Foundation asks Personalized 1 first."""
    data = form_data(
        start_form(client, district.oak_teacher, "enriched-virtual"), district.oak_teacher, "enriched-virtual"
    )
    page = client.get(client.post(NEW, data)["Location"]).content.decode()
    assert "The Foundation phase is skipped" in page and "The Differentiated phase is skipped" in page
    assert "the copy of the Enriched Virtual Progression that PL Coach carries has none" in page
    first = Action.objects.current().get(
        phase__framework__slug="enriched-virtual", phase__kind="personalized", number=1
    )
    assert field(page, "action") == str(first.pk)
    assert "<strong>Personalized</strong>" in page and '<span class="action-number">1</span>' in page
    assert "Action 1 of 11" in page


def test_the_start_page_offers_only_phases_with_actions_and_says_why(client, coach, district):
    page = start_form(client, district.oak_teacher, "enriched-virtual")
    assert re.findall(r'name="start_phase" value="(\w+)"( checked)?', page) == [("personalized", " checked")]
    source = Framework.objects.get(slug="enriched-virtual").source_title
    assert (f"Foundation and Differentiated: the copy of the {source} that PL Coach carries has no actions for "
            "them, so the walk skips them.") in page  # fmt: skip


# Bad input: a clear 4xx, never a 500, and nothing written ------------------------------------------


def in_minutes(minutes: int) -> str:
    return (timezone.localtime() + timedelta(minutes=minutes)).strftime(DATETIME_INPUT)


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"client_key": ""}, "no valid key"),
        ({"client_key": "not-a-uuid"}, "no valid key"),
        ({"observed_at": "22/11/2026 9:30"}, "enter when you observed"),
        ({"observed_at": "2026-02-30T09:30"}, "enter when you observed"),
        ({"observed_at": in_minutes(60 * 24)}, "cannot be in the future"),
        ({"observed_at": "2001-09-10T09:30"}, "older than a year"),
        # Chicago's clocks went from 02:00 to 03:00: the time typed was stored as 03:30
        ({"observed_at": "2026-03-08T02:30"}, "02:30 on 2026-03-08 did not happen here (the clocks went forward)"),
        ({"start_phase": "advanced"}, "Unknown phase"),
        ({"start_phase": ""}, "Unknown phase"),
    ],
)
def test_bad_start_input_is_refused_with_a_clear_message(client, coach, district, changes, message):
    page = start_form(client, district.oak_teacher)
    response = client.post(NEW, form_data(page, district.oak_teacher, **changes))
    assert response.status_code == 400
    assert message in response.content.decode() and 'role="alert"' in response.content.decode()
    assert Walkthrough.objects.count() == 0


def test_a_start_without_a_progression_is_refused(client, coach, district):
    page = start_form(client, district.oak_teacher)
    response = client.post(NEW, form_data(page, district.oak_teacher, framework=""))
    assert response.status_code == 400 and "Choose the teacher and the progression first." in response.content.decode()
    assert Walkthrough.objects.count() == 0


@pytest.mark.parametrize(
    "teacher_field",
    [
        lambda d: d.oak_teacher.pk,  # James Brooks: OAK, not a campus of the LKW coach
        lambda d: "99999999",
        lambda d: "9" * 30,  # beyond any id the database holds
        lambda d: "9" * 5000,  # beyond what Python reads as a number: was a 500
        lambda d: "²",  # a digit to str.isdigit(), not to int(): was a 500
        lambda d: "abc",
    ],
)
def test_a_teacher_the_coach_cannot_see_is_404(client, content, district, teacher_field):
    client.force_login(district.lkw_coach)
    data = {
        "client_key": str(uuid.uuid4()),
        "teacher": teacher_field(district),
        "framework": "flex",
        "observed_at": in_minutes(0),
    }
    assert client.post(NEW, data).status_code == 404
    assert client.get(NEW, {"teacher": data["teacher"]}).status_code == 404
    assert Walkthrough.objects.count() == 0


def test_an_unknown_framework_is_404(client, coach, district):
    data = {
        "client_key": str(uuid.uuid4()),
        "teacher": district.oak_teacher.pk,
        "framework": "rotation",
        "observed_at": in_minutes(0),
    }
    assert client.post(NEW, data).status_code == 404
    assert client.get(NEW, {"teacher": district.oak_teacher.pk, "framework": "rotation"}).status_code == 404
    assert Walkthrough.objects.count() == 0


def test_a_null_character_in_the_search_is_ignored_not_a_500(client, coach):
    """PostgreSQL cannot compare text holding NUL: the search drops it (was a 500)."""
    body = client.get(NEW, {"q": "Bro\x00oks"}, headers=HTMX_SEARCH).content.decode()
    assert "James Brooks" in body


def test_a_start_key_another_observer_used_is_refused(client, coach, district):
    """A client key names one walkthrough of one observer: someone else's key starts nothing."""
    theirs = walkthrough_start(
        client_key=uuid.uuid4(),
        observer=district.principal,
        teacher=district.oak_teacher,
        framework=Framework.objects.get(slug="flex"),
    )
    page = start_form(client, district.oak_teacher)
    response = client.post(NEW, form_data(page, district.oak_teacher, client_key=str(theirs.client_key)))
    assert response.status_code == 400 and "already used" in response.content.decode()
    assert Walkthrough.objects.count() == 1


def test_an_unfinished_walkthrough_of_the_teacher_is_offered_to_resume(client, coach, district):
    """Starting again where one is unfinished: the page offers it, beside the progression and above Start."""
    page = start_form(client, district.oak_teacher)
    assert "Resume the unfinished one" not in page and "resume it" not in page
    client.post(NEW, form_data(page, district.oak_teacher))
    unfinished = Walkthrough.objects.get()
    page = start_form(client, district.oak_teacher)
    assert page.count(f'href="{unfinished.get_absolute_url()}"') == 2
    assert "You have an unfinished walkthrough of James on Flex Model" in page
    assert "Resume the unfinished one" not in start_form(client, district.teacher)  # another teacher
    other_coach = client.__class__()
    other_coach.force_login(district.principal)
    assert "Resume the unfinished one" not in other_coach.get(NEW, {"teacher": district.oak_teacher.pk, "framework": "flex"}).content.decode()


def test_in_a_progression_walk_the_start_page_does_not_anchor_on_the_last_pause(client, coach, district):
    """Observers of a walk rate blind: no last pause beside the progression, no suggested phase."""
    from observations.models import ProgressionWalk

    finished_with_pause(district.coach, district.oak_teacher, in_place_first=12)  # paused at Differentiated 2
    walk = ProgressionWalk.objects.create(client_key=uuid.uuid4(), name="Calibration", date=timezone.localdate(), created_by=district.leader,
                                          logging_ends_at=timezone.now() + timedelta(days=1))  # fmt: skip
    walk.campuses.set([district.oak_teacher.campus])
    walk.observers.set([district.coach])
    page = client.get(NEW, {"teacher": district.oak_teacher.pk, "framework": "flex", "walk": walk.pk}).content.decode()
    assert "Last pause" not in page and "suggested" not in page and "Differentiated 2" not in page
    assert re.search(r'name="start_phase" value="foundation" checked', page)

    # An unfinished walkthrough outside the walk is not offered here: resumed, it would be left out of the walk's debrief.
    client.post(NEW, form_data(start_form(client, district.oak_teacher), district.oak_teacher))
    page = client.get(NEW, {"teacher": district.oak_teacher.pk, "framework": "flex", "walk": walk.pk}).content.decode()
    assert "Resume the unfinished one" not in page and "resume it" not in page
    data = form_data(page, district.oak_teacher, walk=walk.pk)
    in_walk = client.post(NEW, data)["Location"]
    page = client.get(NEW, {"teacher": district.oak_teacher.pk, "framework": "flex", "walk": walk.pk}).content.decode()
    assert f'href="{in_walk}">resume it</a>' in page
    outside = start_form(client, district.oak_teacher)
    assert f'href="{in_walk}"' not in outside and "Resume the unfinished one" in outside
