"""Progression walks in Debian's Chromium on a tablet (768x1024): a district leader plans a walk and
edits it, and the observer they added logs a walkthrough in it from the walk page."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from observations.models import ProgressionWalk, Walkthrough
from tests.reporting import signed_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_progressions", verbosity=0)
    return live_server


@pytest.fixture
def tablet_as(site, browser):
    """Opens a tablet signed in as a user; each gets its own client, so each session stays signed in."""
    pages = []

    def open_as(user):
        pages.append(signed_in_page(browser, Client(), site, user, viewport=(768, 1024)))
        return pages[-1]

    yield open_as
    for page in pages:
        page.context.close()


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def follow(page, link: str) -> None:
    page.get_by_role("link", name=link).click()
    page.wait_for_load_state("load")  # htmx binds at load: a tap before it would be a plain post


def submit(page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")


def test_a_leader_plans_and_edits_a_walk_and_the_observer_added_logs_a_walkthrough_in_it(site, district, tablet_as):
    leader = tablet_as(district.leader)
    leader.goto(f"{site.url}/walks/")
    follow(leader, "Plan a walk")
    expect(leader.get_by_role("heading", level=1)).to_have_text("Plan a progression walk")
    assert_accessible(leader)
    leader.get_by_label("Date").fill(date.today().isoformat())
    leader.get_by_label("Purpose").fill("Foundation: directions at every station")
    leader.get_by_label("Norms").fill("Five minutes a room.\nNo talking to students.")
    leader.get_by_label("Oak Cliff Elementary").check()
    leader.get_by_label("Priya Shah").check()
    submit(leader, "Plan the walk")
    expect(leader.get_by_role("heading", level=1)).to_have_text("Foundation: directions at every station")
    expect(leader.locator(".messages")).to_contain_text("Walk planned.")
    walk = ProgressionWalk.objects.get()
    assert list(walk.observers.values_list("username", flat=True)) == ["demo-coach"]
    assert_accessible(leader)

    follow(leader, "Edit walk")  # only district leaders see the link
    expect(leader.get_by_role("heading", level=1)).to_have_text("Edit the walk")
    expect(leader.get_by_label("Purpose")).to_have_value("Foundation: directions at every station")
    expect(leader.get_by_label("Priya Shah")).to_be_checked()
    expect(leader.get_by_label("Robert Hayes")).not_to_be_checked()
    assert_accessible(leader)
    leader.get_by_label("Robert Hayes").check()
    submit(leader, "Save the walk")
    expect(leader.locator(".messages")).to_contain_text("Walk saved.")
    expect(leader.locator(".facts")).to_contain_text("Robert Hayes, Priya Shah")  # by last name
    assert sorted(walk.observers.values_list("username", flat=True)) == ["demo-coach", "demo-principal"]

    principal = tablet_as(district.principal)  # the observer just added
    principal.goto(site.url + walk.get_absolute_url())
    expect(principal.get_by_role("link", name="Edit walk")).to_have_count(0)
    follow(principal, "Log a walkthrough in this walk")
    expect(principal.locator(".walk-note")).to_contain_text("Foundation: directions at every station")
    principal.get_by_label("1. Which teacher?").fill("brooks")  # htmx type-ahead, narrowed to the walk's campuses
    principal.locator("#teacher-choices").get_by_role("link", name="James Brooks").click()
    principal.get_by_role("link", name="Flex Model").click()
    principal.get_by_label("Blended-learning model seen in the room").select_option(label="Station Rotation")
    assert_accessible(principal)
    principal.get_by_role("button", name="Start the walkthrough").click()
    expect(principal.locator("#walk")).to_be_visible()
    principal.wait_for_load_state("load")
    for number in (1, 2):
        expect(principal.locator(".question-text .action-number")).to_have_text(str(number))
        principal.get_by_role("button", name="In place").click()
    expect(principal.locator(".question-text .action-number")).to_have_text("3")
    principal.get_by_role("button", name="Not yet").click()
    expect(principal.locator(".pause").get_by_role("heading", name="Progression pause: Foundation 3")).to_be_visible()
    assert_accessible(principal)

    principal.goto(site.url + walk.get_absolute_url())
    card = principal.locator(".walkthrough.card")
    expect(card).to_have_count(1)
    expect(card.get_by_role("link")).to_have_text("James Brooks, Flex Model: Foundation 3")
    expect(card).to_contain_text("by Robert Hayes")
    expect(card).to_contain_text("Station Rotation")
    assert_accessible(principal)
    walkthrough = Walkthrough.objects.get()
    assert (walkthrough.walk, walkthrough.observer, walkthrough.model_seen) == (walk, district.principal, "station_rotation")
    assert walkthrough.is_open  # paused, not finished yet

    # The leader closes logging: the observer finishes what they started but starts nothing new in the walk.
    leader.reload()
    submit(leader, "Close logging now")
    expect(leader.locator(".messages")).to_contain_text("Logging closed")
    expect(leader.locator(".walk-logging")).to_contain_text("Closed for logging by Angela Foster")
    assert_accessible(leader)
    principal.reload()
    expect(principal.get_by_role("link", name="Log a walkthrough in this walk")).to_have_count(0)
    principal.goto(f"{site.url}/walkthroughs/new/?walk={walk.pk}")
    expect(principal.get_by_role("heading", level=1)).to_have_text("This walk is closed for logging")
    expect(principal.get_by_role("alert")).to_contain_text("ask a district leader to reopen logging")
    assert_accessible(principal)
    assert principal.console_errors == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]
    principal.console_errors.clear()  # that page's own 403, as sent
    principal.goto(site.url + walkthrough.get_absolute_url())
    submit(principal, "Finish walkthrough")
    expect(principal.get_by_role("button", name="Finish walkthrough")).to_have_count(0)  # the finished walkthrough's page
    walkthrough.refresh_from_db()
    assert walkthrough.status == Walkthrough.Status.COMPLETE

    submit(leader, "Reopen logging")
    expect(leader.locator(".walk-logging")).to_contain_text("14 days after the walk")  # its usual window again
    principal.goto(site.url + walk.get_absolute_url())
    expect(principal.get_by_role("link", name="Log a walkthrough in this walk")).to_be_visible()
    assert leader.console_errors == [] and principal.console_errors == []


def test_the_walk_forms_long_lists_narrow_as_one_types_and_keep_what_is_ticked(site, district, tablet_as):
    """A district's hundreds of observers and campuses: a box narrows each list, accents and case
    aside; a ticked choice stays in sight and is sent; without the script the box is not there."""
    leader = tablet_as(district.leader)
    leader.goto(f"{site.url}/walks/new/")
    observers = leader.locator("#observer-choices label.choice")
    total = observers.count()
    leader.get_by_label("Priya Shah").check()
    leader.get_by_label("Find an observer").fill("HAYES")
    expect(observers.filter(has_text="Robert Hayes")).to_be_visible()
    expect(observers.filter(has_text="Priya Shah")).to_be_visible()  # ticked: kept in sight
    assert observers.filter(visible=True).count() == 2 < total
    expect(leader.locator("#observer-count")).to_have_text(f"2 of {total} shown, 1 chosen")
    leader.get_by_label("Find a campus").fill("lakew")
    expect(leader.locator("#campus-choices label.choice").filter(visible=True)).to_have_count(1)
    leader.get_by_label("Lakewood Middle School").check()
    leader.get_by_label("Date").fill(date.today().isoformat())
    leader.get_by_label("Purpose").fill("Narrowed lists")
    submit(leader, "Plan the walk")
    walk = ProgressionWalk.objects.get()
    assert list(walk.campuses.values_list("code", flat=True)) == ["LKW"]
    assert list(walk.observers.values_list("username", flat=True)) == ["demo-coach"]
    assert leader.console_errors == []

    no_script = tablet_as(district.leader)
    no_script.context.route("**/choices*.js", lambda route: route.abort())
    no_script.goto(f"{site.url}/walks/new/")
    expect(no_script.locator("#observer-filter")).to_be_hidden()
    expect(no_script.locator("#observer-choices label.choice")).to_have_count(total)
