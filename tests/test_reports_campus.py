"""The campus summary: every teacher's latest pause and movement, who needs a visit, the spread of pauses."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from observations.models import Walkthrough
from people.models import Campus, Teacher
from tests.reporting import flex_walkthrough, pdf_pages, pdf_text, signed_in_page
from observations.history import teacher_history
from tests.walks import plan_walk, walked

HEADER = ["TEACHER", "PROGRESSION", "LATEST PAUSE AND NEXT MOVE", "LAST WALKTHROUGH", "MOVEMENT"]
NEXT_MOVE = 'Post "I can" <statements>\nat each station.'  # typed by the coach: escaped, its line kept


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def row_of(body: str, name: str) -> str:
    """The roster table row that starts with this teacher's name."""
    return body.split(f'<th scope="row">{name}</th>', 1)[1].split("</tr>", 1)[0]


@pytest.fixture
def oak(content, district):
    """OAK teachers who moved on, moved back, stayed, went quiet; a self-reflection; a walk at LKW."""
    d = district
    aisha, daniel = Teacher.objects.filter(campus=d.oak, last_name__in=["Carter", "Nguyen"]).order_by("last_name")
    flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=days_ago(40), next_move="OLD-MOVE")
    flex_walkthrough(
        d.coach, d.teacher, in_place=4, observed_at=days_ago(10), next_move=NEXT_MOVE, teacher_note="SHARED-NOTE",
        private_note="PRIVATE-COACH",
    )  # fmt: skip
    flex_walkthrough(d.teacher_user, d.teacher, kind=Walkthrough.Kind.SELF, in_place=9, observed_at=days_ago(2))
    flex_walkthrough(d.coach, d.oak_teacher, in_place=4, observed_at=days_ago(30))
    flex_walkthrough(d.coach, d.oak_teacher, in_place=2, observed_at=days_ago(3))
    flex_walkthrough(d.coach, aisha, in_place=1, observed_at=days_ago(20))
    flex_walkthrough(d.coach, aisha, in_place=1, observed_at=days_ago(5))
    flex_walkthrough(d.coach, daniel, in_place=0, observed_at=days_ago(45))
    flex_walkthrough(d.coach, d.lkw_teacher, in_place=3, observed_at=days_ago(1))
    return {"aisha": aisha, "daniel": daniel}


def test_each_teacher_has_their_progression_latest_pause_date_and_movement(client, oak, district):
    client.force_login(district.principal)
    body = client.get(reverse("reports:campus", args=["OAK"])).content.decode()
    maria = row_of(body, "Maria Alvarez")
    assert "Flex Model" in maria and "Foundation 5" in maria and "Moved on" in maria
    assert timezone.localtime(days_ago(10)).strftime("%-d %b %Y") in maria
    assert "Foundation 3" in row_of(body, "James Brooks") and "Moved back" in row_of(body, "James Brooks")
    assert "Foundation 2" in row_of(body, "Aisha Carter") and "Same pause" in row_of(body, "Aisha Carter")
    assert "Foundation 1" in row_of(body, "Daniel Nguyen") and "First walkthrough" in row_of(body, "Daniel Nguyen")
    assert "No walkthrough yet" in row_of(body, "Sofia Ramirez")
    assert "Grace Kim" not in body  # another campus
    assert "Foundation 10" not in body  # the teacher's own self-reflection is not a coach walkthrough
    assert "PRIVATE" not in body


def test_each_teacher_row_gives_the_next_move_agreed_at_the_latest_pause(client, oak, district):
    """What the principal follows up on: the latest walkthrough's next move, as typed and escaped;
    not an older one, and never the walkthrough's notes."""
    client.force_login(district.principal)
    body = client.get(reverse("reports:campus", args=["OAK"])).content.decode()
    maria = row_of(body, "Maria Alvarez")
    assert "Next move:</span> Post &quot;I can&quot; &lt;statements&gt;<br>at each station." in maria
    assert "Write on-demand directions for every station." in row_of(body, "James Brooks")
    assert "Next move" not in row_of(body, "Sofia Ramirez")  # no walkthrough yet
    assert "OLD-MOVE" not in body and "SHARED-NOTE" not in body and "PRIVATE" not in body


def test_teachers_without_a_walkthrough_in_30_days_are_listed(client, oak, district):
    client.force_login(district.principal)
    body = client.get(reverse("reports:campus", args=["OAK"])).content.decode()
    quiet = body.split("No walkthrough in the last 30 days</h2>")[1].split("</section>")[0]
    assert "Daniel Nguyen: last walkthrough" in quiet  # 45 days ago
    assert "Sofia Ramirez: no walkthrough yet" in quiet and "Liam O&#x27;Connor: no walkthrough yet" in quiet
    for recent in ("Maria Alvarez", "James Brooks", "Aisha Carter"):
        assert recent not in quiet


