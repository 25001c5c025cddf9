"""The campus summary: a row per teacher and framework (the latest pause and its next move), built
with two queries however large the campus or long its history (the teachers, and each teacher's
two latest walkthroughs per framework)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from observations.history import pause_label, pause_position
from observations.models import Walkthrough
from people.models import Campus, Teacher
from progressions.models import Framework

from .charts import SpreadChart, spread_chart

QUIET_DAYS = 30  # a teacher with no walkthrough for this long is listed for a visit
# One row per walkthrough; rank 1 is the latest on its framework, rank 2 the one before.
ROW_FIELDS = (
    "teacher_id",
    "framework_id",
    "framework__name",
    "framework__kind",
    "observed_at",
    "pause_phase",
    "pause_number",
    "next_move",
    "rank",
)


class Movement:
    """Since the walkthrough before on the same progression."""

    ON = "Moved on"
    SAME = "Same pause"
    BACK = "Moved back"
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


def latest_two(campus: Campus, viewer):
    """Each teacher's two latest finished coach walkthroughs per framework that the viewer may see."""
    return (
        Walkthrough.objects.visible_to(viewer)
        .filter(teacher__campus=campus, kind=Walkthrough.Kind.COACH, status=Walkthrough.Status.COMPLETE)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("teacher_id"), F("framework_id")],
                order_by=[F("observed_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=2)
        .order_by("teacher_id", "framework__name", "rank")
        .values_list(*ROW_FIELDS)
    )


def movement(latest: tuple[str, int | None], previous: tuple[str, int | None] | None) -> str:
    if previous is None:
        return Movement.FIRST
    now, before = pause_position(*latest), pause_position(*previous)
    return Movement.ON if now > before else Movement.BACK if now < before else Movement.SAME


def campus_summary(*, campus: Campus, viewer, today: date | None = None) -> CampusSummary:
    today = today or timezone.localdate()
    teachers = list(Teacher.objects.filter(campus=campus).order_by("last_name", "first_name", "pk"))
    by_teacher: dict[int, list[CampusRow]] = {t.pk: [] for t in teachers}
    pauses: dict[tuple[str, int], list[tuple[str, int | None]]] = {}  # per progression: each teacher's latest pause
    previous: dict[tuple[int, int], tuple[str, int | None]] = {}
    walkthroughs = list(latest_two(campus, viewer))
    for teacher_id, framework_id, _name, _kind, _at, phase, number, _move, rank in walkthroughs:
        if rank == 2:
            previous[(teacher_id, framework_id)] = (phase, number)
    teacher_of = {t.pk: t for t in teachers}
    for teacher_id, framework_id, name, kind, at, phase, number, next_move, rank in walkthroughs:
        if rank != 1:
            continue
        row = CampusRow(teacher_of[teacher_id], name, at)
        if kind == Framework.Kind.PROGRESSION:
            row.pause, row.next_move = pause_label(phase, number), next_move
            row.movement = movement((phase, number), previous.get((teacher_id, framework_id)))
            pauses.setdefault((name, framework_id), []).append((phase, number))
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
