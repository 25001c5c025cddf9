"""The dashboard's figures, aggregated by the database: each page reads a fixed number of rows
per campus, progression or pause, never one per walkthrough, so it costs the same queries at a
hundred walkthroughs or a million.

Every query starts from `Walkthrough.objects.shared_with(viewer)`: the one access rule
(`visible_to`), narrowed to finished coach walkthroughs.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    BigIntegerField, BooleanField, Case, Count, ExpressionWrapper, F, IntegerField, Max, Q, QuerySet, Sum, Value, When, Window,
)  # fmt: skip
from django.db.models.functions import RowNumber
from django.utils import timezone

from observations.inputs import CLOCK_SLACK
from observations.models import SHARED, Walkthrough
from people.models import Teacher
from progressions.models import Action, Framework, Phase

from . import tallies
from .filters import Scope
from .models import PauseTally

NEXT_MOVES = 5  # the most common next moves shown per progression


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def coach_walkthroughs(viewer, scope: Scope) -> QuerySet:
    """Finished coach walkthroughs the viewer may see, of the scope's teachers."""
    walkthroughs = Walkthrough.objects.shared_with(viewer).filter(**_teacher_filters(scope, "teacher__"))
    if scope.start:
        walkthroughs = walkthroughs.filter(observed_at__gte=day_start(scope.start))
    if scope.end:
        walkthroughs = walkthroughs.filter(observed_at__lt=day_start(scope.end + timedelta(days=1)))
    if scope.walk:
        walkthroughs = walkthroughs.filter(walk=scope.walk)
    return walkthroughs


def most_walked(viewer, scope: Scope, progressions: list[Framework]) -> Framework | None:
    """The progression with the most walkthroughs the viewer sees in the scope: what the trends show
    until one is chosen. A district leader's whole district is read off the pause tallies (a year of
    it is some 600,000 walkthroughs to count), of the months the dates touch, with what the blind rule
    hides from a leader observing a walk: this picks a default, it shows no figure. Ties go to the
    first by name, as does a scope without any."""
    by_pk = {p.pk: p for p in progressions}
    if scope.campus_ids is None and _tallies_stand_in(viewer, scope) and tallies.counting():
        counted = (
            PauseTally.objects.filter(framework__in=by_pk, month__gte=scope.start.replace(day=1), month__lte=scope.end)
            .values("framework_id").annotate(walkthroughs=Sum("walkthroughs"))
        )  # fmt: skip
    else:
        counted = coach_walkthroughs(viewer, scope).filter(framework__in=by_pk).values("framework_id").annotate(walkthroughs=Count("pk"))
    found = max(counted.order_by().values_list("walkthroughs", "framework_id"), key=lambda c: (c[0], -progressions.index(by_pk[c[1]])), default=None)
    return by_pk[found[1]] if found else (progressions[0] if progressions else None)


def scoped_teachers(scope: Scope) -> QuerySet:
    return Teacher.objects.filter(**_teacher_filters(scope))


def _teacher_filters(scope: Scope, prefix: str = "") -> dict:
    """The scope's campus, grade band and subject, as lookups on a teacher (or, with a prefix, on a related one)."""
    lookups = {}
    if scope.campus_ids is not None:
        lookups[f"{prefix}campus_id__in"] = scope.campus_ids
    if scope.grade_band:
        lookups[f"{prefix}grade_band"] = scope.grade_band
    if scope.subject:
        lookups[f"{prefix}subject"] = scope.subject
    return lookups


# Where classrooms pause ---------------------------------------------------------------------


def latest_per_classroom(walkthroughs: QuerySet) -> QuerySet:
    """The ids of each teacher's latest walkthrough per progression: one per classroom."""
    ranked = walkthroughs.filter(framework__kind=Framework.Kind.PROGRESSION).annotate(
        latest=Window(
            RowNumber(), partition_by=[F("teacher_id"), F("framework_id")], order_by=[F("observed_at").desc(), F("pk").desc()]
        )
    )
    return ranked.filter(latest=1).values("pk")