def test_the_spread_of_pauses_is_an_accessible_chart(client, oak, district):
    client.force_login(district.principal)
    body = client.get(reverse("reports:campus", args=["OAK"])).content.decode()
    chart = body.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "Flex Model: where teachers paused</title>" in chart
    desc = chart.split("<desc")[1].split("</desc>")[0]
    assert "Foundation 1: 1 teacher; Foundation 2: 1 teacher; Foundation 3: 1 teacher; Foundation 5: 1 teacher." in desc
    assert chart.count("<rect ") == 4
    assert "Each teacher's latest finished coach walkthrough on the progression, however long ago" in body


def test_the_pdf_holds_the_roster_and_never_a_private_note(client, oak, district):
    client.force_login(district.principal)
    response = client.get(reverse("reports:campus-pdf", args=["OAK"]))
    assert response["Content-Type"] == "application/pdf"
    day = f"{timezone.localdate():%Y-%m-%d}"
    assert response["Content-Disposition"] == f'inline; filename="campus-summary-oak-{day}.pdf"'
    text = pdf_text(response.content)
    assert "Oak Cliff Elementary" in text and "Maria Alvarez Flex Model Foundation 5" in text
    assert 'Next move: Post "I can" <statements> at each station.' in " ".join(text.split())
    assert "PRIVATE" not in text and "Grace Kim" not in text


def test_a_60_teacher_campus_paginates_with_the_table_header_on_every_page(client, content, district):
    big = Campus.objects.create(code="BIG", name="Bigtown High")
    teachers = Teacher.objects.bulk_create(
        Teacher(campus=big, first_name=f"Teacher{n:02d}", last_name="Example", employee_id=f"B{n:03d}")
        for n in range(60)
    )
    for n, teacher in enumerate(teachers):
        flex_walkthrough(district.coach, teacher, in_place=n % 3, observed_at=days_ago(20))
        flex_walkthrough(district.coach, teacher, in_place=n % 5, observed_at=days_ago(2))
    client.force_login(district.leader)
    pages = pdf_pages(client.get(reverse("reports:campus-pdf", args=["BIG"])).content)
    roster_pages = [page for page in pages if "Teacher" in page and "Example" in page]
    assert len(pages) > 1 and len(roster_pages) > 1
    for page in roster_pages:
        assert all(words in page for words in HEADER), page[page.find('TEACHER'):page.find('TEACHER')+400]
    assert all(f"Teacher{n:02d} Example" in " ".join(roster_pages) for n in range(60))


@pytest.mark.parametrize("view", ["reports:campus", "reports:campus-pdf"])
@pytest.mark.parametrize(
    "viewer,code,status",
    [
        ("principal", "OAK", 200),
        ("principal", "LKW", 404),  # another principal's campus
        ("lkw_principal", "OAK", 404),
        ("leader", "LKW", 200),
        ("admin", "LKW", 200),
        ("leader", "NOPE", 404),
        ("leader", "O\x00AK", 404),  # PostgreSQL cannot compare text with a NUL: was a 500
        ("coach", "OAK", 403),  # campus summaries are for principals and leaders
        ("lkw_coach", "LKW", 403),
        ("teacher_user", "OAK", 403),
        ("principal", "lkw", 404),  # another case finds the campus only for those who may see it
    ],
)
def test_who_may_print_which_campus(client, oak, district, view, viewer, code, status):
    client.force_login(district.user(viewer))
    response = client.get(reverse(view, args=[code]))
    assert response.status_code == status
    if status != 200:  # nothing of the campus (the menu may name the signed-in teacher herself)
        assert "Alvarez" not in response.content.decode(errors="replace").split('id="main"')[-1]


@pytest.mark.parametrize("view", ["reports:campus", "reports:campus-pdf"])
def test_a_code_typed_in_another_case_goes_to_the_campus_own_address(client, oak, district, view):
    client.force_login(district.principal)
    response = client.get(reverse(view, args=["oak"]))
    assert response.status_code == 302 and response["Location"] == reverse(view, args=["OAK"])
    Campus.objects.create(code="Oak", name="Another Oak")  # not the principal's: it tells them nothing
    assert client.get(reverse(view, args=["oak"]))["Location"] == reverse(view, args=["OAK"])
    client.force_login(district.leader)  # two campuses the leader sees read "oak": neither is guessed
    assert client.get(reverse(view, args=["oak"])).status_code == 404
    assert client.get(reverse(view, args=["OAK"])).status_code == 200


def test_a_site_admin_sees_the_roster_but_no_coaching_record(client, oak, district):
    """Walkthrough.objects.visible_to gives site admins no walkthroughs: they keep the site, not the coaching."""
    client.force_login(district.admin)
    body = client.get(reverse("reports:campus", args=["OAK"])).content.decode()
    assert "No walkthrough yet" in row_of(body, "Maria Alvarez") and "Foundation 5" not in body


