"""Progression walks: a district leader plans one; its observers log walkthroughs tied to it.

Driven through the pages' own forms with the Django test client, as a browser submits them.
"""

import re
import threading
import time
import uuid
from datetime import date

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observations.models import ProgressionWalk, Walkthrough
from observations.services import WalkthroughInvalid, walk_close_logging, walk_update, walkthrough_start
from people.models import Role, Teacher, User
from progressions.models import Framework
from tests.walks import BAD_WALK_FIELDS, plan_walk, walked

NEW_WALK = reverse("observations:walk-new")
NEW = reverse("observations:walkthrough-new")
HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "teacher-choices"}


def field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


@pytest.fixture
def leader(client, content, district):
    client.force_login(district.leader)
    return district.leader


def walk_form(client, district, **changes) -> dict:
    """What pressing "Plan the walk" sends: the page's own key, a day, a purpose, OAK, two observers."""
    page = client.get(NEW_WALK).content.decode()
    data = {
        "client_key": field(page, "client_key"),
        "date": date.today().isoformat(),
        "name": "Station Rotation: small groups",
        "norms": "Two minutes per room.\nNo talking to students.",
        "campuses": [str(district.oak.pk)],
        "observers": [str(district.coach.pk), str(district.principal.pk)],
    }
    return {**data, **changes}


# Planning a walk ---------------------------------------------------------------------------------


def test_the_form_offers_every_campus_and_only_people_who_may_observe(client, leader, district):
    body = client.get(NEW_WALK).content.decode()
    for person in (district.coach, district.principal, district.leader, district.lkw_coach, district.lkw_principal):
        assert f'name="observers" value="{person.pk}"' in body
    for person in (district.admin, district.teacher_user):
        assert f'name="observers" value="{person.pk}"' not in body
    assert f'name="campuses" value="{district.oak.pk}"' in body and f'name="campuses" value="{district.lkw.pk}"' in body


def test_the_form_reads_its_observers_in_queries_that_do_not_grow_with_them(client, leader, district, django_assert_num_queries):
    """Each observer's roles are listed (a coach who also teaches says so): read with the list, not
    one query per person (a district's 700 observers made 700 queries)."""
    client.get(NEW_WALK)
    with CaptureQueriesContext(connection) as before:
        client.get(NEW_WALK)
    for n in range(5):
        extra = User.objects.create(username=f"extra-coach-{n}", first_name="Extra", last_name=f"Coach {n}")
        Role.objects.create(user=extra, kind=Role.Kind.COACH, campus=district.oak)
        Teacher.objects.create(campus=district.oak, first_name="Extra", last_name=f"Coach {n}", employee_id=f"X{n}", user=extra)
    with django_assert_num_queries(len(before)):
        body = client.get(NEW_WALK).content.decode()
    assert body.count("Coach, Teacher") >= 5


def test_a_leader_plans_a_walk_and_a_resent_form_is_one_walk(client, leader, district):
    data = walk_form(client, district)
    response = client.post(NEW_WALK, data)
    walk = ProgressionWalk.objects.get()
    assert response.status_code == 302 and response["Location"] == walk.get_absolute_url()
    assert client.post(NEW_WALK, data)["Location"] == walk.get_absolute_url()  # a double tap
    assert ProgressionWalk.objects.count() == 1
    assert (walk.name, walk.date, walk.created_by) == ("Station Rotation: small groups", date.today(), district.leader)
    assert list(walk.campuses.all()) == [district.oak]
    assert set(walk.observers.all()) == {district.coach, district.principal}
    page = client.get(walk.get_absolute_url()).content.decode()
    assert "Station Rotation: small groups" in page and "Two minutes per room.<br>No talking to students." in page
    assert "Oak Cliff Elementary" in page and "Priya Shah" in page and "Robert Hayes" in page
    assert "Log a walkthrough in this walk" not in page  # the leader is not an observer on it


@pytest.mark.parametrize("changes,message", [({"client_key": "nope"}, "no valid key"), *BAD_WALK_FIELDS])
def test_a_bad_walk_is_refused_with_a_clear_message(client, leader, district, changes, message):
    response = client.post(NEW_WALK, walk_form(client, district, **changes))
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and 'role="alert"' in body
    if "client_key" not in changes:  # a field's problem is said beside it too: its wording names the field
        assert body.count('class="field-error"') == 1
    assert ProgressionWalk.objects.count() == 0


