"""Calibration: observers on a walk rate each classroom blind, then debrief on how far they agreed.

The blind rule is checked through every page that shows walkthroughs; the debrief numbers
through a constructed walk whose pauses, and so whose agreement, are known.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from observations.calibration import Agreement, Classroom, Debrief, Rating, walk_debrief
from observations.services import (
    WalkthroughInvalid,
    walk_close_logging,
    walk_reopen_logging,
    walkthrough_answer,
    walkthrough_back,
    walkthrough_finish,
    walkthrough_reopen,
    walkthrough_start,
)
from people.models import Role, Teacher, User
from progressions.models import Action, Framework
from tests.walks import FLEX_ACTIONS, plan_walk, walked


def debrief_url(walk) -> str:
    return reverse("observations:walk-debrief", args=[walk.pk])


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode(errors="replace")  # a PDF too


# Blind rating ------------------------------------------------------------------------------------------


@pytest.fixture
def walk(content, district):
    """An Oak Cliff walk: the OAK/LKW coach and the OAK principal observe; the leader is not on it."""
    return plan_walk(district, observers=[district.coach, district.principal])


def pages_showing(walkthrough) -> list[str]:
    return [
        walkthrough.get_absolute_url(),
        reverse("reports:walkthrough", args=[walkthrough.pk]),
        reverse("reports:walkthrough-pdf", args=[walkthrough.pk]),
    ]


def test_an_observer_does_not_see_anothers_rating_of_a_classroom_until_they_submit_theirs(client, district, walk):
    coachs = walked(district.coach, district.oak_teacher, walk, in_place=4)  # Foundation 5, finished
    teacher_page = reverse("people:teacher", args=[district.oak_teacher.pk])
    campus_page = reverse("reports:campus", args=[district.oak.code])
    client.force_login(district.principal)  # OAK's principal: would normally see it

    for url in pages_showing(coachs):
        page(client, url, 404)
    for url in (teacher_page, campus_page, walk.get_absolute_url(), debrief_url(walk)):
        assert "Foundation 5" not in page(client, url), url
    assert "Priya Shah" not in page(client, teacher_page)

    mine = walked(district.principal, district.oak_teacher, walk, in_place=8, finish=False)  # started, not submitted
    page(client, coachs.get_absolute_url(), 404)
    assert "Foundation 5" not in page(client, teacher_page)

    walked(district.principal, district.teacher, walk, in_place=8)  # another classroom: no help
    page(client, coachs.get_absolute_url(), 404)

    mine = walkthrough_finish(walkthrough=mine, version=mine.version, next_move="Try it.")
    for url in pages_showing(coachs):
        page(client, url)
    assert "Foundation 5" in page(client, teacher_page) and "Priya Shah" in page(client, teacher_page)
    assert escape("James Brooks") in page(client, debrief_url(walk))


def test_a_rating_on_another_progression_does_not_lift_the_blind_rule(client, district, walk):
    """Rating the teacher on Enriched Virtual is no rating of their Flex classroom: the coach's Flex
    rating stays hidden, or an observer could look before rating Flex "blind"."""
    coachs = walked(district.coach, district.oak_teacher, walk, in_place=4)  # Flex: Foundation 5
    other = walkthrough_start(
        client_key=uuid.uuid4(), observer=district.principal, teacher=district.oak_teacher,
        framework=Framework.objects.get(slug="enriched-virtual"), walk=walk,
    )  # fmt: skip
    other = walkthrough_answer(
        walkthrough=other, client_key=uuid.uuid4(), action_id=other.state.current.pk, in_place=False, version=other.version
    )
    walkthrough_finish(walkthrough=other, version=other.version, next_move="Try it.")
    client.force_login(district.principal)
    for url in pages_showing(coachs):
        page(client, url, 404)
    assert "Priya Shah" not in page(client, reverse("people:teacher", args=[district.oak_teacher.pk]))
    walked(district.principal, district.oak_teacher, walk, in_place=2)  # now their own Flex rating
    page(client, coachs.get_absolute_url())


def test_a_teacher_who_also_observes_sees_the_walks_feedback_on_their_class_and_never_rates_it(client, district, walk):
    """Maria also coaches on the walk: a rating of her classroom is feedback to her, not hidden
    until she rates herself, which she may not do in a walk (nor as a coach anywhere)."""
    Role.objects.create(user=district.teacher_user, kind=Role.Kind.COACH, campus=district.oak)
    maria = User.objects.get(pk=district.teacher_user.pk)  # her roles read afresh
    walk.observers.add(maria)
    about_her = walked(district.coach, district.teacher, walk, in_place=4)
    about_james = walked(district.coach, district.oak_teacher, walk, in_place=4)
    client.force_login(maria)
    assert client.get(about_her.get_absolute_url()).status_code == 200
    assert client.get(about_james.get_absolute_url()).status_code == 404  # the blind rule holds for James
    with pytest.raises(WalkthroughInvalid, match="You are Maria Alvarez: walk your own classroom as a self-reflection instead."):
        walked(maria, district.teacher, walk, in_place=4)
    start = reverse("observations:walkthrough-new")
    assert "Maria Alvarez" not in page(client, f"{start}?walk={walk.pk}&q=Alvarez")
    assert "Maria Alvarez" not in page(client, f"{start}?q=Alvarez")
    assert "James Brooks" in page(client, f"{start}?q=Brooks")
    assert client.get(start, {"teacher": district.teacher.pk}).status_code == 404


def test_people_not_on_the_walk_keep_their_usual_view(client, district, walk):
    coachs = walked(district.coach, district.oak_teacher, walk, in_place=4)
    client.force_login(district.leader)  # a district leader not on the walk
    page(client, coachs.get_absolute_url())
    assert "Foundation 5" in page(client, reverse("people:teacher", args=[district.oak_teacher.pk]))
    client.force_login(district.coach)  # its observer, of course
    page(client, coachs.get_absolute_url())


def test_the_blind_rule_covers_only_the_walks_classrooms(client, district, walk):
    """The same teacher walked outside the walk stays visible to their principal as before."""
    walked(district.coach, district.oak_teacher, None, in_place=8)  # Foundation 9, no walk
    walked(district.coach, district.oak_teacher, walk, in_place=4)
    client.force_login(district.principal)
    body = page(client, reverse("people:teacher", args=[district.oak_teacher.pk]))
    assert "Foundation 9" in body and "Foundation 5" not in body


def test_the_debrief_shows_an_observer_only_the_classrooms_they_submitted(client, district, walk):
    walked(district.coach, district.oak_teacher, walk, in_place=4)
    walked(district.principal, district.oak_teacher, walk, in_place=4)
    walked(district.coach, district.teacher, walk, in_place=4)
    walked(district.leader, district.teacher, None, in_place=4)
    walk.observers.add(district.leader)
    walked(district.leader, district.teacher, walk, in_place=8)
    client.force_login(district.principal)
    body = page(client, debrief_url(walk))
    assert escape("James Brooks") in body and "Maria Alvarez" not in body
    client.force_login(district.leader)  # now an observer on the walk: the same rule
    body = page(client, debrief_url(walk))
    assert "Maria Alvarez" in body and escape("James Brooks") not in body


# The debrief's numbers ---------------------------------------------------------------------------------


@pytest.fixture
def calibrated(content, district):
    """Three observers, four classrooms with two or three ratings each, and one with a single rating.

    Pauses (in_place: 4 -> Foundation 5, 8 -> F9, 10 -> F11, 12 -> Differentiated 2, 28 -> Personalized 9,
    29 -> every action in place):
                        Priya (coach)   Robert (principal)   Lee (LKW coach)
      Maria Alvarez     F5              F5                   F5        same pause, 0 apart
      James Brooks      F5              F9                   F5        same phase, 4 apart
      Aisha Carter      F11             D2                   -         different phase, 2 apart
      Daniel Nguyen     all in place    all in place         P9        different phase, 1 apart
      Sofia Ramirez     F5              -                    -         waiting for a second rating
    """
    walk = plan_walk(district, observers=[district.coach, district.principal, district.lkw_coach])
    carter, nguyen, ramirez = (Teacher.objects.get(last_name=n) for n in ("Carter", "Nguyen", "Ramirez"))
    ratings = [
        (district.teacher, (4, 4, 4)),
        (district.oak_teacher, (4, 8, 4)),
        (carter, (10, 12, None)),
        (nguyen, (FLEX_ACTIONS, FLEX_ACTIONS, 28)),
        (ramirez, (4, None, None)),
    ]
    for teacher, pauses in ratings:
        for observer, in_place in zip((district.coach, district.principal, district.lkw_coach), pauses):
            if in_place is not None:
                walked(observer, teacher, walk, in_place=in_place)
    return walk


def test_the_debrief_compares_each_classroom(district, calibrated):
    debrief = walk_debrief(walk=calibrated)
    rows = {
        c.teacher: ([(r.observer, r.label) for r in c.ratings], c.agreement, c.distance) for c in debrief.classrooms
    }
    assert rows == {
        "Maria Alvarez": (
            [("Lee Wong", "Foundation 5"), ("Priya Shah", "Foundation 5"), ("Robert Hayes", "Foundation 5")],
            Agreement.SAME_PAUSE,
            0,
        ),
        "James Brooks": (
            [("Lee Wong", "Foundation 5"), ("Priya Shah", "Foundation 5"), ("Robert Hayes", "Foundation 9")],
            Agreement.SAME_PHASE,
            4,
        ),
        "Aisha Carter": ([("Priya Shah", "Foundation 11"), ("Robert Hayes", "Differentiated 2")], Agreement.DIFFERENT_PHASE, 2),
        "Daniel Nguyen": (
            [("Lee Wong", "Personalized 9"), ("Priya Shah", "Every action in place"), ("Robert Hayes", "Every action in place")],
            Agreement.DIFFERENT_PHASE,
            1,
        ),
    }
    assert debrief.waiting == 1  # Sofia Ramirez


def test_an_observer_who_submits_looks_and_rates_again_is_compared_on_the_first_rating(client, district, walk):
    """Submitting a placeholder lifts the blind rule: the rating made after seeing the others' does
    not replace it in the agreement, and the debrief lists the change to talk through."""
    walked(district.coach, district.oak_teacher, walk, in_place=4)  # Foundation 5
    walked(district.principal, district.oak_teacher, walk, in_place=1)  # Foundation 2, then looks...
    walked(district.principal, district.oak_teacher, walk, in_place=4)  # ...and rates again: Foundation 5
    debrief = walk_debrief(walk=walk)
    (classroom,) = debrief.classrooms
    assert [(r.observer, r.label, r.changed_to) for r in classroom.ratings] == [
        ("Priya Shah", "Foundation 5", ""),
        ("Robert Hayes", "Foundation 2", "Foundation 5"),
    ]
    assert classroom.agreement == Agreement.SAME_PHASE and debrief.team_percent == 0
    client.force_login(district.leader)
    body = page(client, debrief_url(walk))
    assert "Robert Hayes: Foundation 2 <span class=\"help\">(now Foundation 5)</span>" in body
    assert "James Brooks, Flex Model: Robert Hayes submitted Foundation 2, now Foundation 5" in body


def test_a_leader_who_joins_after_a_rating_was_submitted_is_listed_not_compared(client, district, walk):
    """Off the walk, a district leader reads every finished rating: one who joins after the coach
    submitted Maria (or who steps off the walk to read it and back on) did not rate her blind."""
    walked(district.coach, district.teacher, walk, in_place=4)  # Foundation 5
    walk.observers.add(district.leader)  # joins now, after the coach's rating
    walked(district.leader, district.teacher, walk, in_place=4)  # Foundation 5, after reading it
    walked(district.principal, district.teacher, walk, in_place=8)  # Foundation 9, blind all along
    debrief = walk_debrief(walk=walk)
    (classroom,) = debrief.classrooms
    assert [(r.observer, r.label) for r in classroom.ratings] == [("Priya Shah", "Foundation 5"), ("Robert Hayes", "Foundation 9")]
    assert [(c.teacher, r.observer, r.label) for c, r in debrief.read_first] == [("Maria Alvarez", "Angela Foster", "Foundation 5")]
    assert debrief.team_percent == 0 and [(p.first, p.second) for p in debrief.pairs] == [("Priya Shah", "Robert Hayes")]
    client.force_login(district.leader)
    body = page(client, debrief_url(walk))
    assert "Not compared: rated after reading the others" in body
    assert "Maria Alvarez, Flex Model: Angela Foster rated Foundation 5" in body
    assert "Angela Foster and" not in body  # in no pair


def test_a_late_principal_is_not_compared_but_a_late_coach_and_an_early_principal_are(district, content):
    """A principal reads their own campus's finished ratings, a coach only their own: a coach who
    joins late still rates blind, as does anyone who joined before the first rating."""
    walk = plan_walk(district, observers=[district.coach], campuses=[district.oak, district.lkw])
    walked(district.coach, district.teacher, walk, in_place=4)  # Maria, Oak Cliff
    walked(district.coach, district.lkw_teacher, walk, in_place=4)  # Grace, Lakewood
    walk.observers.add(district.principal, district.lkw_coach)  # Oak Cliff's principal; a Lakewood coach
    for observer in (district.principal, district.lkw_coach):
        walked(observer, district.teacher, walk, in_place=8)
        walked(observer, district.lkw_teacher, walk, in_place=8)
    debrief = walk_debrief(walk=walk)
    compared = {c.teacher: sorted(r.observer for r in c.ratings) for c in debrief.classrooms}
    assert compared == {
        "Maria Alvarez": ["Lee Wong", "Priya Shah"],  # Robert, her principal, could read Priya's first
        "Grace Kim": ["Lee Wong", "Priya Shah", "Robert Hayes"],  # not his campus: he could not
    }
    assert [(c.teacher, r.observer) for c, r in debrief.read_first] == [("Maria Alvarez", "Robert Hayes")]


def test_once_logging_closes_the_walks_classrooms_join_an_observers_usual_view(client, district, walk):
    """No rating can start in a closed walk, so nothing is left to rate blind: the principal sees
    the coach's ratings of their campus, but for a classroom whose rating they began and have
    not submitted (it can still be finished). Reopened, the rule holds again."""
    coachs_james = walked(district.coach, district.oak_teacher, walk, in_place=4)
    coachs_maria = walked(district.coach, district.teacher, walk, in_place=4)
    walked(district.principal, district.teacher, walk, in_place=2, finish=False)  # begun, not submitted
    client.force_login(district.principal)
    assert client.get(coachs_james.get_absolute_url()).status_code == 404
    walk_close_logging(walk=walk, closed_by=district.leader)
    assert client.get(coachs_james.get_absolute_url()).status_code == 200
    assert client.get(coachs_maria.get_absolute_url()).status_code == 404  # theirs of Maria is still open
    walk_reopen_logging(walk=walk, reopened_by=district.leader)
    assert client.get(coachs_james.get_absolute_url()).status_code == 404


def test_a_rating_begun_after_a_closed_walk_reopened_is_listed_not_compared(district, walk):
    """Closed, the principal could read the coach's rating of James; reopened, theirs is not blind.
    Their rating of Maria, begun before the close, still is."""
    walked(district.coach, district.oak_teacher, walk, in_place=4)
    walked(district.coach, district.teacher, walk, in_place=4)
    maria = walked(district.principal, district.teacher, walk, in_place=2, finish=False)
    walk_close_logging(walk=walk, closed_by=district.leader)
    walk = walk_reopen_logging(walk=walk, reopened_by=district.leader)
    assert walk.blind_lifted_at is not None
    walkthrough_finish(walkthrough=maria, version=maria.version, next_move="Try it.")
    walked(district.principal, district.oak_teacher, walk, in_place=8)
    debrief = walk_debrief(walk=walk)
    assert [c.teacher for c in debrief.classrooms] == ["Maria Alvarez"]
    assert [(c.teacher, r.observer) for c, r in debrief.read_first] == [("James Brooks", "Robert Hayes")]


def test_a_walk_without_late_joiners_lists_none(district, calibrated):
    assert walk_debrief(walk=calibrated).read_first == []


def test_a_rating_reopened_and_corrected_after_submitting_keeps_its_submitted_pause(district, walk):
    walked(district.coach, district.oak_teacher, walk, in_place=4)  # Foundation 5
    mine = walked(district.principal, district.oak_teacher, walk, in_place=1)  # Foundation 2
    mine = walkthrough_reopen(walkthrough=mine, by=district.principal, version=mine.version)
    mine = walkthrough_back(walkthrough=mine, version=mine.version)  # Foundation 2 was in place "after all"
    for in_place in (True, True, True, False):
        mine = walkthrough_answer(walkthrough=mine, client_key=uuid.uuid4(), action_id=mine.state.current.pk, in_place=in_place, version=mine.version)
    mine = walkthrough_finish(walkthrough=mine, version=mine.version, next_move="Try it.")
    assert mine.pause_label == "Foundation 5"
    ratings = {r.observer: (r.label, r.changed_to) for r in walk_debrief(walk=walk).classrooms[0].ratings}
    assert ratings["Robert Hayes"] == ("Foundation 2", "Foundation 5")


def test_the_debrief_rates_each_pair_and_the_team(district, calibrated):
    debrief = walk_debrief(walk=calibrated)
    pairs = [(p.first, p.second, p.shared, p.agreed, p.percent) for p in debrief.pairs]
    assert pairs == [
        ("Lee Wong", "Priya Shah", 3, 2, 67),  # Alvarez, Brooks agree; Nguyen not
        ("Lee Wong", "Robert Hayes", 3, 1, 33),  # Alvarez only
        ("Priya Shah", "Robert Hayes", 4, 2, 50),  # Alvarez, Nguyen
    ]
    assert (debrief.team_agreed, debrief.team_shared, debrief.team_percent) == (5, 10, 50)
    assert debrief.unanimous == 1


def test_the_disagreements_list_the_actions_in_question(district, calibrated):
    debrief = walk_debrief(walk=calibrated)
    listed = {c.teacher: [(p.label, p.observers) for p in c.pauses_in_question] for c in debrief.disagreements}
    assert listed == {
        "James Brooks": [("Foundation 5", ["Lee Wong", "Priya Shah"]), ("Foundation 9", ["Robert Hayes"])],
        "Aisha Carter": [("Foundation 11", ["Priya Shah"]), ("Differentiated 2", ["Robert Hayes"])],
        "Daniel Nguyen": [("Personalized 9", ["Lee Wong"]), ("Every action in place", ["Priya Shah", "Robert Hayes"])],
    }
    brooks = next(c for c in debrief.disagreements if c.teacher == "James Brooks")
    f9 = brooks.pauses_in_question[1]
    assert f9.text == Action.objects.current().get(phase__framework__slug="flex", phase__kind="foundation", number=9).text


def test_the_disagreements_come_furthest_apart_first(client, district, calibrated):
    """A debrief talks the widest gaps through first: Brooks's pauses are 4 actions apart, Carter's 2,
    Nguyen's 1, whatever their campuses; the page and the printed debrief list them in that order."""
    assert [(c.teacher, c.distance) for c in walk_debrief(walk=calibrated).disagreements] == [
        ("James Brooks", 4), ("Aisha Carter", 2), ("Daniel Nguyen", 1),
    ]  # fmt: skip
    client.force_login(district.leader)
    for url in (debrief_url(calibrated), reverse("reports:walk-debrief", args=[calibrated.pk])):
        body = page(client, url)
        talk = body[body.index("To talk through") :]
        headings = [talk.index(name) for name in (escape("James Brooks"), "Aisha Carter", "Daniel Nguyen")]
        assert headings == sorted(headings), url
        assert "Furthest apart first" in talk, url


