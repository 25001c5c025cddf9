"""The dashboard printed: where classrooms pause, coverage and trends, each as a print page and a
PDF, with the page's filters and access rule (principals their campus, district leaders every
campus or one)."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dashboard.filters import Choices, DateFilters
from observations.models import Walkthrough
from people.models import Teacher
from tests.reporting import flex_walkthrough, pdf_links, pdf_pages, pdf_text

HOSTILE = '<script>alert(1)</script><img src="http://example.com/x.png">'


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def walks(content, district):
    """OAK: Maria at Foundation 5 (earlier Foundation 3), James at Foundation 2, with a private
    note; LKW: Grace at Foundation 4."""
    d = district
    flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=days_ago(40), next_move="Set goals together.")
    flex_walkthrough(d.coach, d.teacher, in_place=4, observed_at=days_ago(10), next_move="Post the station rules.")
    flex_walkthrough(d.coach, d.oak_teacher, in_place=1, observed_at=days_ago(3), next_move="Post the station rules.",
                     private_note="PRIVATE-NOTE")  # fmt: skip
    flex_walkthrough(d.coach, d.lkw_teacher, in_place=3, observed_at=days_ago(5), next_move="LKW-ONLY-MOVE")


def pdf(client, user, name="reports:dashboard-pauses-pdf", **params):
    client.force_login(user)
    response = client.get(reverse(name), params)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response


def test_a_principal_prints_their_campus_pauses_and_next_moves(client, walks, district):
    response = pdf(client, district.principal)
    text = pdf_text(response.content)
    today = timezone.localdate()
    start = DateFilters(QueryDict(), Choices.for_viewer(district.principal)).default_start(today)  # the page's own default
    assert "Where classrooms pause" in text and "Campuses Oak Cliff Elementary" in text
    assert f"Dates {start:%-d %b %Y} to {today:%-d %b %Y}" in text
    assert "2 classrooms: each classroom's latest walkthrough in these dates." in text
    words = {w.pause_number: " ".join(w.pause_text.split()) for w in Walkthrough.objects.filter(teacher__campus=district.oak)}
    flat = " ".join(text.split())
    assert f"Foundation 5 {words[5]} 1" in flat and f"Foundation 2 {words[2]} 1" in flat  # each pause with its action
    assert "Foundation 3" not in text  # Maria's latest only
    assert "Post the station rules. (2 classrooms)" in text
    assert "LKW-ONLY-MOVE" not in text and "Lakewood" not in text and "PRIVATE" not in text
    filename = f"where-classrooms-pause-oak-{start:%Y-%m-%d}-{today:%Y-%m-%d}.pdf"
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert set(response["Cache-Control"].split(", ")) == {"no-store", "private"}  # coaching records: never cached


def test_a_leader_prints_the_campus_and_filters_chosen_on_the_dashboard(client, walks, district):
    client.force_login(district.leader)
    page = client.get(reverse("dashboard:pauses"), {"campus": "LKW", "subject": "Math"}).content.decode()
    print_url = reverse("reports:dashboard-pauses") + "?campus=LKW&amp;subject=Math"
    assert f'href="{print_url}"' in page  # the dashboard links its print page with the same filters
    body = client.get(reverse("reports:dashboard-pauses"), {"campus": "LKW", "subject": "Math"}).content.decode()
    assert f'href="{reverse("reports:dashboard-pauses-pdf")}?campus=LKW&amp;subject=Math"' in body
    assert f'href="{reverse("dashboard:pauses")}?campus=LKW&amp;subject=Math"' in body  # back, as it was
    text = pdf_text(pdf(client, district.leader, campus="LKW", subject="Math").content)
    assert "Campuses Lakewood" in text and "Subject Math" in text and "LKW-ONLY-MOVE" in text
    assert "1 classroom:" in text and "Post the station rules." not in text
    every = pdf_text(pdf(client, district.leader).content)
    assert "Campuses Every campus" in every and "3 classrooms" in every


PRINTED = [
    "reports:dashboard-pauses", "reports:dashboard-pauses-pdf", "reports:dashboard-coverage", "reports:dashboard-coverage-pdf",
    "reports:dashboard-trends", "reports:dashboard-trends-pdf",
]  # fmt: skip
BAD_FILTERS = {  # one each page's own, as the dashboard page says it
    "pauses": ({"start": "2026-02-30"}, "From: Enter a valid date."),
    "coverage": ({"days": "0"}, "Days to look back: Ensure"),
    "trends": ({"progression": "nope"}, "Progression: Select a valid choice."),
}
# The dashboard page's own queries (tests/test_dashboard_pages.py); on PostgreSQL a leader's trends
# read the pause tallies, and ask whether they count in this time zone.
QUERIES = {"pauses": 7, "coverage": 8, "trends": 11 if connection.vendor == "postgresql" else 9}


def page_of(name: str) -> str:
    return name.split("-")[1]


@pytest.mark.parametrize("name", PRINTED)
def test_a_bad_filter_is_a_400_print_page_that_says_which_and_why(client, walks, district, name):
    client.force_login(district.principal)
    response = client.get(reverse(name), {"campus": "LKW"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "LKW is not one of the available choices" in body and "LKW-ONLY-MOVE" not in body
    bad, message = BAD_FILTERS[page_of(name)]
    response = client.get(reverse(name), bad)
    assert response.status_code == 400 and message in response.content.decode()


def test_hostile_next_moves_print_literally(client, content, district):
    flex_walkthrough(district.coach, district.teacher, next_move=HOSTILE)
    client.force_login(district.principal)
    body = client.get(reverse("reports:dashboard-pauses")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body and "<img" not in body
    assert HOSTILE in pdf_text(pdf(client, district.principal).content)


def test_nothing_walked_prints_a_plain_page(client, content, district):
    text = pdf_text(pdf(client, district.principal).content)
    assert "No finished coach walkthroughs on a progression in these dates and filters." in text


@pytest.mark.parametrize("name,queries", [(name, QUERIES[page_of(name)]) for name in PRINTED])
def test_query_count_is_the_same_with_more_walkthroughs(client, content, district, django_assert_num_queries, name, queries):
    """The dashboard page's own queries: session, user, roles, the campus and teacher choices, then
    the pauses' progressions and counts, coverage's visits and last walkthroughs, or the trends'."""
    d = district
    flex_walkthrough(d.coach, d.teacher, in_place=1, observed_at=days_ago(3))
    client.force_login(d.leader)
    url = reverse(name)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    for teacher in Teacher.objects.all():
        for n in range(3):
            flex_walkthrough(d.coach, teacher, in_place=n + 2, observed_at=days_ago(2 + 20 * n), next_move=f"Move {n}")
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_a_principal_prints_their_campus_coverage_fewest_visits_first(client, walks, district):
    """Oak Cliff, the last 30 days: Maria visited once (10 days ago), James once (3 days ago), the
    others not; nothing of Lakewood. Teacher names are plain text: a link in a PDF leads nowhere."""
    response = pdf(client, district.principal, "reports:dashboard-coverage-pdf")
    text = pdf_text(response.content)
    oak = Teacher.objects.filter(campus=district.oak)
    assert "Coverage" in text and "Campuses Oak Cliff Elementary" in text and "Looking back 30 days" in text
    assert f"No walkthrough in the last 30 days: {oak.count() - 2} of {oak.count()} teachers" in text
    assert "Oak Cliff Elementary: each teacher's visits in the last 30 days, fewest first" in text
    unvisited = oak.exclude(pk__in=[district.teacher.pk, district.oak_teacher.pk]).order_by("last_name").first()
    assert text.index(unvisited.name) < text.index("Maria Alvarez")  # fewest visits first
    assert "Grace" not in text and "Lakewood" not in text
    assert not [link for link in pdf_links(response.content) if "plcoach.invalid" in link]  # no link that leads nowhere
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'inline; filename="coverage-oak-30-days-{today:%Y-%m-%d}.pdf"'


