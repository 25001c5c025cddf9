"""The walk step POST and the teacher page, with 1,000 earlier walkthroughs for that teacher.

Usage: tests/postgres.sh .venv/bin/python bench/walk.py   (`make bench` runs it on PostgreSQL).
Targets (issue 4): step POST < 15 ms and at most 8 queries; teacher page < 40 ms.
Times are the server's, measured around Django's test client (no network).
"""

import random
import time
import uuid
from datetime import timedelta

from content import report  # sets up Django for a benchmark run  # isort: skip

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from observations.models import Answer, Walkthrough
from observations.services import walkthrough_start
from people.demo import DEMO_ROSTER
from people.models import Teacher, User
from people.roster import read_roster
from people.services import roster_import
from progressions.models import Action, Framework

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")  # not queries: no rows read or written
HISTORY = 1000
STEPS = 200
PAGE_REQUESTS = 100


def earlier_walkthroughs(coach: User, teacher: Teacher, flex: Framework) -> None:
    """1,000 finished walkthroughs over three years, each with its answers up to its pause."""
    actions = list(Action.objects.current().filter(phase__framework=flex).select_related("phase").order_by("phase__position", "number"))
    now, rng = timezone.now(), random.Random(4)
    walks = []
    for i in range(HISTORY):
        pause = actions[min(len(actions) - 1, rng.randrange(0, 12) + i * len(actions) // (2 * HISTORY))]
        walks.append(
            Walkthrough(
                client_key=uuid.uuid4(), teacher=teacher, observer=coach, framework=flex, start_phase="foundation",
                observed_at=now - timedelta(days=HISTORY - i), status="complete", completed_at=now - timedelta(days=HISTORY - i),
                pause_action=pause, pause_phase=pause.phase.kind, pause_number=pause.number, pause_section=pause.section,
                pause_text=pause.text, pause_next_move=pause.next_move, next_move=pause.next_move,
            )
        )  # fmt: skip
    walks = Walkthrough.objects.bulk_create(walks)
    answers = []
    for walk in walks:
        for action in actions[: actions.index(walk.pause_action) + 1]:
            answers.append(
                Answer(
                    client_key=uuid.uuid4(), walkthrough=walk, action=action, phase=action.phase.kind, number=action.number,
                    section=action.section, text=action.text, next_move=action.next_move, in_place=action != walk.pause_action,
                )
            )  # fmt: skip
    Answer.objects.bulk_create(answers, batch_size=2000)


def step_posts(client: Client, coach: User, teacher: Teacher, flex: Framework) -> tuple[list[float], int]:
    """Times In place taps, starting a fresh walkthrough whenever one runs out of actions."""
    times, queries = [], 0
    walk = None
    while len(times) < STEPS:
        if walk is None or walk.state.current is None:
            walk = walkthrough_start(client_key=uuid.uuid4(), observer=coach, teacher=teacher, framework=flex)
        data = {"client_key": uuid.uuid4(), "action": walk.state.current.pk, "version": walk.version, "in_place": "yes"}
        url = reverse("observations:answer", args=[walk.pk])
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(url, data, headers={"HX-Request": "true"})
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
        queries = max(queries, sum(not q["sql"].startswith(TRANSACTION_CONTROL) for q in captured))
        walk = Walkthrough.objects.select_related("framework").get(pk=walk.pk)
    return times, queries


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_progressions", verbosity=0)
    roster_import(rows=read_roster(DEMO_ROSTER.encode()))
    coach, teacher = User.objects.get(username="demo-coach"), Teacher.objects.get(employee_id="T1002")
    flex = Framework.objects.get(slug="flex")
    print(f"PL Coach walk benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    earlier_walkthroughs(coach, teacher, flex)
    with connection.cursor() as cursor:  # a database in use has its statistics (autovacuum): plan as it would
        cursor.execute("ANALYZE")
    print(f"  {Walkthrough.objects.filter(teacher=teacher).count()} earlier walkthroughs of {teacher}, {Answer.objects.count()} answers")

    client = Client()
    client.force_login(coach)
    times, queries = step_posts(client, coach, teacher, flex)
    report(f"POST a walk step, htmx ({queries} queries, max 8)", times[10:], 15, unit="ms")

    url = reverse("people:teacher", args=[teacher.pk])
    client.get(url)
    page_times = []
    for _ in range(PAGE_REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        page_times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    report(f"GET the teacher page ({len(captured)} queries)", page_times, 40, unit="ms")


if __name__ == "__main__":
    main()
