"""Who may open what: one table of role x view -> status, checked against every URL in the project.

A view added without a row here fails test_every_view_is_in_the_access_table.
"""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import escape

ROLES = ["anonymous", "teacher_user", "coach", "principal", "leader", "admin"]
LOGIN = 302  # redirected to the login page


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status, anonymous=LOGIN):
    return {**everyone(status), "anonymous": anonymous}


def walkthrough(d):
    """A finished coach walkthrough of Maria Alvarez (OAK) by the OAK/LKW coach, made once per district."""
    if not hasattr(d, "walkthrough"):
        from observations.services import walkthrough_answer, walkthrough_finish, walkthrough_start
        from progressions.models import Framework

        walk = walkthrough_start(
            client_key=uuid.uuid4(), observer=d.coach, teacher=d.teacher, framework=Framework.objects.get(slug="flex")
        )
        walk = walkthrough_answer(
            walkthrough=walk, client_key=uuid.uuid4(), action_id=walk.state.current.pk, in_place=False, version=walk.version
        )
        d.walkthrough = walkthrough_finish(walkthrough=walk, version=walk.version, next_move="Try it.")
    return d.walkthrough


def progression_walk(d):
    """A walk of Oak Cliff by the OAK/LKW coach and the OAK principal, planned by the leader, made once per district."""
    if not hasattr(d, "progression_walk"):
        import datetime

        from observations.services import walk_create

        d.progression_walk = walk_create(
            client_key=uuid.uuid4(),
            created_by=d.leader,
            date=datetime.date.today(),
            name="Foundation walk",
            norms="",
            campuses=[d.oak],
            observers=[d.coach, d.principal],
        )
    return d.progression_walk


def walkthrough_url(name, *extra):
    return lambda d: reverse(name, args=[walkthrough(d).pk, *extra])


def walk_url(name):
    return lambda d: reverse(name, args=[progression_walk(d).pk])


OBSERVERS = {**signed_in(403), "coach": 200, "principal": 200, "leader": 200}
POST_ONLY = signed_in(405)
DASHBOARD = {**signed_in(403), "principal": 200, "leader": 200}
ON_THE_WALK = {**signed_in(404), "coach": 200, "principal": 200, "leader": 200}  # its observers; leaders

