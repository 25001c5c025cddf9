"""The debrief dashboard: where classrooms pause, coverage, trends and the CSV export, for principals
(their campus only) and district leaders (every campus, or one chosen)."""

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from observations.models import Walkthrough
from observations.services import walkthrough_answer, walkthrough_finish, walkthrough_start
from people.models import Teacher
from dashboard.queries import Positions
from progressions.models import Action, Framework
from tests.reporting import flex_walkthrough
from tests.walks import plan_walk, walked


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def walks(content, district):
    """OAK: Maria moved from Foundation 3 to 5; James at Foundation 2; Aisha 45 days ago only, with a
    risky next move and a private note. LKW: Grace at Foundation 4."""
    d = district
    aisha = Teacher.objects.get(campus=d.oak, last_name="Carter")
    flex_walkthrough(d.coach, d.teacher, in_place=2, observed_at=days_ago(40), next_move="Set goals together.")
    flex_walkthrough(d.coach, d.teacher, in_place=4, observed_at=days_ago(10), next_move="Post the station rules.")
    flex_walkthrough(d.coach, d.oak_teacher, in_place=1, observed_at=days_ago(3), next_move="Post the station rules.")
    flex_walkthrough(d.coach, aisha, in_place=0, observed_at=days_ago(45), next_move="=HYPERLINK(\"http://x\")",
                     private_note="PRIVATE-NOTE")  # fmt: skip
    flex_walkthrough(d.coach, d.lkw_teacher, in_place=3, observed_at=days_ago(5), next_move="LKW-ONLY-MOVE")
    return {"aisha": aisha}


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_each_classroom_counts_once_at_its_latest_pause(client, walks, district):
    response = get(client, district.principal, "dashboard:pauses")
    body = response.content.decode()
    assert response.status_code == 200
    desc = body.split("<desc")[1].split("</desc>")[0]
    # Aisha (F1) and Maria (F5, not her earlier F3), James F2; nothing from LKW
    assert "Foundation 1: 1 teacher; Foundation 2: 1 teacher; Foundation 5: 1 teacher." in desc
    assert "3 classrooms" in body
    assert "Grace" not in body and "LKW-ONLY-MOVE" not in body and "Foundation 4" not in body


def test_the_chart_has_a_figures_table_beside_it_and_the_top_next_moves(client, walks, district):
    body = get(client, district.principal, "dashboard:pauses").content.decode()
    table = body.split('<table class="figures pause-figures">')[1].split("</table>")[0]
    fifth = Walkthrough.objects.filter(teacher=district.teacher).latest("observed_at").pause_text
    assert f'<th scope="row">Foundation 5<span class="action-text">{escape(fifth)}</span></th><td class="number">1</td>' in table
    moves = body.split('<ol class="next-moves">')[1].split("</ol>")[0]
    assert moves.index("Post the station rules.") < moves.index("=HYPERLINK")  # 2 classrooms before 1
    assert "Set goals together." not in moves  # Maria's earlier walkthrough is not her latest
    assert "the PL Toolbox's possible next move" not in moves  # each of these is the coach's own


def test_each_pause_reads_as_its_action_in_the_words_the_walkthroughs_recorded(client, walks, district):
    """A leader reads what "Foundation 2" asks without the progression open beside them: the words
    the walkthroughs recorded (escaped), and after a rewording of the content, those most classrooms
    paused at."""
    daniel, sofia = (Teacher.objects.get(campus=district.oak, last_name=name) for name in ("Nguyen", "Ramirez"))
    flex_walkthrough(district.coach, daniel, in_place=1, observed_at=days_ago(1))  # a second classroom at Foundation 2
    recorded = Walkthrough.objects.get(teacher=daniel).pause_text
    Walkthrough.objects.filter(teacher=district.oak_teacher).update(pause_text="Reworded <once> & for all")
    body = get(client, district.principal, "dashboard:pauses").content.decode()
    table = body.split('<table class="figures pause-figures">')[1].split("</table>")[0]
    # One classroom each way: the same wording every time (the later in order), so the page and its PDF agree.
    tied = escape(max(recorded, "Reworded <once> & for all"))
    assert f'Foundation 2<span class="action-text">{tied}</span></th><td class="number">2</td>' in table
    flex_walkthrough(district.coach, sofia, in_place=1, observed_at=days_ago(1))
    Walkthrough.objects.filter(teacher=sofia).update(pause_text="Reworded <once> & for all")
    body = get(client, district.principal, "dashboard:pauses").content.decode()
    reworded = 'Foundation 2<span class="action-text">Reworded &lt;once&gt; &amp; for all</span></th><td class="number">3</td>'
    assert reworded in body and escape(recorded) not in body