@pytest.mark.parametrize("view", ["reports:campus", "reports:campus-pdf"])
def test_query_count_is_the_same_however_many_walkthroughs(client, content, district, django_assert_num_queries, view):
    """Session, user, roles, the campus, its teachers, and each teacher's two latest walkthroughs per framework."""
    client.force_login(district.principal)
    url = reverse(view, args=["OAK"])
    teachers = list(Teacher.objects.filter(campus=district.oak))
    for teacher in teachers[:2]:
        flex_walkthrough(district.coach, teacher, in_place=1)
    with django_assert_num_queries(6):
        client.get(url)
    for n in range(18):
        flex_walkthrough(district.coach, teachers[n % len(teachers)], in_place=n % 4, observed_at=days_ago(n))
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.browser
def test_the_print_page_passes_accessibility_checks_with_no_console_errors(
    live_server, transactional_db, browser, client, oak, district
):
    page = signed_in_page(browser, client, live_server, district.principal)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("reports:campus", args=["OAK"]))
    assert page.get_by_role("img", name="Flex Model: where teachers paused").is_visible()
    download = page.get_by_role("link", name="Download PDF")
    assert download.get_attribute("href") == reverse("reports:campus-pdf", args=["OAK"])
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert problems == []
    page.context.close()


@pytest.mark.parametrize(
    "before, movement",
    [(4, "Moved on"), (7, "No clear move: observers differed"), (10, "Moved back"),  # Foundation 5, 8, 11
     # Foundation 7 and 9: one observer found the pause where it was; only the other found a move
     (6, "No clear move: observers differed"), (8, "No clear move: observers differed")],
)
def test_a_walks_ratings_of_a_classroom_are_one_visit_not_a_move_back(client, content, district, before, movement):
    """Two observers who rate a classroom blind in one walk are one visit at a range of pauses:
    the later of the two ratings is not a move from the earlier one."""
    d = district
    flex_walkthrough(d.coach, d.teacher, in_place=before, observed_at=days_ago(20))
    walk = plan_walk(d, observers=[d.coach, d.principal])
    walked(d.coach, d.teacher, walk, in_place=6)  # Foundation 7
    walked(d.principal, d.teacher, walk, in_place=8)  # Foundation 9, rated last
    client.force_login(d.principal)
    body = client.get(reverse("reports:campus", args=["OAK"])).content.decode()
    maria = row_of(body, "Maria Alvarez")
    assert "Foundation 7 to Foundation 9 (observers differed)" in maria
    assert f">{movement}<" in maria
    # The spread counts her latest walkthrough, as its caption says: the principal's Foundation 9.
    spread = body.split('id="spread-heading"')[1].split("</figure>")[0]
    assert ">Foundation 9</text>" in spread and ">Foundation 7</text>" not in spread


@pytest.mark.parametrize(
    "order, pause, next_move, movement",
    [
        # A walk's two ratings, 5 and 1 hours ago, around a visit alone 3 hours ago: the walk is the latest visit.
        ((("walk", 8, 5), ("alone", 10, 3), ("walk", 6, 1)), "Foundation 7 to Foundation 9 (observers differed)",
         "MOVE-7", "Moved back"),
        # The same minute: the visit alone, logged after the walk's first rating, is the latest visit.
        ((("walk", 8, 0), ("alone", 10, 0), ("walk", 6, 1 / 6)), "Foundation 11", "MOVE-11", "Moved on"),
    ],
)
def test_the_campus_summary_and_the_teachers_page_agree_on_the_latest_visit(
    client, content, district, order, pause, next_move, movement
):
    """Both place a walk's visit in time by its latest rating, and take its next move from that rating."""
    d = district
    walk = plan_walk(d, observers=[d.coach, d.principal])
    now = timezone.now().replace(second=0, microsecond=0)
    observers = iter([d.principal, d.coach])
    for how, in_place, hours_ago in order:
        observer = next(observers) if how == "walk" else d.coach
        flex_walkthrough(observer, d.teacher, in_place=in_place, observed_at=now - timedelta(hours=hours_ago),
                         next_move=f"MOVE-{in_place + 1}", walk=walk if how == "walk" else None)  # fmt: skip
    client.force_login(d.leader)
    maria = row_of(client.get(reverse("reports:campus", args=["OAK"])).content.decode(), "Maria Alvarez")
    assert pause in maria and next_move in maria and f">{movement}<" in maria
    track = next(h for h in teacher_history(teacher=d.teacher, viewer=d.leader) if h.framework.slug == "flex").coach
    assert (track.stops[-1].label, track.next_move, track.movement) == (pause, next_move, 1 if movement == "Moved on" else -1)
    assert type(track.stops[-1].times) is int
