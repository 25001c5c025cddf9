"""Editing a progression walk: a district leader changes its date, purpose, norms, campuses and
observers through the plan form. Driven with the test client, as a browser without JavaScript posts.

Decisions tested here:
- A campus or an observer with walkthroughs logged in the walk cannot be taken off it: 400 naming
  them. Off the walk, a principal or district leader could read the others' ratings and then
  finish their own, which the debrief would count as blind.
- An observer with none can be taken off: they then stand where anyone not on the walk stands
  (the walk is gone from their list and 404, no walkthroughs in it, not blind to its ratings).
"""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet
from django.urls import reverse

from observations.models import ProgressionWalk, WalkObserver
from observations.services import WalkthroughConflict, walk_update
from people.models import Campus
from tests.walks import BAD_WALK_FIELDS, far, plan_walk, walked

NEW = reverse("observations:walkthrough-new")


def edit_url(walk) -> str:
    return reverse("observations:walk-edit", args=[walk.pk])


def version_on(page: str) -> str:
    return re.search(r'name="version" value="([^"]*)"', page).group(1)


@pytest.fixture
def walk(content, district):
    """Oak Cliff, with the OAK/LKW coach and the OAK principal observing."""
    return plan_walk(district, observers=[district.coach, district.principal])


@pytest.fixture
def leader(client, district):
    client.force_login(district.leader)
    return district.leader


def edit_form(client, walk, district, **changes) -> dict:
    """What pressing "Save the walk" sends from the edit page as it was shown, with `changes`."""
    page = client.get(edit_url(walk)).content.decode()
    data = {
        "version": version_on(page),
        "date": walk.date.isoformat(),
        "name": walk.name,
        "norms": walk.norms,
        "campuses": [str(pk) for pk in walk.campuses.values_list("pk", flat=True)],
        "observers": [str(pk) for pk in walk.observers.values_list("pk", flat=True)],
    }
    return {**data, **changes}


def plan(walk) -> tuple:
    """Everything an edit may change, to prove a refused one changed nothing."""
    walk = ProgressionWalk.objects.get(pk=walk.pk)
    campuses = sorted(walk.campuses.values_list("code", flat=True))
    observers = sorted(walk.observers.values_list("username", flat=True))
    return (walk.date, walk.name, walk.norms, campuses, observers, walk.version, walk.edited_by_id)


# The form ---------------------------------------------------------------------------------------------


