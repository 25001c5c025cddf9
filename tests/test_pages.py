"""The content pages: exact text, credit, 404s, escaping and constant query counts."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from progressions.models import Action, ActionStep, Component

CREDIT = (
    "Content adapted from the PL Toolbox (www.thepltoolbox.com), Personalized Learning Team, Dallas ISD, CC BY-NC-SA 4.0"
)
PAGES = ["/", "/progressions/flex/", "/progressions/enriched-virtual/", "/action-steps/driver-model/"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_credits_the_source_and_licence(client, content, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert CREDIT in body
    assert 'href="https://www.thepltoolbox.com/">source</a>' in body
    assert 'href="https://creativecommons.org/licenses/by-nc-sa/4.0/" rel="license"' in body
    assert "<main" in body and "<header" in body and "<footer" in body and 'lang="en"' in body


def test_home_lists_each_framework_with_what_it_is_for(client, content):
    body = client.get("/").content.decode()
    assert 'href="/progressions/flex/">Flex Model</a>' in body
    assert 'href="/progressions/enriched-virtual/">Enriched Virtual</a>' in body
    assert 'href="/action-steps/driver-model/">Driver Model Action Steps</a>' in body
    assert "Teacher and student actions for implementing the Flex model" in body


def test_progression_page_shows_every_action_and_next_move_word_for_word(client, content):
    body = client.get("/progressions/flex/").content.decode()
    actions = Action.objects.current().filter(phase__framework__slug="flex")
    assert actions.count() == 29
    for action in actions:
        assert escape(action.text) in body
        assert escape(action.next_move) in body
    for label in ["Planning Before Lesson", "Organization of Learning", "Teacher Role", "Student Role"]:
        assert f">{label}</h3>" in body
    assert body.index("Foundation phase") < body.index("Differentiated phase") < body.index("Personalized phase")
    assert "Access all tools, inspiration, and reference alignment to TEI" in body


def test_a_progression_page_quotes_the_pl_toolbox_on_its_next_moves_being_suggestions(client, content):
    body = client.get("/progressions/flex/").content.decode()
    assert "“The suggested next moves to take are just that, suggested." in body
    assert "<cite>Coaching Progressions</cite>" in body and "The phase descriptions are the PL Toolbox's" in body


def test_phases_missing_from_the_source_are_shown_as_not_yet_available(client, content):
    body = client.get("/progressions/enriched-virtual/").content.decode()
    assert body.count("Not yet available in the source.") == 2
    assert "PL Coach carries has no Foundation phase" in body
    assert "PL Coach carries has no Differentiated phase" in body
    assert "has not published" not in body  # nothing said of the publisher that the sources do not say
    assert body.count('class="action"') == 11
    assert ">Preparation + Planning</h3>" in body and ">In-School</h3>" in body and ">Out-of-School</h3>" in body


def test_driver_model_page_shows_domains_components_leap_codes_and_steps(client, content):
    body = client.get("/action-steps/driver-model/").content.decode()
    assert "<h1>Personalized Learning Driver Model Action Steps</h1>" in body  # the source's title, as on the progressions
    for component in Component.objects.all():
        assert f">{escape(component.name)}</h3>" in body
        for code in component.leap_codes:
            assert f'<span class="code">{code}</span>' in body
    for step in ActionStep.objects.current():
        assert escape(step.text) in body
    assert "<h5>Recognize these learner fixed-mindsets:</h5>" in body
    for stage in ["Moving to learner centered", "Moving more learner centered", "Moving to learner driven"]:
        assert body.count(f">{stage} <span") == 14


@pytest.mark.parametrize(
    "url", ["/progressions/station-rotation/", "/progressions/driver-model/", "/action-steps/flex/", "/nowhere/"]
)
def test_unknown_addresses_answer_404_with_a_page(client, content, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_content_pages_refuse_writes(client, content):
    assert client.post("/progressions/flex/").status_code == 405


def test_superseded_and_retired_text_is_not_shown(client, db, fixture_dir):
    call_command("load_progressions", str(fixture_dir), verbosity=0)
    flex = fixture_dir / "flex.yaml"
    flex.write_text(flex.read_text().replace("through a self-paced lesson.", "through a recorded lesson."))
    call_command("load_progressions", str(fixture_dir), verbosity=0)
    body = client.get("/progressions/flex/").content.decode()
    assert "Direct instruction is delivered through a recorded lesson." in body
    assert "Direct instruction is delivered through a self-paced lesson." not in body


def test_content_text_is_escaped(client, db, fixture_dir):
    flex = fixture_dir / "flex.yaml"
    flex.write_text(
        flex.read_text().replace(
            "action: Teacher has set time in the daily schedule for self-directed learning.",
            'action: "<script>alert(1)</script> & <b>bold</b>"',
        )
    )
    call_command("load_progressions", str(fixture_dir), verbosity=0)
    body = client.get("/progressions/flex/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in body
    assert "<script>alert(1)" not in body


def grow(fixture_dir, extra: int) -> None:
    """Adds `extra` actions to each Flex phase and `extra` steps to every Driver Model cell."""
    flex = fixture_dir / "flex.yaml"
    lines = flex.read_text().splitlines()
    out, counts = [], {"foundation": 11, "differentiated": 9, "personalized": 9}
    phase = None
    for line in lines:
        if line.startswith("  - phase: "):
            if phase:
                out.extend(_extra_actions(counts[phase], extra))
            phase = line.split(": ")[1]
        out.append(line)
    out.extend(_extra_actions(counts[phase], extra))
    flex.write_text("\n".join(out) + "\n")
    driver = fixture_dir / "driver-model.yaml"
    text = driver.read_text()
    for stage in ["learner-centered", "more-learner-centered", "learner-driven"]:
        steps = "".join(f"            - Extra step {i} for {stage}.\n" for i in range(extra))
        text = text.replace(f"          {stage}:\n", f"          {stage}:\n{steps}")
    driver.write_text(text)


def _extra_actions(last: int, extra: int) -> list[str]:
    lines = ["      - label: Extra Section", "        actions:"]
    for n in range(last + 1, last + extra + 1):
        lines += [f"          - number: {n}", f"            action: Extra action {n}.", f"            next_move: Extra move {n}."]
    return lines


@pytest.mark.parametrize(
    "url,queries",
    [
        ("/", 1),  # the frameworks
        ("/progressions/flex/", 3),  # the progression, its phases, their current actions
        ("/action-steps/driver-model/", 5),  # the framework, stages, domains, components, current steps
    ],
)
def test_query_count_is_constant_as_content_grows(client, db, fixture_dir, django_assert_num_queries, url, queries):
    """Pages read content in a fixed number of queries: a longer progression must not add any."""
    call_command("load_progressions", str(fixture_dir), verbosity=0)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    grow(fixture_dir, extra=25)
    call_command("load_progressions", str(fixture_dir), verbosity=0)
    assert Action.objects.current().filter(phase__framework__slug="flex").count() == 29 + 75
    with django_assert_num_queries(queries):
        body = client.get(url).content.decode()
    if url != "/":
        assert "Extra " in body
