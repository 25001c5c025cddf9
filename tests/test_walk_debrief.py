"""The walk debrief: where the walk's classrooms pause, the change since the previous walk, the filters,
the CSV, the print page and the PDF, through a constructed pair of walks whose pauses are known.

Flex positions (dashboard.queries.Positions): Foundation n is n, Differentiated n is 11 + n, every action
in place is 30. in_place=n pauses at Foundation n + 1 (12: Differentiated 2).
"""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from playwright.sync_api import expect

from observations.models import ProgressionWalk, Walkthrough
from observations.services import walk_create, walkthrough_finish
from people.models import Campus, Teacher
from tests.reporting import pdf_links, pdf_pages, pdf_text, signed_in_page
from tests.walks import walked

HOSTILE = '<script>alert("AISHA")</script><img src="http://example.com/x.png">'
STATION_RULES = "Post the station rules."
DEBRIEF_VIEWS = [
    "observations:walk-debrief", "observations:walk-debrief-csv", "reports:walk-debrief", "reports:walk-debrief-pdf",
]  # fmt: skip


def plan(district, *, days_ago: int, campuses, observers, name: str):
    """A walk `days_ago` days back, open for logging today: its walkthroughs are written now, as if logged then."""
    walk = walk_create(
        client_key=uuid.uuid4(), created_by=district.leader, date=timezone.localdate() - timedelta(days=days_ago),
        name=name, norms="", campuses=campuses, observers=observers,
    )  # fmt: skip
    ProgressionWalk.objects.filter(pk=walk.pk).update(logging_ends_at=timezone.now() + timedelta(days=1))
    return ProgressionWalk.objects.get(pk=walk.pk)


def rated(observer, teacher, walk, *, in_place: int, next_move: str = STATION_RULES, private_note: str = ""):
    walkthrough = walked(observer, teacher, walk, in_place=in_place, finish=False)
    return walkthrough_finish(
        walkthrough=walkthrough, version=walkthrough.version, next_move=next_move, private_note=private_note
    )


@pytest.fixture
def walks(content, district):
    """The previous walk (30 days ago, Oak Cliff, the coach alone) and this one (today, both campuses):

                     grades, subject     previous walk   this walk
      Maria Alvarez  3-5 Math            F3              F5 (coach, with a private note), F5 (principal, later)
      James Brooks   K-2 Reading         F5              F5
      Aisha Carter   3-5 Science         F2              F1, a hostile next move
      Daniel Nguyen  3-5 Reading         -               D2
      Grace Kim      6-8 Math (LKW)      -               F4 (the Lakewood coach)
    """
    d = district
    aisha, daniel = (Teacher.objects.get(last_name=name) for name in ("Carter", "Nguyen"))
    previous = plan(d, days_ago=30, campuses=[d.oak], observers=[d.coach], name="Autumn walk")
    rated(d.coach, d.teacher, previous, in_place=2)
    rated(d.coach, d.oak_teacher, previous, in_place=4)
    rated(d.coach, aisha, previous, in_place=1)
    observers = [d.coach, d.principal, d.lkw_coach]
    walk = plan(d, days_ago=0, campuses=[d.oak, d.lkw], observers=observers, name="Spring walk")
    rated(d.coach, d.teacher, walk, in_place=4, private_note="PRIVATE-NOTE")
    rated(d.principal, d.teacher, walk, in_place=4)
    rated(d.coach, d.oak_teacher, walk, in_place=4)
    rated(d.coach, aisha, walk, in_place=0, next_move=HOSTILE)
    rated(d.coach, daniel, walk, in_place=12, next_move="DANIEL-MOVE")
    rated(d.lkw_coach, d.lkw_teacher, walk, in_place=3, next_move="LKW-ONLY-MOVE")
    return {"previous": previous, "walk": walk}


def debrief(client, user, walk, status: int = 200, name: str = "observations:walk-debrief", **filters) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=[walk.pk]), filters)
    assert response.status_code == status
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")  # a PDF too


def between(body: str, start: str, end: str) -> str:
    return body.split(start, 1)[1].split(end, 1)[0]


def change_of(body: str) -> str:
    return between(body, '<h2 id="change-heading">', "</section>")


def calibration_of(body: str) -> str:
    return between(body, '<h2 id="calibration-heading">', "</section>")


# Where the walk's classrooms pause ----------------------------------------------------------------


