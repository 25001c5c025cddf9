"""A teacher's coaching history per progression: where their walkthroughs paused over time.

Built from one query over the walkthroughs the viewer may see, so it costs the same
however long the history grows; the page and the printed summary share it.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from progressions.models import Framework, Phase

from .models import Walkthrough

PHASE_LABELS = dict(Phase.Kind.choices)
PHASE_ORDER = {kind: position for position, kind in enumerate(Phase.Kind.values)}
EVERY_ACTION = "Every action in place"


def pause_label(phase: str, number: int | None) -> str:
    return f"{PHASE_LABELS[phase]} {number}" if number else EVERY_ACTION


def pause_position(phase: str, number: int | None) -> tuple[int, int]:
    """Orders pauses along a progression; no pause (every action in place) ranks after every action."""
    return (PHASE_ORDER[phase], number) if number else (len(PHASE_ORDER), 0)


@dataclass
class Stop:
    """One point of a timeline: a pause, and how many walkthroughs in a row found it."""

    phase: str
    number: int | None
    first_seen: datetime
    last_seen: datetime
    times: int = 1

    @property
    def label(self) -> str:
        return pause_label(self.phase, self.number)

    @property
    def position(self) -> tuple[int, int]:
        return pause_position(self.phase, self.number)


@dataclass
class Track:
    """One observer kind's view of a teacher on one framework: coach walkthroughs or self-reflections."""

    kind: str
    stops: list[Stop] = field(default_factory=list)  # the latest ones, oldest first, when the read was limited
    stops_in_all: int = 0
    walkthroughs: int = 0
    latest_pk: int | None = None
    latest_at: datetime | None = None
    next_move: str = ""

    @property
    def label(self) -> str:
        return dict(Walkthrough.Kind.choices)[self.kind]

    SHOWN_STOPS = 12  # a page shows the latest pauses; the rest are counted

    @property
    def recent_stops(self) -> list[Stop]:
        return self.stops[-self.SHOWN_STOPS :]

    @property
    def earlier_stops(self) -> int:
        return self.stops_in_all - len(self.recent_stops)

    @property
    def movement(self) -> int:
        """+1 moved on since the previous different pause, -1 moved back, 0 no earlier pause."""
        if len(self.stops) < 2:
            return 0
        return 1 if self.stops[-1].position > self.stops[-2].position else -1


@dataclass
class FrameworkHistory:
    framework: Framework
    coach: Track
    self_reflection: Track

    @property
    def tracks(self) -> list[Track]:
        return [t for t in (self.coach, self.self_reflection) if t.walkthroughs]


def teacher_history(*, teacher, viewer, latest_stops: int | None = None) -> list[FrameworkHistory]:
    """Per framework the viewer may see walkthroughs of, the timeline of pauses: two queries.

    The database folds walkthroughs in a row that found the same pause into one stop, so the
    page reads a few rows however long the history; `latest_stops` keeps only the latest ones."""
    visible = (
        Walkthrough.objects.visible_to(viewer)
        .filter(teacher=teacher, status=Walkthrough.Status.COMPLETE)
        .values("framework_id", "kind", "id", "observed_at", "pause_phase", "pause_number")
        .order_by()
    )
    sql, params = visible.query.sql_with_params()
    keep = "" if latest_stops is None else "WHERE stop > stops - %s"
    with connection.cursor() as cursor:
        cursor.execute(STOPS_SQL.format(visible=sql, keep=keep), (*params, *(() if latest_stops is None else (latest_stops,))))
        rows = cursor.fetchall()
    frameworks = Framework.objects.in_bulk()
    by_framework: dict[int, FrameworkHistory] = {}
    for framework_id, kind, phase, number, first_seen, last_seen, times, stops, walkthroughs, latest_pk, latest_at, next_move in rows:
        if framework_id not in by_framework:
            by_framework[framework_id] = FrameworkHistory(
                frameworks[framework_id], Track(Walkthrough.Kind.COACH), Track(Walkthrough.Kind.SELF)
            )
        history = by_framework[framework_id]
        track = history.coach if kind == Walkthrough.Kind.COACH else history.self_reflection
        track.walkthroughs, track.latest_pk, track.latest_at, track.next_move = walkthroughs, latest_pk, _aware(latest_at), next_move
        if frameworks[framework_id].is_progression:  # a Driver Model walkthrough has no pause to draw
            phase = phase or Phase.Kind.FOUNDATION  # every action in place: no pause phase recorded
            track.stops.append(Stop(phase, number, _aware(first_seen), _aware(last_seen), times))
            track.stops_in_all = stops
    return sorted(by_framework.values(), key=lambda h: (h.framework.kind, h.framework.name))


# Gaps and islands: a stop starts where the pause differs from the walkthrough before; a running
# count of starts numbers the stops of each track (framework and kind). Windows over the whole
# track give its count and its latest walkthrough, whose date and next move are read last.
STOPS_SQL = """
WITH visible AS ({visible}),
starts AS (
    SELECT framework_id, kind, id, observed_at, pause_phase, pause_number,
        CASE WHEN LAG(pause_phase) OVER track = pause_phase
              AND LAG(COALESCE(pause_number, 0)) OVER track = COALESCE(pause_number, 0) THEN 0 ELSE 1 END AS starts,
        COUNT(*) OVER (PARTITION BY framework_id, kind) AS walkthroughs,
        LAST_VALUE(id) OVER (track ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS latest_pk
    FROM visible
    WINDOW track AS (PARTITION BY framework_id, kind ORDER BY observed_at, id)
),
numbered AS (
    SELECT *, SUM(starts) OVER (PARTITION BY framework_id, kind ORDER BY observed_at, id ROWS UNBOUNDED PRECEDING) AS stop
    FROM starts
),
stops AS (
    SELECT framework_id, kind, stop, MIN(pause_phase) AS phase, MIN(pause_number) AS number,
        MIN(observed_at) AS first_seen, MAX(observed_at) AS last_seen, COUNT(*) AS times,
        MAX(stop) OVER (PARTITION BY framework_id, kind) AS stops, MIN(walkthroughs) AS walkthroughs, MIN(latest_pk) AS latest_pk
    FROM numbered
    GROUP BY framework_id, kind, stop
)
SELECT stops.framework_id, stops.kind, phase, number, first_seen, last_seen, times, stops, walkthroughs, latest_pk,
    latest.observed_at, latest.next_move
FROM stops JOIN observations_walkthrough latest ON latest.id = stops.latest_pk
{keep}
ORDER BY stops.framework_id, stops.kind, stop
"""


def _aware(value: datetime | str) -> datetime:
    """SQLite's raw rows hold the text of a UTC time; PostgreSQL's an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
