"""Pages on a phone (390x844) in Debian's Chromium, for a district leader on a small seeded district:
no page wider than the screen, and a header of one row."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from observations.models import ProgressionWalk
from people.models import Campus, Teacher, User
from tests.reporting import flex_walkthrough, signed_in_page

pytestmark = pytest.mark.browser
PHONE = (390, 844)


@pytest.fixture
def leader_phone(live_server, transactional_db, browser):
    seeded = {"campuses": 2, "teachers": 24, "walkthroughs": 400, "seed": 3}
    call_command("seed_demo", force=True, stdout=StringIO(), stderr=StringIO(), **seeded)
    page = signed_in_page(browser, Client(), live_server, User.objects.get(username="sd-leader-1"), viewport=PHONE)
    yield page
    page.context.close()


def test_no_page_is_wider_than_the_phone_and_the_header_is_one_row(leader_phone, live_server):
    page = leader_phone
    campus, walk = Campus.objects.order_by("code").first(), ProgressionWalk.objects.order_by("-date").first()
    teacher = Teacher.objects.filter(campus=campus).first()
    word = "Donaudampfschifffahrtsgesellschaftskapitaenswitwe" * 3  # one long word in every note must wrap too
    noted = flex_walkthrough(User.objects.get(username="sd-leader-1"), teacher, evidence=word, next_move=word, teacher_note=word)
    paths = ["/", "/progressions/flex/", "/walkthroughs/", "/teachers/", f"/teachers/{teacher.pk}/", "/walks/", noted.get_absolute_url(),
             f"/walks/{walk.pk}/", f"/walks/{walk.pk}/debrief/", f"/walks/{walk.pk}/debrief/print/", "/dashboard/",
             "/dashboard/coverage/", "/dashboard/trends/", f"/campuses/{campus.code}/summary/",
             f"/teachers/{teacher.pk}/summary/"]  # fmt: skip
    too_wide = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE[0]:
            too_wide[path] = width
        header = page.locator(".site-header")
        if header.count():
            assert header.bounding_box()["height"] <= 64, path
    assert too_wide == {}
    assert page.console_errors == []


def test_on_a_phone_charts_keep_legible_text_and_wide_tables_say_they_scroll(leader_phone, live_server):
    """Shrunk to the screen, a chart's 10px labels came out under 6px: it keeps a legible size and
    scrolls sideways instead, as the per-campus trends table does, which says so."""
    page = leader_phone
    for path in ("/dashboard/", "/dashboard/trends/"):
        page.goto(live_server.url + path)
        label = page.locator("svg.chart text").first.bounding_box()
        assert label["height"] >= 8.5, path
        scroller = page.locator(".chart-scroll").first
        assert scroller.evaluate("e => e.scrollWidth > e.clientWidth"), path
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0], path
    assert page.get_by_text("A column per month: scroll the table sideways for the later months.").is_visible()
    page.set_viewport_size({"width": 1024, "height": 768})
    assert not page.get_by_text("A column per month: scroll the table sideways").is_visible()
    assert page.locator("svg.chart text").first.bounding_box()["height"] >= 8.5
