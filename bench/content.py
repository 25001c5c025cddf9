"""Times load_progressions (cold and no-change) and each content page's server time.

Usage: python bench/content.py   (SQLite in a temporary file, unless DATABASE_URL is set;
`make bench` runs it on SQLite and then on a throwaway PostgreSQL cluster).
Targets (issue 2): full load < 2 s, no-change reload < 0.5 s, each page < 30 ms.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plcoach.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("AXES_PROXY_COUNT", "0")  # the benchmarks' requests come straight to the app
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from progressions.models import Action, ActionStep, Component, ContentLoad, Domain, Framework, Phase, Stage  # noqa: E402

RUNS = 5
REQUESTS = 100
PAGES = ["/", "/progressions/flex/", "/progressions/enriched-virtual/", "/action-steps/driver-model/"]


def clear_content() -> None:
    for model in (ActionStep, Action, Component, Domain, Stage, Phase, ContentLoad, Framework):
        model.objects.all().delete()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def load() -> None:
    call_command("load_progressions", verbosity=0)


def report(label: str, seconds: list[float], target: float, unit: str = "s") -> None:
    scale = 1000 if unit == "ms" else 1
    median, worst = statistics.median(seconds) * scale, max(seconds) * scale
    verdict = "ok" if median < target else "OVER TARGET"
    print(f"  {label:<40} median {median:8.2f} {unit}  max {worst:8.2f} {unit}  (target < {target} {unit}) {verdict}")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production mode serves hashed files
    vendor = connection.vendor
    print(f"PL Coach content benchmark on {vendor} ({connection.settings_dict['NAME']})")

    cold = []
    for _ in range(RUNS):
        clear_content()
        cold.append(timed(load))
    warm = [timed(load) for _ in range(RUNS)]
    report("load_progressions, empty database", cold, 2)
    report("load_progressions, nothing changed", warm, 0.5)

    client = Client()
    for url in PAGES:
        client.get(url)  # warm caches (templates, connections)
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        report(f"GET {url} ({len(queries)} queries)", times, 30, unit="ms")


if __name__ == "__main__":
    main()
