"""manage.py seed_demo at a tiny scale: what it makes, that it is the same for a seed, and when it refuses.

A second run on the same database refuses rather than adding a second district (documented in the command)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from observations.models import ProgressionWalk, Walkthrough, walk_sequence
from people.models import Campus, Role, Teacher, User
from progressions.models import Framework
from reports.charts import pause_position

SMALL = {"campuses": 3, "teachers": 30, "walkthroughs": 600}


@pytest.fixture(autouse=True)
def development(settings):
    settings.DEBUG = True  # the test runner turns DEBUG off; seed_demo is a development command


def seed(**options) -> str:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", **{**SMALL, **options}, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def fingerprint() -> list[tuple]:
    return list(
        Walkthrough.objects.order_by("teacher__employee_id", "observed_at", "pk")
        .values_list("teacher__employee_id", "framework__slug", "pause_phase", "pause_number", "next_move", "observer__username")
    )


def test_it_makes_the_district_asked_for(db):
    output = seed()
    assert "Seeded 3 campuses, 30 teachers and 600 walkthroughs" in output
    assert "100% 600/600" in output  # the progress bar, on stderr
    assert Campus.objects.count() == 3 and Teacher.objects.count() == 30
    assert Walkthrough.objects.filter(kind="coach", status="complete").count() == 600
    assert Role.objects.filter(kind="coach").count() == 6 and Role.objects.filter(kind="principal").count() == 3
    assert Role.objects.filter(kind="district_leader").count() == 3
    assert not Teacher.objects.filter(grade_band="").exists() and not Teacher.objects.filter(subject="").exists()
    # the content was loaded for it, and every pause is an action of the walkthrough's progression
    assert not Walkthrough.objects.exclude(pause_action__isnull=True).exclude(pause_action__phase__framework=F("framework")).exists()
    assert not User.objects.filter(password__startswith="pbkdf2").exists()  # nobody can sign in as a seeded user


def test_observers_work_at_the_teachers_campus_or_lead_the_district_on_a_walk(db):
    seed()
    at_campus = Walkthrough.objects.filter(observer__roles__campus=F("teacher__campus")).values("pk")
    leaders = Walkthrough.objects.filter(observer__roles__kind="district_leader", walk__isnull=False).values("pk")
    assert Walkthrough.objects.filter(Q(pk__in=at_campus) | Q(pk__in=leaders)).count() == 600


def test_progression_walks_rate_their_campuses_classrooms_on_their_day_often_twice(db):
    """The blind rule and calibration need walks at scale: ratings on the walk's date, at its
    campuses, by its observers, and classrooms rated by two of them."""
    seed(walkthroughs=3000)
    walks = ProgressionWalk.objects.all()
    assert walks.count() > 50
    rated = Walkthrough.objects.filter(walk__isnull=False)
    assert rated.count() > 30
    assert not rated.exclude(observed_at__date=F("walk__date")).exists()  # dates in the district's time zone
    assert not rated.exclude(teacher__campus__progression_walks=F("walk")).exists()
    assert not rated.exclude(observer__progression_walks=F("walk")).exists()
    twice = rated.values("walk", "teacher", "framework").annotate(raters=Count("observer", distinct=True)).filter(raters=2)
    assert twice.count() > 5


def test_teachers_mostly_move_forward_over_time(db):
    seed(walkthroughs=3000)
    forward = backward = 0
    by_teacher: dict = {}
    for teacher, framework, phase, number in Walkthrough.objects.order_by("observed_at").values_list(
        "teacher_id", "framework_id", "pause_phase", "pause_number"
    ):
        by_teacher.setdefault((teacher, framework), []).append(pause_position(phase or "foundation", number))
    for positions in by_teacher.values():
        third = max(1, len(positions) // 3)
        early, late = sorted(positions[:third])[third // 2], sorted(positions[-third:])[third // 2]
        forward += late > early
        backward += late < early
    assert forward > 3 * backward


def test_the_same_seed_makes_the_same_district(db):
    seed(seed=7)
    first = fingerprint()
    Walkthrough.objects.all().delete()
    ProgressionWalk.objects.all().delete()
    Role.objects.all().delete()
    Teacher.objects.all().delete()
    User.objects.all().delete()
    Campus.objects.all().delete()
    seed(seed=7)
    assert fingerprint() == first
    assert len(first) == 600


def test_a_second_run_refuses(db):
    seed()
    with pytest.raises(CommandError, match="already seeded"):
        seed()
    assert Walkthrough.objects.count() == 600


def test_it_refuses_when_debug_is_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()
    assert not Campus.objects.exists()
    seed(force=True)
    assert Campus.objects.count() == 3


def test_walkthroughs_are_stored_in_date_order_as_real_ones_arrive(db):
    """The dashboard's date ranges read few pages only when a month's walkthroughs sit together,
    as they do in a real district; a benchmark on teacher-by-teacher rows would measure the wrong thing."""
    seed()
    in_storage_order = list(Walkthrough.objects.order_by("pk").values_list("observed_at", flat=True))
    assert in_storage_order == sorted(in_storage_order)
    assert len({when.date() for when in in_storage_order}) > 100  # spread over many days, so the order means something


def test_a_second_rating_on_a_walk_takes_the_place_of_any_visit_not_the_latest(db, monkeypatch):
    """Every visit on a walk rated twice: the visits given up for the second ratings are drawn from
    all the teacher's others, so the teacher's recent months are not emptied."""
    import random

    from observations.management.commands import seed_demo

    call_command("load_progressions", verbosity=0)
    campus = Campus.objects.create(code="SD999", name="Test Elementary")
    teacher = Teacher.objects.create(campus=campus, first_name="Ann", last_name="Teacher", employee_id="T1")
    flex = Framework.objects.get(slug="flex")
    sequences = [(flex, walk_sequence(flex, "foundation"))]
    monkeypatch.setattr(seed_demo, "SECOND_RATING", 1.0)
    every_other_day = {days_ago: (1, [1, 2]) for days_ago in range(0, seed_demo.DAYS, 2)}  # rows made, not written
    rows = list(seed_demo.teacher_rows(random.Random(3), teacher, 40, sequences, {campus.pk: [1, 2, 3]}, every_other_day))
    assert len(rows) == 40
    on_walks = [row for row in rows if row[-1] == 1]
    assert len(on_walks) > len({row[seed_demo.COLUMNS.index("observed_at")] for row in on_walks}) > 5  # rated twice
    alone = list(seed_demo.teacher_rows(random.Random(3), teacher, 40, sequences, {campus.pk: [1, 2, 3]}, {}))
    observed = seed_demo.COLUMNS.index("observed_at")
    latest_alone = max(row[observed] for row in alone)
    assert max(row[observed] for row in rows) >= latest_alone - timedelta(days=seed_demo.DAYS // 4)