def test_a_next_move_kept_as_the_pl_toolbox_gave_it_is_marked_as_its(client, walks, district):
    third = Action.objects.current().get(phase__framework__slug="flex", phase__kind="foundation", number=3)
    aisha = walks["aisha"]
    flex_walkthrough(district.coach, aisha, in_place=2, observed_at=days_ago(1), next_move=third.next_move)
    moves = get(client, district.principal, "dashboard:pauses").content.decode().split('<ol class="next-moves">')[1]
    kept = moves.split("</ol>")[0].split("<li>")
    assert [item.strip() for item in kept if "PL Toolbox" in item] == [
        f"{escape(third.next_move)} <span class=\"meta\">(the PL Toolbox's possible next move, 1 classroom)</span></li>"
    ]


def test_a_district_leader_sees_every_campus_or_the_one_chosen(client, walks, district):
    body = get(client, district.leader, "dashboard:pauses").content.decode()
    assert "4 classrooms" in body and "LKW-ONLY-MOVE" in body
    body = get(client, district.leader, "dashboard:pauses", campus="LKW").content.decode()
    assert "1 classroom:" in body and "LKW-ONLY-MOVE" in body and "Post the station rules." not in body


def test_filters_by_grade_band_subject_and_dates(client, walks, district):
    body = get(client, district.leader, "dashboard:pauses", grade_band="K-2").content.decode()
    assert "1 classroom:" in body  # James Brooks, K-2
    body = get(client, district.leader, "dashboard:pauses", subject="Math").content.decode()
    assert "2 classrooms" in body  # Maria (OAK) and Grace (LKW)
    start = (timezone.localdate() - timedelta(days=60)).isoformat()
    end = (timezone.localdate() - timedelta(days=30)).isoformat()
    body = get(client, district.principal, "dashboard:pauses", start=start, end=end).content.decode()
    desc = body.split("<desc")[1].split("</desc>")[0]
    assert "Foundation 1: 1 teacher; Foundation 3: 1 teacher." in desc  # Aisha, and Maria 40 days ago


@pytest.mark.parametrize("name", ["dashboard:pauses", "dashboard:coverage", "dashboard:trends", "dashboard:export"])
def test_a_principal_asking_for_another_campus_gets_400_and_none_of_its_data(client, walks, district, name):
    response = get(client, district.principal, name, campus="LKW")
    assert response.status_code == 400
    body = response.content.decode()
    assert "LKW is not one of the available choices" in body
    assert "Grace" not in body and "LKW-ONLY-MOVE" not in body and "Lakewood" not in body


@pytest.mark.parametrize(
    "name,params,message",
    [
        ("dashboard:pauses", {"start": "yesterday"}, "From: Enter a valid date."),
        ("dashboard:pauses", {"start": "2026-02-30"}, "From: Enter a valid date."),
        ("dashboard:pauses", {"start": "2025-06-01", "end": "2025-01-01"}, "The From date must be on or before the To date."),
        ("dashboard:pauses", {"start": "1990-01-01", "end": "2025-01-01"}, "at most five years"),
        ("dashboard:pauses", {"grade_band": "13-14"}, "Grade band: Select a valid choice."),
        ("dashboard:pauses", {"subject": "Alchemy"}, "Subject: Select a valid choice."),
        ("dashboard:coverage", {"days": "0"}, "Days to look back: Ensure this value is greater than or equal to 1."),
        ("dashboard:coverage", {"days": "x"}, "Days to look back: Enter a whole number."),
        ("dashboard:trends", {"progression": "nope"}, "Progression: Select a valid choice."),
        ("dashboard:export", {"end": "2025-13-01"}, "To: Enter a valid date."),
        ("dashboard:pauses", {"end": "9999-12-31"}, "To: choose a date between 1900 and 2100."),  # was a 500
        ("dashboard:export", {"end": "0001-01-01"}, "To: choose a date between 1900 and 2100."),  # so was this
        ("dashboard:trends", {"start": "0001-01-01"}, "From: choose a date between 1900 and 2100."),
    ],
)
def test_a_bad_filter_is_a_400_that_says_which_and_why(client, walks, district, name, params, message):
    response = get(client, district.leader, name, **params)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")