@dataclass
class ProgressionPauses:
    framework: Framework
    pauses: dict[tuple[str, int | None], int] = field(default_factory=dict)  # (phase, number) -> classrooms
    texts: dict[tuple[str, int | None], str] = field(default_factory=dict)  # (phase, number) -> the action's words
    # The most common: (next move, classrooms, whether it is the PL Toolbox's possible next move, kept)
    next_moves: list[tuple[str, int, bool]] = field(default_factory=list)

    @property
    def classrooms(self) -> int:
        return sum(self.pauses.values())


def pauses_by_progression(viewer, scope: Scope, progressions: list[Framework]) -> list[ProgressionPauses]:
    """Per progression: the classrooms' latest pauses counted by phase and action, and the top next moves.

    One query: finding each classroom's latest walkthrough is the costly part, so it is done once and
    counted by pause and next move together; the rows are one per distinct pause and next move (the
    agreed moves are mostly the progression's own), which are then summed by pause and ranked by move."""
    latest = latest_per_classroom(coach_walkthroughs(viewer, scope))
    found = {p.pk: ProgressionPauses(p) for p in progressions}
    counts = (
        Walkthrough.objects.filter(pk__in=latest)
        .annotate(kept=ExpressionWrapper(Q(next_move=F("pause_next_move")), output_field=BooleanField()))
        .values_list("framework_id", "pause_phase", "pause_number", "pause_text", "next_move", "kept")
        .annotate(classrooms=Count("pk"))
        .order_by()
    )
    moves: dict[int, Counter] = {pk: Counter() for pk in found}
    toolbox_moves: dict[int, set[str]] = {pk: set() for pk in found}
    words: dict[int, Counter] = {pk: Counter() for pk in found}
    for framework_id, phase, number, text, next_move, kept, classrooms in counts:
        pauses = found[framework_id].pauses
        pause = (phase if number else "", number)
        pauses[pause] = pauses.get(pause, 0) + classrooms
        if text:
            words[framework_id][(pause, text)] += classrooms
        if next_move:
            moves[framework_id][next_move] += classrooms
            if kept:
                toolbox_moves[framework_id].add(next_move)
    for pk, progression in found.items():
        ranked = sorted(moves[pk].items(), key=lambda move: (-move[1], move[0]))
        progression.next_moves = [(move, n, move in toolbox_moves[pk]) for move, n in ranked[:NEXT_MOVES]]
        # Each pause's action in the words the walkthroughs recorded; should a revision of the
        # content have reworded it, the words most classrooms paused at (a tie: the first in order,
        # so the page and its PDF agree).
        for (pause, text), _n in sorted(words[pk].items(), key=lambda item: (item[1], item[0][1]), reverse=True):
            progression.texts.setdefault(pause, text)
    return [p for p in found.values() if p.pauses]


# Trends ----------------------------------------------------------------------------------------


@dataclass
class Positions:
    """Where each action sits along a progression: Foundation 1 is 1, and on; every action in place is last."""

    offsets: dict[str, int]  # phase -> how many actions come before its first
    phase_starts: list[tuple[int, str]]  # (position, phase label) of each phase's first action
    everything: int  # the position of "every action in place"

    @classmethod
    def of(cls, progression: Framework) -> "Positions":
        """One query: the highest current action number per available phase."""
        last = dict(
            Action.objects.current()
            .filter(phase__framework=progression, phase__available=True)
            .values("phase__kind")
            .annotate(last=Max("number"))
            .values_list("phase__kind", "last")
        )
        offsets, starts, before = {}, [], 0
        for kind, label in Phase.Kind.choices:
            if kind in last:
                offsets[kind] = before
                starts.append((before + 1, label))
                before += last[kind]
        return cls(offsets, starts, before + 1)

    def label(self, position: float) -> str:
        """The action at a position, in the users' words ("Differentiated 2"); a median halfway
        between two actions names both."""
        if position != int(position):
            return f"between {self.label(int(position))} and {self.label(int(position) + 1)}"
        if position >= self.everything:
            return "every action in place"
        start, phase = max((start, label) for start, label in self.phase_starts if start <= position)
        return f"{phase} {int(position) - start + 1}"

    def of_pause(self, phase: str, number: int | None) -> int | None:
        """A pause's position; None for a pause on a phase no longer published (it has no place now)."""
        if not number:
            return self.everything
        return number + self.offsets[phase] if phase in self.offsets else None


