"""The pause tallies behind a district leader's trends (PostgreSQL): kept by triggers through every
kind of write, and the trends read from them equal the trends counted from the walkthroughs."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from dashboard import queries, tallies
from dashboard.filters import Scope
from dashboard.models import PauseTally, TallyTimeZone
from observations.models import Walkthrough
from observations.services import walkthrough_finish, walkthrough_reopen
from people.models import Teacher
from progressions.models import Framework
from tests.reporting import flex_walkthrough
from tests.walks import plan_walk, walked

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="tallies are kept by PostgreSQL triggers")


def kept() -> set[tuple]:
    return set(PauseTally.objects.filter(walkthroughs__gt=0).values_list("framework_id", "campus_id", "month", "pause_phase", "pause_number", "walkthroughs"))


def recounted() -> set[tuple]:
    tallies.recount()
    return kept()


def test_every_kind_of_write_keeps_the_tallies_equal_to_a_recount(content, district):
    d = district
    # 05:30 UTC on 1 March is still 28 February in the district (America/Chicago): February's month.
    edge = flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=datetime(2026, 3, 1, 5, 30, tzinfo=UTC))
    moved = flex_walkthrough(d.coach, d.oak_teacher, in_place=4, observed_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    flex_walkthrough(d.coach, d.oak_teacher, in_place=4, observed_at=datetime(2026, 3, 12, 15, 0, tzinfo=UTC))
    walked(d.coach, d.lkw_teacher, None, in_place=29)  # no pause, today
    flex_walkthrough(d.coach, d.lkw_teacher, in_place=1, finish=False)  # unfinished: not counted
    flex_walkthrough(d.teacher_user, d.teacher, in_place=1, kind=Walkthrough.Kind.SELF)  # a self-reflection: not counted
    flex = Framework.objects.get(slug="flex")
    assert (flex.pk, d.oak.pk, date(2026, 2, 1), "foundation", 3, 1) in kept()
    assert (flex.pk, d.oak.pk, date(2026, 3, 1), "foundation", 5, 2) in kept()
    assert (flex.pk, d.lkw.pk, timezone.localdate().replace(day=1), "", 0, 1) in kept()
    assert sum(row[-1] for row in kept()) == 4

    # Reopened (not counted until finished again), then finished again.
    reopened = walkthrough_reopen(walkthrough=moved, by=d.coach, version=moved.version)
    assert sum(row[-1] for row in kept()) == 3
    walkthrough_finish(walkthrough=reopened, version=reopened.version, next_move="Again.")
    # A teacher moves campus (the roster, or the admin): their walkthroughs' counts move with them.
    Teacher.objects.filter(pk=d.oak_teacher.pk).update(campus=d.lkw)
    teacher = Teacher.objects.get(pk=d.oak_teacher.pk)
    teacher.campus = d.oak
    teacher.save()
    teacher.campus = d.lkw
    teacher.save()
    # A date moved across a month, and a walkthrough deleted.
    Walkthrough.objects.filter(pk=edge.pk).update(observed_at=datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
    Walkthrough.objects.filter(kind="coach", teacher=d.lkw_teacher, status="complete").delete()

    before = kept()
    assert before == recounted()
    march = date(2026, 3, 1)
    assert before == {(flex.pk, d.oak.pk, march, "foundation", 3, 1), (flex.pk, d.lkw.pk, march, "foundation", 5, 2)}


def trends_both_ways(viewer, scope: Scope):
    counted = queries.pause_trends(viewer, scope, every_campus=True)
    TallyTimeZone.objects.all().delete()  # tallies not counted in this zone: the trends count walkthroughs
    live = queries.pause_trends(viewer, scope, every_campus=True)
    TallyTimeZone.objects.create(time_zone="America/Chicago")
    return counted, live


@pytest.mark.parametrize("campus", [None, "OAK"])
def test_trends_read_from_the_tallies_equal_trends_counted_from_walkthroughs(content, district, campus):
    """Over a range that cuts its first and last months, with a walk whose walkthroughs the blind
    rule hides from the leader: the same medians, per campus and for the district."""
    d = district
    now = datetime.now(UTC)
    for days, teacher, in_place in [(3, d.teacher, 2), (20, d.teacher, 5), (40, d.oak_teacher, 1), (75, d.lkw_teacher, 8),
                                    (130, d.oak_teacher, 6), (200, d.lkw_teacher, 3), (330, d.teacher, 0), (355, d.oak_teacher, 9)]:  # fmt: skip
        flex_walkthrough(d.coach, teacher, in_place=in_place, observed_at=now - timedelta(days=days))
    walk = plan_walk(d, observers=[d.coach, d.leader])
    walked(d.coach, d.teacher, walk, in_place=12)  # hidden from the leader until they rate Maria themselves
    assert Walkthrough.objects.hidden_from(d.leader).exists()
    flex = Framework.objects.get(slug="flex")
    campuses = None if campus is None else frozenset({d.oak.pk})
    scope = Scope(campus_ids=campuses, start=date.today() - timedelta(days=358), end=date.today(), progression=flex)
    counted, live = trends_both_ways(d.leader, scope)
    assert counted.campuses == live.campuses and counted.district == live.district
    assert counted.district and any(len(values) > 1 for values in counted.campuses.values())
    this_month = date.today().replace(day=1)
    assert counted.district[this_month] == live.district[this_month]


def test_tally_pauses_finds_and_mends_counts_that_drifted(content, district):
    d = district
    flex_walkthrough(d.coach, d.teacher, in_place=2)
    with connection.cursor() as cursor:  # a restore without triggers, say
        cursor.execute("UPDATE dashboard_pausetally SET walkthroughs = walkthroughs + 5")
    drifted = kept()
    out = io.StringIO()
    call_command("tally_pauses", "--dry-run", stdout=out)
    assert "1 would differ" in out.getvalue() and "dry run: nothing changed" in out.getvalue()
    assert kept() == drifted
    call_command("tally_pauses", stdout=out)
    assert "1 differed" in out.getvalue()
    assert sum(row[-1] for row in kept()) == 1


def test_tallies_in_another_time_zone_are_not_read(content, district, settings):
    """TIME_ZONE changed since the tallies were counted: the trends count walkthroughs until they are counted again."""
    settings.TIME_ZONE = "Europe/Paris"
    assert not tallies.counting()
    call_command("tally_pauses", stdout=io.StringIO())
    assert tallies.counting() and TallyTimeZone.objects.get().time_zone == "Europe/Paris"


def test_the_command_refuses_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("tally_pauses")


def test_seed_demo_counts_its_bulk_load_once(content):
    call_command("seed_demo", "--force", "--campuses", "3", "--teachers", "30", "--walkthroughs", "600", stdout=io.StringIO(), stderr=io.StringIO())
    assert sum(row[-1] for row in kept()) == Walkthrough.objects.filter(kind="coach", status="complete").count() == 600
    assert kept() == recounted()
