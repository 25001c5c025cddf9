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


# pause_position as one number in SQL, to take the lowest and highest of a walk's ratings.
PAUSE_RANK_SQL = (
    "(CASE WHEN pause_number IS NULL THEN %d " % len(PHASE_ORDER)
    + " ".join(f"WHEN pause_phase = '{kind}' THEN {position}" for kind, position in PHASE_ORDER.items())
    + " END * 1000 + COALESCE(pause_number, 0))"
)


def pause_from_rank(rank: int) -> tuple[str, int | None]:
    """The (phase, number) a PAUSE_RANK_SQL number stands for: ("", None) when every action was in place."""
    position, number = divmod(rank, 1000)
    return (Phase.Kind.values[position], number) if number else ("", None)


def pause_range_label(low: tuple[str, int | None], high: tuple[str, int | None]) -> str:
    """Where a walk's observers placed one classroom's pause: one pause, or the lowest to the highest."""
    if low == high:
        return pause_label(*low)
    return f"{pause_label(*low)} to {pause_label(*high) if high[1] else EVERY_ACTION.lower()} (observers differed)"


def moved(before: tuple, now: tuple) -> int:
    """From one visit to the next, each given as its (lowest, highest) pause: +1 moved on and -1
    moved back when both ends moved that way, else 0: the same, or no clear move (observers of a
    walk differed, and one of them found the pause where it was, or the ends moved apart)."""
    if now[0] > before[0] and now[1] > before[1]:
        return 1
    if now[0] < before[0] and now[1] < before[1]:
        return -1
    return 0


@dataclass
class Stop:
    """One point of a timeline: a pause, and how many walkthroughs in a row found it. A classroom
    that several observers rated in one walk is one visit: its pause is the lowest they gave, and
    `up_to` the highest when they differed."""

    phase: str
    number: int | None
    first_seen: datetime
    last_seen: datetime
    times: int = 1
    up_to: tuple[str, int | None] | None = None

    @property
    def label(self) -> str:
        return pause_range_label((self.phase, self.number), self.up_to or (self.phase, self.number))

    @property
    def position(self) -> tuple[int, int]:
        return pause_position(self.phase, self.number)

    @property
    def highest(self) -> tuple[int, int]:
        return pause_position(*self.up_to) if self.up_to else self.position


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
    latest_pause_text: str = ""  # the action the latest walkthrough paused at, in its words

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
    def stops_left_out(self) -> int:
        """The earlier pauses a limited read (`latest_stops`) did not bring back."""
        return self.stops_in_all - len(self.stops)

    @property
    def movement(self) -> int:
        """+1 moved on since the previous different pause, -1 moved back, 0 no earlier pause, or no
        clear move (observers of a walk differed, and the ranges overlap either way)."""
        if len(self.stops) < 2:
            return 0
        before, now = self.stops[-2], self.stops[-1]
        return moved((before.position, before.highest), (now.position, now.highest))


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
        .values("framework_id", "kind", "id", "walk_id", "observed_at", "pause_phase", "pause_number")
        .order_by()
    )
    sql, params = visible.query.sql_with_params()
    keep = "" if latest_stops is None else "WHERE stop > stops - %s"
    with connection.cursor() as cursor:
        query = STOPS_SQL.format(visible=sql, visits=visits_sql("framework_id, kind"), keep=keep)
        cursor.execute(query, (*params, *(() if latest_stops is None else (latest_stops,))))
        rows = cursor.fetchall()
    frameworks = Framework.objects.in_bulk()
    by_framework: dict[int, FrameworkHistory] = {}
    for framework_id, kind, low, high, first_seen, last_seen, times, stops, walkthroughs, latest_pk, latest_at, next_move, text in rows:
        if framework_id not in by_framework:
            by_framework[framework_id] = FrameworkHistory(
                frameworks[framework_id], Track(Walkthrough.Kind.COACH), Track(Walkthrough.Kind.SELF)
            )
        history = by_framework[framework_id]
        track = history.coach if kind == Walkthrough.Kind.COACH else history.self_reflection
        track.walkthroughs, track.latest_pk, track.next_move, track.latest_pause_text = walkthroughs, latest_pk, next_move, text
        track.latest_at = aware_datetime(latest_at)
        if frameworks[framework_id].is_progression:  # a Driver Model walkthrough has no pause to draw
            (phase, number), highest = pause_from_rank(low), pause_from_rank(high)
            phase = phase or Phase.Kind.FOUNDATION  # every action in place: no pause phase recorded
            up_to = highest if high != low else None
            track.stops.append(Stop(phase, number, aware_datetime(first_seen), aware_datetime(last_seen), times, up_to))
            track.stops_in_all = stops
    return sorted(by_framework.values(), key=lambda h: (h.framework.kind, h.framework.name))


