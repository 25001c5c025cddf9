"""/healthz/: a load balancer's liveness probe reaches each app server as it probes, and learns
only that it answers. /robots.txt keeps search engines out."""

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def production(settings):
    settings.ALLOWED_HOSTS = ["coach.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize("host", ["10.0.0.7", "127.0.0.1:8000", "coach.example.org"])
def test_a_probe_by_the_servers_own_address_over_plain_http_is_answered(client, db, production, host, django_assert_num_queries):
    """Balancers probe by the server's address, without TLS: neither the host check nor the HTTPS
    redirect may turn them away, and the answer reads nothing from the database."""
    with django_assert_num_queries(0):
        response = client.get("/healthz/", headers={"Host": host})
    assert response.status_code == 200 and response.content == b"ok"
    assert response["Content-Type"] == "text/plain"


def test_every_other_address_keeps_the_host_check_and_the_https_redirect(client, db, production):
    assert client.get("/accounts/login/", headers={"Host": "10.0.0.7"}).status_code == 400
    redirected = client.get("/accounts/login/", headers={"Host": "coach.example.org"})
    assert redirected.status_code == 301 and redirected["Location"] == "https://coach.example.org/accounts/login/"
    assert client.get("/healthz/x", headers={"Host": "10.0.0.7"}).status_code == 400  # only the probe's own path


def test_the_probe_only_reads(client, db):
    assert client.head("/healthz/").status_code == 200
    refused = client.post("/healthz/")
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"


def test_make_serve_takes_https_only_from_a_trusted_proxy(tmp_path):
    """gunicorn sets the request's scheme from X-Forwarded-Proto itself for the peers it trusts
    (127.0.0.1 by default), under the app's own rule: `make serve` tells it to trust none, so a
    client that is not one of TRUSTED_PROXIES cannot pass for HTTPS."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ, "DEBUG": "false", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "coach.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}", "TRUSTED_PROXIES": "10.9.0.0/16",
        "ADDRESS": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "FORWARDED_ALLOW_IPS": "*",
    }  # fmt: skip
    server = subprocess.Popen(["make", "--no-print-directory", "serve"], cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(150):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz/")
                break
            except OSError:
                time.sleep(0.2)
        for header in ("X-Forwarded-Proto", "X-Forwarded-Ssl", "X-Forwarded-Protocol"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            value = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}[header]
            connection.request("GET", "/accounts/login/", headers={"Host": "coach.example.org", header: value})
            response = connection.getresponse()
            assert response.status == 301, header
            assert response.getheader("Location") == "https://coach.example.org/accounts/login/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_robots_are_asked_to_stay_out_of_every_page(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain"
    assert response.content == b"User-agent: *\nDisallow: /\n"
