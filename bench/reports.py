"""Times the printed summaries as PDFs: one walkthrough, a 60-teacher campus, and the coaching
summary of a teacher walked 1,500 times (its timeline keeps the latest pauses).

Usage: python bench/reports.py   (SQLite in a temporary file, unless DATABASE_URL is set;
`make bench` runs it on a throwaway PostgreSQL cluster).
Targets (issue 5): walkthrough summary < 1 s, 60-teacher campus summary < 5 s, peak memory < 300 MB;
the long coaching summary is held to the campus summary's 5 s.

Memory is reported two ways: the tracemalloc peak of one request (Python objects only, measured in a
separate untimed run because tracing slows it down), and the process's peak resident set size
(resource.getrusage ru_maxrss: everything, C libraries such as Pango and cairo included, since start-up).
"""

import resource
import statistics
import sys
import time
import tracemalloc
import uuid
from datetime import timedelta

from content import ROOT  # sets up Django for a benchmark run  # isort: skip

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from observations.models import Walkthrough
from observations.services import walkthrough_answer, walkthrough_finish, walkthrough_start
from people.models import Campus, Role, Teacher, User
from progressions.models import Action, Framework

RUNS = 5
TEACHERS = 60
WALKTHROUGHS_EACH = 3
LONG_HISTORY = 1_500  # walkthroughs of one teacher: a visit every school day for eight years
MB = 1024 * 1024
OUT = ROOT / "bench" / "out"  # the last PDF of each kind, to look at (ignored by git)


def walkthrough(coach, teacher, flex, in_place: int, days_ago: int):
    walk = walkthrough_start(
        client_key=uuid.uuid4(), observer=coach, teacher=teacher, framework=flex,
        observed_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip
    for number in range(in_place + 1):
        walk = walkthrough_answer(
            walkthrough=walk, client_key=uuid.uuid4(), action_id=walk.state.current.pk,
            in_place=number < in_place, evidence="Seen at the stations." if number == in_place else "",
            version=walk.version,
        )  # fmt: skip
    return walkthrough_finish(
        walkthrough=walk, version=walk.version, next_move="Post step-by-step directions at every station.",
        teacher_note="Students moved between stations on their own.", private_note="Not for the summary.",
    )  # fmt: skip


def district() -> tuple[User, Campus, int]:
    """A campus of 60 teachers with three coach walkthroughs each; its principal; one walkthrough to print."""
    if Campus.objects.filter(code="BENCH").exists():
        sys.exit("The bench campus is already there: run on a fresh database.")
    campus = Campus.objects.create(code="BENCH", name="Bench Elementary")
    coach = User.objects.create(username="bench-coach", first_name="Bench", last_name="Coach")
    principal = User.objects.create(username="bench-principal", first_name="Bench", last_name="Principal")
    Role.objects.create(user=principal, kind=Role.Kind.PRINCIPAL, campus=campus)
    teachers = Teacher.objects.bulk_create(
        Teacher(campus=campus, first_name=f"Teacher{n:02d}", last_name="Bench", employee_id=f"BENCH{n:03d}")
        for n in range(TEACHERS)
    )
    flex = Framework.objects.get(slug="flex")
    last = None
    for n, teacher in enumerate(teachers):
        for k in range(WALKTHROUGHS_EACH):
            last = walkthrough(coach, teacher, flex, in_place=(n + 2 * k) % 12, days_ago=50 - 20 * k - n % 7)
    return principal, campus, last.pk


def long_walked() -> tuple[User, int]:
    """A teacher at a campus of their own (the campus summary's figures stay comparable), walked
    LONG_HISTORY times, and a district leader to print their summary."""
    campus = Campus.objects.create(code="LONG", name="Long History Middle")
    teacher = Teacher.objects.create(campus=campus, first_name="Walked", last_name="Often", employee_id="LONG001")
    leader = User.objects.create(username="bench-leader", first_name="Bench", last_name="Leader")
    Role.objects.create(user=leader, kind=Role.Kind.DISTRICT_LEADER)
    long_history(User.objects.get(username="bench-coach"), teacher, Framework.objects.get(slug="flex"))
    return leader, teacher.pk


def long_history(coach: User, teacher: Teacher, flex: Framework) -> None:
    """Finished walkthroughs of one teacher, a day apart, whose pause wanders along the progression
    (a new stop almost every time). Written directly: the summary reads only the pauses."""
    actions = list(Action.objects.current().filter(phase__framework=flex).select_related("phase").order_by("phase__position", "number"))
    now = timezone.now()
    rows = []
    for n in range(LONG_HISTORY):
        action = actions[(n * 7) % len(actions)]
        at = now - timedelta(days=LONG_HISTORY - n, hours=1)
        rows.append(Walkthrough(
            client_key=uuid.uuid4(), teacher=teacher, observer=coach, framework=flex, observed_at=at,
            status=Walkthrough.Status.COMPLETE, completed_at=at, submitted_at=at, pause_action=action,
            pause_phase=action.phase.kind, pause_number=action.number, pause_text=action.text,
            pause_next_move=action.next_move, next_move=action.next_move,
        ))  # fmt: skip
    Walkthrough.objects.bulk_create(rows, batch_size=500)


def timed_get(client: Client, url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", (url, response.status_code)
    return elapsed, response.content


def traced_peak(client: Client, url: str) -> float:
    tracemalloc.start()
    client.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / MB


def report(label: str, seconds: list[float], target: float, peak_mb: float, size: int) -> None:
    median, worst = statistics.median(seconds), max(seconds)
    verdict = "ok" if worst < target and peak_mb < 300 else "OVER TARGET"
    print(
        f"  {label:<38} median {median:6.2f} s  max {worst:6.2f} s  (target < {target} s)  "
        f"tracemalloc peak {peak_mb:6.1f} MB  ({size // 1024} KB PDF)  {verdict}"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production mode: hashed static files
    call_command("load_progressions", verbosity=0)
    print(f"PL Coach summaries benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    principal, campus, walkthrough_pk = district()
    leader, often_walked = long_walked()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    client, leaders_client = Client(), Client()
    client.force_login(principal)
    leaders_client.force_login(leader)
    documents = [
        ("walkthrough summary PDF", reverse("reports:walkthrough-pdf", args=[walkthrough_pk]), 1, client),
        (f"campus summary PDF, {TEACHERS} teachers", reverse("reports:campus-pdf", args=[campus.code]), 5, client),
        (f"coaching summary PDF, {LONG_HISTORY:,} visits", reverse("reports:teacher-pdf", args=[often_walked]), 5, leaders_client),
    ]
    OUT.mkdir(exist_ok=True)
    for label, url, target, client in documents:
        client.get(url)  # warm: templates, fonts, connections
        runs = [timed_get(client, url) for _ in range(RUNS)]
        pdf = runs[-1][1]
        report(label, [seconds for seconds, _pdf in runs], target, traced_peak(client, url), len(pdf))
        (OUT / url.strip("/").replace("/", "-")).write_bytes(pdf)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "ok" if rss_after < 300 else "OVER TARGET"
    print(
        f"  process peak RSS (ru_maxrss)            {rss_after:6.1f} MB after rendering "
        f"({rss_before:.1f} MB before the first PDF; target < 300 MB) {verdict}"
    )
    print(f"  PDFs written to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