def test_the_walks_classrooms_counted_once_at_their_latest_pause(client, district, walks):
    body = debrief(client, district.leader, walks["walk"])
    assert "Flex Model: where the classrooms pause" in body
    assert "5 classrooms: each classroom's latest walkthrough in this walk." in body
    # Maria was rated by two observers: the page says which rating the chart counts.
    assert "Where two or more observers rated a classroom, the latest rating counts here" in body.replace("&#x27;", "'")
    desc = between(body, "<desc", "</desc>")
    counted = "Foundation 1: 1 teacher; Foundation 4: 1 teacher; Foundation 5: 2 teachers; Differentiated 2: 1 teacher."
    assert counted in desc
    table = between(body, '<table class="figures pause-figures">', "</table>")
    assert "<caption>Flex Model: classrooms per pause</caption>" in table
    words = {(w.pause_phase, w.pause_number): escape(w.pause_text) for w in Walkthrough.objects.filter(walk=walks["walk"])}
    assert f'<th scope="row">Foundation 5<span class="action-text">{words["foundation", 5]}</span></th><td class="number">2</td>' in table
    d2 = words["differentiated", 2]
    assert f'<th scope="row">Differentiated 2<span class="action-text">{d2}</span></th><td class="number">1</td>' in table
    assert "Foundation 3" not in table  # Maria's pause in the previous walk is not this walk's


def test_the_most_common_next_moves(client, district, walks):
    body = debrief(client, district.leader, walks["walk"])
    moves = between(body, '<ol class="next-moves">', "</ol>")
    assert f'{STATION_RULES} <span class="meta">(2 classrooms)</span>' in moves  # Maria and James
    assert moves.index(STATION_RULES) < moves.index("DANIEL-MOVE")
    assert escape(HOSTILE) in moves and "<script>" not in body.split("</head>", 1)[1]
    assert "PRIVATE-NOTE" not in body


# The change since the previous walk ---------------------------------------------------------------


def test_the_change_since_the_previous_walk(client, district, walks):
    change = change_of(debrief(client, district.leader, walks["walk"]))
    assert "Compared with <a" in change and "Autumn walk</a>" in change
    assert '<tr><th scope="row">Classrooms</th><td>3</td><td>5</td></tr>' in change
    # the medians of 2, 3, 5 and of 1, 4, 5, 5, 13
    assert "<td>Foundation 3 (position 3)</td><td>Foundation 5 (position 5)</td>" in change
    assert "Of the 3 classrooms seen in both walks: 1 moved on, 1 stayed at the same pause, 1 moved back." in change
    assert "Foundation 1 is 1, Differentiated 1 is 12, Personalized 1 is 21; every action in place is 30." in change


def test_no_previous_walk_is_said_plainly(client, district, walks):
    """The previous walk was the coach's alone: the principal may not see it, so has none to compare with."""
    change = change_of(debrief(client, district.principal, walks["walk"]))
    assert "There is no previous walk to compare with" in change and "Autumn walk" not in change
    first = change_of(debrief(client, district.leader, walks["previous"]))
    assert "There is no previous walk to compare with" in first


def test_the_previous_walk_is_the_latest_earlier_one_sharing_a_campus(client, district, walks):
    d = district
    plan(d, days_ago=20, campuses=[d.lkw], observers=[d.lkw_coach], name="Lakewood only")
    plan(d, days_ago=10, campuses=[d.oak], observers=[d.coach], name="Ten days ago")
    far = Campus.objects.create(code="FAR", name="Far Away")
    plan(d, days_ago=5, campuses=[far], observers=[d.coach], name="Another campus")  # later, but shares no campus
    same_day = plan(d, days_ago=0, campuses=[d.oak], observers=[d.coach], name="Planned after")
    assert "Ten days ago</a>" in change_of(debrief(client, d.leader, walks["walk"]))
    assert "Spring walk</a>" in change_of(debrief(client, d.leader, same_day))  # the same date, planned before
    walks["walk"].campuses.set([d.lkw])
    assert "Lakewood only</a>" in change_of(debrief(client, d.leader, walks["walk"]))


# Filters ----------------------------------------------------------------------------------------------


def test_each_filter_narrows_the_pauses_the_change_and_the_calibration(client, district, walks):
    walk = walks["walk"]
    body = debrief(client, district.leader, walk, campus="LKW")
    assert "1 classroom: each" in body and "LKW-ONLY-MOVE" in body and STATION_RULES not in body
    assert "No classroom was seen in both walks." in change_of(body)
    assert "No classroom has been rated by two observers" in calibration_of(body)

    body = debrief(client, district.leader, walk, grade_band="3-5")  # Maria, Aisha, Daniel
    assert "3 classrooms: each" in body and "LKW-ONLY-MOVE" not in body
    change = change_of(body)
    assert "<td>between Foundation 2 and Foundation 3 (position 2.5)</td><td>Foundation 5 (position 5)</td>" in change
    assert "Of the 2 classrooms seen in both walks: 1 moved on, 0 stayed at the same pause, 1 moved back." in change
    assert "Maria Alvarez" in calibration_of(body)

    body = debrief(client, district.leader, walk, subject="Reading")  # James and Daniel
    assert "2 classrooms: each" in body and "DANIEL-MOVE" in body and escape(HOSTILE) not in body
    assert "No classroom has been rated by two observers" in calibration_of(body)