@dataclass
class Trends:
    positions: Positions
    months: list[date]
    campuses: dict[int, dict[date, float]]  # campus id -> month -> median pause position
    district: dict[date, float] | None  # None when the viewer sees only their own campuses


def monthly_tallies_query(walkthroughs: QuerySet, months: list[date], by_campus: bool) -> QuerySet:
    """How many walkthroughs paused at each pause, per month (and campus), as rows of ([campus,]
    month's index in `months`, phase, number, walkthroughs). The database hashes them into a few
    rows per month and pause: a median there would sort every walkthrough, and truncating each
    one's date to its month in the time zone cost more than the rest of the query."""
    group = ["teacher__campus_id", "month", "pause_phase", "pause_number"] if by_campus else ["month", "pause_phase", "pause_number"]
    return (
        walkthroughs.annotate(month=_month_index(months))
        .values(*group)
        .annotate(walkthroughs=Count("pk"))
        .values_list(*group, "walkthroughs")
        .order_by()
    )


def _tallied(tallies_query: QuerySet, positions: Positions) -> dict[tuple, Counter]:
    """The rows of `monthly_tallies_query` as one tally of positions per (campus, month) or (month,).
    Read as the database sends them, in plain loops: a district-wide year is some 60,000 rows, and
    the ORM's per-value conversions (ints to ints) took longer than the rest of the page's Python."""
    tallies: dict[tuple, Counter] = {}
    sql, params = tallies_query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for *key, phase, number, count in rows:
        if (position := positions.of_pause(phase, number)) is None:
            continue
        key = tuple(key)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Counter()
        tally[position] += count
    return tallies


def _month_index(months: list[date]) -> Case:
    """Which of these months (in order, and the walkthroughs already within them) a walkthrough is in."""
    ends = [When(observed_at__lt=day_start(later), then=Value(i)) for i, later in enumerate(months[1:])]
    return Case(*ends, default=Value(len(months) - 1), output_field=IntegerField())


def median_of(tally: dict[int, int]) -> float:
    """The median of the positions tallied (position -> walkthroughs), as PostgreSQL's
    percentile_cont(0.5) would give it: the middle one, or halfway between the middle two."""
    total = sum(tally.values())
    lower, upper = (total - 1) // 2, total // 2  # the middle walkthroughs, counted from 0
    seen, low = 0, None
    for position in sorted(tally):
        seen += tally[position]
        if low is None and seen > lower:
            low = position
        if seen > upper:
            return (low + position) / 2
    raise ValueError("an empty tally has no median")