def test_at_the_same_distance_a_phase_apart_comes_first_and_an_unknown_distance_last():
    def classroom(teacher, *pauses):
        ratings = [Rating(f"Observer {i}", i, i, phase, number, "", position) for i, (phase, number, position) in enumerate(pauses)]
        return Classroom(teacher, "Oak Cliff", "Flex", ratings)

    unknown = classroom("Unpublished", ("foundation", 3, 2), ("differentiated", 7, None))
    same_phase = classroom("Same phase", ("foundation", 8, 7), ("foundation", 9, 8))
    a_phase_apart = classroom("A phase apart", ("foundation", 11, 10), ("differentiated", 1, 11))
    debrief = Debrief([unknown, same_phase, a_phase_apart], [], 0)
    assert [c.teacher for c in debrief.disagreements] == ["A phase apart", "Same phase", "Unpublished"]


def test_the_debrief_page_shows_the_numbers_to_a_leader(client, district, calibrated):
    client.force_login(district.leader)
    body = page(client, debrief_url(calibrated))
    assert "Team agreement: 50%" in body and "5 of 10 comparisons" in body and "Everyone agreed in 1 of 4 classrooms" in body
    assert "<th scope=\"row\">Lee Wong and Priya Shah</th><td>3</td><td>2</td><td class=\"rate\">67%</td>" in body
    assert body.count('class="card disagreement"') == 3
    assert "Same phase" in body and "4 actions apart" in body and "1 action apart" in body
    assert "1 classroom rated by one observer so far" in body