# url name -> (how to build the URL from the district, expected status per role)
ACCESS = {
    "progressions:home": (lambda d: reverse("progressions:home"), everyone(200)),
    "progressions:progression": (lambda d: reverse("progressions:progression", args=["flex"]), everyone(200)),
    "progressions:driver-model": (lambda d: reverse("progressions:driver-model", args=["driver-model"]), everyone(200)),
    "people:teacher-list": (lambda d: reverse("people:teacher-list"), signed_in(200)),
    "people:teacher": (lambda d: reverse("people:teacher", args=[d.teacher.pk]), signed_in(200)),
    "people:roster": (lambda d: reverse("people:roster"), {**signed_in(403), "admin": 200}),
    "observations:walkthrough-list": (lambda d: reverse("observations:walkthrough-list"), signed_in(200)),
    "observations:walkthrough-new": (lambda d: reverse("observations:walkthrough-new"), OBSERVERS),
    "observations:reflection-new": (lambda d: reverse("observations:reflection-new"), {**signed_in(403), "teacher_user": 200}),
    # finished, about Maria (OAK): its coach, Maria, her principal and district leaders
    "observations:walkthrough": (walkthrough_url("observations:walkthrough"), {**signed_in(200), "admin": 404}),
    "observations:correct": (walkthrough_url("observations:correct"), {**signed_in(404), "coach": 200}),
    "observations:discard": (walkthrough_url("observations:discard"), {**signed_in(404), "coach": 200}),
    "observations:answer": (walkthrough_url("observations:answer"), POST_ONLY),
    "observations:back": (walkthrough_url("observations:back"), POST_ONLY),
    "observations:focus": (walkthrough_url("observations:focus"), POST_ONLY),
    "observations:unfocus": (walkthrough_url("observations:unfocus", 1), POST_ONLY),
    "observations:finish": (walkthrough_url("observations:finish"), POST_ONLY),
    "observations:reopen": (walkthrough_url("observations:reopen"), POST_ONLY),
    "login": (lambda d: reverse("login"), {**everyone(302), "anonymous": 200}),  # signed in: sent on
    "robots-txt": (lambda d: reverse("robots-txt"), everyone(200)),
    "start": (lambda d: reverse("start"), signed_in(302)),  # on to each person's own page
    "logout": (lambda d: reverse("logout"), everyone(405)),  # POST only
    "password_change": (lambda d: reverse("password_change"), signed_in(200)),
    "password_change_done": (lambda d: reverse("password_change_done"), signed_in(200)),
    "password_reset": (lambda d: reverse("password_reset"), everyone(200)),
    "password_reset_done": (lambda d: reverse("password_reset_done"), everyone(200)),
    "password_reset_confirm": (lambda d: reverse("password_reset_confirm", args=["MQ", "bad-token"]), everyone(400)),
    "password_reset_complete": (lambda d: reverse("password_reset_complete"), everyone(200)),
    # summaries: the walkthrough's as its page; the campus's for its principal, leaders and site admins
    "reports:walkthrough": (walkthrough_url("reports:walkthrough"), {**signed_in(200), "admin": 404}),
    "reports:walkthrough-pdf": (walkthrough_url("reports:walkthrough-pdf"), {**signed_in(200), "admin": 404}),
    "reports:teacher": (lambda d: reverse("reports:teacher", args=[d.teacher.pk]), signed_in(200)),
    "reports:teacher-pdf": (lambda d: reverse("reports:teacher-pdf", args=[d.teacher.pk]), signed_in(200)),
    "reports:campus": (
        lambda d: reverse("reports:campus", args=[d.oak.code]),
        {**signed_in(403), "principal": 200, "leader": 200, "admin": 200},
    ),
    "reports:campus-pdf": (
        lambda d: reverse("reports:campus-pdf", args=[d.oak.code]),
        {**signed_in(403), "principal": 200, "leader": 200, "admin": 200},
    ),
    # the debrief dashboard: principals (their campus) and district leaders
    "dashboard:pauses": (lambda d: reverse("dashboard:pauses"), DASHBOARD),
    "dashboard:coverage": (lambda d: reverse("dashboard:coverage"), DASHBOARD),
    "dashboard:trends": (lambda d: reverse("dashboard:trends"), DASHBOARD),
    "dashboard:export": (lambda d: reverse("dashboard:export"), DASHBOARD),
    "reports:dashboard-pauses": (lambda d: reverse("reports:dashboard-pauses"), DASHBOARD),
    "reports:dashboard-pauses-pdf": (lambda d: reverse("reports:dashboard-pauses-pdf"), DASHBOARD),
    "reports:dashboard-coverage": (lambda d: reverse("reports:dashboard-coverage"), DASHBOARD),
    "reports:dashboard-coverage-pdf": (lambda d: reverse("reports:dashboard-coverage-pdf"), DASHBOARD),
    "reports:dashboard-trends": (lambda d: reverse("reports:dashboard-trends"), DASHBOARD),
    "reports:dashboard-trends-pdf": (lambda d: reverse("reports:dashboard-trends-pdf"), DASHBOARD),
    # progression walks: leaders plan them; a walk and its debrief for its observers and district leaders
    "observations:walk-list": (lambda d: reverse("observations:walk-list"), signed_in(200)),
    "observations:walk-new": (lambda d: reverse("observations:walk-new"), {**signed_in(403), "leader": 200}),
    "observations:walk": (
        lambda d: reverse("observations:walk", args=[progression_walk(d).pk]),
        {**signed_in(404), "coach": 200, "principal": 200, "leader": 200},
    ),
    # editing a walk: district leaders only, as planning one (its observers get 403 too)
    "observations:walk-edit": (
        lambda d: reverse("observations:walk-edit", args=[progression_walk(d).pk]),
        {**signed_in(403), "leader": 200},
    ),
    # closing and reopening logging in a walk: POST only, district leaders only
    "observations:walk-close": (walk_url("observations:walk-close"), {**signed_in(403), "leader": 405}),
    "observations:walk-reopen": (walk_url("observations:walk-reopen"), {**signed_in(403), "leader": 405}),
    # the debrief, its CSV, print page and PDF: the walk's observers and district leaders (within it, the
    # principal sees their campus, a leader every campus of the walk: tests/test_walk_debrief.py)
    "observations:walk-debrief": (walk_url("observations:walk-debrief"), ON_THE_WALK),
    "observations:walk-debrief-csv": (walk_url("observations:walk-debrief-csv"), ON_THE_WALK),
    "reports:walk-debrief": (walk_url("reports:walk-debrief"), ON_THE_WALK),
    "reports:walk-debrief-pdf": (walk_url("reports:walk-debrief-pdf"), ON_THE_WALK),
    "admin:index": (lambda d: reverse("admin:index"), {**everyone(302), "admin": 200}),
}


def url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                yield "admin:index", None  # Django's admin checks staff status itself; one row stands for it
                continue
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern.callback


