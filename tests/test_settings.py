"""Settings from the environment: bad values stop start-up naming the variable; production passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7#pQ2vX9!mZ4rT8wY1uB6nC3eF5hJ0aL2sD7gK9qW4xV8zR1tN6yM3bP5cE0fH2",
    "ALLOWED_HOSTS": "coach.example.org",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "unused-check.sqlite3"),
    "TRUSTED_PROXIES": "10.0.1.0/24",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what a deployment would set: the suite's own variables stay out.
    ours = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "TRUSTED_PROXIES", "AXES_PROXY_COUNT")
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_mode_passes_check_deploy_at_warning_level():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a yes/no value"),
        ("DATABASE_URL", "mysql://db/plcoach", "DATABASE_URL='mysql://db/plcoach' is not a database URL"),
        ("DATABASE_URL", "postgres://db:port/plcoach", "DATABASE_URL='postgres://db:port/plcoach' has a port that is not a number"),
        ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS is set but empty"),
        ("SECRET_KEY", "", "SECRET_KEY must be set when DEBUG is off"),
        ("DATABASE_CONN_MAX_AGE", "ten", "DATABASE_CONN_MAX_AGE='ten' is not a whole number"),
        ("AXES_PROXY_COUNT", "-1", "AXES_PROXY_COUNT=-1 is below 0"),
        ("DATABASE_URL", "", "DATABASE_URL must be set when DEBUG is off"),  # not a SQLite file per server
        ("TIME_ZONE", "Mars/Base", "TIME_ZONE='Mars/Base' is not a time zone name"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD' is not a log level"),
        ("TRUSTED_PROXIES", "10.0.0.0/8, balancer", "TRUSTED_PROXIES: 'balancer' is not an address or network"),
        ("CSRF_TRUSTED_ORIGINS", "coach.example.org", "'coach.example.org' is not an origin: give the scheme too"),
        # Trusting any private address let a client on the school's network choose its own address.
        ("TRUSTED_PROXIES", "", "TRUSTED_PROXIES must name the load balancers' addresses or networks when DEBUG is off"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value, message):
    env = {**PRODUCTION, "DATABASE_URL": "postgres://u@127.0.0.1:5432/plcoach", variable: value}
    if variable in ("DATABASE_URL", "TRUSTED_PROXIES") and not value:
        del env[variable]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_database_url_is_read_as_psql_and_pg_dump_read_it(monkeypatch):
    """One URL serves the app and the documented backup: its password percent-decoded, and its
    parameters (TLS, a socket directory) passed on to the connection."""
    from plcoach.settings import envdatabase

    monkeypatch.setenv("DATABASE_URL", "postgres://coach%2Bapp:p%40ss%2Fw%3Ard@db.example.org:6432/pl%20coach?sslmode=require")
    database = envdatabase("DATABASE_URL", None)
    assert (database["USER"], database["PASSWORD"], database["NAME"]) == ("coach+app", "p@ss/w:rd", "pl coach")
    assert (database["HOST"], database["PORT"]) == ("db.example.org", "6432")
    assert database["OPTIONS"]["sslmode"] == "require" and "jit=off" in database["OPTIONS"]["options"]
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/plcoach?application_name=pl+coach&options=-c%20jit%3Doff")
    database = envdatabase("DATABASE_URL", None)
    assert database["OPTIONS"]["application_name"] == "pl+coach"  # as libpq reads it: "+" is no space
    assert database["OPTIONS"]["options"] == "-c jit=off"
    monkeypatch.setenv("DATABASE_URL", "postgresql:///plcoach?host=/var/run/postgresql")
    database = envdatabase("DATABASE_URL", None)
    assert database["HOST"] == "/var/run/postgresql" and "host" not in database["OPTIONS"]


@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit_and_sort_a_quarter_in_memory():
    """The dashboard's district-wide queries rely on these session settings (bench/INDEXES.md)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL session settings")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == "32MB"
        cursor.execute("SHOW enable_memoize")
        assert cursor.fetchone()[0] == "off"


def test_an_app_with_nothing_before_it_needs_no_balancers_named():
    env = {**PRODUCTION, "AXES_PROXY_COUNT": "0"}
    del env["TRUSTED_PROXIES"]
    result = manage("check", **env)
    assert result.returncode == 0, result.stderr
