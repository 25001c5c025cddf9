"""Teachers reflect on their own classroom: the same walk, kind "self", kept apart from evaluation.

A self-reflection is the teacher's alone: no private-note field (there is no one to hide it
from), listed for the teacher, and invisible to their coach, principal and district leader.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from observations.models import Walkthrough

REFLECT = reverse("observations:reflection-new")


def field(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def start_reflection(client, framework="flex", **extra) -> Walkthrough:
    """Picks the progression on the reflection page and presses Start."""
    page = client.get(REFLECT, {"framework": framework}).content.decode()
    data = {k: field(page, k) for k in ("client_key", "framework", "observed_at")}
    response = client.post(REFLECT, {**data, "start_phase": "foundation", **extra})
    assert response.status_code == 302
    walk = Walkthrough.objects.get(client_key=data["client_key"])
    assert response["Location"] == walk.get_absolute_url()
    return walk


def tap(client, walk, in_place: str) -> None:
    page = client.get(walk.get_absolute_url()).content.decode()
    data = {k: field(page, k) for k in ("client_key", "action", "version")}
    assert (
        client.post(reverse("observations:answer", args=[walk.pk]), {**data, "in_place": in_place}).status_code == 302
    )


def reflect_to_the_pause(client) -> Walkthrough:
    walk = start_reflection(client)
    tap(client, walk, "yes")
    tap(client, walk, "no")
    return walk


def finish(client, walk, teacher_note="") -> None:
    page = client.get(walk.get_absolute_url()).content.decode()
    next_move = re.search(r'<textarea id="next_move"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1)
    data = {"version": field(page, "version"), "next_move": next_move, "teacher_note": teacher_note}
    assert client.post(reverse("observations:finish", args=[walk.pk]), data).status_code == 302


@pytest.fixture
def maria(client, content, district):
    client.force_login(district.teacher_user)
    return district.teacher_user


@pytest.fixture
def reflection(client, maria) -> Walkthrough:
    walk = reflect_to_the_pause(client)
    finish(client, walk, teacher_note="SELF-NOTE: my rotations ran long.")
    return Walkthrough.objects.get(pk=walk.pk)


def test_a_teacher_picks_a_progression_to_reflect_on(client, maria):
    page = client.get(REFLECT).content.decode()
    assert "Reflect on your practice" in page and "Which teacher?" not in page
    # The promise test_nobody_else_sees_a_self_reflection holds the app to.
    assert "Your self-reflections are yours alone: your coach, principal and district leaders do not see them." in page
    assert f'href="{REFLECT}?framework=flex"' in page and f'href="{REFLECT}?framework=enriched-virtual"' in page
    page = client.get(REFLECT, {"framework": "flex"}).content.decode()
    assert "Start from which phase?" in page and "Start reflecting" in page


def test_a_self_reflection_is_about_the_teacher_themself(client, maria, district):
    walk = start_reflection(client, teacher=district.oak_teacher.pk)  # another teacher's id is ignored
    assert walk.kind == Walkthrough.Kind.SELF
    assert (walk.teacher, walk.observer) == (district.teacher, district.teacher_user)
    page = client.get(walk.get_absolute_url()).content.decode()
    assert "Self-reflection" in page and "Action 1 of 29" in page
    assert "what you noticed" in page and "what you saw or heard" not in page  # in the teacher's own words
    assert "Walks</a>" not in page  # a teacher observes on no walk: the menu does not offer them


def test_a_coach_sees_the_walks_in_the_menu(client, content, district):
    client.force_login(district.coach)
    assert "Walks</a>" in client.get(reverse("observations:walkthrough-list")).content.decode()
    client.force_login(district.teacher_user)  # a teacher who opens the walks anyway is told who they are for
    assert "Progression walks are for coaches, principals and district leaders" in client.get(reverse("observations:walk-list")).content.decode()


def test_the_pause_offers_no_private_note(client, maria):
    walk = reflect_to_the_pause(client)
    page = client.get(walk.get_absolute_url()).content.decode()
    assert "Progression pause: Foundation 2" in page and "My next move" in page and "Reflection note" in page
    assert "Finish the reflection" in page and "Finish walkthrough" not in page
    assert 'name="private_note"' not in page and "Private note" not in page


def test_the_finished_reflection_is_on_the_teachers_own_pages(client, reflection, district):
    walk_page = client.get(reflection.get_absolute_url()).content.decode()
    assert reflection.status == Walkthrough.Status.COMPLETE and "Reflection by" in walk_page
    assert "SELF-NOTE" in walk_page and "Private note" not in walk_page
    listing = client.get(reverse("observations:walkthrough-list")).content.decode()
    assert reflection.get_absolute_url() in listing.split("<h2 id=\"finished\">Finished</h2>")[1]
    teacher_page = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    assert reflection.get_absolute_url() in teacher_page and "SELF-NOTE" in teacher_page


def test_an_unfinished_reflection_is_listed_to_resume(client, maria):
    walk = start_reflection(client)
    listing = client.get(reverse("observations:walkthrough-list")).content.decode()
    assert f'<a href="{walk.get_absolute_url()}">Resume: Maria Alvarez, Flex Model</a>' in listing


@pytest.mark.parametrize("viewer", ["principal", "coach", "leader", "lkw_coach"])
def test_nobody_else_sees_a_self_reflection(reflection, district, viewer):
    other = Client()
    other.force_login(getattr(district, viewer))
    assert other.get(reflection.get_absolute_url()).status_code == 404
    teacher_page = other.get(reverse("people:teacher", args=[district.teacher.pk]))
    body = teacher_page.content.decode()
    assert reflection.get_absolute_url() not in body
    assert "SELF-NOTE" not in body and "Self-reflection" not in body
    assert reflection.get_absolute_url() not in other.get(reverse("observations:walkthrough-list")).content.decode()


@pytest.mark.parametrize("viewer", ["coach", "principal", "leader", "admin"])
def test_someone_without_a_teacher_record_cannot_reflect(client, content, district, viewer):
    client.force_login(getattr(district, viewer))
    assert client.get(REFLECT).status_code == 403
    assert client.post(REFLECT, {"framework": "flex"}).status_code == 403
    assert not Walkthrough.objects.exists()


def test_a_reflection_speaks_to_the_teacher_in_its_own_words(client, maria, district):
    """Not a coach's: no "next move you agreed on", no "note for the teacher", no "walkthrough saved"."""
    walk = reflect_to_the_pause(client)
    page = client.get(walk.get_absolute_url()).content.decode()
    url, version = reverse("observations:finish", args=[walk.pk]), field(page, "version")
    refused = client.post(url, {"version": version, "next_move": " ", "teacher_note": ""})
    assert refused.status_code == 400 and "Write the next move you will try (or keep the suggested one)." in refused.content.decode()
    too_long = client.post(url, {"version": version, "next_move": "Try it.", "teacher_note": "x" * 5001})
    assert too_long.status_code == 400 and "The reflection note is longer than 5000 characters." in too_long.content.decode()
    finish(client, walk, teacher_note="Rotations ran long.")
    assert "Reflection saved." in client.get(walk.get_absolute_url()).content.decode()
    teacher_page = client.get(reverse("people:teacher", args=[district.teacher.pk])).content.decode()
    assert '<span class="label">Reflection note:</span> Rotations ran long.' in teacher_page
    assert "Note for the teacher" not in teacher_page


def test_a_teacher_cannot_start_a_coach_walkthrough(client, maria, district):
    new = reverse("observations:walkthrough-new")
    assert client.get(new).status_code == 403
    assert client.post(new, {"teacher": district.teacher.pk, "framework": "flex"}).status_code == 403
    assert not Walkthrough.objects.exists()
