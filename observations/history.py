"""A teacher's coaching history per progression: where their walkthroughs paused over time.

Built from one query over the walkthroughs the viewer may see, so it costs the same
however long the history grows; the page and the printed summary share it.
"""

from dataclasses import dataclass, field
from datetime import datetime

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
    stops: list[Stop] = field(default_factory=list)
    walkthroughs: int = 0
    latest_pk: int | None = None
    latest_at: datetime | None = None
    next_move: str = ""

    @property
    def label(self) -> str:
        return dict(Walkthrough.Kind.choices)[self.kind]

    def add(self, pk: int, at: datetime, phase: str, number: int | None, next_move: str) -> None:
        self.walkthroughs += 1
        self.latest_pk, self.latest_at, self.next_move = pk, at, next_move
        if not phase:
            return  # a Driver Model walkthrough has no pause to draw
        last = self.stops[-1] if self.stops else None
        if last and (last.phase, last.number) == (phase, number):
            last.times += 1
            last.last_seen = at
        else:
            self.stops.append(Stop(phase, number, at, at))

    SHOWN_STOPS = 12  # a page shows the latest pauses; the rest are counted

    @property
    def recent_stops(self) -> list[Stop]:
        return self.stops[-self.SHOWN_STOPS :]

    @property
    def earlier_stops(self) -> int:
        return max(0, len(self.stops) - self.SHOWN_STOPS)

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


def teacher_history(*, teacher, viewer) -> list[FrameworkHistory]:
    """Per framework the viewer may see walkthroughs of, the timeline of pauses: two queries."""
    rows = (
        Walkthrough.objects.visible_to(viewer)
        .filter(teacher=teacher, status=Walkthrough.Status.COMPLETE)
        .order_by("observed_at", "pk")
        .values_list("framework_id", "kind", "pk", "observed_at", "pause_phase", "pause_number", "next_move")
    )
    frameworks = Framework.objects.in_bulk()
    by_framework: dict[int, FrameworkHistory] = {}
    for framework_id, kind, pk, at, phase, number, next_move in rows:
        if framework_id not in by_framework:
            by_framework[framework_id] = FrameworkHistory(
                frameworks[framework_id], Track(Walkthrough.Kind.COACH), Track(Walkthrough.Kind.SELF)
            )
        history = by_framework[framework_id]
        track = history.coach if kind == Walkthrough.Kind.COACH else history.self_reflection
        if frameworks[framework_id].is_progression:
            phase = phase or Phase.Kind.FOUNDATION  # every action in place: no pause phase recorded
        track.add(pk, at, phase, number, next_move)
    return sorted(by_framework.values(), key=lambda h: (h.framework.kind, h.framework.name))