def test_the_filters_offer_the_walks_campuses_and_a_principal_only_theirs(client, district, walks):
    d = district
    leader = debrief(client, d.leader, walks["walk"])
    campus = between(leader, '<select name="campus"', "</select>")
    assert "All campuses" in campus and "Oak Cliff Elementary" in campus and "Lakewood Middle School" in campus
    principal = debrief(client, d.principal, walks["walk"])
    # One campus to choose from is no choice: no campus menu, and the scope line names it.
    assert '<select name="campus"' not in principal
    assert '<p class="scope">Oak Cliff Elementary' in principal and "Lakewood" not in principal
    assert "6-8" not in between(principal, '<select name="grade_band"', "</select>")  # Lakewood's grades


def test_a_principal_who_rated_a_classroom_on_another_campus_of_the_walk_sees_its_agreement(client, district, walks):
    """Their own campus first, as above; and Lakewood too once they rated Grace Kim there: the
    agreement on her is theirs to see, as the blind rule has lifted for them."""
    d, walk = district, walks["walk"]
    rated(d.principal, d.lkw_teacher, walk, in_place=3)  # Foundation 4, as the Lakewood coach found
    body = debrief(client, d.principal, walk)
    campus = between(body, '<select name="campus"', "</select>")
    assert "Oak Cliff Elementary" in campus and "Lakewood Middle School" in campus
    assert "Grace Kim" in calibration_of(body)
    assert "Grace Kim" in calibration_of(debrief(client, d.principal, walk, campus="LKW"))
    assert "Grace Kim" not in calibration_of(debrief(client, d.principal, walk, campus="OAK"))
    other = plan(d, days_ago=0, campuses=[d.lkw], observers=[d.principal, d.lkw_coach], name="Lakewood walk")
    assert "<p class=\"scope\">Lakewood Middle School" in debrief(client, d.principal, other)  # not theirs: the walk's


@pytest.mark.parametrize("name", DEBRIEF_VIEWS)
@pytest.mark.parametrize(
    "viewer,filters,message",
    [
        ("principal", {"campus": "LKW"}, "Campus: Select a valid choice. LKW is not one of the available choices."),
        ("leader", {"campus": "NOPE"}, "Campus: Select a valid choice. NOPE is not one of the available choices."),
        ("leader", {"grade_band": "13-14"}, "Grade band: Select a valid choice."),
        ("leader", {"subject": "Alchemy"}, "Subject: Select a valid choice."),
    ],
)
def test_a_bad_filter_is_a_400_that_names_it(client, district, walks, name, viewer, filters, message):
    body = debrief(client, district.user(viewer), walks["walk"], 400, name, **filters)
    assert message in body.replace("&#x27;", "'")
    assert "LKW-ONLY-MOVE" not in body and STATION_RULES not in body


