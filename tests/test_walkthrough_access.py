"""Who sees which walkthrough, and that a coach's private note is seen by that coach alone."""

import uuid

import pytest
from django.urls import reverse

from observations.models import Walkthrough
from observations.services import walkthrough_finish, walkthrough_focus, walkthrough_start
from progressions.models import ActionStep, Framework


def finished(observer, teacher, *, kind=Walkthrough.Kind.COACH, private="", shared="", complete=True):
    walk = walkthrough_start(
        client_key=uuid.uuid4(), observer=observer, teacher=teacher, framework=Framework.objects.get(slug="driver-model"), kind=kind
    )
    if complete:
        step = ActionStep.objects.current().filter(kind="step").select_related("component", "stage").first()
        walk = walkthrough_focus(
            walkthrough=walk, client_key=uuid.uuid4(), component=step.component, stage=step.stage, steps=[step], version=walk.version
        )
        walk = walkthrough_finish(walkthrough=walk, version=walk.version, next_move="Try a class meeting.", teacher_note=shared, private_note=private)
    return walk


@pytest.fixture
def walks(content, district):
    d = district
    return {
        "coach_on_maria": finished(d.coach, d.teacher, private="PRIVATE-COACH", shared="SHARED-NOTE"),
        "coach_on_grace": finished(d.coach, d.lkw_teacher),
        "lkw_coach_on_grace": finished(d.lkw_coach, d.lkw_teacher),
        "unfinished_on_maria": finished(d.coach, d.teacher, complete=False),
        "maria_self": finished(d.teacher_user, d.teacher, kind=Walkthrough.Kind.SELF, private="PRIVATE-SELF"),
    }


@pytest.mark.parametrize(
    "viewer,expected",
    [
        # a coach: the walkthroughs they wrote, finished or not
        ("coach", {"coach_on_maria", "coach_on_grace", "unfinished_on_maria"}),
        ("lkw_coach", {"lkw_coach_on_grace"}),
        # a teacher: finished coach walkthroughs about them, and their own self-reflections
        ("teacher_user", {"coach_on_maria", "maria_self"}),
        # a principal: finished coach walkthroughs of their campus's teachers
        ("principal", {"coach_on_maria"}),
        ("lkw_principal", {"coach_on_grace", "lkw_coach_on_grace"}),
        # a district leader: every finished coach walkthrough, no self-reflection
        ("leader", {"coach_on_maria", "coach_on_grace", "lkw_coach_on_grace"}),
        ("admin", set()),
    ],
)
def test_who_sees_which_walkthrough(walks, district, viewer, expected):
    visible = set(Walkthrough.objects.visible_to(district.user(viewer)).values_list("pk", flat=True))
    assert visible == {walks[name].pk for name in expected}


@pytest.mark.parametrize("viewer", ["teacher_user", "principal", "leader"])
def test_the_private_note_never_reaches_anyone_but_its_observer(client, walks, district, viewer):
    client.force_login(district.user(viewer))
    body = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    assert "SHARED-NOTE" in body  # the shared part is there
    assert "PRIVATE-COACH" not in body


def test_the_observer_reads_their_private_note_on_the_teacher_page(client, walks, district):
    client.force_login(district.coach)
    body = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    assert "PRIVATE-COACH" in body and "only you see this" in body
    assert "PRIVATE-SELF" not in body  # the teacher's self-reflection is theirs


def test_a_teacher_reads_their_own_self_reflection_notes(client, walks, district):
    client.force_login(district.teacher_user)
    body = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    assert "PRIVATE-SELF" in body and "Self-reflection" in body


def test_notes_are_escaped(client, content, district):
    finished(district.coach, district.teacher, shared='<script>alert("x")</script>')
    client.force_login(district.principal)
    body = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body and '<script>alert("x")' not in body


def test_the_admin_site_does_not_expose_walkthroughs_or_their_private_notes():
    from django.contrib import admin

    from observations.models import Answer, WalkthroughChange

    assert not any(admin.site.is_registered(model) for model in (Walkthrough, Answer, WalkthroughChange))


@pytest.mark.parametrize("viewer", ["coach", "lkw_coach", "teacher_user", "principal", "lkw_principal", "leader", "admin"])
def test_shared_with_is_the_visible_finished_coach_walkthroughs(walks, district, viewer):
    """The dashboard reads `shared_with`, a rewrite of `visible_to` for its covering index: it must
    pick exactly the finished coach walkthroughs `visible_to` lets this viewer see, blind rule included."""
    from tests.walks import plan_walk, walked

    d = district
    walk = plan_walk(d, observers=[d.coach, d.principal, d.leader])
    walked(d.principal, d.oak_teacher, walk, in_place=4)  # blind to the coach and the leader until they submit
    walked(d.coach, d.teacher, walk, in_place=2)
    walked(d.leader, d.teacher, walk, in_place=3, finish=False)
    user = district.user(viewer)
    visible = Walkthrough.objects.visible_to(user).filter(kind="coach", status="complete")
    shared = Walkthrough.objects.shared_with(user)
    assert set(shared.values_list("pk", flat=True)) == set(visible.values_list("pk", flat=True))
    assert Walkthrough.objects.filter(kind="coach", status="complete").count() == 5  # every case is there to choose from