def test_a_long_bad_filter_is_not_sent_back_whole(client, walks, district):
    response = get(client, district.leader, "dashboard:pauses", subject="Alchemy" * 700)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Subject: Select a valid choice. AlchemyAlchemy" in body and "…" in body and "Alchemy" * 10 not in body


def test_coverage_lists_teachers_without_a_walkthrough_and_visits_per_teacher(client, walks, district):
    body = get(client, district.principal, "dashboard:coverage").content.decode()
    unvisited = body.split('<table class="figures unvisited">')[1].split("</table>")[0]
    assert "Aisha Carter" in unvisited  # 45 days ago
    assert "Sofia Ramirez" in unvisited and "None yet" in unvisited
    assert "Maria Alvarez" not in unvisited and "James Brooks" not in unvisited
    assert "4 of 6 teachers" in body  # Aisha, Daniel, Sofia, Liam
    oak = body.split('<th scope="row">Oak Cliff Elementary</th>')[1].split("</tr>")[0]
    cells = [c.split(">")[1] for c in oak.split("</td>")[:-1]]
    assert cells == ["6", "4", "0", "0", "1"]  # teachers, not visited, fewest, median, most
    body = get(client, district.principal, "dashboard:coverage", days=60).content.decode()
    assert "3 of 6 teachers" in body


def test_observers_visiting_together_on_a_walk_count_as_one_visit(client, content, district):
    """Three observers calibrating in Liam's classroom on a walk visited him once; two coach visits
    on their own are two."""
    liam = Teacher.objects.get(last_name="O'Connor")
    walk = plan_walk(district, observers=[district.coach, district.principal, district.leader])
    for observer in (district.coach, district.principal, district.leader):
        walked(observer, liam, walk, in_place=4)
    flex_walkthrough(district.coach, district.teacher, in_place=2)
    flex_walkthrough(district.coach, district.teacher, in_place=3)
    body = get(client, district.leader, "dashboard:coverage", campus="OAK").content.decode()
    table = body.split('<table class="figures per-teacher">')[1].split("</table>")[0]
    visits = dict(re.findall(r'<a href="/teachers/\d+/">([^<]+)</a></th><td class="number">(\d+)</td>', table))
    assert visits["Liam O&#x27;Connor"] == "1" and visits["Maria Alvarez"] == "2"
    assert "Observers visiting together on a progression walk count as one visit." in body


def test_a_principal_of_one_campus_sees_it_named_in_the_scope(client, walks, district):
    body = get(client, district.principal, "dashboard:pauses").content.decode()
    assert '<p class="scope">Oak Cliff Elementary' in body and "All your campuses" not in body
    leader = get(client, district.leader, "dashboard:pauses").content.decode()
    assert '<p class="scope">All your campuses' in leader


