"""`make run` serves SQLite from a threaded server: two writes at once must queue, not fail."""

import threading

import pytest
from django.db import connections, transaction

from plcoach.settings import envdatabase


@pytest.fixture
def run_database(tmp_path, monkeypatch, django_db_blocker):
    """A file database set up as `make run`'s (plcoach/settings.py), under its own alias: not the
    suite's test database, which a test reaches only through its transaction."""
    monkeypatch.setenv("RUN_DATABASE", f"sqlite:///{tmp_path / 'run.sqlite3'}")
    connections.settings["run"] = connections.settings["default"] | envdatabase("RUN_DATABASE", "")
    with django_db_blocker.unblock():
        yield "run"
        connections["run"].close()
    del connections.settings["run"]


def test_two_writes_at_once_on_the_served_sqlite_database_both_succeed(run_database):
    """Each reads, then writes, in one transaction, as every service does. With SQLite's default
    deferred transactions the second writer failed at once with "database is locked"."""
    with connections[run_database].cursor() as cursor:
        cursor.execute("CREATE TABLE taps (n INTEGER)")
    both_read = threading.Barrier(2)
    failures = []

    def write(n: int) -> None:
        try:
            with transaction.atomic(using=run_database), connections[run_database].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM taps")
                try:
                    both_read.wait(timeout=1)  # an immediate transaction makes the other wait at BEGIN instead
                except threading.BrokenBarrierError:
                    pass
                cursor.execute("INSERT INTO taps VALUES (%s)", [n])
        except Exception as exc:  # noqa: BLE001 - what a request would have answered with a 500
            failures.append(repr(exc))
        finally:
            connections[run_database].close()

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connections[run_database].cursor() as cursor:
        cursor.execute("SELECT n FROM taps ORDER BY n")
        assert failures == [] and [row[0] for row in cursor.fetchall()] == [1, 2]
