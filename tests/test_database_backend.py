"""The PostgreSQL backend's health check (plcoach/postgresql): a connection the server ended is
replaced before the request uses it, and a healthy idle one is kept without a round trip."""

import os
import time

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),  # the check runs between requests, outside a transaction
]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def next_request() -> None:
    """What Django does as a request starts: the connection is due a health check again."""
    connection.close_if_unusable_or_obsolete()


def wire_trace(tmp_path):
    """Everything the client sends to the server from now on, read as the protocol's message types."""
    path = tmp_path / "wire.log"
    handle = open(path, "w")
    connection.connection.pgconn.trace(handle.fileno())

    def sent() -> list[str]:
        connection.connection.pgconn.untrace()
        handle.close()
        return [line.split("\t")[3] for line in path.read_text().splitlines() if "\tF\t" in line]

    return sent


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it():
    first = backend_pid()
    other = connection.copy()
    with other.cursor() as cursor:  # as a restart or an administrator would
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    other.close()
    time.sleep(0.2)  # the server's goodbye reaches the socket

    next_request()
    second = backend_pid()  # no error: the check saw the ended connection and opened a new one

    assert second != first


def test_a_healthy_idle_connection_is_kept_without_asking_the_server(tmp_path):
    first = backend_pid()
    next_request()
    sent = wire_trace(tmp_path)

    second = backend_pid()

    assert second == first
    assert sent() == ["Query"]  # the request's own query, and no SELECT 1 before it


def test_a_connection_quiet_for_a_while_gets_the_round_trip(tmp_path):
    """A firewall or a balancer can drop an idle connection without a word: only a packet finds out."""
    first = backend_pid()
    next_request()
    connection.used_at -= 60  # as if its worker had been idle a minute
    sent = wire_trace(tmp_path)

    second = backend_pid()

    assert second == first
    assert sent() == ["Query", "Query"]  # SELECT 1, then the request's query


def test_a_connection_inside_a_transaction_gets_the_round_trip(tmp_path):
    from django.db import transaction

    with transaction.atomic():
        first = backend_pid()
        connection.health_check_done = False  # as if due again mid-transaction
        sent = wire_trace(tmp_path)

        second = backend_pid()
        queries = sent()  # before the commit

    assert second == first
    assert queries == ["Query", "Query"]


def test_anything_waiting_on_an_idle_connection_gets_the_round_trip(tmp_path):
    first = backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN plcoach_health")
    other = connection.copy()
    with other.cursor() as cursor:
        cursor.execute("NOTIFY plcoach_health")  # sent at once to the idle listener: waits unread on its socket
    other.close()
    time.sleep(0.2)
    next_request()
    sent = wire_trace(tmp_path)

    second = backend_pid()

    assert second == first
    assert sent() == ["Query", "Query"]  # SELECT 1, then the request's query


@pytest.mark.skipif(not os.environ.get("PLCOACH_PG_RESTART"), reason="needs tests/postgres.sh's restart command")
def test_every_connection_survives_a_server_restart_without_a_failed_query():
    import shlex
    import subprocess

    first = backend_pid()
    subprocess.run(shlex.split(os.environ["PLCOACH_PG_RESTART"]), check=True, stdout=subprocess.DEVNULL)

    next_request()
    assert backend_pid() != first
