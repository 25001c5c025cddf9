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


@pytest.mark.parametrize("in_place", [[1, 2, 6, 9], [0, 4, 4, 7, 11], [3, 3, 8, 8, 8, 20]])
def test_medians_from_the_tallies_take_the_middle_walkthrough_or_halfway_between_the_middle_two(content, district, in_place):
    """The database finds the median from running totals: even and odd counts, ties, and a walk
    with every action in place, as the walkthroughs counted one by one give them."""
    d = district
    teachers = [d.teacher, d.oak_teacher]
    for n, found in enumerate(in_place):
        flex_walkthrough(d.coach, teachers[n % 2], in_place=found, observed_at=datetime.now(UTC) - timedelta(days=40 + n))
    flex = Framework.objects.get(slug="flex")
    scope = Scope(campus_ids=None, start=date.today() - timedelta(days=200), end=date.today(), progression=flex)
    counted, live = trends_both_ways(d.leader, scope)
    assert counted.campuses == live.campuses and counted.district == live.district
    assert sorted(counted.district.values()) == sorted(live.district.values()) and counted.district


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


def test_a_tally_below_zero_is_drift_too(content, district):
    """A move from a campus whose tally undercounted (rows loaded with the triggers off) leaves it below zero."""
    flex = Framework.objects.get(slug="flex")
    PauseTally.objects.create(framework=flex, campus=district.oak, month=date(2026, 1, 1), pause_phase="foundation", pause_number=3, walkthroughs=-2)
    out = io.StringIO()
    call_command("tally_pauses", "--dry-run", stdout=out)
    assert "1 would differ" in out.getvalue()
    call_command("tally_pauses", stdout=out)
    assert "1 differed" in out.getvalue() and not PauseTally.objects.filter(walkthroughs__lt=0).exists()


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


@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_finish_at_the_same_time_count_at_the_campus_the_teacher_ends_at(content, district):
    """Two sessions: one moves Maria to Lakewood, the other finishes her walkthrough, in either
    order, both open at once. The trigger reads her campus FOR SHARE, so they take turns."""
    d = district
    open_walk = flex_walkthrough(d.coach, d.teacher, in_place=2, finish=False)
    for first in ("move", "finish"):
        Walkthrough.objects.filter(pk=open_walk.pk).update(status="in_progress")
        Teacher.objects.filter(pk=d.teacher.pk).update(campus=d.oak)
        tallies.recount()
        results = race(d, open_walk, first)
        assert results == ["ok", "ok"], results
        assert kept() == recounted(), first
        flex = Framework.objects.get(slug="flex")
        assert PauseTally.objects.filter(framework=flex, campus=d.lkw, pause_number=3, walkthroughs=1).exists(), first


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_reads_while_a_tap_is_being_written(content, district):
    """The dry run takes no lock: a walkthrough write in flight on another connection does not
    hold it up, and the write is not counted until it commits."""
    import psycopg

    d = district
    open_walk = flex_walkthrough(d.coach, d.teacher, in_place=2, finish=False)
    settings_dict = connection.settings_dict
    dsn = dict(host=settings_dict["HOST"], port=settings_dict["PORT"], user=settings_dict["USER"], dbname=settings_dict["NAME"])
    with psycopg.connect(**dsn) as writer, connection.cursor() as cursor:
        writer.execute("UPDATE observations_walkthrough SET status = 'complete' WHERE id = %s", [open_walk.pk])  # not committed
        cursor.execute("SET lock_timeout = '2s'")  # a lock wait fails the test instead of hanging it
        out = io.StringIO()
        call_command("tally_pauses", "--dry-run", stdout=out)
        cursor.execute("RESET lock_timeout")
        writer.rollback()
    assert out.getvalue().startswith("0 tallies counted; 0 would differ")


def race(d, walk, first: str) -> list[str]:
    """Runs the move and the finish on two new connections: the first holds its transaction open
    for a second, and the second starts meanwhile (with the fix, it waits for the first)."""
    import threading
    import time

    import psycopg

    settings_dict = connection.settings_dict
    dsn = dict(host=settings_dict["HOST"], port=settings_dict["PORT"], user=settings_dict["USER"], dbname=settings_dict["NAME"])
    statements = {
        "move": ("UPDATE people_teacher SET campus_id = %s WHERE id = %s", [d.lkw.pk, d.teacher.pk]),
        "finish": ("UPDATE observations_walkthrough SET status = 'complete' WHERE id = %s", [walk.pk]),
    }
    results = []

    def run(name: str) -> None:
        with psycopg.connect(**dsn) as conn:
            conn.execute(*statements[name])
            if name == first:
                time.sleep(1)
            conn.commit()
        results.append("ok")

    one = threading.Thread(target=run, args=(first,))
    one.start()
    time.sleep(0.3)
    two = threading.Thread(target=run, args=("finish" if first == "move" else "move",))
    two.start()
    one.join(10)
    two.join(10)
    return results


def test_an_update_that_changes_nothing_counted_does_not_touch_the_tallies(content, district):
    """A tap on an open walkthrough, or a note edited on a finished one, leaves the tallies alone
    (the trigger's WHEN): no write to a busy tally row for what the trends do not count."""
    done = flex_walkthrough(district.coach, district.teacher, in_place=2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM dashboard_pausetally WHERE walkthroughs > 0")
        before = cursor.fetchall()
        Walkthrough.objects.filter(pk=done.pk).update(teacher_note="Edited.", version=done.version + 1)
        cursor.execute("SELECT xmin::text FROM dashboard_pausetally WHERE walkthroughs > 0")
        assert cursor.fetchall() == before


def test_emptying_the_walkthroughs_empties_the_tallies(content, district):
    flex_walkthrough(district.coach, district.teacher, in_place=2)
    assert kept()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own writes are still in its transaction
        cursor.execute("TRUNCATE observations_walkthrough CASCADE")
    assert kept() == set()


def test_a_paused_bulk_load_leaves_moves_to_the_recount_too(content, district):
    from django.db import transaction

    flex_walkthrough(district.coach, district.teacher, in_place=2)
    with transaction.atomic():
        tallies.pause_counting()
        Teacher.objects.filter(pk=district.teacher.pk).update(campus=district.lkw)
        assert {row[1] for row in kept()} == {district.oak.pk}  # not moved: the recount will
        tallies.recount()
        assert {row[1] for row in kept()} == {district.lkw.pk}