def test_coverage_of_one_campus_lists_each_teachers_visits_fewest_first(client, walks, district):
    """A principal's one campus: every teacher with their visits and last walkthrough, linked to their page."""
    body = get(client, district.principal, "dashboard:coverage").content.decode()
    table = body.split('<table class="figures per-teacher">')[1].split("</table>")[0]
    rows = re.findall(r'<a href="/teachers/(\d+)/">([^<]+)</a></th><td class="number">(\d+)</td><td>([^<]+)</td>', table)
    assert len(rows) == 6
    visits = [int(v) for _pk, _name, v, _last in rows]
    assert visits == sorted(visits) and visits[-1] >= 1  # fewest first
    by_name = {name: (int(v), last) for _pk, name, v, last in rows}
    assert by_name["Sofia Ramirez"] == (0, "None yet") and by_name["Maria Alvarez"][0] >= 1
    unvisited = body.split('<table class="figures unvisited">')[1].split("</table>")[0]
    assert f'href="/teachers/{district.teacher.pk}/"' not in unvisited and "/teachers/" in unvisited
    leader = get(client, district.leader, "dashboard:coverage").content.decode()
    assert "per-teacher" not in leader and "Choose a campus to see each of its teachers' visits." in leader.replace("&#x27;", "'")


def test_trends_show_the_median_pause_position_per_month(client, walks, district):
    body = get(client, district.principal, "dashboard:trends", progression="flex").content.decode()
    assert "Foundation 1 is 1" in body
    chart = body.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "median pause position per month" in chart
    table = body.split("<caption>Median pause position per month</caption>")[1].split("</table>")[0]
    assert "Oak Cliff Elementary" in table and "District" not in table  # a principal sees their campus only
    this_month = timezone.localdate().strftime("%b %Y")
    assert this_month in table
    # Each median names the action it stands for, not only its position.
    assert re.search(r'<td class="number">\d+(\.5)? \((Foundation|Differentiated|Personalized) \d+\)</td>', table)


def test_a_position_reads_as_the_action_it_stands_for(content):
    flex = Positions.of(Framework.objects.get(slug="flex"))  # Foundation 11, Differentiated 9, Personalized 9
    assert [flex.label(p) for p in (1, 11, 12, 13, 29, 30)] == [
        "Foundation 1", "Foundation 11", "Differentiated 1", "Differentiated 2", "Personalized 9", "every action in place"
    ]  # fmt: skip
    assert flex.label(11.5) == "between Foundation 11 and Differentiated 1"
    assert flex.label(29.5) == "between Personalized 9 and every action in place"


def ev_walkthrough(observer, teacher):
    """A finished Enriched Virtual walkthrough paused at its second action."""
    walkthrough = walkthrough_start(client_key=uuid.uuid4(), observer=observer, teacher=teacher,
                                    framework=Framework.objects.get(slug="enriched-virtual"))  # fmt: skip
    for number in range(2):
        walkthrough = walkthrough_answer(walkthrough=walkthrough, client_key=uuid.uuid4(), action_id=walkthrough.state.current.pk,
                                         in_place=number < 1, version=walkthrough.version)  # fmt: skip
    return walkthrough_finish(walkthrough=walkthrough, version=walkthrough.version, next_move=walkthrough.pause_next_move)


@pytest.mark.parametrize("who", ["leader", "principal"])
def test_trends_open_on_the_most_walked_progression_shown_as_chosen(client, walks, district, who):
    """Flex: 5 walkthroughs in the district, 4 of them at Oak Cliff (the principal's campus)."""
    viewer = getattr(district, who)

    def opened_on() -> str:
        body = get(client, viewer, "dashboard:trends").content.decode()
        chosen = re.findall(r'<option value="([^"]*)" selected>', body.split('name="progression"')[1].split("</select>")[0])
        heading = re.search(r"<h2[^>]*>([^<]*): median pause position per month", body).group(1)
        return f"{chosen[0]}: {heading}"

    assert opened_on() == "flex: Flex Model"
    for _ in range(3):
        ev_walkthrough(district.coach, district.oak_teacher)
    assert opened_on() == "flex: Flex Model"  # fewer Enriched Virtual walkthroughs, though some
    ev_walkthrough(district.coach, district.oak_teacher)
    ev_walkthrough(district.coach, district.lkw_teacher)
    assert opened_on() == "enriched-virtual: Enriched Virtual"  # as many: the first by name

    body = get(client, viewer, "dashboard:trends", progression="flex").content.decode()  # a choice is kept
    assert '<option value="flex" selected>Flex Model</option>' in body