def test_a_leader_prints_the_coverage_chosen_on_the_dashboard(client, walks, district):
    client.force_login(district.leader)
    page = client.get(reverse("dashboard:coverage"), {"campus": "LKW", "days": "7"}).content.decode()
    assert f'href="{reverse("reports:dashboard-coverage")}?campus=LKW&amp;days=7"' in page
    body = client.get(reverse("reports:dashboard-coverage"), {"campus": "LKW", "days": "7"}).content.decode()
    assert f'href="{reverse("reports:dashboard-coverage-pdf")}?campus=LKW&amp;days=7"' in body
    assert f'href="{reverse("people:teacher", args=[district.lkw_teacher.pk])}"' in body  # on screen, names link
    text = pdf_text(pdf(client, district.leader, "reports:dashboard-coverage-pdf", campus="LKW", days="7").content)
    assert "Campuses Lakewood" in text and "Looking back 7 days" in text and district.lkw_teacher.name in text
    assert "Maria Alvarez" not in text
    every = pdf_text(pdf(client, district.leader, "reports:dashboard-coverage-pdf").content)
    assert "Campuses Every campus" in every and "Oak Cliff Elementary" in every and "Lakewood" in every


def test_a_hostile_teacher_name_prints_literally(client, content, district):
    Teacher.objects.filter(pk=district.oak_teacher.pk).update(first_name=HOSTILE)
    client.force_login(district.principal)
    body = client.get(reverse("reports:dashboard-coverage")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body and '<img src="http' not in body
    text = pdf_text(pdf(client, district.principal, "reports:dashboard-coverage-pdf").content)
    assert HOSTILE.replace(" ", "") in text.replace(" ", "")  # literally, wrapped in its narrow cell


def test_a_leader_prints_the_trends_with_each_campus_on_landscape_pages(client, walks, district):
    client.force_login(district.leader)
    page = client.get(reverse("dashboard:trends"), {"progression": "flex"}).content.decode()
    assert f'href="{reverse("reports:dashboard-trends")}?progression=flex"' in page
    response = pdf(client, district.leader, "reports:dashboard-trends-pdf", progression="flex")
    pages = pdf_pages(response.content)
    text = " ".join(pages)
    assert "Trends" in text and "Campuses Every campus" in text
    assert "Flex Model: median pause position per month" in text and "MONTH DISTRICT" in text
    assert f"{timezone.localdate():%b %Y}" in text
    per_campus = next(i for i, page in enumerate(pages) if "Per campus" in page)
    assert "Lakewood Middle School" in pages[per_campus] and "Oak Cliff Elementary" in pages[per_campus]
    assert "scroll the table sideways" not in text  # said on screen only
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(BytesIO(response.content)).pages]
    assert sizes[0][0] < sizes[0][1] and sizes[per_campus][0] > sizes[per_campus][1]  # portrait, then the wide table landscape
    assert re.fullmatch(rf'inline; filename="trends-flex-\d{{4}}-\d{{2}}-{timezone.localdate():%Y-%m}.pdf"', response["Content-Disposition"])