# A visit is a walkthrough, or a walk's ratings of the classroom (several observers, rated blind):
# the lowest and highest pause they gave, placed and dated by its latest rating, whose id (and
# whatever `latest` names) it takes. The teacher's page and the campus summary both read visits
# so, and so agree. Per track (the columns named), over a CTE `visible` of walkthroughs.
VISITS_SQL = """rated AS (
    SELECT *, COALESCE(walk_id, -id) AS visit,
        ROW_NUMBER() OVER (PARTITION BY {track}, COALESCE(walk_id, -id) ORDER BY observed_at DESC, id DESC) AS in_visit
    FROM visible
),
visits AS (
    SELECT {track}, MAX(observed_at) AS at, COUNT(*) AS ratings, MIN({rank}) AS low, MAX({rank}) AS high{latest}
    FROM rated
    GROUP BY {track}, visit
)"""


def visits_sql(track: str, **latest: str) -> str:
    """VISITS_SQL for a track, with the latest rating's id and `latest` (name=SQL over its row)."""
    taken = "".join(f", MAX(CASE WHEN in_visit = 1 THEN {sql} END) AS {name}" for name, sql in {"id": "id", **latest}.items())
    return VISITS_SQL.format(track=track, rank=PAUSE_RANK_SQL, latest=taken)


# Gaps and islands over the visits: a stop starts where the pauses differ from the visit before;
# a running count of starts numbers the stops of each track (framework and kind). The track's
# count and its latest walkthrough (the latest visit's latest rating) are read over every
# walkthrough; that one's date and next move are read last.
STOPS_SQL = """
WITH visible AS ({visible}),
{visits},
starts AS (
    SELECT *, CASE WHEN LAG(low) OVER track = low AND LAG(high) OVER track = high THEN 0 ELSE 1 END AS starts
    FROM visits
    WINDOW track AS (PARTITION BY framework_id, kind ORDER BY at, id)
),
numbered AS (
    SELECT *, SUM(starts) OVER (PARTITION BY framework_id, kind ORDER BY at, id ROWS UNBOUNDED PRECEDING) AS stop
    FROM starts
),
stops AS (
    SELECT framework_id, kind, stop, MIN(low) AS low, MIN(high) AS high,
        MIN(at) AS first_seen, MAX(at) AS last_seen, CAST(SUM(ratings) AS INTEGER) AS times,
        MAX(stop) OVER (PARTITION BY framework_id, kind) AS stops
    FROM numbered
    GROUP BY framework_id, kind, stop
),
tracks AS (
    SELECT framework_id, kind, COUNT(*) AS walkthroughs,
        MAX(CASE WHEN latest = 1 THEN id END) AS latest_pk
    FROM (SELECT framework_id, kind, id,
              ROW_NUMBER() OVER (PARTITION BY framework_id, kind ORDER BY observed_at DESC, id DESC) AS latest
          FROM visible) AS ranked
    GROUP BY framework_id, kind
)
SELECT stops.framework_id, stops.kind, low, high, first_seen, last_seen, times, stops, walkthroughs, latest_pk,
    latest.observed_at, latest.next_move, latest.pause_text
FROM stops
JOIN tracks ON tracks.framework_id = stops.framework_id AND tracks.kind = stops.kind
JOIN observations_walkthrough latest ON latest.id = tracks.latest_pk
{keep}
ORDER BY stops.framework_id, stops.kind, stop
"""


def aware_datetime(value: datetime | str) -> datetime:
    """SQLite's raw rows hold the text of a UTC time; PostgreSQL's an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