def test_a_big_walks_debrief_page_lists_the_first_classrooms_and_counts_them_all(client, district, calibrated, monkeypatch):
    """A district-wide walk rates hundreds of classrooms: the page's two lists stop short and say so,
    the figures still take in every classroom, and the printed debrief lists them all."""
    monkeypatch.setattr("observations.debrief_views.CLASSROOMS_LISTED", 2)
    client.force_login(district.leader)
    body = page(client, debrief_url(calibrated))
    assert "Team agreement: 50%" in body and "Everyone agreed in 1 of 4 classrooms" in body
    assert body.count('<tr class="classroom">') == 2 and body.count('class="card disagreement"') == 2
    assert "The first 2 of 4 classrooms are listed, by campus and teacher: choose a campus" in body
    assert "The first 2 of 3 classrooms to talk through are listed, the furthest apart" in body
    talk = body[body.index("To talk through") :]
    assert escape("James Brooks") in talk and "Aisha Carter" in talk and "Daniel Nguyen" not in talk  # 4 and 2 apart, not 1
    printed = page(client, reverse("reports:walk-debrief", args=[calibrated.pk]))
    assert printed.count('<tr class="classroom">') == 4 and printed.count('class="card disagreement"') == 3
    assert "The first" not in printed


def test_the_lakewood_coach_sees_only_the_classrooms_they_rated(client, district, calibrated):
    client.force_login(district.lkw_coach)
    body = page(client, debrief_url(calibrated))
    assert "Maria Alvarez" in body and escape("James Brooks") in body and "Daniel Nguyen" in body
    assert "Aisha Carter" not in body and "Sofia Ramirez" not in body


def test_the_calibration_costs_the_same_queries_for_a_small_and_a_large_walk(district, calibrated):
    """The walk's walkthroughs and the progressions' action order; the whole debrief page's count,
    with its pauses and the change since the previous walk, is in tests/test_walk_debrief.py."""
    small = plan_walk(district, observers=[district.coach, district.principal], name="Small walk")
    walked(district.coach, district.teacher, small, in_place=4)
    walked(district.principal, district.teacher, small, in_place=8)
    counts = []
    for walk in (small, calibrated):
        with CaptureQueriesContext(connection) as queries:
            walk_debrief(walk=walk, only_submitted_by=district.coach)
        counts.append(len(queries))
    assert counts == [2, 2]
