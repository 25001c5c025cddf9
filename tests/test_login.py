"""Signing in and out, throttling (django-axes), password change and reset."""

import ipaddress
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from people.models import User

PASSWORD = "a-long-Passphrase-9"


@pytest.fixture
def coach(district):
    district.coach.set_password(PASSWORD)
    district.coach.save()
    return district.coach


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_signing_in_stores_the_session_in_the_database(client, coach):
    response = sign_in(client, "demo-coach", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("start")
    assert Session.objects.filter(session_key=client.session.session_key).exists()
    assert "Sign out" in client.get(reverse("progressions:home")).content.decode()


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(client, coach):
    response = sign_in(client, "demo-coach", "wrong")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please enter a correct username and password" in body
    # Neither field is named as the wrong one: both are marked, described by the one message.
    for field in ('id="id_username"', 'id="id_password"'):
        tag = body.split(field)[1].split(">")[0]
        assert 'aria-invalid="true"' in tag and 'aria-describedby="sign-in-problem"' in tag
    assert 'id="sign-in-problem"' in body


@pytest.mark.parametrize(
    "username,password,message",
    [("", "x", "Username: This field is required."), ("demo-coach", "", "Password: This field is required."),
     ("a\x00b", "x", "Username: Null characters are not allowed.")],
)  # fmt: skip
def test_a_sign_in_missing_a_field_says_which(client, coach, username, password, message):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 400
    assert message in response.content.decode() and "_auth_user_id" not in client.session


def test_five_failures_for_an_account_lock_it_with_a_clear_message(client, coach):
    for attempt in range(5):
        sign_in(client, "demo-coach", f"wrong-{attempt}", address=f"10.0.0.{attempt + 1}")
    response = sign_in(client, "demo-coach", PASSWORD, address="10.0.9.9")  # right password, new address
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-in attempts" in body and "5 failed attempts" in body
    assert "signing in to this account is paused" in " ".join(body.split()) and reverse("password_reset") in body
    assert "_auth_user_id" not in client.session


def test_five_failures_at_a_school_do_not_lock_the_school_out(client, coach):
    """A school signs in from its router's one address: one teacher's typos lock their account only."""
    for attempt in range(5):
        sign_in(client, "someone", f"wrong-{attempt}", address="10.1.1.1")
    assert sign_in(client, "someone", "wrong-again", address="10.1.1.1").status_code == 429
    assert sign_in(client, "demo-coach", PASSWORD, address="10.1.1.1").status_code == 302


def test_many_failures_from_one_address_lock_that_address(client, coach, settings):
    """A password tried across many accounts: at the address limit (30 by default) the address pauses."""
    settings.ADDRESS_FAILURE_LIMIT = 8
    for attempt in range(8):
        sign_in(client, f"nobody-{attempt}", "wrong", address="10.1.1.1")
    refused = sign_in(client, "demo-coach", PASSWORD, address="10.1.1.1")
    body = " ".join(refused.content.decode().split())
    assert refused.status_code == 429 and "signing in from this address is paused" in body and "after 8 failed attempts" in body
    assert "Choosing a new password does not lift this pause" in body and reverse("password_reset") not in body
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "demo-coach", PASSWORD, address="10.2.2.2").status_code == 302  # others unaffected


def test_the_admins_sign_in_form_counts_towards_and_respects_the_address_lock(client, district, settings):
    """The Django admin's own form checks passwords too: spraying one through it pauses the address,
    and then even a site admin's right password is refused there, as on the app's form."""
    settings.ADDRESS_FAILURE_LIMIT = 8
    district.admin.set_password(PASSWORD)
    district.admin.save()
    admin_login = reverse("admin:login")
    for attempt in range(8):
        response = client.post(admin_login, {"username": f"spray-{attempt}", "password": "Winter2026!"}, REMOTE_ADDR="10.3.3.3")
        assert response.status_code == 200  # the admin's form, refused
    refused = client.post(admin_login, {"username": "demo-admin", "password": PASSWORD}, REMOTE_ADDR="10.3.3.3")
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    assert sign_in(client, "demo-admin", PASSWORD, address="10.3.3.3").status_code == 429
    assert client.post(admin_login, {"username": "demo-admin", "password": PASSWORD}, REMOTE_ADDR="10.4.4.4").status_code == 302


