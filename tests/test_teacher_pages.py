"""The teacher list and teacher page: what they show and their constant query counts."""

import random
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from observations.history import Track, teacher_history
from observations.models import Walkthrough
from people.models import Teacher
from progressions.models import Framework
from tests.reporting import flex_walkthrough
from tests.walks import plan_walk, walked


def add_teachers(campus, count: int) -> None:
    Teacher.objects.bulk_create(
        Teacher(campus=campus, first_name=f"Extra{i}", last_name="Teacher", employee_id=f"X{campus.code}{i}")
        for i in range(count)
    )


@pytest.mark.parametrize("viewer, queries", [("coach", 4), ("principal", 4), ("leader", 4), ("teacher_user", 5)])
def test_teacher_list_query_count_is_constant_as_the_district_grows(client, district, django_assert_num_queries, viewer, queries):
    """Session, user, roles and one teacher query (and a teacher's own record, for the nav's "My
    coaching"): a bigger district must not add any."""
    client.force_login(getattr(district, viewer))
    with django_assert_num_queries(queries):
        client.get(reverse("people:teacher-list"))
    add_teachers(district.oak, 60)
    add_teachers(district.lkw, 60)
    with django_assert_num_queries(queries):
        response = client.get(reverse("people:teacher-list"))
    assert response.status_code == 200


def test_a_list_cut_short_says_so_and_how_to_find_the_rest(client, district, monkeypatch):
    """A district leader's 10,000 teachers are not listed whole: the page says it stops, and how to go on."""
    monkeypatch.setattr("people.views.TEACHERS_LISTED", 3)
    client.force_login(district.leader)
    body = client.get(reverse("people:teacher-list")).content.decode()
    assert len(re.findall(r'<li><a href="/teachers/\d+/">', body)) == 3
    assert "Only the first 3 teachers are listed: search by name, subject, grade or campus" in " ".join(body.split())
    one = client.get(reverse("people:teacher-list"), {"q": "Alvarez"}).content.decode()
    assert "Maria Alvarez" in one and "Only the first" not in one


def test_teacher_page_query_count_is_constant_as_history_grows(client, content, district, django_assert_num_queries):
    """Session, user, roles, the teacher, the timeline rows, the frameworks, the latest walkthroughs:
    seven, whether there is no history or forty walkthroughs of it."""
    client.force_login(district.principal)
    url = reverse("people:teacher", args=[district.oak_teacher.pk])
    with django_assert_num_queries(7):
        response = client.get(url)
    body = response.content.decode()
    assert "<h1>James Brooks</h1>" in body and "Oak Cliff Elementary" in body and "K-2" in body
    add_history(district.coach, district.oak_teacher, [("foundation", 5)] * 20 + [("differentiated", 2)] * 20)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert "Differentiated 2" in response.content.decode()


def add_history(observer, teacher, pauses, kind="coach", framework="flex", start=datetime(2026, 1, 5, 9, 0, tzinfo=UTC)):
    """Finished walkthroughs, one a day, pausing at each (phase, number) in turn; None for no pause."""
    flex = Framework.objects.get(slug=framework)
    Walkthrough.objects.bulk_create(
        Walkthrough(
            client_key=uuid.uuid4(), kind=kind, teacher=teacher, observer=observer, framework=flex,
            start_phase="foundation", observed_at=start + timedelta(days=day), status="complete",
            pause_phase=pause[0] if pause else "", pause_number=pause[1] if pause else None,
            next_move=f"Next move {day}" if pause else "", completed_at=start + timedelta(days=day),
        )
        for day, pause in enumerate(pauses)
    )  # fmt: skip


def test_the_teacher_page_shows_the_pauses_over_time_and_the_current_next_move(client, content, district):
    add_history(district.coach, district.oak_teacher, [("foundation", 5), ("foundation", 5), ("foundation", 9), ("differentiated", 2)])
    client.force_login(district.principal)
    response = client.get(reverse("people:teacher", args=[district.oak_teacher.pk]))
    timeline = [stop.label for stop in response.context["progressions"][0].coach.stops]
    assert timeline == ["Foundation 5", "Foundation 9", "Differentiated 2"]
    body = response.content.decode()
    assert "Foundation 5 <span class=\"times\">6 Jan 2026, 2 walkthroughs</span>" in body
    assert "Current next move</span> (8 Jan 2026): Next move 3" in body


def folded(pauses):
    """The timeline read walkthrough by walkthrough: a pause repeated in a row is one stop."""
    stops = []
    for pause in pauses:
        label = f"{pause[0].title()} {pause[1]}" if pause else "Every action in place"
        if stops and stops[-1][0] == label:
            stops[-1][1] += 1
        else:
            stops.append([label, 1])
    return [tuple(stop) for stop in stops]


def test_the_timeline_folds_repeated_pauses_and_keeps_the_latest_stops(client, content, district):
    """The database folds the walkthroughs into stops; the page asks for the latest twelve and
    counts the rest. Checked against a fold in Python over a random history with no-pause walks."""
    rng = random.Random(7)
    choices = [("foundation", 5), ("foundation", 9), ("differentiated", 2), None]
    pauses = [rng.choice(choices) for _ in range(120)]
    add_history(district.coach, district.oak_teacher, pauses)
    add_history(district.coach, district.oak_teacher, [("foundation", 3)], kind="coach", framework="enriched-virtual")
    expected = folded(pauses)
    assert len(expected) > Track.SHOWN_STOPS + 10
    whole = teacher_history(teacher=district.oak_teacher, viewer=district.principal)
    flex = next(h for h in whole if h.framework.slug == "flex")
    assert [(s.label, s.times) for s in flex.coach.stops] == expected
    assert flex.coach.walkthroughs == 120 and flex.coach.next_move == (f"Next move 119" if pauses[-1] else "")
    assert flex.coach.latest_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC) + timedelta(days=119)

    client.force_login(district.principal)
    response = client.get(reverse("people:teacher", args=[district.oak_teacher.pk]))
    page = next(h for h in response.context["progressions"] if h.framework.slug == "flex").coach
    assert [(s.label, s.times) for s in page.recent_stops] == expected[-Track.SHOWN_STOPS :]
    assert page.earlier_stops == len(expected) - Track.SHOWN_STOPS
    assert f"{len(expected) - Track.SHOWN_STOPS} earlier pauses" in response.content.decode()
    assert page.movement == flex.coach.movement != 0
    ev = next(h for h in response.context["progressions"] if h.framework.slug == "enriched-virtual").coach
    assert [(s.label, s.times) for s in ev.stops] == [("Foundation 3", 1)] and ev.earlier_stops == 0


