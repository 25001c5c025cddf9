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
