"""Load and fault test: gunicorn on PostgreSQL, 50 simulated coaches over real HTTP.

Usage: tests/postgres.sh .venv/bin/python bench/load.py [--seconds 60] [--coaches 50]
(`make bench` runs it.) Five phases, in one run, against the same gunicorn:

1. the trivial view, /robots.txt: every middleware, no database, a constant answer; the yardstick
   for this machine (not /healthz/, which the app answers before any middleware, at a third of the cost);
2. signed in, no work: the login page, which sends a signed-in coach on once their session and
   user are read. Not a target: the least any signed-in request costs, for reading 3 and 4;
3. walk steps only (htmx answer POSTs);
4. page loads only (teacher page, walkthrough list, walk page);
5. walk steps and page loads mixed, while PostgreSQL is restarted in the middle.

Targets (issue 6): steps at least 0.25 and pages at least 0.35 of the trivial view's
requests per second; zero errors in phases 1-4; during the restart at most one failed
request per worker, and afterwards every tap recorded exactly once (failed taps are resent
with the same key, as the page's script does).
"""

import argparse
import http.client
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlencode

from content import ROOT  # sets up Django for a benchmark run  # isort: skip

from django.conf import settings
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.db import connection
from django.test import Client
from django.utils import timezone

from observations.inputs import now_for_input
from observations.models import Answer, Walkthrough
from observations.services import walkthrough_start
from people.demo import DEMO_ROSTER
from people.models import Campus, Role, Teacher, User
from people.roster import read_roster
from people.services import roster_import
from progressions.models import Framework

WORKERS = 4
# (label, target ratio to the trivial view, what each coach repeats)
PHASES = (
    ("trivial view /robots.txt", None, lambda c, n: c.request("GET", "/robots.txt")[0]),
    ("signed in, no work", None, lambda c, n: c.signed_in_only()),
    ("walk step (htmx POST)", 0.25, lambda c, n: c.step()),
    ("pages (teacher, list, walk)", 0.35, lambda c, n: c.page(n)),
)
HIDDEN = re.compile(r'name="(client_key|action|version)" value="([^"]+)"')


class Coach:
    """One simulated coach on a tablet: their own session, walkthrough and keep-alive connection."""

    def __init__(self, port: int, session: str, walkthrough: Walkthrough, teacher_id: int):
        self.port, self.session, self.walk_pk, self.teacher_id = port, session, walkthrough.pk, teacher_id
        self.start_key: uuid.UUID | None = None
        self.csrf = uuid.uuid4().hex  # 32 letters and digits: Django accepts an unmasked secret as the token
        self.http = None
        self.form: dict[str, str] = {}
        self.taps: dict[str, tuple[int, int]] = {}  # client key -> (walkthrough, action), once saved

    def request(self, method: str, path: str, body: str = "", htmx: bool = True) -> tuple[int, str, str]:
        """(status, body, Location); status 0 when no reply came."""
        headers = {"Cookie": f"sessionid={self.session}; csrftoken={self.csrf}", "Host": "127.0.0.1"}
        if method == "POST":
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf}
            if htmx:
                headers["HX-Request"] = "true"
        for attempt in (1, 2):
            try:
                if self.http is None:
                    self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.http.request(method, path, body=body, headers=headers)
                response = self.http.getresponse()
                return response.status, response.read().decode(), response.getheader("Location", "")
            except (http.client.HTTPException, OSError):
                self.http = None  # gunicorn closed the keep-alive connection: reconnect once
                if attempt == 2:
                    return 0, "", ""
        return 0, "", ""

    def load_walk(self) -> int:
        status, body, _ = self.request("GET", f"/walkthroughs/{self.walk_pk}/")
        self.form = dict(HIDDEN.findall(body)) if status == 200 else {}
        return status

    def step(self) -> int:
        """One tap. A failed tap is resent with the same key until the server answers."""
        if "action" not in self.form:
            return self.new_walk()
        data = {**self.form, "in_place": "yes", "evidence": ""}
        body = "&".join(f"{k}={v}" for k, v in data.items())
        status, page, _ = self.request("POST", f"/walkthroughs/{self.walk_pk}/answer/", body)
        if status == 200:
            self.taps[data["client_key"]] = (self.walk_pk, int(data["action"]))
            self.form = dict(HIDDEN.findall(page))
        return status

    def new_walk(self) -> int:
        """The walk ran to its end: the coach starts the next one on the start page, as on the tablet
        (a plain form post, redirected to the walk). A failed start is sent again with its key."""
        self.start_key = self.start_key or uuid.uuid4()
        form = {"teacher": self.teacher_id, "framework": "flex", "client_key": self.start_key, "observed_at": now_for_input()}
        body = urlencode(form)
        status, _page, location = self.request("POST", "/walkthroughs/new/", body, htmx=False)
        if status != 302:
            return status
        self.start_key = None
        self.walk_pk = int(location.rstrip("/").rsplit("/", 1)[-1])
        return self.load_walk()

    def signed_in_only(self) -> int:
        """The login page sends a signed-in coach on to the home page; the login form (a 200) means
        the session was not read as signed in, which counts as a failure here."""
        status, _body, location = self.request("GET", "/accounts/login/")
        return 200 if status == 302 and location == resolve_url(settings.LOGIN_REDIRECT_URL) else -status or -1

    def page(self, n: int) -> int:
        path = [f"/teachers/{self.teacher_id}/", "/walkthroughs/", f"/walkthroughs/{self.walk_pk}/"][n % 3]
        return self.request("GET", path)[0]


