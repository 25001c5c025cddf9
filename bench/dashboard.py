"""The debrief dashboard's pages on a seeded district, as a district leader and as a principal.

Usage: tests/postgres.sh .venv/bin/python bench/dashboard.py [--full] [--reuse]
Seeds a 1/10-scale district (23 campuses, 1,000 teachers, 100,000 walkthroughs) with seed_demo;
--full (or DASHBOARD_SCALE=full) seeds the issue's district: 230 campuses, 10,000 teachers, 1,000,000.
Times each page's server time (median of 20 requests, Django's test client, no network) with its
query count, then prints the key lines of EXPLAIN ANALYZE for the main queries (bench/INDEXES.md
records what they led to). Target (issue 6): each page < 300 ms. Then, in the same district, the
other pages a leader and a principal open (the teacher list and page, a walkthrough, the campus
summary, a progression walk and its debrief, planning one), held to the same 300 ms: the district
leader observes on some seventy of the seeded walks, so the blind rule is at work on every page.
Last, the dashboard's pages as PDFs, held to 5 s.
--reuse keeps a district already seeded in DATABASE_URL (to try an index or a query again
without seeding a million walkthroughs each time).
"""

import os
import sys
import time
from datetime import timedelta
from io import BytesIO

from content import report  # sets up Django for a benchmark run  # isort: skip

from django.core.management import call_command
from django.db.models import Count
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dashboard import queries
from dashboard.filters import Scope
from observations.models import ProgressionWalk, Walkthrough
from people.models import Campus, Role, User
from progressions.models import Framework

REUSE = "--reuse" in sys.argv
FULL = "--full" in sys.argv or os.environ.get("DASHBOARD_SCALE") == "full"
SCALE = (230, 10_000, 1_000_000) if FULL else (23, 1_000, 100_000)
REQUESTS = 20
TARGET_MS = 300
PLAN_WORDS = ("Scan", "Sort", "Join", "Aggregate", "WindowAgg", "Unique", "Execution Time", "Planning Time")


def pages(campus: Campus) -> list[tuple[str, str]]:
    return [
        ("pauses, last 90 days", reverse("dashboard:pauses")),
        ("pauses, a campus, grades 3-5", reverse("dashboard:pauses") + f"?campus={campus.code}&grade_band=3-5"),
        ("coverage, 30 days", reverse("dashboard:coverage")),
        ("trends, 12 months (Flex, the most walked)", reverse("dashboard:trends") + "?progression=flex"),
        ("trends, as opened: the most walked found first", reverse("dashboard:trends")),
        ("trends, a campus and the district", reverse("dashboard:trends") + f"?campus={campus.code}&progression=flex"),
        ("CSV export, last 90 days: until the download starts", reverse("dashboard:export")),
    ]


def other_pages(user: User, campus: Campus) -> list[tuple[str, str]]:
    """The pages outside the dashboard, on the district's biggest rows this user may open."""
    teacher = (
        Walkthrough.objects.shared_with(user).filter(teacher__campus=campus)
        .values("teacher_id").annotate(n=Count("pk")).order_by("-n").values_list("teacher_id", flat=True)[0]
    )  # fmt: skip
    pages = [
        ("teacher list", reverse("people:teacher-list")),
        ("teacher list, a search", reverse("people:teacher-list") + "?q=garcia"),
        ("the most visited teacher's page", reverse("people:teacher", args=[teacher])),
        ("campus summary", reverse("reports:campus", args=[campus.code])),
    ]
    walk = ProgressionWalk.objects.visible_to(user).annotate(n=Count("walkthroughs")).order_by("-n").first()
    if walk is not None:  # a principal is on none of the seeded walks
        rating = Walkthrough.objects.visible_to(user).filter(walk=walk).exclude(observer=user).first()
        pages += [
            ("a walkthrough on a walk, another observer's", reverse("observations:walkthrough", args=[rating.pk])),
            ("the biggest walk", reverse("observations:walk", args=[walk.pk])),
            ("its debrief", reverse("observations:walk-debrief", args=[walk.pk])),
        ]
    if user.has_role(Role.Kind.DISTRICT_LEADER):
        pages.append(("planning a walk", reverse("observations:walk-new")))
    return pages


