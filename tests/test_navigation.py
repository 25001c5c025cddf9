"""The main navigation: each page marks the part of the site it belongs to, and names the account link."""

import re

import pytest
from django.urls import reverse


def nav_links(client, user, url: str) -> dict[str, bool]:
    """Each link of the main navigation: whether it is marked as where the page is."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    nav = response.content.decode().split('<ul role="list" class="nav-links">')[1].split("</ul>")[0]
    return {text: "aria-current" in attrs for attrs, text in re.findall(r"<a ([^>]*)>([^<]+)</a>", nav)}


@pytest.mark.parametrize(
    "url, marked",
    [
        (reverse("observations:walkthrough-list"), "Walkthroughs"),
        (reverse("observations:walkthrough-new"), "Walkthroughs"),
        (reverse("people:teacher-list"), "Teachers"),
        (reverse("observations:walk-list"), "Walks"),
        (reverse("dashboard:pauses"), "Dashboard"),
        (reverse("password_change"), "Account: Dana"),
    ],
)
def test_the_page_marks_its_own_part_of_the_site_and_no_other(client, content, district, url, marked):
    district.leader.first_name = "Dana"
    district.leader.save()
    links = nav_links(client, district.leader, url)
    assert [text for text, current in links.items() if current] == [marked], links


def test_a_content_page_marks_none_and_the_account_link_says_what_it_is(client, content, district):
    links = nav_links(client, district.coach, "/")
    assert not any(links.values())
    assert f"Account: {district.coach.first_name}" in links


def test_a_teacher_is_offered_their_own_page_not_a_list_of_one(client, content, district):
    links = nav_links(client, district.teacher_user, reverse("people:teacher", args=[district.teacher.pk]))
    assert "Teachers" not in links and links["My coaching"] is True
    body = client.get("/").content.decode()
    assert f'href="{reverse("people:teacher", args=[district.teacher.pk])}">My coaching</a>' in body