def test_every_view_is_in_the_access_table():
    names = {name for name, _view in url_names()}
    assert names - ACCESS.keys() == set(), "add these views to ACCESS"
    assert ACCESS.keys() - names == set(), "these rows name no view"


def test_every_view_declares_its_access_rule():
    undeclared = [name for name, view in url_names() if view is not None and not hasattr(view, "access_rule")]
    assert undeclared == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_access_table(client, content, district, name, role):
    build, expected = ACCESS[name]
    if user := district.user(role):
        client.force_login(user)
    response = client.get(build(district))
    assert response.status_code == expected[role], f"{role} GET {name}"
    if response.status_code == LOGIN and role == "anonymous" and expected[role] == LOGIN and name != "admin:index":
        assert response["Location"].startswith(reverse("login") + "?next=")


TEACHER_VIEWS = ["people:teacher", "reports:teacher", "reports:teacher-pdf"]  # every view that takes an object id


@pytest.mark.parametrize("name", TEACHER_VIEWS)
@pytest.mark.parametrize(
    "viewer,target",
    [
        ("principal", "lkw_teacher"),  # a principal of another campus
        ("lkw_principal", "oak_teacher"),
        ("lkw_coach", "oak_teacher"),  # a coach not assigned to the teacher's campus
        ("lkw_coach", "teacher"),
        ("teacher_user", "oak_teacher"),  # another teacher, same campus
        ("teacher_user", "lkw_teacher"),
    ],
)
def test_an_object_the_user_may_not_see_answers_404(client, district, name, viewer, target):
    client.force_login(getattr(district, viewer))
    response = client.get(reverse(name, args=[getattr(district, target).pk]))
    assert response.status_code == 404
    page = re.sub(r"hx-headers='[^']*'", "", response.content.decode())  # a random CSRF token once held "Kim"
    assert getattr(district, target).name not in page and getattr(district, target).last_name not in page


def test_a_missing_id_answers_404_like_a_forbidden_one(client, district):
    client.force_login(district.leader)
    assert client.get(reverse("people:teacher", args=[999999])).status_code == 404


def test_a_forbidden_page_says_who_it_is_for_within_the_site(client, district):
    """A teacher opening the dashboard gets a 403 page with the site's menu and a way back."""
    client.force_login(district.teacher_user)
    response = client.get(reverse("dashboard:pauses"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "This page is not open to you" in page and "This page is for principals or district leaders." in page
    assert 'aria-label="Main"' in page and "CC BY-NC-SA 4.0" in page


@pytest.mark.parametrize(
    "viewer,campuses",
    [
        ("coach", {"OAK", "LKW"}),
        ("lkw_coach", {"LKW"}),
        ("principal", {"OAK"}),
        ("leader", {"OAK", "LKW"}),
    ],
)
def test_teacher_list_shows_exactly_the_teachers_of_the_users_campuses(client, district, viewer, campuses):
    from people.models import Teacher

    client.force_login(getattr(district, viewer))
    body = client.get(reverse("people:teacher-list")).content.decode()
    for teacher in Teacher.objects.select_related("campus"):
        assert (escape(teacher.name) in body) is (teacher.campus.code in campuses), teacher.name


def test_a_teacher_sees_only_themselves(client, district):
    client.force_login(district.teacher_user)
    body = client.get(reverse("people:teacher-list")).content.decode()
    assert "Maria Alvarez" in body
    assert "James Brooks" not in body and "Grace Kim" not in body


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_every_post_without_a_csrf_token_is_rejected(content, district, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district.admin)
    response = client.post(ACCESS[name][0](district), {"username": "x", "password": "y", "email": "a@b.c"})
    assert response.status_code in (403, 405), f"POST {name} without a token answered {response.status_code}"


def test_an_htmx_post_carries_the_token_in_its_headers(content, district):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district.coach)
    page = client.get(reverse("people:teacher-list"))
    token = page.context["csrf_token"]
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page.content.decode()
    response = client.post(reverse("logout"), headers={"HX-Request": "true", "X-CSRFToken": str(token)})
    assert response.status_code == 302  # accepted: signed out


@pytest.mark.parametrize("url", ["/", "/progressions/flex/", "/accounts/login/"])
def test_pages_send_a_content_security_policy_of_own_scripts_and_styles_only(client, content, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_the_admin_is_for_site_admins_only(client, district):
    client.force_login(district.admin)
    assert client.get(reverse("admin:people_teacher_changelist")).status_code == 200
    assert client.get(reverse("admin:progressions_action_changelist")).status_code == 200
    client.force_login(district.principal)
    response = client.get(reverse("admin:people_teacher_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
