"""The walkthrough summary: its print page and PDF show the shared record, never the private note."""

import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from observations.models import Walkthrough
from observations.services import walkthrough_answer, walkthrough_finish, walkthrough_start
from progressions.models import Framework
from reports.pdf import BASE_URL, RefusedURL, StaticFilesOnly, static_file
from tests.reporting import driver_model_walkthrough, flex_walkthrough, pdf_pages, pdf_text

HOSTILE = '<script>alert(1)</script><img src="http://example.com/x.png">'


@pytest.fixture
def walk(content, district):
    return flex_walkthrough(
        district.coach, district.teacher, in_place=4, evidence="No directions posted at the stations.",
        next_move="Post step-by-step directions at every station.", teacher_note="Students knew the routine well.",
        private_note="PRIVATE: seemed tired today.",
    )  # fmt: skip


@pytest.mark.parametrize("viewer", ["coach", "teacher_user", "principal", "leader"])
def test_the_pdf_holds_teacher_pause_and_next_move_and_never_the_private_note(client, walk, district, viewer):
    client.force_login(district.user(viewer))
    response = client.get(reverse("reports:walkthrough-pdf", args=[walk.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Maria Alvarez" in text and "Oak Cliff Elementary" in text and "Priya Shah" in text
    assert "Flex Model" in text and "Foundation 5" in text
    assert f"{timezone.localtime(walk.observed_at):%H:%M}" in text and "a.m." not in text and "p.m." not in text  # as on the web
    assert "On-demand directions are leveraged to complete self-paced learning" in text  # the pause action
    assert "Agreed next move" in text and "Post step-by-step directions at every station." in text
    # The observer wrote their own: the source's suggestion is printed beside it, word for word.
    assert "The PL Toolbox's possible next move: " + " ".join(walk.pause_next_move.split()) in " ".join(text.split())
    assert "Note for the teacher" in text and "Students knew the routine well." in text
    assert "No directions posted at the stations." in text
    assert "PRIVATE" not in text and "seemed tired" not in text  # not even for the coach who wrote it


def test_the_pdf_lists_the_actions_found_in_place_before_the_pause(client, walk, district):
    client.force_login(district.principal)
    text = pdf_text(client.get(reverse("reports:walkthrough-pdf", args=[walk.pk])).content)
    assert "Found in place before the pause" in text
    for number in (1, 2, 3, 4):
        assert f"Foundation {number}" in text
    assert "Teacher has set time in the daily schedule for self-directed learning." in text
    assert "Foundation 6" not in text  # after the pause: not walked


def test_every_pdf_page_carries_the_credit_licence_printed_date_and_page_number(client, walk, district):
    client.force_login(district.principal)
    pages = pdf_pages(client.get(reverse("reports:walkthrough-pdf", args=[walk.pk])).content)
    for number, page in enumerate(pages, start=1):
        assert "Content adapted from the PL Toolbox (www.thepltoolbox.com), Personalized Learning Team, Dallas ISD, CC BY-NC-SA 4.0" in page
        assert "https://creativecommons.org/licenses/by-nc-sa/4.0/" in page
        assert "Printed " in page
        assert f"Page {number} of {len(pages)}" in page


def test_the_pdf_is_served_inline_with_a_safe_file_name(client, walk, district):
    client.force_login(district.principal)
    response = client.get(reverse("reports:walkthrough-pdf", args=[walk.pk]))
    day = f"{timezone.localtime(walk.observed_at):%Y-%m-%d}"
    assert response["Content-Disposition"] == f'inline; filename="walkthrough-maria-alvarez-{day}.pdf"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_print_page_shows_the_same_summary_with_print_and_download(client, walk, district):
    client.force_login(district.principal)
    response = client.get(reverse("reports:walkthrough", args=[walk.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Post step-by-step directions at every station." in body and "Foundation 5" in body
    assert "PRIVATE" not in body
    assert f'href="{reverse("reports:walkthrough-pdf", args=[walk.pk])}"' in body and "Download PDF" in body
    assert "Print command" in body
    assert 'href="/static/css/print.css"' in body
    # CSP: the app's own stylesheet and one script of its own (the Print button), nothing inline.
    assert "style=" not in body and "<style" not in body
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/js/print.js" defer>']
    assert "data-print hidden>Print</button>" in body  # shown by that script: without it, the hint says how
    assert "Content adapted from the PL Toolbox" in body and 'rel="license"' in body
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_the_model_seen_is_printed_only_when_noted(client, content, district):
    noted = flex_walkthrough(district.coach, district.teacher, model_seen=Walkthrough.BlendedModel.STATION_ROTATION)
    client.force_login(district.principal)
    assert "Model seen Station Rotation" in pdf_text(client.get(reverse("reports:walkthrough-pdf", args=[noted.pk])).content)
    body = client.get(reverse("reports:walkthrough", args=[noted.pk])).content.decode()
    assert '<tr><th scope="row">Model seen</th><td>Station Rotation</td></tr>' in body
    not_noted = flex_walkthrough(district.coach, district.teacher)
    assert "Model seen" not in pdf_text(client.get(reverse("reports:walkthrough-pdf", args=[not_noted.pk])).content)


def test_a_hostile_note_prints_as_text_and_nothing_is_fetched(client, content, district, monkeypatch):
    walk = flex_walkthrough(district.coach, district.teacher, next_move=HOSTILE, teacher_note=HOSTILE)
    fetched = []
    original = StaticFilesOnly.fetch
    monkeypatch.setattr(
        StaticFilesOnly, "fetch", lambda self, url, headers=None: fetched.append(url) or original(self, url)
    )
    client.force_login(district.principal)
    body = client.get(reverse("reports:walkthrough", args=[walk.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;http://example.com/x.png&quot;&gt;" in body
    assert "<script>" not in body and "<img" not in body
    text = pdf_text(client.get(reverse("reports:walkthrough-pdf", args=[walk.pk])).content)
    assert text.count(HOSTILE) == 2  # next move and note, printed literally
    assert fetched == [BASE_URL + "static/css/print.css", BASE_URL + "static/css/pdf.css"]


def test_a_long_word_in_a_note_wraps_inside_the_page(client, content, district):
    """One 147-letter word typed as evidence widened the table of actions found in place past the
    paper, cutting off the PL Toolbox's own text in every row: now it breaks across lines."""
    word = "Donaudampfschifffahrtsgesellschaftskapitaenswitwe" * 3
    walkthrough = walkthrough_start(client_key=uuid.uuid4(), observer=district.coach, teacher=district.teacher,
                                    framework=Framework.objects.get(slug="flex"))  # fmt: skip
    for number in range(5):
        walkthrough = walkthrough_answer(walkthrough=walkthrough, client_key=uuid.uuid4(), action_id=walkthrough.state.current.pk,
                                         in_place=number < 4, evidence=word, version=walkthrough.version)  # fmt: skip
    walkthrough = walkthrough_finish(walkthrough=walkthrough, version=walkthrough.version, next_move=word, teacher_note=word)
    client.force_login(district.principal)
    text = pdf_text(client.get(reverse("reports:walkthrough-pdf", args=[walkthrough.pk])).content)
    longest = max(len(run) for line in text.splitlines() for run in line.split())
    assert longest < len(word)  # broken across lines: a line of the page holds about 95 of its letters
    assert "".join(text.split()).count(word) == 7  # every copy whole, line breaks aside: 5 answers, next move, note
    assert "Teacher has set time in the daily schedule for self-directed learning." in " ".join(text.split())


def test_a_driver_model_summary_lists_components_stages_and_chosen_steps(client, content, district):
    walk = driver_model_walkthrough(district.coach, district.teacher, private_note="PRIVATE-DM")
    focuses = list(walk.focuses.all())
    client.force_login(district.teacher_user)
    text = pdf_text(client.get(reverse("reports:walkthrough-pdf", args=[walk.pk])).content)
    assert "Driver Model" in text and "Feedback by component" in text
    for focus in focuses:
        assert focus.component_name in text and focus.domain_name in text
        assert f"Working toward the {focus.stage_name} stage" in text
        for step in focus.step_texts:
            assert step in text
    assert len(focuses[0].step_texts) == 2
    assert "Invite students to co-write the norms." in text and "Hold a class meeting on norms." in text
    assert "PRIVATE-DM" not in text
    assert "The pause" not in text  # the Driver Model has no pause


def test_a_walk_with_every_action_in_place_says_so(client, content, district):
    walk = walkthrough_start(
        client_key=uuid.uuid4(), observer=district.coach, teacher=district.teacher,
        framework=Framework.objects.get(slug="enriched-virtual"),
    )  # fmt: skip
    while (action := walk.state.current) is not None:
        walk = walkthrough_answer(
            walkthrough=walk, client_key=uuid.uuid4(), action_id=action.pk, in_place=True, version=walk.version
        )
    walk = walkthrough_finish(walkthrough=walk, version=walk.version, next_move="")
    client.force_login(district.principal)
    text = pdf_text(client.get(reverse("reports:walkthrough-pdf", args=[walk.pk])).content)
    assert "No pause: every action in place" in text and "Found in place" in text
    assert "Agreed next move" not in text


@pytest.mark.parametrize("view", ["reports:walkthrough", "reports:walkthrough-pdf"])
@pytest.mark.parametrize(
    "viewer,walkthrough",
    [
        ("coach", "unfinished"),  # even the observer: an unfinished walk is no summary yet
        ("principal", "unfinished"),
        ("lkw_principal", "finished"),  # another campus
        ("lkw_coach", "finished"),  # another coach
        ("admin", "finished"),  # site admins keep the site, not the coaching record
        ("principal", "self"),  # a self-reflection is the teacher's own
        ("coach", "self"),
    ],
)
def test_a_walkthrough_the_user_may_not_see_answers_404(client, content, district, view, viewer, walkthrough):
    walks = {
        "finished": lambda: flex_walkthrough(district.coach, district.teacher),
        "unfinished": lambda: flex_walkthrough(district.coach, district.teacher, finish=False),
        "self": lambda: flex_walkthrough(district.teacher_user, district.teacher, kind=Walkthrough.Kind.SELF),
    }
    walk = walks[walkthrough]()
    client.force_login(district.user(viewer))
    response = client.get(reverse(view, args=[walk.pk]))
    assert response.status_code == 404
    assert "Alvarez" not in response.content.decode(errors="replace")


def test_a_teacher_prints_their_own_self_reflection(client, content, district):
    walk = flex_walkthrough(
        district.teacher_user, district.teacher, kind=Walkthrough.Kind.SELF, private_note="PRIVATE-SELF",
        teacher_note="Try the timer.",
    )  # fmt: skip
    client.force_login(district.teacher_user)
    text = pdf_text(client.get(reverse("reports:walkthrough-pdf", args=[walk.pk])).content)
    assert "Self-reflection summary".upper() in text.upper() and "Maria Alvarez" in text
    assert "PRIVATE-SELF" not in text
    # In the teacher's own words: nothing agreed with anyone, no note to a teacher.
    assert "Reflection note" in text and "Try the timer." in text and "Next move" in text
    assert "Agreed next move" not in text and "Note for the teacher" not in text


@pytest.mark.parametrize("view", ["reports:walkthrough", "reports:walkthrough-pdf"])
def test_query_count_is_the_same_however_many_actions_were_found(
    client, content, district, django_assert_num_queries, view
):
    """Session, user, roles, the walkthrough with its teacher, campus, observer and framework, its answers."""
    short = flex_walkthrough(district.coach, district.teacher, in_place=1)
    long = flex_walkthrough(district.coach, district.teacher, in_place=20)
    client.force_login(district.principal)
    with django_assert_num_queries(5):
        client.get(reverse(view, args=[short.pk]))
    with django_assert_num_queries(5):
        response = client.get(reverse(view, args=[long.pk]))
    assert response.status_code == 200


# The URL fetcher: WeasyPrint may read the project's static files and nothing else.


def test_the_fetcher_serves_the_projects_static_files():
    assert static_file(BASE_URL + "static/css/print.css").name == "print.css"
    response = StaticFilesOnly().fetch(BASE_URL + "static/css/print.css")
    assert response.content_type == "text/css" and b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/css/print.css",  # another origin, same path
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        BASE_URL + "static/../plcoach/settings.py",
        BASE_URL + "static/%2e%2e/plcoach/settings.py",
        BASE_URL + "static/css/../../plcoach/settings.py",
        BASE_URL + "static//etc/passwd",
        BASE_URL + "static/",
        BASE_URL + "static/css/no-such-file.css",
        BASE_URL + "admin/",
        BASE_URL + "static/css/print.css?x=1",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(RefusedURL):
        StaticFilesOnly().fetch(url)


def test_markup_that_slipped_through_makes_no_request():
    """Even unescaped markup pointing at a live server, in HTML or CSS, reaches nothing."""
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_port}"
    html = (
        f'<link rel="stylesheet" href="{address}/a.css"><style>p {{ background: url({address}/b.png) }}</style>'
        f'<p>Hello</p><img src="{address}/c.png"><img src="file:///etc/hostname"><iframe src="{address}/d"></iframe>'
    )
    try:
        HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
    finally:
        server.shutdown()
    assert requests == []