def fetch(client: Client, url: str) -> int:
    """A page's size; for a download (streamed), its first chunk's: the time until the download starts."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        first = len(next(iter(response.streaming_content)))
        response.close()
        return first
    return len(response.content)


def time_download(client: Client, url: str) -> None:
    """The whole export is not a page (the browser saves it as it streams): its own figure, in rows per second."""
    start = time.perf_counter()
    response = client.get(url)
    size = lines = 0
    for chunk in response.streaming_content:
        size, lines = size + len(chunk), lines + chunk.count(b"\n")
    seconds = time.perf_counter() - start
    print(f"  CSV export, the whole file: {lines - 1:,} rows, {size // 1024:,} KB in {seconds:.2f} s ({(lines - 1) / seconds:,.0f} rows/s)")


def time_pages(label: str, user: User, listed: list[tuple[str, str]], download: bool = True) -> None:
    client = Client()
    client.force_login(user)
    print(f"\n  As {label} ({user.username}):")
    for name, url in listed:
        size = fetch(client, url)  # warm: templates, connection, caches
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            fetch(client, url)
            times.append(time.perf_counter() - start)
        with CaptureQueriesContext(connection) as captured:
            fetch(client, url)
        report(f"{name} ({len(captured)} queries, {size // 1024} KB)", times, TARGET_MS, unit="ms")
    if download:
        time_download(client, reverse("dashboard:export"))


PRINTS = [  # the dashboard's pages as PDFs, held to the campus summary's 5 s (bench/reports.py)
    ("where classrooms pause PDF", "reports:dashboard-pauses-pdf", ""),
    ("coverage PDF", "reports:dashboard-coverage-pdf", ""),
    ("trends PDF (Flex)", "reports:dashboard-trends-pdf", "?progression=flex"),
]
PRINT_TARGET_S, PRINT_REQUESTS = 5, 3


def time_prints(label: str, user: User) -> None:
    client = Client()
    client.force_login(user)
    print(f"\n  As {label} ({user.username}):")
    for name, url_name, query in PRINTS:
        url = reverse(url_name) + query
        pdf = client.get(url).content  # warm: fonts, templates
        pages = len(PdfReader(BytesIO(pdf)).pages)
        times = []
        for _ in range(PRINT_REQUESTS):
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append(time.perf_counter() - start)
        report(f"{name} ({pages} pages, {len(pdf) // 1024} KB)", times, PRINT_TARGET_S)


def explain(title: str, queryset) -> None:
    print(f"\n  EXPLAIN ANALYZE: {title}")
    plan = queryset.explain(analyze=True, buffers=True) if connection.vendor == "postgresql" else queryset.explain()
    for line in plan.splitlines():
        if any(word in line for word in PLAN_WORDS):
            print("    " + line.rstrip()[:150])


def plans(leader: User) -> None:
    """The main queries as the pages run them, for a district leader over the default ranges."""
    today = timezone.localdate()
    quarter = Scope(None, start=today - timedelta(days=90), end=today)
    walkthroughs = queries.coach_walkthroughs(leader, quarter)
    latest = queries.latest_per_classroom(walkthroughs)
    pauses = (
        Walkthrough.objects.filter(pk__in=latest)
        .values_list("framework_id", "pause_phase", "pause_number", "next_move")
        .annotate(n=Count("pk"))
        .order_by()
    )
    explain("pauses: classrooms' latest pauses and next moves, counted", pauses)
    flex = Framework.objects.get(slug="flex")
    year = Scope(None, start=today - timedelta(days=365), end=today, progression=flex)
    yearly = queries.coach_walkthroughs(leader, year).filter(framework=flex)
    explain("trends: walkthroughs per campus, month and pause", queries.monthly_tallies_query(yearly, queries.months_between(year.start, year.end), True))
    since = queries.day_start(today - timedelta(days=29))
    visits = queries.coach_walkthroughs(leader, Scope(None)).filter(observed_at__gte=since)
    explain("coverage: visits per teacher, last 30 days", visits.values("teacher_id").annotate(n=Count("pk")).order_by())
    rows = walkthroughs.order_by("observed_at", "pk").values_list("observed_at", "teacher__campus__name", "next_move")
    explain("export: the last 90 days in date order (first 2,000 rows)", rows[:2000])


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    campuses, teachers, walkthroughs = SCALE
    print(f"PL Coach dashboard benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    start = time.perf_counter()
    if REUSE and Campus.objects.filter(code="SD001").exists():
        print(f"  reusing the seeded district: {Walkthrough.objects.count():,} walkthroughs")
    else:
        call_command("seed_demo", campuses=campuses, teachers=teachers, walkthroughs=walkthroughs, force=True, seed=6)
        print(f"  seed_demo --campuses {campuses} --teachers {teachers} --walkthroughs {walkthroughs}: {time.perf_counter() - start:.1f} s")
    leader = User.objects.get(username="sd-leader-1")
    principal = User.objects.get(username="sd001-principal-1")
    campus = Campus.objects.get(code="SD001")
    time_pages("a district leader", leader, pages(campus))
    time_pages("a principal", principal, pages(campus))
    print("\n  Other pages in the same district:")
    time_pages("a district leader", leader, other_pages(leader, campus), download=False)
    time_pages("a principal", principal, other_pages(principal, campus), download=False)
    print("\n  The dashboard printed (median of 3):")
    time_prints("a district leader", leader)
    time_prints("a principal", principal)
    plans(leader)


if __name__ == "__main__":
    main()
