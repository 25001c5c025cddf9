"""The debrief dashboard in Debian's Chromium on a tablet (768x1024), for a principal and a district
leader, on a small seeded district: each page's chart and its figures table, a filter that changes
what is shown, axe-core, and no console error (the CSP forbids eval: waits are locator waits)."""

import re
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from people.models import User
from tests.reporting import signed_in_page

pytestmark = pytest.mark.browser

SEEDED = {"campuses": 2, "teachers": 24, "walkthroughs": 500, "seed": 3}
VIEWERS = {"principal": "sd001-principal-1", "leader": "sd-leader-1"}  # seed_demo's names


@pytest.fixture
def dashboard(live_server, transactional_db, browser, request):
    """A tablet signed in as the seeded principal of the first campus, or a seeded district leader."""
    call_command("seed_demo", force=True, stdout=StringIO(), stderr=StringIO(), **SEEDED)
    page = signed_in_page(browser, Client(), live_server, User.objects.get(username=VIEWERS[request.param]), viewport=(768, 1024))
    page.goto(live_server.url + "/dashboard/")
    yield page
    page.context.close()


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_clean(page) -> None:
    """Accessible, and nothing refused by the CSP or thrown by a script on the way."""
    assert_accessible(page)
    assert page.console_errors == []


def show(page) -> None:
    """Sends the filters: a plain GET form, so a page load."""
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")


def open_tab(page, name: str) -> None:
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name=name).click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("navigation", name="Dashboard").get_by_role("link", name=name)).to_have_attribute("aria-current", "page")


def classrooms(page) -> int:
    """Every classroom counted in the figures tables of the pause page."""
    cells = page.locator("table.figures tbody td.number").all_inner_texts()
    return sum(int(cell) for cell in cells)


@pytest.mark.parametrize("dashboard", ["principal", "leader"], indirect=True)
def test_where_classrooms_pause_draws_each_progression_and_a_filter_narrows_it(dashboard):
    page = dashboard
    expect(page.get_by_role("heading", level=1)).to_have_text("Where classrooms pause")
    chart = page.get_by_role("img", name="Flex Model: where teachers paused")
    expect(chart).to_be_visible()
    figures = page.get_by_role("table", name="Flex Model: classrooms per pause")
    expect(figures).to_be_visible()
    # the table holds the chart's figures: one row per bar
    expect(figures.locator("tbody tr")).to_have_count(chart.locator("rect").count())
    assert_accessible(page)
    everyone = classrooms(page)
    assert everyone > 0
    page.get_by_label("Grade band").select_option("K-2")
    show(page)
    expect(page.locator(".scope")).to_contain_text("grades K-2")
    assert "grade_band=K-2" in page.url  # the address can be shared
    narrowed = classrooms(page)
    assert 0 < narrowed < everyone
    assert_clean(page)
    page.get_by_role("link", name="Print these pauses, or download them as a PDF").click()  # the same filters, to print
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Where classrooms pause")
    expect(page.get_by_role("row", name="Grade band K-2")).to_be_visible()
    assert classrooms(page) == narrowed
    expect(page.get_by_role("link", name="Download PDF")).to_have_attribute("href", re.compile(r"grade_band=K-2"))
    assert_clean(page)


@pytest.mark.parametrize("dashboard", ["principal", "leader"], indirect=True)
def test_coverage_lists_the_teachers_not_visited_and_the_days_filter_changes_it(dashboard):
    page = dashboard
    open_tab(page, "Coverage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coverage")
    expect(page.get_by_role("heading", name="Visits per teacher in the last 30 days")).to_be_visible()
    expect(page.locator("table.figures").first.locator("tbody tr").first).to_be_visible()
    assert_accessible(page)
    unvisited = page.get_by_role("heading", name="No walkthrough in the last 30 days")
    before = unvisited.inner_text()
    page.get_by_label("Days to look back").fill("7")
    show(page)
    after = page.get_by_role("heading", name="No walkthrough in the last 7 days")
    expect(after).to_be_visible()
    assert after.inner_text().split(": ")[1] != before.split(": ")[1]  # more teachers unvisited in a shorter time
    assert_clean(page)
    page.get_by_role("link", name="Print this coverage, or download it as a PDF").click()  # the same filters, to print
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coverage")
    expect(page.get_by_role("heading", name="No walkthrough in the last 7 days")).to_have_text(after.inner_text())
    expect(page.get_by_role("link", name="Download PDF")).to_have_attribute("href", re.compile(r"days=7"))
    assert_clean(page)


@pytest.mark.parametrize("dashboard", ["principal", "leader"], indirect=True)
def test_trends_draw_the_median_per_month_and_a_filter_changes_the_progression(dashboard, request):
    page = dashboard
    open_tab(page, "Trends")
    chosen = page.get_by_label("Progression").locator("option:checked").inner_text()
    expect(page.get_by_role("img", name=f"{chosen}: median pause position per month")).to_be_visible()
    table = page.get_by_role("table", name="Median pause position per month")
    expect(table.locator("tbody tr").first).to_be_visible()
    assert table.locator("tbody tr").count() >= 2  # months
    assert_accessible(page)
    other = next(label for label in page.get_by_label("Progression").locator("option").all_inner_texts() if label != chosen)
    page.get_by_label("Progression").select_option(label=other)
    show(page)
    expect(page.get_by_role("heading", level=2).first).to_have_text(f"{other}: median pause position per month")
    expect(page.get_by_role("img", name=f"{other}: median pause position per month")).to_be_visible()
    assert_clean(page)
    page.get_by_role("link", name="Print these trends, or download them as a PDF").click()  # the same filters, to print
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trends")
    expect(page.get_by_role("img", name=f"{other}: median pause position per month")).to_be_visible()
    per_campus = page.get_by_role("heading", name="Per campus")
    if request.node.callspec.params["dashboard"] == "leader":  # every campus's row, without the screen's hint
        expect(per_campus).to_be_visible()
        expect(page.get_by_role("region", name=re.compile("Median pause position per campus"))).not_to_have_count(0)
        expect(page.locator(".scroll-hint")).to_have_count(0)
    else:  # a principal's trends are their campus's alone
        expect(per_campus).to_have_count(0)
    assert_clean(page)


def test_a_leader_chooses_one_campus_and_sees_its_line_beside_the_district(live_server, transactional_db, browser):
    call_command("seed_demo", force=True, stdout=StringIO(), stderr=StringIO(), **SEEDED)
    leader = User.objects.get(username=VIEWERS["leader"])
    page = signed_in_page(browser, Client(), live_server, leader, viewport=(768, 1024))
    page.goto(live_server.url + "/dashboard/trends/")
    expect(page.get_by_role("heading", name="Per campus")).to_be_visible()  # every campus: a row each
    expect(page.locator(".legend li")).to_have_count(1)
    campus = page.get_by_label("Campus", exact=True).locator("option").nth(1).inner_text()
    page.get_by_label("Campus", exact=True).select_option(label=campus)
    show(page)
    expect(page.locator(".scope")).to_contain_text(campus)
    expect(page.locator(".legend li")).to_have_text(["District", campus])
    expect(page.get_by_role("heading", name="Per campus")).to_have_count(0)
    table = page.get_by_role("table", name="Median pause position per month")
    expect(table.locator("thead th")).to_have_text(["Month", "District", campus])
    assert_clean(page)
    page.context.close()