def cpu_seconds(server: subprocess.Popen) -> dict[str, float]:
    """CPU time so far of the app (gunicorn and its workers), PostgreSQL and this load generator,
    read from /proc: where a request's cost goes, on a machine all three share."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"app": 0.0, "PostgreSQL": 0.0, "load generator": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().split(b"\0")[0]
        except OSError:
            continue  # gone meanwhile
        parent, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if int(pid) == server.pid or parent == server.pid:
            totals["app"] += used
        elif command.startswith(b"postgres") or command.endswith(b"/postgres"):
            totals["PostgreSQL"] += used
        elif int(pid) == os.getpid():
            totals["load generator"] += used
    return totals


def run_phase(coaches: list[Coach], seconds: float, work, on_tick=None) -> tuple[int, list[int], float]:
    """Every coach repeats `work` for `seconds`; returns (requests, failed statuses, elapsed)."""
    done, failures, lock = [0], [], threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop(coach: Coach) -> None:
        n = 0
        while time.monotonic() < stop_at:
            status = work(coach, n)
            n += 1
            with lock:
                done[0] += 1
                if status != 200:
                    failures.append(status)

    threads = [threading.Thread(target=loop, args=(c,)) for c in coaches]
    start = time.monotonic()
    for t in threads:
        t.start()
    if on_tick:
        on_tick()
    for t in threads:
        t.join()
    return done[0], failures, time.monotonic() - start


def district(count: int) -> list[tuple[User, Teacher]]:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_progressions", verbosity=0)
    roster_import(rows=read_roster(DEMO_ROSTER.encode()))
    oak = Campus.objects.get(code="OAK")
    teachers = list(Teacher.objects.filter(campus=oak))
    pairs = []
    for i in range(count):
        coach, _ = User.objects.get_or_create(username=f"load-coach-{i}", defaults={"first_name": "Load", "last_name": f"Coach {i}"})
        Role.objects.get_or_create(user=coach, kind=Role.Kind.COACH, campus=oak)
        pairs.append((coach, teachers[i % len(teachers)]))
    return pairs


def start_gunicorn(workers: int) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "WEB_CONCURRENCY": str(workers)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "plcoach.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz/")
            break
        except OSError:
            time.sleep(0.1)
    return server, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed phase; the others take a third each")
    parser.add_argument("--coaches", type=int, default=50)
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers (the fault test allows one failure each)")
    parser.add_argument("--no-fault", action="store_true", help="skip the mixed phase with the restart")
    args = parser.parse_args()
    restart = os.environ.get("PLCOACH_PG_RESTART")
    if connection.vendor != "postgresql" or not restart:
        sys.exit("Run it on PostgreSQL through tests/postgres.sh, which also says how to restart the server.")

    pairs = district(args.coaches)
    server, port = start_gunicorn(args.workers)
    try:
        coaches = []
        for coach, teacher in pairs:
            client = Client()
            client.force_login(coach)
            flex = Framework.objects.get(slug="flex")
            walk = walkthrough_start(client_key=uuid.uuid4(), observer=coach, teacher=teacher, framework=flex)
            coaches.append(Coach(port, client.cookies["sessionid"].value, walk, teacher.pk))
        for coach in coaches:
            coach.load_walk()
        connection.close()  # the coaches' new walks open their own connections as needed

        short = args.seconds / 3
        print(f"PL Coach load test: gunicorn, {args.workers} workers, {args.coaches} coaches, PostgreSQL")
        started = timezone.now()  # the answers of earlier runs on this database are not this run's
        run_phase(coaches, 3, lambda c, n: c.page(n) if n % 2 else c.step())  # warm up: workers, caches, connections
        phases, cpu = [], []
        for _label, _target, work in PHASES:
            before = cpu_seconds(server)
            phases.append(run_phase(coaches, short, work))
            cpu.append({k: v - before[k] for k, v in cpu_seconds(server).items()})
        base, signed_in = (count / elapsed for count, _failures, elapsed in phases[:2])
        for (label, target, _work), (count, failures, elapsed), used in zip(PHASES, phases, cpu):
            rps = count / elapsed
            ratio = f"{rps / base:5.2f} of trivial" + (f" (target >= {target}), {rps / signed_in:4.2f} of signed in" if target else "")
            verdict = "" if target is None else ("ok" if rps / base >= target and not failures else "BELOW TARGET")
            print(f"  {label:<30} {rps:7.1f} req/s  errors {len(failures)}  ratio {ratio} {verdict}")
            print("      CPU per request: " + ", ".join(f"{who} {seconds * 1000 / max(count, 1):.2f} ms" for who, seconds in used.items()))

        if args.no_fault:
            return

        def restart_database() -> None:
            time.sleep(args.seconds / 3)
            started = time.monotonic()
            subprocess.run(shlex.split(restart), check=True, stdout=subprocess.DEVNULL)
            print(f"  PostgreSQL restarted in {time.monotonic() - started:.1f} s, {args.seconds / 3:.0f} s into the mixed phase")

        count, failures, elapsed = run_phase(
            coaches, args.seconds, lambda c, n: c.step() if n % 2 else c.page(n), on_tick=restart_database
        )
        # Resend what failed, as the page does, until every coach's last tap is in.
        for coach in coaches:
            while coach.step() != 200:
                time.sleep(0.2)
        connection.close()
        taps = {key: where for coach in coaches for key, where in coach.taps.items()}
        # Unique keys and one live answer per action are constraints in the database; what
        # can still go wrong is a tap lost, or a resend recorded as a new one: count them.
        recorded = Answer.objects.filter(walkthrough__observer__username__startswith="load-coach-", answered_at__gte=started).count()
        verdict = "ok" if len(failures) <= args.workers and recorded == len(taps) else "FAILED"
        print(f"  mixed, with the restart: {count / elapsed:.1f} req/s, failed requests {len(failures)} "
              f"(target at most {args.workers}, one per worker), answers recorded {recorded} for {len(taps)} taps  {verdict}")  # fmt: skip
        if failures:
            print("  failed requests by status (0: no reply): " + ", ".join(f"{s}: {n}" for s, n in sorted(Counter(failures).items())))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
