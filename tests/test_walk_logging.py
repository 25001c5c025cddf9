"""Logging in a progression walk: open through the 14th day after its date, closed sooner or
reopened by a district leader. A closed walk takes no new walkthrough and no longer opens its
campuses' rosters to its observers; a walkthrough already started in it carries on."""

import re
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from observations.models import Answer, ProgressionWalk, Walkthrough
from observations.services import walk_close_logging, walk_update
from tests.walks import plan_walk, walked

NEW = reverse("observations:walkthrough-new")
HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "teacher-choices"}


def field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def close(client, walk):
    return client.post(reverse("observations:walk-close", args=[walk.pk]))


def reopen(client, walk):
    return client.post(reverse("observations:walk-reopen", args=[walk.pk]))


def local_midnight(days_from_today: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days_from_today), time.min))


def days_back(walk: ProgressionWalk, days: int) -> ProgressionWalk:
    """The same walk as if planned `days` days ago (its window following the date, as for any walk)."""
    walk_update(walk=walk, edited_by=walk.created_by, version=walk.version, date=timezone.localdate() - timedelta(days=days),
                name=walk.name, norms=walk.norms, campuses=list(walk.campuses.all()), observers=list(walk.observers.all()))  # fmt: skip
    return ProgressionWalk.objects.get(pk=walk.pk)


def start_form(client, walk, teacher) -> dict:
    page = client.get(NEW, {"walk": walk.pk, "teacher": teacher.pk, "framework": "flex"}).content.decode()
    return {"client_key": field(page, "client_key"), "walk": walk.pk, "teacher": teacher.pk, "framework": "flex",
            "observed_at": field(page, "observed_at"), "start_phase": "foundation"}  # fmt: skip


