"""The teacher coaching summary: pauses over time per progression, the next move, both views side by side."""

import re
import uuid
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils.html import escape
from django.utils import timezone

from observations.models import Walkthrough
from tests.reporting import driver_model_walkthrough, flex_walkthrough, pdf_pages, pdf_text, signed_in_page
from tests.walks import plan_walk

HOSTILE = '<script>alert(1)</script><img src="http://example.com/x.png">'


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def history(content, district):
    """Maria Alvarez: three coach walkthroughs moving on from Foundation 3 to 6, one self-reflection."""
    d = district
    flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=days_ago(60), next_move="Record the lessons.")
    flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=days_ago(40), next_move="Record two lessons a week.")
    flex_walkthrough(
        d.coach, d.teacher, in_place=5, observed_at=days_ago(10), next_move="Teach goal setting with a model goal.",
        private_note="PRIVATE-COACH",
    )  # fmt: skip
    flex_walkthrough(
        d.teacher_user, d.teacher, kind=Walkthrough.Kind.SELF, in_place=4, observed_at=days_ago(5),
        next_move="Write directions for each station.", private_note="PRIVATE-SELF",
    )  # fmt: skip


def test_the_pdf_holds_the_teacher_latest_pause_and_current_next_move(client, history, district):
    client.force_login(district.principal)
    response = client.get(reverse("reports:teacher-pdf", args=[district.teacher.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Maria Alvarez" in text and "Flex Model" in text
    assert "Current next move Teach goal setting with a model goal." in text
    assert "Latest pause Foundation 6" in text
    assert "Moved on from the pause before" in text
    assert "Foundation 3" in text  # the earlier pause, in the pauses-over-time table
    assert "PRIVATE" not in text
    assert "Write directions for each station." not in text  # a principal never sees self-reflections
    day = f"{timezone.localdate():%Y-%m-%d}"
    assert response["Content-Disposition"] == f'inline; filename="coaching-summary-maria-alvarez-{day}.pdf"'


def test_the_teacher_sees_the_coachs_view_and_their_own_side_by_side(client, history, district):
    client.force_login(district.teacher_user)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    assert "The coach's view" in body and "The teacher's own view" in body
    assert "Teach goal setting with a model goal." in body and "Write directions for each station." in body
    assert "PRIVATE" not in body
    text = pdf_text(client.get(reverse("reports:teacher-pdf", args=[district.teacher.pk])).content)
    assert "THE COACH'S VIEW" in text and "THE TEACHER'S OWN VIEW" in text
    words = {w.kind: " ".join(w.pause_text.split()) for w in Walkthrough.objects.filter(teacher=district.teacher).order_by("observed_at")}
    coach, own = words[Walkthrough.Kind.COACH], words[Walkthrough.Kind.SELF]
    assert f"Latest pause Foundation 6 {coach} Foundation 5 {own}" in " ".join(text.split())  # coach, then the teacher's own


def test_the_latest_pause_prints_with_its_action_in_the_words_the_walkthrough_recorded(client, history, district):
    """A principal reading the printed summary reads what "Foundation 6" asks of the classroom, as the
    latest walkthrough recorded it (escaped), not only its number."""
    latest = Walkthrough.objects.filter(teacher=district.teacher, kind=Walkthrough.Kind.COACH).latest("observed_at")
    Walkthrough.objects.filter(pk=latest.pk).update(pause_text=f"Students set goals {HOSTILE}")
    client.force_login(district.principal)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    assert f'Foundation 6<span class="action-text">Students set goals {escape(HOSTILE)}</span>' in body
    text = " ".join(pdf_text(client.get(reverse("reports:teacher-pdf", args=[district.teacher.pk])).content).split())
    assert f"Latest pause Foundation 6 Students set goals {HOSTILE} Movement" in text


def test_observers_who_differed_at_the_latest_visit_print_the_range_without_one_ends_words(client, content, district):
    walk = plan_walk(district, observers=[district.coach, district.principal])
    ratings = [flex_walkthrough(observer, district.teacher, in_place=n, walk=walk) for observer, n in ((district.coach, 2), (district.principal, 5))]
    client.force_login(district.leader)
    text = " ".join(pdf_text(client.get(reverse("reports:teacher-pdf", args=[district.teacher.pk])).content).split())
    assert "Latest pause Foundation 3 to Foundation 6 (observers differed) Movement" in text
    assert not any(" ".join(rating.pause_text.split()) in text for rating in ratings)


def test_a_principal_sees_only_the_coachs_view(client, history, district):
    client.force_login(district.principal)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    assert "The coach's view" in body and "The teacher's own view" not in body


def test_the_pauses_are_drawn_as_an_accessible_chart(client, history, district):
    client.force_login(district.teacher_user)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    assert body.count('<svg class="chart"') == 1
    assert 'role="img" aria-labelledby="timeline-flex-title timeline-flex-desc"' in body
    assert '<title id="timeline-flex-title">Flex Model: pauses over time</title>' in body
    desc = body.split('<desc id="timeline-flex-desc">')[1].split("</desc>")[0]
    assert "Coach walkthrough: Foundation 3 (" in desc and "then Foundation 6 (" in desc
    assert "Self-reflection: Foundation 5 (" in desc
    chart = body.split('<svg class="chart"')[1].split("</svg>")[0]
    assert chart.count("<circle ") == 2  # two coach walkthroughs in a row at Foundation 3 are one point
    assert "<caption>Pauses over time</caption>" in body  # the same figures as a table
    assert "2 coach walkthroughs" in body


def test_a_driver_model_history_shows_its_next_move_and_latest_feedback_without_a_chart(client, content, district, django_assert_num_queries):
    """The feedback is what the principal prints: each component of the latest walkthrough, the
    stage worked toward, and the steps chosen (in the source's words) or the coach's own. Session,
    user, roles, the teacher, the walkthroughs, the frameworks and the feedback (no progression,
    so no actions), however many walkthroughs."""
    driver_model_walkthrough(district.coach, district.teacher)
    latest = driver_model_walkthrough(district.coach, district.teacher)
    client.force_login(district.principal)
    url = reverse("reports:teacher", args=[district.teacher.pk])
    with django_assert_num_queries(7):
        body = client.get(url).content.decode()
    assert "Driver Model Action Steps" in body and "Hold a class meeting on norms." in body
    assert '<svg class="chart"' not in body
    feedback = body.split('<th scope="row">Latest feedback</th>')[1].split("</tr>")[0]
    for focus in latest.focuses.all():
        assert f"<strong>{focus.component_name}</strong>, toward {focus.stage_name}" in feedback
        for text in focus.step_texts:
            assert escape(text) in feedback
    assert "Invite students to co-write the norms." in feedback
    assert feedback.count("<strong>") == 2  # the latest walkthrough's two components, not the earlier one's too
    text = " ".join(pdf_text(client.get(reverse("reports:teacher-pdf", args=[district.teacher.pk])).content).split())
    assert "Latest feedback" in text and "Invite students to co-write the norms." in text


def test_a_teacher_with_no_walkthrough_gets_a_plain_summary(client, content, district):
    client.force_login(district.principal)
    text = pdf_text(client.get(reverse("reports:teacher-pdf", args=[district.oak_teacher.pk])).content)
    assert "James Brooks" in text and "No finished walkthroughs of James that you may see" in text


def test_hostile_text_prints_literally(client, content, district):
    flex_walkthrough(district.coach, district.teacher, next_move=HOSTILE)
    client.force_login(district.principal)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>" not in body and "<img" not in body
    text = pdf_text(client.get(reverse("reports:teacher-pdf", args=[district.teacher.pk])).content)
    assert HOSTILE in text


@pytest.mark.parametrize("view", ["reports:teacher", "reports:teacher-pdf"])
@pytest.mark.parametrize(
    "viewer,target", [("lkw_principal", "teacher"), ("lkw_coach", "teacher"), ("teacher_user", "oak_teacher")]
)
def test_a_teacher_the_user_may_not_see_answers_404(client, content, district, view, viewer, target):
    flex_walkthrough(district.coach, getattr(district, target))
    client.force_login(district.user(viewer))
    assert client.get(reverse(view, args=[getattr(district, target).pk])).status_code == 404


@pytest.mark.parametrize("view", ["reports:teacher", "reports:teacher-pdf"])
def test_query_count_is_the_same_however_long_the_history(client, content, district, django_assert_num_queries, view):
    """Session, user, roles, the teacher, the walkthroughs, the frameworks, the progression's actions."""
    client.force_login(district.principal)
    url = reverse(view, args=[district.teacher.pk])
    for _ in range(2):
        flex_walkthrough(district.coach, district.teacher, in_place=1)
    with django_assert_num_queries(7):
        client.get(url)
    for days in range(18):
        flex_walkthrough(district.coach, district.teacher, in_place=days % 6, observed_at=days_ago(days))
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200


def test_a_long_history_prints_its_latest_pauses_and_counts_every_walkthrough(client, content, district, monkeypatch):
    """A teacher walked for years would print dozens of pages: the summary draws and lists each
    timeline's latest pauses, says how many came before and since when, and still counts them all."""
    monkeypatch.setattr("reports.teacher.SUMMARY_STOPS", 3)
    for days, in_place in ((50, 1), (40, 2), (30, 3), (20, 4), (11, 5), (10, 5)):  # F2, F3, F4, F5, then F6 twice
        flex_walkthrough(district.coach, district.teacher, in_place=in_place, observed_at=days_ago(days))
    client.force_login(district.principal)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    table = body.split("<caption>Pauses over time</caption>")[1].split("</table>")[0]
    assert [row.split("<td>")[1].split("</td>")[0] for row in table.split("<tr>")[2:]] == ["Foundation 4", "Foundation 5", "Foundation 6"]
    chart = body.split('<svg class="chart"')[1].split("</svg>")[0]
    assert chart.count("<circle ") == 3 and "Foundation 3" not in chart
    since = f"{timezone.localtime(days_ago(30)):%-d %b %Y}"
    assert f"Coach walkthroughs: the latest 3 of 5 pauses are drawn and listed, since {since}." in body
    assert "The 6 coach walkthroughs above count every one." in body
    assert "<tr><th scope=\"row\">Walkthroughs</th><td>6</td></tr>" in body
    text = pdf_text(client.get(reverse("reports:teacher-pdf", args=[district.teacher.pk])).content)
    assert "the latest 3 of 5 pauses" in text and "Foundation 3" not in text and "Latest pause Foundation 6" in text


def test_a_walks_visit_is_dated_by_its_latest_rating_as_it_is_placed(client, content, district, monkeypatch):
    """Two observers rated Maria in a walk 20 days apart, around a walkthrough outside it: the visit
    comes last (by its latest rating), so the note dates the pauses kept from that rating, never
    from one older than the pause left out."""
    monkeypatch.setattr("reports.teacher.SUMMARY_STOPS", 1)
    walk = plan_walk(district, observers=[district.coach, district.principal])
    ratings = [flex_walkthrough(observer, district.teacher, in_place=4, walk=walk) for observer in (district.coach, district.principal)]
    for rating, days in zip(ratings, (30, 10)):
        Walkthrough.objects.filter(pk=rating.pk).update(observed_at=days_ago(days))
    flex_walkthrough(district.coach, district.teacher, in_place=8, observed_at=days_ago(20))  # Foundation 9, left out
    client.force_login(district.leader)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    since = f"{timezone.localtime(days_ago(10)):%-d %b %Y}"
    assert f"Coach walkthroughs: the latest 1 of 2 pauses are drawn and listed, since {since}." in body
    table = body.split("<caption>Pauses over time</caption>")[1].split("</table>")[0]
    assert "Foundation 5" in table and "Foundation 9" not in table


def test_a_thousand_visits_read_with_a_thousands_separator(client, content, district):
    first = flex_walkthrough(district.coach, district.teacher, in_place=0, observed_at=days_ago(1001))
    copies = []
    for n in range(999):  # as written by a walk, a pause alternating between Foundation 1 and 2, a day apart
        copy = Walkthrough.objects.get(pk=first.pk)
        copy.pk, copy.client_key, copy.observed_at = None, uuid.uuid4(), days_ago(1000 - n)
        copy.pause_number = 1 + (n + 1) % 2
        copies.append(copy)
    Walkthrough.objects.bulk_create(copies)
    client.force_login(district.principal)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    assert "the latest 24 of 1,000 pauses are drawn and listed" in body
    assert "The 1,000 coach walkthroughs above count every one." in body


def test_a_history_within_the_limit_prints_whole(client, history, district):
    client.force_login(district.principal)
    body = client.get(reverse("reports:teacher", args=[district.teacher.pk])).content.decode()
    assert "Foundation 3" in body and "are drawn and listed" not in body


def test_the_pauses_table_never_leaves_its_caption_at_a_pages_foot(client, content, district):
    """Wherever a longer next move pushes the table of pauses, its caption starts the page its rows
    start on: WeasyPrint kept the caption at the foot of one page and moved every row to the next."""
    walkthroughs = [
        flex_walkthrough(district.coach, district.teacher, in_place=n % 2, observed_at=days_ago(30 - n)) for n in range(20)
    ]
    client.force_login(district.principal)
    url = reverse("reports:teacher-pdf", args=[district.teacher.pk])
    for sentences in range(0, 24, 3):
        Walkthrough.objects.filter(pk=walkthroughs[-1].pk).update(next_move="Post the directions at each station. " * sentences * 3)
        pages = pdf_pages(client.get(url).content)
        caption_page = next(page for page in pages if "Pauses over time" in page)
        assert re.search(r"Foundation \d+ \d+ \w+ \d{4} 1 coach walkthrough", caption_page), sentences  # a row


@pytest.mark.browser
def test_the_print_page_passes_accessibility_checks_with_no_console_errors(
    live_server, transactional_db, browser, client, history, district
):
    """axe-core on the page with the chart; a CSP violation would show as a console error."""
    page = signed_in_page(browser, client, live_server, district.teacher_user)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("reports:teacher", args=[district.teacher.pk]))
    assert page.get_by_role("img", name="Flex Model: pauses over time").is_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    # The Print button opens the browser's print dialog (recorded here: headless Chromium has none).
    page.evaluate("window.print = () => { window.printAsked = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printAsked") is True
    assert problems == []
    page.context.close()


def test_a_pause_seen_twice_on_one_day_gives_that_day_not_a_range(client, content, district):
    d = district
    flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=days_ago(3))
    flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=days_ago(3) + timedelta(minutes=30))
    flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=days_ago(1))  # a later day: now a range
    client.force_login(d.principal)
    body = client.get(reverse("reports:teacher", args=[d.teacher.pk])).content.decode()
    first, last = f"{timezone.localtime(days_ago(3)):%-d %b %Y}", f"{timezone.localtime(days_ago(1)):%-d %b %Y}"
    assert f"{first} to {last}" in body
    flex_walkthrough(d.coach, d.oak_teacher, in_place=2, observed_at=days_ago(3))
    flex_walkthrough(d.coach, d.oak_teacher, in_place=2, observed_at=days_ago(3) + timedelta(minutes=30))
    body = client.get(reverse("reports:teacher", args=[d.oak_teacher.pk])).content.decode()
    assert f"{first} to {first}" not in body and first in body