def test_the_blind_rule_holds_with_the_filters(client, district, walks):
    """The principal has submitted Maria only: the coach's ratings of James, Aisha and Daniel do not exist for them."""
    d, walk = district, walks["walk"]
    body = debrief(client, d.principal, walk)
    assert "1 classroom: each" in body and f'{STATION_RULES} <span class="meta">(1 classroom)</span>' in body
    assert "DANIEL-MOVE" not in body and escape(HOSTILE) not in body and "LKW-ONLY-MOVE" not in body
    for filters in ({"grade_band": "K-2"}, {"subject": "Reading"}, {"grade_band": "3-5", "subject": "Science"}):
        body = debrief(client, d.principal, walk, **filters)
        assert "No finished walkthrough on a progression in this walk and these filters" in body, filters
        assert "Brooks" not in body and "Nguyen" not in body and "Carter" not in body
    exported = debrief(client, d.principal, walk, name="observations:walk-debrief-csv", grade_band="3-5")
    rows = list(csv.reader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert [row[2] for row in rows[1:]] == ["Maria Alvarez", "Maria Alvarez"]  # the coach's and their own
    text = pdf_text(client.get(reverse("reports:walk-debrief-pdf", args=[walk.pk]), {"subject": "Reading"}).content)
    assert "DANIEL-MOVE" not in text and "James Brooks" not in text


@pytest.mark.parametrize("name", DEBRIEF_VIEWS)
def test_someone_not_on_the_walk_gets_404_and_nothing_of_it(client, district, walks, name):
    """Lakewood's principal is not on the walk, though one of its campuses is theirs; a leader need not be on it."""
    body = debrief(client, district.lkw_principal, walks["walk"], 404, name)
    assert "Spring walk" not in body and "LKW-ONLY-MOVE" not in body
    debrief(client, district.leader, walks["walk"], 200, name)


def test_the_lakewood_coach_sees_only_their_own_walkthroughs(client, district, walks):
    body = debrief(client, district.lkw_coach, walks["walk"])
    assert "1 classroom: each" in body and "LKW-ONLY-MOVE" in body and STATION_RULES not in body


# The CSV, the print page and the PDF --------------------------------------------------------------


def test_the_csv_holds_the_walks_rows_in_the_filters_and_never_a_private_note(client, district, walks):
    client.force_login(district.leader)
    response = client.get(reverse("observations:walk-debrief-csv", args=[walks["walk"].pk]), {"campus": "OAK"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="spring-walk-{timezone.localdate():%Y-%m-%d}.csv"'
    assert response["Cache-Control"] == "private, no-store"  # coaching records: never kept by a cache
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())  # UTF-8 for Excel
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Date", "Campus", "Teacher"]
    teachers = sorted(row[2] for row in rows[1:])
    assert teachers == ["Aisha Carter", "Daniel Nguyen", "James Brooks", "Maria Alvarez", "Maria Alvarez"]
    assert "PRIVATE-NOTE" not in str(rows) and "Grace Kim" not in str(rows)


def test_the_debrief_links_its_print_page_and_csv_with_its_filters(client, district, walks):
    walk = walks["walk"]
    body = debrief(client, district.leader, walk, grade_band="3-5")
    assert f'href="{reverse("reports:walk-debrief", args=[walk.pk])}?grade_band=3-5"' in body
    assert f'href="{reverse("observations:walk-debrief-csv", args=[walk.pk])}?grade_band=3-5"' in body
    printed = debrief(client, district.leader, walk, name="reports:walk-debrief", grade_band="3-5")
    assert f'href="{reverse("reports:walk-debrief-pdf", args=[walk.pk])}?grade_band=3-5"' in printed
    assert "3 classrooms: each" in printed and "<script>" not in printed and 'rel="license"' in printed  # hostile text escaped


def test_a_walk_too_big_for_one_pdf_is_printed_in_parts(client, district, walks, monkeypatch):
    """A district-wide walk's debrief made a 309-page PDF in half a minute and half a gigabyte: above
    the limit the PDF asks for a part (a 400 saying how), and each part prints."""
    monkeypatch.setattr("reports.views.PDF_CLASSROOMS", 0)  # Maria, rated by two, is one too many
    refused = debrief(client, district.leader, walks["walk"], 400, name="reports:walk-debrief-pdf")
    assert "This debrief compares 1 classroom, more than one PDF holds (0): choose a campus, grade band" in refused
    assert "%PDF" not in refused and "Maria Alvarez" not in refused
    part = debrief(client, district.leader, walks["walk"], name="reports:walk-debrief-pdf", grade_band="K-2")
    assert part.startswith("%PDF")


def test_the_pdf_holds_the_figures_and_never_a_private_note(client, district, walks):
    client.force_login(district.leader)
    response = client.get(reverse("reports:walk-debrief-pdf", args=[walks["walk"].pk]))
    assert response["Content-Type"] == "application/pdf"
    day = f"{timezone.localdate():%Y-%m-%d}"
    assert response["Content-Disposition"] == f'inline; filename="debrief-spring-walk-{day}.pdf"'
    pages = pdf_pages(response.content)
    text = " ".join(pages)
    assert "WALK DEBRIEF" in text and "Spring walk" in text and "Lakewood Middle School, Oak Cliff Elementary" in text
    assert "5 classrooms: each classroom's latest walkthrough in this walk." in text
    assert "Foundation 5 2" in text and "Differentiated 2 1" in text  # the figures table
    assert f"{STATION_RULES} (2 classrooms)" in text
    assert "Foundation 3 (position 3) Foundation 5 (position 5)" in text
    assert "1 moved on, 1 stayed at the same pause, 1 moved back" in text
    assert "Compared with Autumn walk" in text
    assert not [link for link in pdf_links(response.content) if "plcoach.invalid" in link]  # no link that leads nowhere
    assert "Team agreement: 100%" in text
    assert HOSTILE in text  # printed literally
    assert "PRIVATE-NOTE" not in text
    # Who walked, who planned it, and the norms they walked by: the record of the walk.
    d = district
    observers = text.split("Observers", 1)[1].split("Planned by", 1)[0]
    assert all(str(user) in observers for user in (d.coach, d.principal, d.lkw_coach)) and str(d.leader) not in observers
    assert f"Planned by {d.leader}" in text
    for number, page in enumerate(pages, start=1):
        assert "CC BY-NC-SA 4.0" in page and "Printed " in page and f"Page {number} of {len(pages)}" in page


def test_the_printed_debrief_holds_the_norms_escaped(client, district, walks):
    walk = walks["walk"]
    walk.norms = "Rate alone.\nStart at Foundation. " + HOSTILE
    walk.save()
    client.force_login(district.leader)
    printed = client.get(reverse("reports:walk-debrief", args=[walk.pk])).content.decode()
    assert "Rate alone.<br>Start at Foundation. " + escape(HOSTILE) in printed
    text = pdf_text(client.get(reverse("reports:walk-debrief-pdf", args=[walk.pk])).content)
    assert "Norms" in text and "Start at Foundation. " + HOSTILE in " ".join(text.split())


def test_the_pdf_keeps_the_filters(client, district, walks):
    client.force_login(district.leader)
    text = pdf_text(client.get(reverse("reports:walk-debrief-pdf", args=[walks["walk"].pk]), {"campus": "LKW"}).content)
    assert "Campuses Lakewood Middle School" in text and "1 classroom: each" in text and "LKW-ONLY-MOVE" in text
    assert STATION_RULES not in text


# Cost -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,queries", [("observations:walk-debrief", 13), ("reports:walk-debrief", 14)])
def test_the_debrief_costs_the_same_queries_as_the_walks_grow(client, district, walks, django_assert_num_queries, name, queries):
    """Session, user, roles, the walk, its campuses, the grade bands and subjects, the progressions, the
    previous walk, the pauses, both walks' pauses for the change, Flex's positions, and calibration's
    walkthroughs and action order: each reads rows per pause, progression or classroom in one query, so
    a walk twice the size costs the same queries (a query per classroom would not). The printed one
    also reads its observers and planner, in one query."""
    d = district
    client.force_login(d.leader)
    url = reverse(name, args=[walks["walk"].pk])
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    for teacher in Teacher.objects.filter(last_name__in=["Ramirez", "O'Connor"]):
        rated(d.coach, teacher, walks["previous"], in_place=6)
        rated(d.coach, teacher, walks["walk"], in_place=9)
        rated(d.principal, teacher, walks["walk"], in_place=7)
    for teacher in Teacher.objects.filter(campus=d.lkw).exclude(pk=d.lkw_teacher.pk)[:3]:
        rated(d.lkw_coach, teacher, walks["walk"], in_place=2)
    with django_assert_num_queries(queries):
        body = client.get(url).content.decode()
    assert "10 classrooms: each" in body


# In the browser ------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_debrief_in_chromium_passes_axe_and_applies_a_filter(
    live_server, transactional_db, browser, client, district, walks
):
    page = signed_in_page(browser, client, live_server, district.leader)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("observations:walk-debrief", args=[walks["walk"].pk]))
    expect(page.get_by_role("img", name="Flex Model: where teachers paused")).to_be_visible()
    expect(page.locator("p.classrooms")).to_have_text(
        "5 classrooms: each classroom's latest walkthrough in this walk. Where two or more observers rated a"
        " classroom, the latest rating counts here; calibration below shows them all."
    )
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_label("Grade band").select_option("K-2")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    expect(page.locator("p.classrooms")).to_have_text("1 classroom: each classroom's latest walkthrough in this walk.")
    expect(page.get_by_label("Grade band")).to_have_value("K-2")
    assert "grade_band=K-2" in page.url
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert problems == []
    page.context.close()


def test_a_median_between_two_far_apart_classrooms_is_named_by_their_pauses(content):
    """Two classrooms at Foundation 8 and with every action in place: their median position names no
    action in between (one nobody paused at), but the two pauses it lies between."""
    from dashboard.queries import Positions
    from observations.debrief import ProgressionChange
    from progressions.models import Framework

    flex = Framework.objects.get(slug="flex")
    change = ProgressionChange(flex, Positions.of(flex), now={1: ("foundation", 8), 2: ("", None)})
    assert str(change.median_now) == f"between Foundation 8 and Every action in place (position {(8 + Positions.of(flex).everything) / 2:g})"
    change.now[3] = ("foundation", 8)
    assert change.median_now.label == "Foundation 8"  # an odd count: the middle classroom's own pause