def squeezed(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def walk(client, content, district):
    """Today's walk of Lakewood, the OAK/LKW coach and the OAK principal observing; the coach signed in."""
    client.force_login(district.coach)
    return plan_walk(district, observers=[district.coach, district.principal], campuses=[district.lkw])


def test_a_new_walk_is_open_for_logging_through_the_14th_day_after_it(client, district, walk):
    assert walk.logging_ends_at == local_midnight(15)
    last_day = timezone.localdate() + timedelta(days=14)
    page = squeezed(client.get(walk.get_absolute_url()))
    assert f"<dt>Logging</dt><dd class=\"walk-logging\">Open for logging through {last_day:%A} {last_day.day} {last_day:%B %Y}, 14 days after the walk.</dd>" in page
    assert f'href="{NEW}?walk={walk.pk}">Log a walkthrough in this walk' in page
    assert "Close logging now" not in page  # the coach observes; only district leaders close it
    listed = squeezed(client.get(reverse("observations:walk-list")))
    assert f"open for logging through {last_day.day} {last_day:%b}" in listed


def test_the_plan_form_says_how_long_a_walk_stays_open(client, content, district):
    client.force_login(district.leader)
    page = client.get(reverse("observations:walk-new")).content.decode()
    assert 'aria-describedby="walk-date-help"' in page
    assert "Observers can log walkthroughs in the walk through the 14th day after its date." in page


def test_past_its_window_a_walk_takes_no_new_walkthrough_and_opens_no_roster(client, district, walk):
    form = start_form(client, walk, district.lkw_teacher)  # the page was loaded while it was open
    walk = days_back(walk, 15)  # its 14th day after ended at midnight
    assert not walk.is_open_for_logging
    refused = client.get(NEW, {"walk": walk.pk})
    last_day = timezone.localdate() - timedelta(days=1)
    message = f"Closed for logging at the end of {last_day:%A} {last_day.day} {last_day:%B %Y}, 14 days after the walk."
    assert refused.status_code == 403 and message in squeezed(refused)
    assert "To log another one in it, ask a district leader to reopen logging." in squeezed(refused)
    search = client.get(NEW, {"walk": walk.pk, "q": "Kim"}, headers=HTMX_SEARCH)  # typed on a page loaded before the close
    assert search["HX-Redirect"] == f"{NEW}?walk={walk.pk}" and "Grace Kim" not in search.content.decode()
    sent = client.post(NEW, form)
    assert sent.status_code == 403 and message in squeezed(sent)
    # nor through a POST: a search, a teacher tried by id, a start with a bad field
    for posted in ({"walk": walk.pk, "q": "Kim"}, {"walk": walk.pk, "teacher": district.lkw_teacher.pk}, {**form, "start_phase": "nope"}):
        refused = client.post(NEW, posted)
        assert refused.status_code == 403 and "Grace Kim" not in refused.content.decode() and message in squeezed(refused), posted
    typed = client.post(NEW, {"walk": walk.pk, "q": ""}, headers=HTMX_SEARCH)
    assert typed["HX-Redirect"] == f"{NEW}?walk={walk.pk}" and "Grace Kim" not in typed.content.decode()
    assert Walkthrough.objects.count() == 0
    page = squeezed(client.get(walk.get_absolute_url()))
    assert "Log a walkthrough in this walk" not in page and message in page
    assert "Logging is closed: you can finish walkthroughs you started in it, but not start new ones." in page
    assert "closed for logging" in squeezed(client.get(reverse("observations:walk-list")))


def test_a_leader_closes_logging_and_what_was_started_carries_on(client, district, walk):
    first = start_form(client, walk, district.lkw_teacher)
    started = client.post(NEW, first)
    walkthrough = Walkthrough.objects.get()
    assert started.status_code == 302 and walkthrough.walk == walk
    second = start_form(client, walk, district.lkw_teacher)

    client.force_login(district.leader)
    page = squeezed(client.get(walk.get_absolute_url()))
    assert f'action="{reverse("observations:walk-close", args=[walk.pk])}"' in page and "Close logging now" in page
    closed = close(client, walk)
    assert closed.status_code == 302 and closed["Location"] == walk.get_absolute_url()
    walk.refresh_from_db()
    at = timezone.localtime(walk.logging_ends_at)
    page = squeezed(client.get(walk.get_absolute_url()))
    assert f"Closed for logging by {escape(district.leader)} on {at.day} {at:%B %Y, %H:%M}." in page
    assert "Logging closed: no new walkthroughs in this walk." in page and "Reopen logging" in page

    client.force_login(district.coach)
    assert client.post(NEW, second).status_code == 403  # a new start is refused...
    assert client.post(NEW, first)["Location"] == walkthrough.get_absolute_url()  # ...a resent one finds its walkthrough
    assert Walkthrough.objects.count() == 1
    page = client.get(walkthrough.get_absolute_url()).content.decode()
    tapped = client.post(reverse("observations:answer", args=[walkthrough.pk]), {
        "client_key": field(page, "client_key"), "action": field(page, "action"), "version": field(page, "version"),
        "in_place": "no", "evidence": "",
    })  # fmt: skip
    assert tapped.status_code == 302 and Answer.objects.filter(walkthrough=walkthrough, in_place=False).count() == 1
    page = client.get(walkthrough.get_absolute_url()).content.decode()
    form = page.split('class="stacked-form finish-form"', 1)[1]
    done = client.post(reverse("observations:finish", args=[walkthrough.pk]), {
        "client_key": field(form, "client_key"), "version": field(form, "version"), "next_move": "Post the station rules.",
        "teacher_note": "", "private_note": "",
    })  # fmt: skip
    assert done.status_code == 302 and Walkthrough.objects.get().status == Walkthrough.Status.COMPLETE
    page = client.get(walkthrough.get_absolute_url()).content.decode()
    assert f"?walk={walk.pk}" not in page and "Start another walkthrough (outside the walk, closed for logging)" in page


def test_closing_a_closed_walk_keeps_the_first_close(client, district, walk):
    client.force_login(district.leader)
    close(client, walk)
    first = ProgressionWalk.objects.get(pk=walk.pk).logging_ends_at
    again = close(client, walk)
    assert again.status_code == 302 and ProgressionWalk.objects.get(pk=walk.pk).logging_ends_at == first


def test_a_leader_reopens_logging_for_seven_days(client, district, walk):
    walk = days_back(walk, 30)
    client.force_login(district.leader)
    page = squeezed(client.get(walk.get_absolute_url()))
    assert f'action="{reverse("observations:walk-reopen", args=[walk.pk])}"' in page
    last_day = timezone.localdate() + timedelta(days=7)
    assert f"Its observers can then log walkthroughs in it through {last_day:%A} {last_day.day} {last_day:%B}." in page
    reopened = reopen(client, walk)
    walk.refresh_from_db()
    last_day = timezone.localdate() + timedelta(days=7)
    assert reopened.status_code == 302 and walk.logging_ends_at == local_midnight(8)
    page = squeezed(client.get(walk.get_absolute_url()))
    assert f"Logging reopened: its observers can log walkthroughs in it through {last_day:%A} {last_day.day} {last_day:%B}." in page
    today = timezone.localdate()
    assert f"Open for logging through {last_day:%A} {last_day.day} {last_day:%B %Y}: reopened by {escape(district.leader)} on {today.day} {today:%B}." in page
    assert reopen(client, walk).status_code == 302
    assert ProgressionWalk.objects.get(pk=walk.pk).logging_ends_at == local_midnight(8)  # a resent reopen changes nothing

    client.force_login(district.coach)
    assert client.post(NEW, start_form(client, walk, district.lkw_teacher)).status_code == 302
    assert Walkthrough.objects.filter(walk=walk).count() == 1


def test_a_reopened_walk_whose_week_is_over_says_so(client, district, walk):
    walk = days_back(walk, 30)
    client.force_login(district.leader)
    reopen(client, walk)
    # as if reopened 8 days ago: its week ended last night
    ProgressionWalk.objects.filter(pk=walk.pk).update(logging_set_at=F("logging_set_at") - timedelta(days=8), logging_ends_at=local_midnight(0))
    yesterday = timezone.localdate() - timedelta(days=1)
    page = squeezed(client.get(walk.get_absolute_url()))
    assert f"Closed for logging at the end of {yesterday:%A} {yesterday.day} {yesterday:%B %Y}, 7 days after {escape(district.leader)} reopened it." in page


@pytest.mark.parametrize("who", ["coach", "principal"])
def test_only_district_leaders_close_or_reopen_logging(client, district, walk, who):
    """Its observers, too, get 403, and the walk is unchanged."""
    client.force_login(getattr(district, who))
    ends = walk.logging_ends_at
    assert close(client, walk).status_code == 403
    assert ProgressionWalk.objects.get(pk=walk.pk).logging_ends_at == ends
    assert "Close logging now" not in client.get(walk.get_absolute_url()).content.decode()


def test_closing_a_walk_that_does_not_exist_is_404(client, content, district):
    client.force_login(district.leader)
    assert client.post(reverse("observations:walk-close", args=[999999])).status_code == 404
    assert client.post(reverse("observations:walk-reopen", args=[999999])).status_code == 404


def test_moving_the_date_moves_the_window_until_a_leader_sets_it(client, district, walk):
    assert days_back(walk, 10).logging_ends_at == local_midnight(5)
    client.force_login(district.leader)
    close(client, walk)
    closed = ProgressionWalk.objects.get(pk=walk.pk)
    moved = days_back(closed, 0)  # a date fixed after the close does not reopen it
    assert moved.logging_ends_at == closed.logging_ends_at and not moved.is_open_for_logging


def test_a_walk_closed_before_it_happens_reopens_to_its_usual_window_and_follows_its_date(client, district, walk):
    walk = days_back(walk, -5)  # in 5 days
    client.force_login(district.leader)
    close(client, walk)
    reopen(client, walk)
    walk.refresh_from_db()
    assert walk.logging_ends_at == local_midnight(5 + 15) and walk.logging_set_by is None
    assert days_back(walk, -19).logging_ends_at == local_midnight(19 + 15)  # postponed: the window moves with it


def test_a_walk_is_open_all_of_its_14th_day_after_and_closed_at_midnight(district, walk):
    walk = days_back(walk, 14)
    assert walk.is_open_for_logging and walk.last_logging_day == timezone.localdate()
    assert not days_back(walk, 15).is_open_for_logging


@pytest.mark.parametrize(
    "day,ends",
    [
        (date(2026, 10, 18), "2026-11-02T00:00:00-06:00"),  # its last day, 1 November, is the day clocks go back
        (date(2026, 2, 23), "2026-03-10T00:00:00-05:00"),  # and 8 March, the day they go forward, is inside it
    ],
)
def test_the_window_ends_at_local_midnight_either_side_of_a_clock_change(settings, day, ends):
    settings.TIME_ZONE = "America/Chicago"
    end = ProgressionWalk.logging_end(day, ProgressionWalk.LOGGING_DAYS)
    assert end == datetime.fromisoformat(ends)
    assert ProgressionWalk._last_day(end) == day + timedelta(days=14)


def test_a_district_leader_on_the_walk_can_reopen_it_from_the_closed_page(client, content, district):
    walk = days_back(plan_walk(district, observers=[district.leader], campuses=[district.lkw]), 20)
    client.force_login(district.leader)
    page = squeezed(client.get(NEW, {"walk": walk.pk}))
    assert f'action="{reverse("observations:walk-reopen", args=[walk.pk])}"' in page and "Reopen logging" in page
    client.force_login(district.principal)  # a principal on a closed walk has no such button
    walk.observers.add(district.principal)
    assert "walk-reopen" not in client.get(NEW, {"walk": walk.pk}).content.decode()


def test_walkthroughs_begun_before_the_close_can_still_go_back_and_be_reopened(client, district, walk):
    open_one = walked(district.coach, district.lkw_teacher, walk, in_place=3, finish=False)
    finished = walked(district.coach, district.lkw_teacher, walk, in_place=3)
    walk_close_logging(walk=walk, closed_by=district.leader)
    back = client.post(reverse("observations:back", args=[open_one.pk]), {"version": open_one.version, "client_key": uuid.uuid4()})
    assert back.status_code == 302 and Answer.objects.filter(walkthrough=open_one, undone_at__isnull=False).count() == 1
    reopened = client.post(reverse("observations:reopen", args=[finished.pk]), {"version": finished.version})
    assert reopened.status_code == 302 and Walkthrough.objects.get(pk=finished.pk).is_open


def test_the_migration_gives_existing_walks_the_usual_window(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([("observations", "0009_walk_rating_index")])
    before = executor.loader.project_state([("observations", "0009_walk_rating_index")]).apps
    planner = before.get_model("people", "User").objects.create(username="planner")
    days = [date(2026, 2, 22), date(2026, 10, 17), date(2026, 10, 18)]
    for day in days:
        before.get_model("observations", "ProgressionWalk").objects.create(client_key=uuid.uuid4(), date=day, name="Walk", created_by=planner)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ends = [w.logging_ends_at for w in ProgressionWalk.objects.order_by("date")]
    assert ends == [ProgressionWalk.logging_end(day, 14) for day in days]


def test_closing_reopening_and_the_closed_page_cost_the_same_few_queries(client, district, walk, django_assert_num_queries):
    """Close and reopen: session, user, roles, the walk (to check access), then its row locked and
    updated inside a savepoint. The closed page: session, user, roles, the walk with who set its
    window. Neither reads the walk's walkthroughs, so neither grows with them."""
    client.force_login(district.leader)
    with django_assert_num_queries(8):
        close(client, walk)
    with django_assert_num_queries(8):
        reopen(client, walk)
    walked(district.coach, district.lkw_teacher, walk, in_place=4)
    client.force_login(district.coach)
    closed = days_back(walk, 20)
    with django_assert_num_queries(4):
        assert client.get(NEW, {"walk": closed.pk}).status_code == 403