def test_the_edit_form_is_the_plan_form_filled_in_with_the_walk(client, leader, walk, district):
    response = client.get(edit_url(walk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Edit the walk</h1>" in body and "Save the walk" in body and 'name="client_key"' not in body
    assert version_on(body) == "1"
    assert f'value="{walk.date.isoformat()}"' in body and 'value="Foundation walk"' in body
    assert "Look for evidence, not effort." in body
    assert f'name="campuses" value="{district.oak.pk}" checked' in body
    assert f'name="campuses" value="{district.lkw.pk}">' in body  # offered, not chosen
    for person in (district.coach, district.principal):
        assert f'name="observers" value="{person.pk}" checked' in body
    assert f'name="observers" value="{district.lkw_coach.pk}">' in body
    assert "An observer with walkthroughs logged in this walk stays on it" in body


def test_the_form_marks_the_campuses_and_observers_walkthroughs_tie_to_the_walk(client, leader, walk, district):
    walked(district.coach, district.teacher, walk, in_place=4)
    body = client.get(edit_url(walk)).content.decode()
    oak = re.search(rf'value="{district.oak.pk}" checked>.*?</label>', body, re.S).group(0)
    lkw = re.search(rf'name="campuses" value="{district.lkw.pk}">.*?</label>', body, re.S).group(0)
    assert "walkthroughs logged in this walk" in oak and "walkthroughs logged in this walk" not in lkw
    coach = re.search(rf'value="{district.coach.pk}" checked>.*?</label>', body, re.S).group(0)
    principal = re.search(rf'value="{district.principal.pk}" checked>.*?</label>', body, re.S).group(0)
    assert "walkthroughs logged in this walk" in coach and "walkthroughs logged in this walk" not in principal


def test_the_walk_page_links_to_editing_for_district_leaders_only(client, walk, district):
    link = f'href="{edit_url(walk)}">Edit walk</a>'
    for role, shown in (("leader", True), ("coach", False), ("principal", False)):
        client.force_login(getattr(district, role))
        assert (link in client.get(walk.get_absolute_url()).content.decode()) is shown, role


# Saving ---------------------------------------------------------------------------------------------


def test_a_leader_edits_every_field_and_adds_an_observer(client, leader, walk, district):
    day = date.today() + timedelta(days=7)
    data = edit_form(
        client, walk, district, date=day.isoformat(), name="  Differentiated 3: workshops  ", norms="Ten minutes a room.",
        campuses=[str(district.oak.pk), str(district.lkw.pk)],
        observers=[str(district.coach.pk), str(district.principal.pk), str(district.lkw_coach.pk)],
    )  # fmt: skip
    response = client.post(edit_url(walk), data)
    assert response.status_code == 302 and response["Location"] == walk.get_absolute_url()
    assert plan(walk) == (
        day, "Differentiated 3: workshops", "Ten minutes a room.", ["LKW", "OAK"],
        ["demo-coach", "demo-principal", "lkw-coach"], 2, district.leader.pk,
    )  # fmt: skip
    page = client.get(walk.get_absolute_url()).content.decode()
    assert "Walk saved." in page and "Differentiated 3: workshops" in page and "Lee Wong" in page
    assert "<dt>Last edited</dt><dd>by " in page
    client.force_login(district.lkw_coach)  # the new observer finds the walk and may log in it
    assert "Differentiated 3: workshops" in client.get(reverse("observations:walk-list")).content.decode()
    assert client.get(NEW, {"walk": walk.pk}).status_code == 200


def test_a_resent_form_saves_once_and_is_no_conflict(client, leader, walk, district):
    data = edit_form(client, walk, district, name="Foundation walk, week 2")
    assert client.post(edit_url(walk), data).status_code == 302
    assert client.post(edit_url(walk), data).status_code == 302  # a double tap: already saved
    saved = plan(walk)
    assert saved[1] == "Foundation walk, week 2" and saved[5:] == (2, district.leader.pk)


def test_saving_with_nothing_changed_writes_nothing(client, leader, walk, district):
    assert client.post(edit_url(walk), edit_form(client, walk, district)).status_code == 302
    assert plan(walk)[5:] == (1, None)


def test_a_stale_form_is_refused_with_409_and_shows_the_walk_as_it_stands(client, leader, walk, district):
    first_tab = edit_form(client, walk, district, name="Stations: small groups")
    second_tab = edit_form(client, walk, district, norms="Nobody talks to students.")
    assert client.post(edit_url(walk), first_tab).status_code == 302
    response = client.post(edit_url(walk), second_tab)
    body = response.content.decode()
    assert response.status_code == 409
    assert "This walk was changed in another tab or by another district leader." in body and 'role="alert"' in body
    assert plan(walk)[1:3] == ("Stations: small groups", "Look for evidence, not effort.")  # nothing from the stale tab
    assert 'value="Stations: small groups"' in body and version_on(body) == "2"  # where it stands, to edit again
    assert client.post(edit_url(walk), {**second_tab, "name": "Stations: small groups", "version": "2"}).status_code == 302
    assert plan(walk)[2] == "Nobody talks to students."


def test_the_service_refuses_a_stale_version(walk, district):
    fields = dict(date=walk.date, norms="", campuses=[district.oak], observers=[district.coach])
    walk_update(walk=walk, edited_by=district.leader, version=1, name="One", **fields)
    with pytest.raises(WalkthroughConflict):
        walk_update(walk=walk, edited_by=district.leader, version=1, name="Two", **fields)
    assert ProgressionWalk.objects.get(pk=walk.pk).name == "One"


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"version": ""}, "The page sent no walk version. Reload the page and try again."),
        ({"version": "two"}, "The page sent no walk version."),
        *BAD_WALK_FIELDS,
    ],
)
def test_a_bad_edit_is_refused_with_a_clear_message_and_changes_nothing(client, leader, walk, district, changes, message):
    before = plan(walk)
    response = client.post(edit_url(walk), edit_form(client, walk, district, **{"name": "Changed", **changes}))
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and 'role="alert"' in body
    assert plan(walk) == before


@pytest.mark.parametrize("who", ["admin", "teacher_user"])
def test_only_people_who_may_observe_can_be_added(client, leader, walk, district, who):
    before = plan(walk)
    response = client.post(edit_url(walk), edit_form(client, walk, district, observers=[str(getattr(district, who).pk)]))
    assert response.status_code == 400 and "Observers: choose from the list" in response.content.decode()
    assert plan(walk) == before