def forwarded_sign_in(client, username, password, forwarded_for):
    """Through one proxy: every request comes from its address, the client's is the last hop it appended."""
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded_for
    )


def test_behind_the_proxy_failures_lock_the_client_not_everyone(client, coach, settings):
    settings.PROXY_COUNT, settings.ADDRESS_FAILURE_LIMIT = 1, 5
    for attempt in range(5):
        forwarded_sign_in(client, f"nobody-{attempt}", "wrong", f"203.0.113.{attempt}")
    assert forwarded_sign_in(client, "demo-coach", PASSWORD, "198.51.100.7").status_code == 302


def test_behind_the_proxy_a_client_cannot_escape_its_lock_by_forging_the_header(client, coach, settings):
    """Entries left of the proxy's own were written by the client: changing them changes nothing."""
    settings.PROXY_COUNT, settings.ADDRESS_FAILURE_LIMIT = 1, 5
    for attempt in range(5):
        forwarded_sign_in(client, f"nobody-{attempt}", "wrong", f"192.0.2.{attempt}, 203.0.113.5")
    assert forwarded_sign_in(client, "demo-coach", PASSWORD, "192.0.2.99, 203.0.113.5").status_code == 429
    assert forwarded_sign_in(client, "demo-coach", PASSWORD, "203.0.113.6").status_code == 302


def test_straight_from_outside_a_forged_header_is_not_read(client, coach, settings):
    """No proxy between: whoever connects from a public address wrote X-Forwarded-For themselves
    (93.184.216.34 is public; the 192.0.2, 198.51.100 and 203.0.113 documentation ranges count as private)."""
    settings.PROXY_COUNT, settings.ADDRESS_FAILURE_LIMIT = 1, 5
    for attempt in range(5):
        client.post(
            reverse("login"), {"username": f"nobody-{attempt}", "password": "wrong"},
            REMOTE_ADDR="93.184.216.34", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )  # fmt: skip
    locked = client.post(
        reverse("login"), {"username": "demo-coach", "password": PASSWORD}, REMOTE_ADDR="93.184.216.34",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )  # fmt: skip
    assert locked.status_code == 429