def months_between(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def pause_trends(viewer, scope: Scope, every_campus: bool) -> Trends:
    """The median pause position per month on one progression, per campus and (for leaders) the
    district. A leader's are read off the pause tallies where they can stand in (`_counted_medians`);
    otherwise two queries, three for a leader who chose a campus (the district is tallied apart)."""
    progression = scope.progression
    positions, months = Positions.of(progression), months_between(scope.start, scope.end)
    counted = _counted_medians(viewer, scope, months, positions) if every_campus else None
    if counted is not None:
        campuses, district = counted
        return Trends(positions, months, campuses, district)
    walkthroughs = coach_walkthroughs(viewer, scope).filter(framework=progression)
    tallies = _tallied(monthly_tallies_query(walkthroughs, months, by_campus=True), positions)
    campuses: dict[int, dict[date, float]] = {}
    for (campus_id, month), tally in tallies.items():
        campuses.setdefault(campus_id, {})[months[month]] = median_of(tally)
    district = None
    if every_campus:
        if scope.campus_ids is None:  # every campus is tallied already: the district is their sum
            by_month: dict[int, Counter] = {}
            for (_campus_id, month), tally in tallies.items():
                by_month.setdefault(month, Counter()).update(tally)
        else:
            district_walkthroughs = coach_walkthroughs(viewer, scope.district()).filter(framework=progression)
            district_tallies = _tallied(monthly_tallies_query(district_walkthroughs, months, by_campus=False), positions)
            by_month = {month: tally for (month,), tally in district_tallies.items()}
        district = {months[month]: median_of(tally) for month, tally in by_month.items()}
    return Trends(positions, months, campuses, district)


def _counted_medians(viewer, scope: Scope, months: list[date], positions: Positions) -> tuple[dict, dict] | None:
    """The scope's campuses' medians per month, and the district's, summed by the database in one
    query from `_count_parts`. None where the tallies cannot stand in: on SQLite, for a viewer who
    does not see every campus, or with a grade band or subject (the tallies are per campus)."""
    if not _tallies_stand_in(viewer, scope) or not tallies.counting():
        return None
    parts = _count_parts(viewer, scope, months)
    counts = " UNION ALL ".join(f"SELECT c.*, {sign} AS sign FROM ({sql}) c" for sql, _params, sign in parts)
    phase_offsets = " ".join(f"WHEN '{kind}' THEN {offset}" for kind, offset in positions.offsets.items())
    params = [p for _sql, part_params, _sign in parts for p in part_params]
    chosen = ""
    if scope.campus_ids is not None:  # the district line counts every campus; only the chosen ones come back
        chosen, params = "AND (GROUPING(campus_id) = 1 OR campus_id = ANY(%s))", [*params, list(scope.campus_ids)]
    sql = MEDIANS_SQL.format(counts=counts, offsets=phase_offsets or "WHEN '' THEN NULL", everything=positions.everything, chosen=chosen)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_group: dict[tuple, dict[int, int]] = {}  # (campus or None for the district, month) -> position -> walkthroughs
    for campus_id, month, position, walkthroughs in rows:
        tally = by_group.get((campus_id, month))
        if tally is None:
            tally = by_group[(campus_id, month)] = {}
        tally[position] = walkthroughs
    campuses: dict[int, dict[date, float]] = {}
    district: dict[date, float] = {}
    for (campus_id, month), tally in by_group.items():
        (district if campus_id is None else campuses.setdefault(campus_id, {}))[months[month]] = median_of(tally)
    return campuses, district


def _tallies_stand_in(viewer, scope: Scope) -> bool:
    """Whether the tallies (per campus, of the walkthroughs shared with everyone) can count for this viewer and scope."""
    return not (scope.grade_band or scope.subject or scope.walk) and bool(Walkthrough.objects.shared_with_everyone_for(viewer))


def _count_parts(viewer, scope: Scope, months: list[date]) -> list[tuple[str, list, int]]:
    """What the medians are summed from, as (SQL of rows (campus, month index, phase, number,
    walkthroughs), its params, sign): the tallies of the range's whole months, less what the blind
    rule hides from the viewer in them; and each month the range cuts, counted from walkthroughs."""
    progression = scope.progression
    first, after = day_start(scope.start), day_start(scope.end + timedelta(days=1))
    # A month is whole when the range covers every walkthrough it can hold; this month's so far
    # too, once the range reaches past the latest any can be observed (now, and a fast clock's slack).
    latest = timezone.now() + CLOCK_SLACK
    whole = [i for i, m in enumerate(months) if day_start(m) >= first and min(day_start(_next_month(m)), latest) <= after]
    parts = []
    if whole:
        parts.append((TALLIES_SQL, [months, progression.pk, months[whole[0]], months[whole[-1]]], 1))
        start, end = day_start(months[whole[0]]), day_start(_next_month(months[whole[-1]]))
        in_whole = Walkthrough.objects.filter(SHARED, framework=progression, observed_at__gte=start, observed_at__lt=end)
        parts.append((*monthly_tallies_query(in_whole.hidden_from(viewer), months, by_campus=True).query.sql_with_params(), -1))
    for i in sorted(set(range(len(months))) - set(whole)):
        cut = coach_walkthroughs(viewer, scope.district()).filter(
            framework=progression,
            observed_at__gte=max(first, day_start(months[i])),
            observed_at__lt=min(after, day_start(_next_month(months[i]))),
        )
        parts.append((*monthly_tallies_query(cut, months, by_campus=True).query.sql_with_params(), 1))
    return parts


# The whole months are one run of months: a range, which the key's index (framework, month, ...)
# reads directly, where a list of months had the framework's rows read and half thrown away.
TALLIES_SQL = """SELECT campus_id, array_position(%s::date[], month) - 1, pause_phase, pause_number, walkthroughs
    FROM dashboard_pausetally WHERE framework_id = %s AND month BETWEEN %s AND %s AND walkthroughs > 0"""

# Each campus's and the district's walkthroughs per month and pause position: the tallies of the
# whole months, the cut months counted live, less what the blind rule hides (sign -1).
MEDIANS_SQL = """
WITH counts (campus_id, month, pause_phase, pause_number, walkthroughs, sign) AS ({counts}),
positioned AS (
    SELECT campus_id, month,
        CASE WHEN COALESCE(pause_number, 0) = 0 THEN {everything}
             ELSE pause_number + CASE pause_phase {offsets} END END AS position,
        (walkthroughs * sign)::integer AS walkthroughs
    FROM counts
)
SELECT campus_id, month, position, SUM(walkthroughs) FROM positioned WHERE position IS NOT NULL
GROUP BY GROUPING SETS ((campus_id, month, position), (month, position))
HAVING SUM(walkthroughs) > 0 {chosen}
"""


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


# Coverage --------------------------------------------------------------------------------------


@dataclass
class CampusCoverage:
    campus_id: int
    per_teacher: list[tuple[int, str, int]] = field(default_factory=list)  # (teacher id, name, visits in the last N days)

    @property
    def visits(self) -> list[int]:
        return [count for _pk, _name, count in self.per_teacher]

    @property
    def unvisited(self) -> list[tuple[int, str]]:
        """(teacher id, name) of those with no visit."""
        return [(pk, name) for pk, name, count in self.per_teacher if not count]

    @property
    def teachers(self) -> int:
        return len(self.visits)

    @property
    def fewest(self) -> int:
        return min(self.visits, default=0)

    @property
    def most(self) -> int:
        return max(self.visits, default=0)

    @property
    def median(self) -> float:
        ordered, middle = sorted(self.visits), len(self.visits) // 2
        if not ordered:
            return 0
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# A visit is a walkthrough, or a progression walk: its observers rating one classroom together
# (calibration) visit its teacher once. Walks count as minus their id, apart from walkthrough ids.
VISIT = Case(When(walk_id__isnull=False, then=-F("walk_id")), default=F("pk"), output_field=BigIntegerField())


def coverage(viewer, scope: Scope) -> dict[int, CampusCoverage]:
    """Per campus, each teacher's visits in the last `scope.days` days. Two queries: the visits counted
    per teacher by the database, and the teachers (one row each, to count those never visited)."""
    since = day_start(timezone.localdate() - timedelta(days=scope.days - 1))
    visits = dict(
        coach_walkthroughs(viewer, scope)
        .filter(observed_at__gte=since)
        .values("teacher_id")
        .annotate(visits=Count(VISIT, distinct=True))
        .order_by()
        .values_list("teacher_id", "visits")
    )
    teachers = scoped_teachers(scope).order_by("last_name", "first_name", "pk").values_list("pk", "first_name", "last_name", "campus_id")
    by_campus: dict[int, CampusCoverage] = {}
    for pk, first, last, campus_id in teachers:
        campus = by_campus.setdefault(campus_id, CampusCoverage(campus_id))
        campus.per_teacher.append((pk, f"{first} {last}".strip(), visits.get(pk, 0)))
    return by_campus


def last_walkthroughs(viewer, scope: Scope, teacher_ids: list[int]) -> dict[int, datetime]:
    """When each of these teachers last had a walkthrough the viewer may see, at any time. One query."""
    walkthroughs = coach_walkthroughs(viewer, Scope(scope.campus_ids)).filter(teacher_id__in=teacher_ids or [0])
    return dict(walkthroughs.values("teacher_id").annotate(last=Max("observed_at")).order_by().values_list("teacher_id", "last"))