def test_a_walk_key_sent_again_with_another_plan_is_refused_and_a_new_key_offered(client, leader, district):
    data = walk_form(client, district)
    assert client.post(NEW_WALK, data).status_code == 302
    assert client.post(NEW_WALK, data).status_code == 302  # the same form again: the same walk
    changed = {**data, "name": "Lab Rotation: the data wall"}
    refused = client.post(NEW_WALK, changed)
    body = refused.content.decode()
    assert refused.status_code == 400 and "This form already planned the walk “Station Rotation: small groups”" in body
    assert field(body, "client_key") != data["client_key"]
    assert client.post(NEW_WALK, {**changed, "client_key": field(body, "client_key")}).status_code == 302
    assert sorted(ProgressionWalk.objects.values_list("name", flat=True)) == ["Lab Rotation: the data wall",
                                                                              "Station Rotation: small groups"]


def test_each_problem_is_said_beside_its_field_and_the_first_takes_the_focus(client, leader, district):
    """The summary at the top lists them all; each field says its own, tied to it for a screen
    reader (aria-describedby), and the first field refused takes the focus without a script."""
    data = walk_form(client, district, name=" ", campuses=[], observers=[])
    body = client.post(NEW_WALK, data).content.decode()
    assert 'id="walk-date-error"' not in body  # the date was fine
    name = re.search(r'<input type="text" id="walk-name"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in name and 'aria-describedby="walk-name-error"' in name and "autofocus" in name
    assert re.search(r'<p class="field-error" id="walk-name-error">Purpose: say what the walk is for', body)
    assert '<fieldset class="choices" id="campus-choices" aria-describedby="campuses-error">' in body
    assert '<p class="field-error" id="campuses-error">Campuses: choose at least one campus to walk.</p>' in body
    assert '<p class="field-error" id="observers-error">Observers: choose at least one observer.</p>' in body
    assert body.count("autofocus") == 1


@pytest.mark.parametrize("who", ["admin", "teacher_user"])
def test_only_people_who_may_observe_can_be_observers(client, leader, district, who):
    response = client.post(NEW_WALK, walk_form(client, district, observers=[str(getattr(district, who).pk)]))
    assert response.status_code == 400 and "Observers: choose from the list" in response.content.decode()
    assert ProgressionWalk.objects.count() == 0


def test_a_refused_form_keeps_what_was_entered(client, leader, district):
    body = client.post(NEW_WALK, walk_form(client, district, name="")).content.decode()
    assert "Two minutes per room." in body
    assert f'value="{district.oak.pk}" checked' in body and f'value="{district.coach.pk}" checked' in body


@pytest.mark.parametrize("role", ["coach", "principal", "teacher_user", "admin"])
def test_only_district_leaders_plan_walks(client, content, district, role):
    client.force_login(district.leader)
    data = walk_form(client, district)
    client.force_login(getattr(district, role))
    assert client.get(NEW_WALK).status_code == 403
    assert client.post(NEW_WALK, data).status_code == 403
    assert ProgressionWalk.objects.count() == 0


def test_the_service_refuses_a_non_observer_even_without_the_form(district):
    with pytest.raises(WalkthroughInvalid, match="holds no coach, principal or district leader role"):
        plan_walk(district, observers=[district.teacher_user])


# Who sees which walks -------------------------------------------------------------------------------


def test_the_walk_list_says_when_only_the_latest_are_listed(client, content, district, monkeypatch):
    monkeypatch.setattr("observations.walk_views.WALKS_LISTED", 1)
    client.force_login(district.leader)
    plan_walk(district, observers=[district.coach], name="First walk")
    assert "latest walks are listed" not in client.get(reverse("observations:walk-list")).content.decode()
    plan_walk(district, observers=[district.coach], name="Second walk")
    body = client.get(reverse("observations:walk-list")).content.decode()
    assert "The 1 latest walks are listed." in body and body.count('<article class="walkthrough card">') == 1


def test_leaders_see_every_walk_and_observers_theirs(client, content, district):
    plan_walk(district, observers=[district.coach], name="Oak walk")
    plan_walk(district, observers=[district.lkw_coach], campuses=[district.lkw], name="Lakewood walk")
    seen = {}
    for role in ("leader", "coach", "lkw_coach", "principal", "teacher_user"):
        client.force_login(getattr(district, role))
        body = client.get(reverse("observations:walk-list")).content.decode()
        seen[role] = {name for name in ("Oak walk", "Lakewood walk") if name in body}
    assert seen == {
        "leader": {"Oak walk", "Lakewood walk"},
        "coach": {"Oak walk"},
        "lkw_coach": {"Lakewood walk"},
        "principal": set(),
        "teacher_user": set(),
    }


def test_a_walk_is_404_to_someone_not_on_it(client, content, district):
    walk = plan_walk(district, observers=[district.coach])
    for role in ("principal", "lkw_coach", "teacher_user", "admin"):
        client.force_login(getattr(district, role))
        assert client.get(walk.get_absolute_url()).status_code == 404, role
        assert client.get(reverse("observations:walk-debrief", args=[walk.pk])).status_code == 404, role
        # cannot log in it either: 404 for observers elsewhere, 403 for those who never observe
        assert client.get(NEW, {"walk": walk.pk}).status_code == (403 if role in ("teacher_user", "admin") else 404), role


# Logging walkthroughs in a walk ----------------------------------------------------------------------


@pytest.fixture
def lakewood_walk(client, content, district):
    """A walk of Lakewood only, with the OAK/LKW coach and the OAK principal observing."""
    client.force_login(district.coach)
    return plan_walk(district, observers=[district.coach, district.principal], campuses=[district.lkw])


def test_the_walk_page_links_to_logging_a_walkthrough_in_it(client, district, lakewood_walk):
    page = client.get(lakewood_walk.get_absolute_url()).content.decode()
    assert f'href="{NEW}?walk={lakewood_walk.pk}">Log a walkthrough in this walk' in page


def test_a_big_walks_page_counts_each_campus_and_lists_one_campus_at_a_time(client, content, district, monkeypatch):
    """A district-wide walk rates hundreds of classrooms: the page stops short, says so, and lists a campus's."""
    monkeypatch.setattr("observations.walk_views.WALK_RATINGS_LISTED", 2)
    walk = plan_walk(district, observers=[district.coach], campuses=[district.oak, district.lkw])
    client.force_login(district.leader)
    url = walk.get_absolute_url()
    walked(district.coach, district.teacher, walk, in_place=2)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for teacher in (district.oak_teacher, district.lkw_teacher):
        walked(district.coach, teacher, walk, in_place=2)
    with CaptureQueriesContext(connection) as three:
        page = " ".join(client.get(url).content.decode().split())
    assert len(three) == len(one)  # the same queries however many walkthroughs
    assert "Every campus (3)" in page and f'href="{url}?campus=OAK#walkthroughs">Oak Cliff Elementary (2)</a>' in page
    assert page.count('<article class="walkthrough card">') == 2 and "The first 2 are listed, by teacher: choose a campus" in page
    lakewood = " ".join(client.get(url, {"campus": "LKW"}).content.decode().split())
    assert "Walkthroughs in this walk: Lakewood Middle School" in lakewood and "Grace Kim" in lakewood
    assert lakewood.count('<article class="walkthrough card">') == 1 and "The first" not in lakewood
    refused = client.get(url, {"campus": "NOPE"})
    assert refused.status_code == 400 and refused.content == b"Campus: choose one of the walk's campuses."


def test_starting_outside_a_walk_that_visits_the_teachers_campus_points_to_the_walk(client, district, lakewood_walk):
    """From the teacher page's link a coach on the walk would log outside it: seen at once, never
    compared. The start page says so and links to logging it in the walk, the progression kept."""
    page = client.get(NEW, {"teacher": district.lkw_teacher.pk, "framework": "flex"}).content.decode()
    link = f'href="{NEW}?teacher={district.lkw_teacher.pk}&amp;walk={lakewood_walk.pk}&amp;framework=flex">log this walkthrough in the walk</a>'
    assert "You observe on the walk <strong>Foundation walk</strong>" in page and link in page
    assert "log this walkthrough in the walk" not in client.get(NEW, {"teacher": district.teacher.pk}).content.decode()  # OAK: not the walk's
    in_walk = client.get(NEW, {"teacher": district.lkw_teacher.pk, "walk": lakewood_walk.pk}).content.decode()
    assert "log this walkthrough in the walk" not in in_walk
    walk_close_logging(walk=lakewood_walk, closed_by=district.leader)
    assert "You observe on the walk" not in client.get(NEW, {"teacher": district.lkw_teacher.pk}).content.decode()
    client.force_login(district.lkw_coach)  # not on the walk
    assert "You observe on the walk" not in client.get(NEW, {"teacher": district.lkw_teacher.pk}).content.decode()


def test_the_teacher_search_of_a_walk_is_limited_to_its_campuses(client, district, lakewood_walk):
    body = client.get(NEW, {"walk": lakewood_walk.pk, "q": "math"}, headers=HTMX_SEARCH).content.decode()
    assert "Grace Kim" in body and "Hannah Weiss" in body
    assert "Maria Alvarez" not in body and "Sofia Ramirez" not in body  # OAK: the coach's, but not the walk's
    assert f"?teacher={district.lkw_teacher.pk}&amp;walk={lakewood_walk.pk}" in body  # the choice keeps the walk
    page = client.get(NEW, {"walk": lakewood_walk.pk}).content.decode()
    assert f'hx-get="{NEW}?walk={lakewood_walk.pk}"' in page and f'name="walk" value="{lakewood_walk.pk}"' in page
    assert client.get(NEW, {"walk": lakewood_walk.pk, "teacher": district.teacher.pk}).status_code == 404


def test_an_observer_from_another_campus_can_walk_the_walks_classrooms(client, content, district):
    """The leader asked them to: a Lakewood coach on an Oak Cliff walk finds Oak Cliff teachers in it."""
    walk = plan_walk(district, observers=[district.lkw_coach])
    client.force_login(district.lkw_coach)
    body = client.get(NEW, {"walk": walk.pk, "q": "Brooks"}, headers=HTMX_SEARCH).content.decode()
    assert "James Brooks" in body
    body = client.get(NEW, {"q": "Brooks"}, headers=HTMX_SEARCH).content.decode()
    assert "James Brooks" not in body  # outside the walk, as before


def start_in_walk(client, progression_walk, teacher, **changes):
    walk = progression_walk
    page = client.get(NEW, {"walk": walk.pk, "teacher": teacher.pk, "framework": "flex"}).content.decode()
    assert f'name="walk" value="{walk.pk}"' in page and 'name="model_seen"' in page
    data = {
        "client_key": field(page, "client_key"),
        "walk": walk.pk,
        "teacher": teacher.pk,
        "framework": "flex",
        "observed_at": field(page, "observed_at"),
        "start_phase": "foundation",
        "model_seen": "station_rotation",
    }
    return client.post(NEW, {**data, **changes})


def test_a_walkthrough_logged_in_a_walk_is_tied_to_it_with_the_model_seen(client, district, lakewood_walk):
    response = start_in_walk(client, lakewood_walk, district.lkw_teacher)
    walkthrough = Walkthrough.objects.get()
    assert response.status_code == 302 and response["Location"] == walkthrough.get_absolute_url()
    assert (walkthrough.walk, walkthrough.model_seen, walkthrough.observer) == (lakewood_walk, "station_rotation", district.coach)
    finished = walked(district.coach, district.lkw_teacher, lakewood_walk, in_place=4, model_seen="flex")
    page = client.get(finished.get_absolute_url()).content.decode()
    assert "<dt>Model seen</dt><dd>Flex</dd>" in page and "<dt>Progression walk</dt><dd>Foundation walk" in page
    walk_page = client.get(lakewood_walk.get_absolute_url()).content.decode()
    assert "Grace Kim, Flex Model: Foundation 5" in walk_page and "Station Rotation" in walk_page


def test_the_model_seen_is_optional_and_offered_outside_walks_too(client, district, lakewood_walk):
    page = client.get(NEW, {"teacher": district.teacher.pk, "framework": "flex"}).content.decode()
    assert '<option value="" selected>Not noted</option>' in page and '<option value="a_la_carte">A La Carte</option>' in page
    start_in_walk(client, lakewood_walk, district.lkw_teacher, model_seen="")
    assert Walkthrough.objects.get().model_seen == ""


@pytest.mark.parametrize("model_seen", ["rotation", "flex\x00"])
def test_an_unknown_model_seen_is_refused(client, district, lakewood_walk, model_seen):
    response = start_in_walk(client, lakewood_walk, district.lkw_teacher, model_seen=model_seen)
    assert response.status_code == 400 and "Choose the blended-learning model you saw" in response.content.decode()
    assert Walkthrough.objects.count() == 0


@pytest.mark.parametrize("walk_field", ["abc", "99999999", "9" * 30, "²", "1\x00"])
def test_a_walk_that_is_not_yours_is_404_never_500(client, district, lakewood_walk, walk_field):
    assert client.get(NEW, {"walk": walk_field}).status_code == 404
    response = start_in_walk(client, lakewood_walk, district.lkw_teacher, walk=walk_field)
    assert response.status_code == 404
    assert Walkthrough.objects.count() == 0


def test_the_service_checks_the_walk_the_observer_and_the_campus(district, content):
    walk = plan_walk(district, observers=[district.coach], campuses=[district.lkw], name="Lakewood walk")
    flex = Framework.objects.get(slug="flex")
    start = dict(client_key=uuid.uuid4(), framework=flex, walk=walk)
    with pytest.raises(WalkthroughInvalid, match="Maria Alvarez does not teach on a campus of the walk “Lakewood walk”"):
        walkthrough_start(observer=district.coach, teacher=district.teacher, **start)
    with pytest.raises(WalkthroughInvalid, match="You are not an observer on the walk “Lakewood walk”"):
        walkthrough_start(observer=district.lkw_coach, teacher=district.lkw_teacher, **start)
    with pytest.raises(WalkthroughInvalid, match="A self-reflection is not part of a progression walk"):
        walkthrough_start(observer=district.coach, teacher=district.lkw_teacher, kind=Walkthrough.Kind.SELF, **start)
    assert Walkthrough.objects.count() == 0


def test_a_plan_with_several_problems_names_them_all_at_once(client, content, district):
    """An empty plan: the date, the purpose, the campuses and the observers, each on its own line."""
    client.force_login(district.leader)
    response = client.post(reverse("observations:walk-new"), {"client_key": uuid.uuid4(), "date": "", "name": " "})
    body = response.content.decode()
    assert response.status_code == 400
    assert "novalidate" in client.get(reverse("observations:walk-new")).content.decode()  # the browser lets the server say it all
    alert = body.split('role="alert">', 1)[1].split("</p>", 1)[0]
    assert alert.count("<br>") == 3
    for problem in ("Date: enter the day of the walk", "Purpose: say what the walk is for", "Campuses: choose at least one", "Observers: choose at least one"):
        assert problem in alert
    response = client.post(reverse("observations:walk-new"), {"client_key": uuid.uuid4(), "date": "2026-01-01x", "name": "Ok", "campuses": ["999999"], "observers": [str(district.coach.pk)]})
    alert = response.content.decode().split('role="alert">', 1)[1].split("</p>", 1)[0]
    assert "Date: enter the day" in alert and "Campuses: choose from the list" in alert and "Observers" not in alert


def test_a_walkthrough_started_while_its_campus_is_taken_off_the_walk_is_refused(transactional_db, content, district):
    """The start checks the walk under its row lock: an edit taking Lakewood off, still open, is
    waited for, and then the start at Lakewood is refused, not slipped in after it."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once: PostgreSQL's row locks, as in production")
    d = district
    walk = plan_walk(d, observers=[d.coach, d.principal], campuses=[d.oak, d.lkw])
    edit_holds_the_lock, results = threading.Event(), []

    def edit() -> None:
        try:
            with transaction.atomic():  # the edit's transaction, kept open a moment after its write
                walk_update(walk=walk, edited_by=d.leader, version=walk.version, date=walk.date, name=walk.name,
                            norms=walk.norms, campuses=[d.oak], observers=[d.coach, d.principal])  # fmt: skip
                edit_holds_the_lock.set()
                time.sleep(0.5)
        finally:
            connections.close_all()

    def start() -> None:
        try:
            edit_holds_the_lock.wait(timeout=10)
            walkthrough_start(client_key=uuid.uuid4(), observer=d.coach, teacher=d.lkw_teacher,
                              framework=Framework.objects.get(slug="flex"), walk=walk)  # fmt: skip
            results.append("started")
        except WalkthroughInvalid as exc:
            results.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit), threading.Thread(target=start)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [f"{d.lkw_teacher.name} does not teach on a campus of the walk “{walk.name}”."]
    assert not Walkthrough.objects.filter(walk=walk).exists()