def test_a_leader_sees_the_district_line_and_each_campus(client, walks, district):
    body = get(client, district.leader, "dashboard:trends", campus="LKW", progression="flex").content.decode()
    table = body.split("<caption>Median pause position per month</caption>")[1].split("</table>")[0]
    assert "District" in table and "Lakewood Middle School" in table
    assert '<td class="number">4 (Foundation 4)</td>' in table  # Grace: Foundation 4 = position 4
    body = get(client, district.leader, "dashboard:trends", progression="flex").content.decode()
    assert "Per campus" in body and "Lakewood Middle School" in body and "Oak Cliff Elementary" in body


def test_the_export_is_one_row_per_walkthrough_injection_safe_and_never_the_private_note(client, walks, district):
    response = get(client, district.principal, "dashboard:export")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, no-store"  # coaching records: never kept by a cache
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())  # UTF-8 for Excel
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Date", "Campus", "Teacher", "Grade band", "Subject", "Observer", "Walk", "Model seen", "Progression",
                       "Pause phase", "Pause number", "Pause action (PL Toolbox, CC BY-NC-SA 4.0)", "Next move",
                       "Next move from"]  # fmt: skip
    assert len(rows) == 1 + 4  # OAK's four coach walkthroughs of the last 90 days; none from LKW
    aisha = next(r for r in rows if r[2] == "Aisha Carter")
    first_action = Action.objects.current().get(phase__framework__slug="flex", phase__kind="foundation", number=1)
    assert aisha[1:] == ["Oak Cliff Elementary", "Aisha Carter", "3-5", "Science", "Priya Shah", "", "", "Flex Model",
                         "Foundation", "1", first_action.text, "'=HYPERLINK(\"http://x\")", "Observer"]  # fmt: skip
    assert "PRIVATE-NOTE" not in text and "Grace" not in text


def test_the_export_tells_the_toolboxs_next_move_kept_from_the_observers_own(client, walks, district):
    """A leader reading the rows can tell the PL Toolbox's words from a coach's, and see the model noted."""
    third = Action.objects.current().get(phase__framework__slug="flex", phase__kind="foundation", number=3)
    flex_walkthrough(district.coach, district.oak_teacher, in_place=2, observed_at=days_ago(1), next_move=third.next_move,
                     model_seen=Walkthrough.BlendedModel.STATION_ROTATION)  # fmt: skip
    response = get(client, district.principal, "dashboard:export")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    kept = rows[-1]  # the latest
    assert kept[7:] == ["Station Rotation", "Flex Model", "Foundation", "3", third.text, third.next_move, "PL Toolbox"]
    assert [row[-1] for row in rows[1:-1]] == ["Observer"] * 4


def test_the_nav_links_the_dashboard_for_those_who_may_open_it(client, content, district):
    for user, shown in [(district.principal, True), (district.leader, True), (district.coach, False), (district.admin, False)]:
        client.force_login(user)
        body = client.get(reverse("people:teacher-list")).content.decode()
        assert (f'href="{reverse("dashboard:pauses")}"' in body) is shown, user


@pytest.mark.parametrize(
    "name,queries",
    # On PostgreSQL a leader's trends read the pause tallies: whether they are counted in this time
    # zone, then one query that sums them with the months the range cuts. With no progression
    # chosen, one more finds the most walked (and on PostgreSQL asks again whether the tallies count).
    [("dashboard:pauses", 7), ("dashboard:coverage", 8), ("dashboard:trends", 11 if connection.vendor == "postgresql" else 9),
     ("dashboard:export", 6)],  # fmt: skip
)
def test_query_count_is_the_same_with_more_walkthroughs(client, content, district, django_assert_num_queries, name, queries):
    d = district
    flex_walkthrough(d.coach, d.teacher, in_place=1, observed_at=days_ago(3))
    flex_walkthrough(d.coach, d.lkw_teacher, in_place=1, observed_at=days_ago(40))
    client.force_login(d.leader)
    url = reverse(name)

    def read():
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)

    with django_assert_num_queries(queries):
        read()
    for teacher in Teacher.objects.all():
        for n in range(3):
            flex_walkthrough(d.coach, teacher, in_place=n + 2, observed_at=days_ago(2 + 20 * n), next_move=f"Move {n}")
    with django_assert_num_queries(queries):
        read()