@pytest.mark.parametrize("balancer", ["35.191.0.5", "::ffff:35.191.0.5"])  # IPv4, as gunicorn on [::] sees it
def test_named_balancers_are_believed_and_no_one_else(client, coach, settings, balancer):
    """A balancer on a public range (a cloud's) is named in TRUSTED_PROXIES; then a private address
    that is not one of them (a district PC reaching an app server directly) is not believed."""
    settings.PROXY_COUNT, settings.ADDRESS_FAILURE_LIMIT = 1, 5
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("35.191.0.0/16")]
    for attempt in range(5):
        client.post(reverse("login"), {"username": f"nobody-{attempt}", "password": "wrong"},
                    REMOTE_ADDR=balancer, HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")  # fmt: skip
    through_balancer = client.post(reverse("login"), {"username": "demo-coach", "password": PASSWORD},
                                   REMOTE_ADDR=balancer, HTTP_X_FORWARDED_FOR="198.51.100.7")  # fmt: skip
    assert through_balancer.status_code == 302  # five clients failed, not the balancer
    client.post(reverse("logout"))
    for attempt in range(5):
        forwarded_sign_in(client, f"nobody-{attempt}", "wrong", f"192.0.2.{attempt}")  # from 10.9.9.9
    assert forwarded_sign_in(client, "demo-coach", PASSWORD, "192.0.2.99").status_code == 429  # 10.9.9.9 is locked


def test_only_a_balancer_may_say_the_request_came_over_https(client, coach, settings):
    settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER = True, ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.1.0.0/16")]
    url = reverse("login")
    assert client.get(url, REMOTE_ADDR="10.1.0.2", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    direct = client.get(url, REMOTE_ADDR="10.2.0.2", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")


def test_the_lock_lifts_after_the_cool_off(client, coach):
    for attempt in range(5):
        sign_in(client, "demo-coach", "wrong")
    assert sign_in(client, "demo-coach", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "demo-coach", PASSWORD).status_code == 302


def test_signing_out_is_a_post_and_ends_the_session(client, coach):
    client.force_login(coach)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("people:teacher-list")).status_code == 302


def test_changing_the_password(client, coach):
    client.force_login(coach)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-Long-phrase-7", "new_password2": "another-Long-phrase-7"},
    )
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.check_password("another-Long-phrase-7")


def test_a_refused_password_change_says_why_and_changes_nothing(client, coach):
    client.force_login(coach)
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": "another-Long-phrase-7", "new_password2": "another-Long-phrase-8"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Your old password was entered incorrectly" in body and "didn’t match" in body
    # One alert; each field's problem and help are the elements its aria-describedby names.
    assert body.count('role="alert"') == 1
    described = {i for ids in re.findall(r'aria-describedby="([^"]+)"', body) for i in ids.split()}
    assert {"id_old_password_error", "id_new_password2_error", "id_new_password1_helptext"} <= described
    assert all(f'id="{i}"' in body for i in described), described
    coach.refresh_from_db()
    assert coach.check_password(PASSWORD)


def reset_link(client) -> tuple[str, str]:
    """The coach asks for a reset: (the link in the mail, the set-password page it leads to)."""
    client.post(reverse("password_reset"), {"email": "priya.shah@demo.plcoach.test"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    return link, client.get(link, follow=True).redirect_chain[-1][0]


def test_a_reset_to_mismatched_passwords_is_refused_and_changes_nothing(client, coach):
    _link, form = reset_link(client)
    refused = client.post(form, {"new_password1": "fresh-Long-phrase-3", "new_password2": "other"})
    assert refused.status_code == 400 and "didn’t match" in refused.content.decode()
    coach.refresh_from_db()
    assert coach.check_password(PASSWORD)


def test_a_used_reset_link_is_refused_and_offers_a_new_one(client, coach):
    link, form = reset_link(client)
    client.post(form, {"new_password1": "fresh-Long-phrase-3", "new_password2": "fresh-Long-phrase-3"})
    again = client.get(link)
    assert again.status_code == 400
    body = again.content.decode()
    assert "no longer valid" in body and reverse("password_reset") in body and "new_password1" not in body


def test_a_reset_password_lifts_the_accounts_sign_in_lock(client, coach):
    """The lockout page offers "reset your password" as the way back in: it is."""
    for attempt in range(5):
        sign_in(client, "demo-coach", f"wrong-{attempt}", address=f"10.0.0.{attempt + 1}")
    assert sign_in(client, "demo-coach", PASSWORD).status_code == 429
    _link, form = reset_link(client)
    client.post(form, {"new_password1": "fresh-Long-phrase-3", "new_password2": "fresh-Long-phrase-3"})
    assert sign_in(client, "demo-coach", "fresh-Long-phrase-3").status_code == 302


def test_a_reset_asked_with_no_address_is_refused(client, district):
    response = client.post(reverse("password_reset"), {"email": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert mail.outbox == []


def test_resetting_a_forgotten_password_by_email(client, coach):
    response = client.post(reverse("password_reset"), {"email": "priya.shah@demo.plcoach.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Reset your PL Coach password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "fresh-Long-phrase-3", "new_password2": "fresh-Long-phrase-3"}
    )
    assert done.status_code == 302
    coach.refresh_from_db()
    assert coach.check_password("fresh-Long-phrase-3")


def test_someone_imported_from_the_roster_sets_a_first_password_by_reset(client, district):
    assert not district.leader.has_usable_password()
    client.post(reverse("password_reset"), {"email": "ANGELA.FOSTER@demo.plcoach.test"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["angela.foster@demo.plcoach.test"]
    assert "demo-leader" in mail.outbox[0].body


def test_a_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, district):
    response = client.post(reverse("password_reset"), {"email": "stranger@example.org"}, follow=True)
    assert "If an account uses that address" in response.content.decode()
    assert mail.outbox == []


def test_sign_in_and_reset_pages_read_nothing_from_the_database(client, db, django_assert_num_queries):
    """An anonymous visitor's forms need no queries at all."""
    for name in ("login", "password_reset"):
        with django_assert_num_queries(0):
            assert client.get(reverse(name)).status_code == 200


def test_the_password_pages_show_their_own_titles_and_buttons(client, coach):
    reset = client.get(reverse("password_reset")).content.decode()
    assert "<h1>Reset your password</h1>" in reset and "Send the link</button>" in reset
    client.force_login(coach)
    change = client.get(reverse("password_change")).content.decode()
    assert "<h1>Change your password</h1>" in change and "Save password</button>" in change
    assert "Send the link" not in change


def test_an_htmx_request_after_the_session_expired_sends_the_page_to_the_login(client, district):
    """Not a login form swapped into the middle of a walk: the whole page goes to sign in, and back."""
    response = client.get(
        reverse("observations:walkthrough", args=[1]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/walkthroughs/1/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=/walkthroughs/1/"


def test_a_malformed_current_url_header_still_sends_the_page_to_the_login(client, district):
    """HX-Current-URL is whatever the client sends; one that is no URL at all was a 500."""
    response = client.get(reverse("observations:walkthrough", args=[1]), headers={"HX-Request": "true", "HX-Current-URL": "http://["})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=/walkthroughs/1/"


def test_an_htmx_tap_after_the_session_expired_is_a_401_the_page_keeps_and_resends(client, district):
    """Sent to the login, the page would lose the tap (and its evidence): it stays, unsaved, and is
    sent again once the coach has signed in again (tests/test_walk_browser.py)."""
    response = client.post(reverse("observations:answer", args=[1]), headers={"HX-Request": "true"})
    assert response.status_code == 401 and "HX-Redirect" not in response
    assert response.content.decode() == "Not saved: your sign-in has ended. Sign in again to save it."


def test_a_username_longer_than_any_is_refused_as_a_bad_sign_in(client, district):
    """Django sets the username's length on the input only; a longer one reached the lockout records: a 500."""
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "wrong"})
    assert response.status_code == 400 and "Please enter a correct username and password" in response.content.decode()


@pytest.mark.parametrize(
    "role, page",
    [
        ("leader", "dashboard:pauses"),
        ("principal", "people:teacher-list"),
        ("coach", "observations:walkthrough-list"),
        ("teacher_user", "observations:walkthrough-list"),  # their reflections, and "Reflect on your practice"
        ("admin", "people:roster"),
    ],
)
def test_signing_in_leads_each_person_to_their_own_starting_page(client, content, district, role, page):
    user = district.user(role)
    user.set_password(PASSWORD)
    user.save()
    response = sign_in(client, user.username, PASSWORD)
    assert response["Location"] == reverse("start")
    landing = client.get(response["Location"])
    assert landing.status_code == 302 and landing["Location"] == reverse(page)
    assert client.get(landing["Location"]).status_code == 200


def test_a_superuser_with_no_role_lands_on_a_page_they_may_open(client, content, district):
    """createsuperuser makes staff with no role: the roster (a site admin's) would be a 403."""
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    sign_in(client, "root", PASSWORD)
    landing = client.get(reverse("start"))
    assert landing["Location"] == reverse("progressions:home")
    body = client.get(landing["Location"]).content.decode()
    assert reverse("admin:index") in body and reverse("people:roster") not in body  # the nav offers what opens


def test_a_page_asked_for_before_signing_in_comes_first(client, content, district):
    district.coach.set_password(PASSWORD)
    district.coach.save()
    wanted = reverse("people:teacher-list")
    response = client.post(f"{reverse('login')}?next={wanted}", {"username": "demo-coach", "password": PASSWORD})
    assert response["Location"] == wanted
