"""Discarding an unfinished walkthrough started by mistake: only its observer, only never finished."""

import html
import uuid

import pytest
from django.urls import reverse

from observations.models import Answer, Walkthrough
from observations.services import walkthrough_answer, walkthrough_finish, walkthrough_reopen, walkthrough_start
from progressions.models import Framework


def started(observer, teacher, taps: int = 2) -> Walkthrough:
    walk = walkthrough_start(client_key=uuid.uuid4(), observer=observer, teacher=teacher, framework=Framework.objects.get(slug="flex"))
    for _ in range(taps):
        walk = walkthrough_answer(walkthrough=walk, client_key=uuid.uuid4(), action_id=walk.state.current.pk, in_place=True, version=walk.version)
    return walk


def discard(client, walk, version=None):
    return client.post(reverse("observations:discard", args=[walk.pk]), {"version": walk.version if version is None else version})


@pytest.fixture
def coach(client, content, district):
    client.force_login(district.coach)
    return district.coach


def test_the_observer_discards_an_unfinished_walkthrough_with_its_answers(client, coach, district):
    walk = started(coach, district.oak_teacher)
    page = client.get(walk.get_absolute_url()).content.decode()
    assert f'href="{reverse("observations:discard", args=[walk.pk])}">Started by mistake? Discard it</a>' in page
    confirm = client.get(reverse("observations:discard", args=[walk.pk])).content.decode()
    assert "Discard: James Brooks, Flex Model" in confirm and "Discard it</button>" in confirm
    response = discard(client, walk)
    assert response.status_code == 302 and response["Location"] == reverse("observations:walkthrough-list")
    assert not Walkthrough.objects.filter(pk=walk.pk).exists() and not Answer.objects.exists()
    listing = client.get(response["Location"]).content.decode()
    assert "The walkthrough of James Brooks on Flex Model was discarded." in listing
    assert walk.get_absolute_url() not in listing


def test_the_confirmation_page_opened_again_after_a_discard_says_where_to_go(client, coach, district):
    """Browser Back after a discard: the confirmation page is gone (404), and says what may have happened."""
    walk = started(coach, district.oak_teacher)
    discard(client, walk)
    again = client.get(reverse("observations:discard", args=[walk.pk]))
    body = again.content.decode()
    assert again.status_code == 404 and "was discarded" in body
    assert f'href="{reverse("observations:walkthrough-list")}">Your walkthroughs</a>' in body


def test_a_resent_discard_lands_on_the_list_like_the_first(client, coach, district):
    walk = started(coach, district.oak_teacher)
    discard(client, walk)
    again = discard(client, walk)
    assert again.status_code == 302 and again["Location"] == reverse("observations:walkthrough-list")
    assert "That walkthrough is no longer there." in client.get(again["Location"]).content.decode()


@pytest.mark.parametrize("reopened", [False, True], ids=["finished", "reopened"])
def test_a_walkthrough_finished_once_cannot_be_discarded(client, coach, district, reopened):
    walk = started(coach, district.oak_teacher, taps=0)
    walk = walkthrough_answer(walkthrough=walk, client_key=uuid.uuid4(), action_id=walk.state.current.pk, in_place=False, version=walk.version)
    walk = walkthrough_finish(walkthrough=walk, version=walk.version, next_move="Try it.")
    if reopened:
        walk = walkthrough_reopen(walkthrough=walk, by=coach, version=walk.version)
        assert "Discard it</a>" not in client.get(walk.get_absolute_url()).content.decode()
    response = discard(client, walk)
    assert response.status_code == 409 and "part of the teacher's record" in html.unescape(response.content.decode())
    assert Walkthrough.objects.filter(pk=walk.pk).exists()


def test_a_discard_from_a_stale_page_is_refused(client, coach, district):
    walk = started(coach, district.oak_teacher)
    response = discard(client, walk, version=walk.version - 1)
    assert response.status_code == 409 and "changed in another tab" in response.content.decode()
    assert Walkthrough.objects.filter(pk=walk.pk).exists()
    response = discard(client, walk, version="abc")
    assert response.status_code == 400 and "walkthrough version" in response.content.decode()
    assert Walkthrough.objects.filter(pk=walk.pk).exists()


@pytest.mark.parametrize("intruder", ["principal", "leader", "lkw_coach", "teacher_user"])
def test_nobody_but_the_observer_can_discard(client, content, district, intruder):
    walk = started(district.coach, district.teacher)
    client.force_login(district.user(intruder))
    assert client.get(reverse("observations:discard", args=[walk.pk])).status_code == 404
    response = discard(client, walk)
    assert response.status_code == 302  # said like a walkthrough that is not there: nothing leaks
    assert Walkthrough.objects.get(pk=walk.pk).answers.count() == 2


def test_a_second_discard_that_waited_on_the_first_lands_on_the_list(client, coach, district, monkeypatch):
    """Two sends of Discard: the second reads the walkthrough, then waits on the first one's lock,
    and finds it gone. Forced here by deleting it between the read and the service's lock."""
    import observations.views as views

    walk = started(coach, district.oak_teacher)
    real = views.walkthrough_discard

    def after_the_first_send(*, walkthrough, version):
        Walkthrough.objects.filter(pk=walkthrough.pk).delete()  # the first send's work, done meanwhile
        return real(walkthrough=walkthrough, version=version)

    monkeypatch.setattr(views, "walkthrough_discard", after_the_first_send)
    response = discard(client, walk)
    assert response.status_code == 302 and response["Location"] == reverse("observations:walkthrough-list")
    assert "That walkthrough is no longer there." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("taps", [1, 12])
def test_query_count_is_the_same_however_many_answers(client, coach, district, django_assert_num_queries, taps):
    """The page: session, user, the walkthrough with its teacher and progression, the menu's roles.
    The discard: session, user, the walkthrough, then in a transaction the lock and one delete each
    of its answers, changes, Driver Model feedback and itself: 12 answers cost what 1 does."""
    walk = started(coach, district.oak_teacher, taps=taps)
    with django_assert_num_queries(4):
        assert client.get(reverse("observations:discard", args=[walk.pk])).status_code == 200
    with django_assert_num_queries(10):  # with the transaction's savepoint and release
        assert discard(client, walk).status_code == 302
