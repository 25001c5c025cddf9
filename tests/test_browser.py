"""In Debian's Chromium at tablet and phone sizes."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_progressions", verbosity=0)
    return live_server.url


def test_a_coach_reads_an_action_and_its_next_move_on_a_tablet(site, tablet):
    tablet.goto(f"{site}/progressions/flex/")
    tablet.get_by_role("link", name="Differentiated").click()
    action = tablet.locator("#differentiated-3")
    assert action.locator(".action-text").inner_text().endswith(
        "Workshops are attended based on data from pre-assessments or embedded check(s) for understanding on their playlist."
    )
    move = action.locator(".next-move")
    assert "Create a system or schedule for teacher-led workshops aligned to the learning goal(s) of the week." in move.inner_text()
    # Side by side on a tablet: the next move sits to the right of its action, both in view.
    text_box, move_box = action.locator(".action-text").bounding_box(), move.bounding_box()
    assert move_box["x"] > text_box["x"] + text_box["width"] - 1
    assert action.is_visible() and 0 <= text_box["y"] < 1024


def test_on_a_phone_the_next_move_stacks_under_its_action(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{site}/progressions/flex/")
    action = page.locator("#foundation-1")
    text_box, move_box = action.locator(".action-text").bounding_box(), action.locator(".next-move").bounding_box()
    assert move_box["y"] >= text_box["y"] + text_box["height"] - 1
    assert action.get_by_text("Possible next move to take").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows sideways
    context.close()


@pytest.mark.parametrize(
    "path", ["/", "/progressions/flex/", "/progressions/enriched-virtual/", "/action-steps/driver-model/", "/accounts/login/"]
)
def test_pages_pass_automated_accessibility_checks(site, tablet, path):
    """axe-core: contrast (AA), landmarks, headings, labels, link names."""
    tablet.goto(f"{site}{path}")
    results = Axe().run(tablet)
    assert results.violations_count == 0, results.generate_report()


def test_keyboard_users_can_skip_to_the_content(site, tablet):
    tablet.goto(f"{site}/progressions/flex/")
    tablet.keyboard.press("Tab")
    focused = tablet.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    tablet.keyboard.press("Enter")
    assert tablet.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("width,side_by_side", [(1280, True), (768, False)])
def test_driver_model_stages_sit_side_by_side_only_on_wide_screens(site, browser, width, side_by_side):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/action-steps/driver-model/#culture")
    stages = page.locator("#culture .stage")
    assert stages.count() == 3
    boxes = [stages.nth(i).bounding_box() for i in range(3)]
    same_row = boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"]
    assert same_row is side_by_side
    assert "LE.1" in page.locator("#culture .leap").inner_text()
    context.close()


@pytest.fixture
def demo_site(live_server, transactional_db):
    from people.demo import DEMO_PASSWORD, DEMO_ROSTER
    from people.models import User
    from people.roster import read_roster
    from people.services import roster_import

    call_command("load_progressions", verbosity=0)
    roster_import(rows=read_roster(DEMO_ROSTER.encode()))
    coach = User.objects.get(username="demo-coach")
    coach.set_password(DEMO_PASSWORD)
    coach.save()
    return live_server.url


def test_a_coach_signs_in_and_finds_a_teacher_as_they_type(demo_site, tablet):
    problems = []
    tablet.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    tablet.goto(f"{demo_site}/teachers/")
    assert "/accounts/login/" in tablet.url
    tablet.get_by_label("Username").fill("demo-coach")
    tablet.get_by_label("Password").fill("plcoach-demo")
    tablet.get_by_role("button", name="Sign in").click()
    tablet.wait_for_url(f"{demo_site}/teachers/")
    assert tablet.locator("#results li").count() == 12

    tablet.evaluate("window.notReloaded = true")
    tablet.get_by_label("Find a teacher").fill("kim")
    expect(tablet.locator("#results li")).to_have_count(1)  # a locator wait: the CSP forbids eval
    assert tablet.locator("#results li").inner_text().startswith("Grace Kim")
    assert tablet.evaluate("window.notReloaded") is True  # swapped in by htmx, no page load
    assert tablet.url.endswith("/teachers/?q=kim")  # the address can be shared or reloaded
    assert problems == []  # nothing refused by the Content-Security-Policy, no script errors