def test_a_median_read_off_a_tally_is_the_median_of_the_walkthroughs():
    """Trends count walkthroughs per pause position in the database and take the median of that
    tally here: it must be the median of the positions themselves, halfway between the middle two
    when there is an even number."""
    import random
    import statistics
    from collections import Counter

    from dashboard.queries import median_of

    rng = random.Random(6)
    for _ in range(500):
        positions = [rng.randrange(1, 40) for _ in range(rng.randrange(1, 30))]
        assert median_of(Counter(positions)) == statistics.median(positions), positions
    assert median_of(Counter({3: 1, 8: 1})) == 5.5


def test_the_district_line_is_the_median_of_every_campus_walkthrough_not_of_campus_medians(client, content, district):
    d = district
    now = timezone.now()
    for teacher, in_place in ((d.teacher, 1), (d.oak_teacher, 4), (d.lkw_teacher, 8)):  # positions 2, 5 and 9
        flex_walkthrough(d.coach, teacher, in_place=in_place, observed_at=now)
    body = get(client, d.leader, "dashboard:trends", progression="flex").content.decode()
    this_month = now.astimezone(timezone.get_current_timezone()).strftime("%b %Y")
    district_table = body.split("<caption>Median pause position per month</caption>")[1].split("</table>")[0]
    row = district_table.split(f'<th scope="row">{this_month}</th>')[1].split("</tr>")[0]
    assert row == '<td class="number">5 (Foundation 5)</td>'  # the middle of 2, 5 and 9 (the campus medians' middle would be 6.25)
    campuses = body.split('id="campus-heading"')[1].split("</table>")[0]
    oak = campuses.split('<th scope="row">Oak Cliff Elementary</th>')[1].split("</tr>")[0]
    lkw = campuses.split('<th scope="row">Lakewood Middle School</th>')[1].split("</tr>")[0]
    assert oak.endswith('<td class="number">3.5</td>') and lkw.endswith('<td class="number">9</td>')


@pytest.mark.parametrize("name", ["dashboard:pauses", "dashboard:coverage", "dashboard:trends"])
def test_the_campus_filter_is_the_select_django_would_render_with_names_escaped(client, walks, district, name):
    from django import forms
    from django.test.html import parse_html

    district.lkw.name = 'O\'Hare & "Sons" <Academy>'
    district.lkw.save()
    body = get(client, district.leader, name, campus="LKW").content.decode()

    start = body.index('<select name="campus"')
    shown = body[start : body.index("</select>", start) + len("</select>")]
    choices = [("", "All campuses"), (district.lkw.code, district.lkw.name), (district.oak.code, district.oak.name)]
    django_would = forms.Select(choices=sorted(choices, key=lambda c: (c[0] != "", c[1]))).render("campus", "LKW", {"id": "id_campus"})
    assert parse_html(shown) == parse_html(django_would)
    assert "&lt;Academy&gt;" in shown and "<Academy>" not in body


def test_the_filters_show_what_the_page_applies_not_blanks(client, walks, district):
    """Left blank, From, To and the days show the defaults the page used; given, they show what was given."""
    today = timezone.localdate()
    pauses = get(client, district.leader, "dashboard:pauses").content.decode()
    assert f'name="start" value="{today - timedelta(days=90):%Y-%m-%d}"' in pauses
    assert f'name="end" value="{today:%Y-%m-%d}"' in pauses
    trends = get(client, district.leader, "dashboard:trends", end="2026-06-15").content.decode()
    assert 'name="start" value="2025-07-01"' in trends and 'name="end" value="2026-06-15"' in trends
    coverage = get(client, district.leader, "dashboard:coverage").content.decode()
    assert 'name="days" value="30"' in coverage
    assert 'name="days" value="7"' in get(client, district.leader, "dashboard:coverage", days="7").content.decode()
