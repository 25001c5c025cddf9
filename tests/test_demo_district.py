"""The load_demo_district command: what it loads, demo sign-ins, reloading, and refusing production."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from people.models import Campus, Role, Teacher, User

DEMO_USERS = ["demo-admin", "demo-coach", "demo-leader", "demo-principal", "demo-teacher"]


def load() -> str:
    out = StringIO()
    call_command("load_demo_district", stdout=out)
    return out.getvalue()


@pytest.fixture
def debug(settings, db):
    settings.DEBUG = True


def test_loads_two_campuses_twelve_teachers_and_one_user_per_role(debug):
    load()
    assert Campus.objects.count() == 2
    assert Teacher.objects.count() == 12
    for kind in Role.Kind.values:
        assert User.objects.filter(roles__kind=kind).distinct().count() == 1, kind
    assert list(Teacher.objects.filter(user__isnull=False).values_list("user__username", flat=True)) == ["demo-teacher"]
    assert sorted(User.objects.values_list("username", flat=True)) == DEMO_USERS


def test_every_demo_user_signs_in_with_the_demo_password(debug):
    load()
    request = RequestFactory().post("/accounts/login/")
    for username in DEMO_USERS:
        assert authenticate(request, username=username, password="plcoach-demo") == User.objects.get(username=username)


def test_the_output_lists_the_demo_sign_ins_and_the_password(debug):
    output = load()
    assert output.startswith(
        "Demo district: 2 campuses added, 5 demo passwords set, 5 logins added, 5 roles added, 12 teachers added.\n"
    )
    assert "Demo sign-ins (password: plcoach-demo):" in output
    for username in DEMO_USERS:
        assert f"  {username} " in output


def test_loading_twice_changes_nothing(debug):
    load()
    hashes = dict(User.objects.values_list("username", "password"))
    counts = (Campus.objects.count(), Teacher.objects.count(), User.objects.count(), Role.objects.count())

    output = load()

    assert output.startswith("Demo district: nothing changed.\n")
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert (Campus.objects.count(), Teacher.objects.count(), User.objects.count(), Role.objects.count()) == counts


def test_is_refused_in_production(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="never loaded in production"):
        load()
    assert (Campus.objects.count(), Teacher.objects.count(), User.objects.count()) == (0, 0, 0)


def test_with_the_progressions_loaded_it_writes_a_history_every_page_can_show(debug, content, client):
    from datetime import timedelta

    from django.utils import timezone

    from observations.calibration import Agreement, walk_debrief
    from observations.models import ProgressionWalk, Walkthrough

    output = load()

    assert "54 demo walkthroughs written" in output and "1 demo walk planned" in output
    walkthroughs = Walkthrough.objects.all()
    assert walkthroughs.count() == 54
    assert not walkthroughs.exclude(status=Walkthrough.Status.COMPLETE).exists()
    assert walkthroughs.filter(kind=Walkthrough.Kind.SELF, observer__username="demo-teacher").count() == 1
    assert set(walkthroughs.values_list("framework__slug", flat=True)) == {"flex", "enriched-virtual"}
    assert walkthroughs.filter(pause_number__isnull=False).exclude(next_move="").exists()
    assert all(timezone.localtime(at).weekday() < 5 for at in walkthroughs.values_list("observed_at", flat=True))  # school days
    # Coverage has its gaps: one teacher never visited, one not for two months.
    assert not walkthroughs.filter(teacher__last_name="Mendez").exists()
    latest = walkthroughs.filter(teacher__last_name="Carter").latest("observed_at").observed_at
    assert timezone.now() - latest > timedelta(days=45)
    # The walk: two observers in the same three classrooms, agreeing in one.
    walk = ProgressionWalk.objects.get()
    assert walk.date.weekday() < 5 and walk.walkthroughs.count() == 6
    debrief = walk_debrief(walk=walk)
    assert sorted(c.agreement for c in debrief.classrooms) == sorted([Agreement.SAME_PAUSE, Agreement.SAME_PHASE, Agreement.DIFFERENT_PHASE])
    # The leader's trends have months to show.
    client.force_login(User.objects.get(username="demo-leader"))
    body = client.get("/dashboard/trends/?progression=flex").content.decode()
    assert "Oak Cliff Elementary" in body and "Lakewood Middle School" in body


def test_the_history_is_written_once_and_not_by_a_dry_run(debug, content):
    from observations.models import Walkthrough

    out = StringIO()
    call_command("load_demo_district", "--dry-run", stdout=out)
    assert Walkthrough.objects.count() == 0 and Campus.objects.count() == 0
    load()
    keys = set(Walkthrough.objects.values_list("client_key", "version"))

    output = load()

    assert output.startswith("Demo district: nothing changed.\n")
    assert set(Walkthrough.objects.values_list("client_key", "version")) == keys