def test_a_refused_edit_keeps_what_was_entered_escaped(client, leader, walk, district):
    hostile = '<script>alert("x")</script>'
    data = edit_form(client, walk, district, name=hostile, norms=hostile, campuses=[])
    body = client.post(edit_url(walk), data).content.decode()
    assert "<script>alert" not in body
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in body
    assert f'name="campuses" value="{district.oak.pk}">' in body  # unchecked, as sent
    assert version_on(body) == "1"


def test_an_old_walk_keeps_its_date_while_its_norms_are_corrected(client, leader, walk, district):
    long_ago = date.today() - timedelta(days=400)
    ProgressionWalk.objects.filter(pk=walk.pk).update(date=long_ago)
    walk.refresh_from_db()
    response = client.post(edit_url(walk), edit_form(client, walk, district, norms="What we agreed afterwards."))
    assert response.status_code == 302 and plan(walk)[:3] == (long_ago, "Foundation walk", "What we agreed afterwards.")
    response = client.post(edit_url(walk), edit_form(client, walk, district, date=far(-401)))
    assert response.status_code == 400 and "Date: choose a day within a year of today." in response.content.decode()


def test_nothing_is_half_written_when_saving_fails_midway(client, leader, walk, district, monkeypatch):
    """The walk's row and its campuses are written before its observers: a failure there undoes both."""
    before = plan(walk)

    bulk_create = QuerySet.bulk_create

    def fail_on_observers(queryset, objs, *args, **kwargs):
        if queryset.model is ProgressionWalk.observers.through:
            raise IntegrityError("the database went away")
        return bulk_create(queryset, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", fail_on_observers)
    data = edit_form(
        client, walk, district, name="Half", campuses=[str(district.lkw.pk)], observers=[str(district.lkw_coach.pk)]
    )
    with pytest.raises(IntegrityError):
        client.post(edit_url(walk), data)
    assert plan(walk) == before


# Campuses and observers with walkthroughs -------------------------------------------------------------


def test_a_campus_with_walkthroughs_in_the_walk_stays_on_it(client, leader, district, content):
    walk = plan_walk(district, observers=[district.coach], campuses=[district.oak, district.lkw])
    walked(district.coach, district.lkw_teacher, walk, in_place=2, finish=False)  # in progress counts too
    before = plan(walk)
    response = client.post(edit_url(walk), edit_form(client, walk, district, name="Oak only", campuses=[str(district.oak.pk)]))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Campuses: Lakewood Middle School has walkthroughs logged in this walk, so it stays on it. Keep it checked." in body
    assert plan(walk) == before
    # a campus nobody has walked yet can be taken off
    response = client.post(edit_url(walk), edit_form(client, walk, district, campuses=[str(district.lkw.pk)]))
    assert response.status_code == 302 and plan(walk)[3] == ["LKW"]


def test_the_refusal_names_every_walked_campus(client, leader, district, content):
    walk = plan_walk(district, observers=[district.coach], campuses=[district.oak, district.lkw])
    walked(district.coach, district.lkw_teacher, walk, in_place=2)
    walked(district.coach, district.teacher, walk, in_place=2)
    third = Campus.objects.create(code="CED", name="Cedar Crest High School")
    body = client.post(edit_url(walk), edit_form(client, walk, district, campuses=[str(third.pk)])).content.decode()
    assert "Campuses: Lakewood Middle School and Oak Cliff Elementary have walkthroughs logged in this walk" in body
    assert "Keep them checked." in body


def test_an_observer_with_walkthroughs_in_the_walk_stays_on_it(client, leader, walk, district):
    """Even one still open: off the walk, the principal could read the coach's rating of Maria,
    then go back and finish theirs, and the debrief would compare it as blind."""
    walked(district.coach, district.teacher, walk, in_place=4)
    walked(district.principal, district.teacher, walk, in_place=1, finish=False)
    before = plan(walk)
    response = client.post(edit_url(walk), edit_form(client, walk, district, name="Coaches only", observers=[str(district.lkw_coach.pk)]))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Observers: Priya Shah and Robert Hayes have walkthroughs logged in this walk, so stay on it." in body
    assert plan(walk) == before
    response = client.post(edit_url(walk), edit_form(client, walk, district, observers=[str(district.coach.pk)]))
    assert "Observers: Robert Hayes has walkthroughs logged in this walk, so stays on it. Keep them checked." in response.content.decode()
    assert response.status_code == 400 and plan(walk) == before


def test_an_observer_with_no_walkthrough_in_it_is_taken_off_and_no_longer_blind(client, leader, walk, district):
    """Blind rating holds while someone rates on the walk; off it, the principal has their usual
    view again: the finished walkthroughs of their campus."""
    coachs = walked(district.coach, district.teacher, walk, in_place=4)
    client.force_login(district.principal)
    assert client.get(coachs.get_absolute_url()).status_code == 404  # blind: not rated Maria yet
    client.force_login(district.leader)
    assert client.post(edit_url(walk), edit_form(client, walk, district, observers=[str(district.coach.pk)])).status_code == 302
    assert plan(walk)[4] == ["demo-coach"]
    client.force_login(district.principal)
    assert client.get(coachs.get_absolute_url()).status_code == 200
    assert "Foundation walk" not in client.get(reverse("observations:walk-list")).content.decode()
    assert client.get(walk.get_absolute_url()).status_code == 404
    assert client.get(NEW, {"walk": walk.pk}).status_code == 404  # no new walkthroughs in it


def test_an_observer_taken_off_before_this_rule_keeps_their_walkthroughs_and_the_walk_stays_editable(client, leader, walk, district):
    """Walks edited before observers with walkthroughs stayed on: such an observer is not on the walk,
    so an edit does not take them off, and their walkthroughs stay theirs and in the walk."""
    started = walked(district.principal, district.teacher, walk, in_place=1, finish=False)
    walk.observers.remove(district.principal)
    response = client.post(edit_url(walk), edit_form(client, walk, district, name="Renamed"))
    assert response.status_code == 302 and plan(walk)[1] == "Renamed"
    client.force_login(district.principal)
    finish = client.post(reverse("observations:finish", args=[started.pk]), {"version": started.version, "next_move": "Try it."})
    assert finish.status_code == 302
    started.refresh_from_db()
    assert started.status == "complete" and started.walk_id == walk.pk


def test_an_observer_added_later_is_recorded_as_joining_then(client, leader, walk, district):
    planned = {o.user_id: o.added_at for o in WalkObserver.objects.filter(progressionwalk=walk)}
    observers = [str(district.coach.pk), str(district.principal.pk), str(district.lkw_coach.pk)]
    assert client.post(edit_url(walk), edit_form(client, walk, district, observers=observers)).status_code == 302
    joined = {o.user_id: o.added_at for o in WalkObserver.objects.filter(progressionwalk=walk)}
    assert {k: v for k, v in joined.items() if k in planned} == planned  # those kept keep their time
    assert joined[district.lkw_coach.pk] > max(planned.values())


def test_the_migration_takes_observers_already_on_a_walk_to_have_joined_when_it_was_planned(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([("observations", "0010_walk_logging_window")])
    before = executor.loader.project_state([("observations", "0010_walk_logging_window")]).apps
    User, Walk = before.get_model("people", "User"), before.get_model("observations", "ProgressionWalk")
    planner, observer = User.objects.create(username="planner"), User.objects.create(username="observer")
    walk = Walk.objects.create(client_key=uuid.uuid4(), date=date(2026, 10, 17), name="Walk", created_by=planner,
                               logging_ends_at=ProgressionWalk.logging_end(date(2026, 10, 17), 14))  # fmt: skip
    walk.observers.add(planner, observer)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    planned = ProgressionWalk.objects.get(pk=walk.pk).created_at
    assert sorted(WalkObserver.objects.values_list("user__username", "added_at")) == [("observer", planned), ("planner", planned)]


# Access ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coach", "principal", "teacher_user", "admin"])
def test_only_district_leaders_edit_walks_even_its_observers(client, walk, district, role):
    client.force_login(district.leader)
    data = edit_form(client, walk, district, name="Taken over")
    before = plan(walk)
    client.force_login(getattr(district, role))
    assert client.get(edit_url(walk)).status_code == 403
    assert client.post(edit_url(walk), data).status_code == 403
    assert plan(walk) == before


def test_signed_out_the_edit_page_asks_to_sign_in(client, walk):
    response = client.post(edit_url(walk), {"name": "x"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_missing_walk_is_404(client, leader, content):
    assert client.get(reverse("observations:walk-edit", args=[999999])).status_code == 404