def test_a_principal_prints_their_campus_trends_only(client, walks, district):
    text = pdf_text(pdf(client, district.principal, "reports:dashboard-trends-pdf", progression="flex").content)
    assert "Campuses Oak Cliff Elementary" in text and "MONTH OAK CLIFF ELEMENTARY" in text
    assert "DISTRICT" not in text and "Lakewood" not in text and "Per campus" not in text


def test_a_long_range_prints_the_campuses_a_year_to_a_table(client, walks, district):
    """Sixty months in one table ran off a landscape page: the print page cuts them into tables
    of a year each, the last ending with this month; the screen keeps one table that scrolls."""
    client.force_login(district.leader)
    params = {"progression": "flex", "start": "2021-12-01"}
    screen = client.get(reverse("dashboard:trends"), params).content.decode()
    assert screen.split('id="campus-heading"')[1].count("<table") == 1
    body = client.get(reverse("reports:dashboard-trends"), params).content.decode()
    tables = body.split('id="campus-heading"')[1].split("<table")[1:]
    assert len(tables) == 5 and all(t.split("</thead>")[0].count('class="number"') == 12 for t in tables)
    last = f"{timezone.localdate():%b %Y}"
    assert f"<caption>Dec 2021 to Nov 2022</caption>" in tables[0] and tables[-1].split("</caption>")[0].endswith(f"to {last}")
    text = pdf_text(pdf(client, district.leader, "reports:dashboard-trends-pdf", **params).content)
    assert "Dec 2021 to Nov 2022" in text and f"to {last} CAMPUS" in text


def test_coverage_with_no_teacher_in_the_filters_says_so_once(client, walks, district):
    text = pdf_text(pdf(client, district.leader, "reports:dashboard-coverage-pdf", campus="LKW", grade_band="K-2").content)
    assert "No teachers match these filters." in text
    assert "Every teacher had a walkthrough" not in text and "0 of 0 teachers" not in text


def test_trends_with_no_progression_loaded_say_so(client, district):
    client.force_login(district.leader)
    for name in ("dashboard:trends", "reports:dashboard-trends"):
        body = client.get(reverse(name)).content.decode()
        assert "No progression is loaded yet, so there is nothing to follow over the months." in body
        assert ": median pause position per month" not in body and "Position counts" not in body