def test_a_walks_ratings_of_the_classroom_are_one_stop_at_the_range_they_gave(client, content, district):
    """Two observers rating a classroom blind in one walk make one visit, not a move between them:
    its stop spans their pauses, the same range again folds into it, and the next visit moves from it."""
    d = district
    flex_walkthrough(d.coach, d.teacher, in_place=4, observed_at=datetime.now(UTC) - timedelta(days=30))  # Foundation 5
    for name in ("Spring walk", "Summer walk"):
        walk = plan_walk(d, observers=[d.coach, d.principal], name=name)
        walked(d.coach, d.teacher, walk, in_place=8)  # Foundation 9
        walked(d.principal, d.teacher, walk, in_place=6)  # Foundation 7, rated last
    history = next(h for h in teacher_history(teacher=d.teacher, viewer=d.leader) if h.framework.slug == "flex")
    differed = "Foundation 7 to Foundation 9 (observers differed)"
    assert [(s.label, s.times) for s in history.coach.stops] == [("Foundation 5", 1), (differed, 4)]
    assert history.coach.movement == 1 and history.coach.walkthroughs == 5
    walk = plan_walk(d, observers=[d.coach, d.principal], name="Autumn walk")
    walked(d.coach, d.teacher, walk, in_place=7)  # Foundation 8: inside the range, so no clear move
    history = next(h for h in teacher_history(teacher=d.teacher, viewer=d.leader) if h.framework.slug == "flex")
    assert [s.label for s in history.coach.stops][-2:] == [differed, "Foundation 8"]
    assert history.coach.movement == 0
    client.force_login(d.leader)
    body = client.get(reverse("reports:teacher", args=[d.teacher.pk])).content.decode()
    assert differed in body and "No clear move: observers differed" in body


def test_coach_walkthroughs_and_self_reflections_side_by_side_for_the_teacher(client, content, district):
    add_history(district.coach, district.teacher, [("foundation", 5), ("foundation", 9)])
    add_history(district.teacher_user, district.teacher, [("differentiated", 1)], kind="self")
    client.force_login(district.teacher_user)
    body = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    assert 'class="tracks both"' in body
    assert "Coach walkthroughs" in body and "Your self-reflections" in body and "Differentiated 1" in body
    client.force_login(district.principal)  # self-reflections stay the teacher's own
    body = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    assert "Foundation 9" in body and "Differentiated 1" not in body and "Self-reflections" not in body


def test_each_walkthrough_in_the_list_shows_the_model_seen_when_noted(client, content, district):
    noted = flex_walkthrough(district.coach, district.teacher, model_seen=Walkthrough.BlendedModel.A_LA_CARTE)
    not_noted = flex_walkthrough(district.coach, district.teacher, in_place=2)
    client.force_login(district.principal)
    body = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    cards = {w.pk: re.search(rf'<article class="walkthrough card">\s*<h3><a href="{w.get_absolute_url()}">.*?</article>', body, re.S)
             for w in (noted, not_noted)}  # fmt: skip
    assert '<span class="label">Model seen:</span> A La Carte' in cards[noted.pk].group(0)
    assert "Model seen" not in cards[not_noted.pk].group(0)


def test_search_narrows_the_list_and_works_without_javascript(client, district):
    client.force_login(district.leader)
    body = client.get(reverse("people:teacher-list"), {"q": "science lakewood"}).content.decode()
    assert "Elena Petrova" in body
    assert "Aisha Carter" not in body  # science, but at Oak Cliff
    assert 'value="science lakewood"' in body


def test_an_htmx_search_returns_only_the_results_fragment(client, district):
    client.force_login(district.leader)
    response = client.get(reverse("people:teacher-list"), {"q": "kim"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Grace Kim" in body and "<html" not in body


def test_search_text_is_escaped(client, district):
    client.force_login(district.leader)
    body = client.get(reverse("people:teacher-list"), {"q": "<script>x</script>"}).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x</script>" not in body


@pytest.mark.parametrize("viewer,linked", [("principal", {"OAK"}), ("leader", {"OAK", "LKW"}), ("coach", set())])
def test_the_teacher_list_links_the_campus_summaries_the_user_may_print(client, district, viewer, linked):
    client.force_login(getattr(district, viewer))
    body = client.get(reverse("people:teacher-list")).content.decode()
    for code in ("OAK", "LKW"):
        assert (reverse("reports:campus", args=[code]) in body) is (code in linked), code


def test_a_search_holding_a_null_character_is_still_a_search(client, district):
    """PostgreSQL text cannot hold NUL; a pasted one must not turn a search into a 500."""
    client.force_login(district.leader)
    response = client.get(reverse("people:teacher-list"), {"q": "ki\x00m"})
    assert response.status_code == 200 and "Grace Kim" in response.content.decode()
