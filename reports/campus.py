"""The campus summary: a row per teacher and framework (the latest pause and its next move), built
with two queries however large the campus or long its history (the teachers, and each teacher's
two latest visits per framework)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.utils import timezone

from observations.history import PAUSE_RANK_SQL, aware_datetime, moved, pause_from_rank, pause_range_label, visits_sql
from observations.models import Walkthrough
from people.models import Campus, Teacher
from progressions.models import Framework

from .charts import SpreadChart, spread_chart

QUIET_DAYS = 30  # a teacher with no walkthrough for this long is listed for a visit


class Movement:
    """Since the visit before on the same progression."""

    ON = "Moved on"
    SAME = "Same pause"
    BACK = "Moved back"
    UNCLEAR = "No clear move: observers differed"
    FIRST = "First walkthrough"


@dataclass
class CampusRow:
    teacher: Teacher
    framework: str = ""
    latest_at: datetime | None = None
    pause: str = ""  # the latest pause; empty for the Driver Model, which has none
    next_move: str = ""  # agreed at that pause (never a note: those stay on the walkthrough)
    movement: str = ""


@dataclass
class CampusSummary:
    campus: Campus
    rows: list[CampusRow]
    quiet: list[tuple[Teacher, datetime | None]]  # no walkthrough in the last QUIET_DAYS days
    spreads: list[SpreadChart] = field(default_factory=list)
    quiet_days: int = QUIET_DAYS

    @property
    def teacher_count(self) -> int:
        return len({row.teacher.pk for row in self.rows})


# Each teacher's two latest visits (observations/history.py's VISITS_SQL) per framework.
LATEST_VISITS_SQL = """
WITH visible AS ({visible}),
{visits},
ranked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY teacher_id, framework_id ORDER BY at DESC, id DESC) AS rank
    FROM visits
)
SELECT teacher_id, framework_id, framework.name, framework.kind, at, low, high, latest, next_move, rank
FROM ranked JOIN progressions_framework framework ON framework.id = ranked.framework_id
WHERE rank <= 2
ORDER BY teacher_id, framework.name, rank
"""


def latest_visits(campus: Campus, viewer) -> list[tuple]:
    """Each teacher's two latest visits per framework, of the finished coach walkthroughs the viewer may see."""
    visible = (
        Walkthrough.objects.visible_to(viewer)
        .filter(teacher__campus=campus, kind=Walkthrough.Kind.COACH, status=Walkthrough.Status.COMPLETE)
        .values("teacher_id", "framework_id", "walk_id", "id", "observed_at", "pause_phase", "pause_number",
                "next_move")
        .order_by()
    )
    sql, params = visible.query.sql_with_params()
    with connection.cursor() as cursor:
        visits = visits_sql("teacher_id, framework_id", next_move="next_move", latest=PAUSE_RANK_SQL)
        cursor.execute(LATEST_VISITS_SQL.format(visible=sql, visits=visits), params)
        return cursor.fetchall()


def movement(latest: tuple[int, int], previous: tuple[int, int] | None) -> str:
    """From the visit before to the latest, each given as its lowest and highest pause (PAUSE_RANK_SQL)."""
    if previous is None:
        return Movement.FIRST
    if latest == previous:
        return Movement.SAME
    return {1: Movement.ON, -1: Movement.BACK, 0: Movement.UNCLEAR}[moved(previous, latest)]


def campus_summary(*, campus: Campus, viewer, today: date | None = None) -> CampusSummary:
    today = today or timezone.localdate()
    teachers = list(Teacher.objects.filter(campus=campus).order_by("last_name", "first_name", "pk"))
    by_teacher: dict[int, list[CampusRow]] = {t.pk: [] for t in teachers}
    pauses: dict[tuple[str, int], list[tuple[str, int | None]]] = {}  # per progression: each teacher's latest pause
    previous: dict[tuple[int, int], tuple[int, int]] = {}
    visits = latest_visits(campus, viewer)
    for teacher_id, framework_id, _name, _kind, _at, low, high, _latest, _move, rank in visits:
        if rank == 2:
            previous[(teacher_id, framework_id)] = (low, high)
    teacher_of = {t.pk: t for t in teachers}
    for teacher_id, framework_id, name, kind, at, low, high, latest, next_move, rank in visits:
        if rank != 1:
            continue
        row = CampusRow(teacher_of[teacher_id], name, aware_datetime(at))
        if kind == Framework.Kind.PROGRESSION:
            row.pause, row.next_move = pause_range_label(pause_from_rank(low), pause_from_rank(high)), next_move or ""
            row.movement = movement((low, high), previous.get((teacher_id, framework_id)))
            # The spread counts each teacher's latest walkthrough, as the page says (as the debrief does).
            pauses.setdefault((name, framework_id), []).append(pause_from_rank(latest))
        by_teacher[teacher_id].append(row)

    since = today - timedelta(days=QUIET_DAYS)
    summary = CampusSummary(campus, [], [])
    for teacher in teachers:
        teacher_rows = by_teacher[teacher.pk] or [CampusRow(teacher)]
        summary.rows.extend(teacher_rows)
        latest = max((r.latest_at for r in teacher_rows if r.latest_at), default=None)
        if latest is None or timezone.localdate(latest) < since:
            summary.quiet.append((teacher, latest))
    summary.spreads = [
        spread_chart(f"spread-{framework_id}", name, found) for (name, framework_id), found in sorted(pauses.items())
    ]
    return summary
