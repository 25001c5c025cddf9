"""/healthz/: a load balancer's liveness probe reaches each app server as it probes, and learns only that it answers."""

import pytest


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
