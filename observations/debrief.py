"""A walk's debrief beyond calibration: where its classrooms pause, and the change since the previous
walk of its campuses.

Read through `dashboard.queries` with the walk in the scope, so the one access rule
(`Walkthrough.objects.visible_to`, blind rule included) and the dashboard's filters apply as they do
on the dashboard. A classroom is a teacher on one progression; its pause in a walk is its latest
walkthrough there.
"""

from dataclasses import dataclass, field, replace
from statistics import median

from django.db.models import Exists, OuterRef, Q

from dashboard.filters import Scope
from dashboard.queries import Positions, coach_walkthroughs, latest_per_classroom
from progressions.models import Framework

from .history import pause_label, pause_position
from .models import ProgressionWalk, Walkthrough

Pause = tuple[str, int | None]  # (phase, number); ("", None) when every action was in place


def previous_walk(walk: ProgressionWalk, viewer) -> ProgressionWalk | None:
    """The latest earlier walk the viewer may see that visited one of this walk's campuses: an earlier
    date, or the same date and planned before (a lower pk). One query."""
    shares_a_campus = ProgressionWalk.campuses.through.objects.filter(
        progressionwalk_id=OuterRef("pk"), campus_id__in=walk.campuses.values("pk")
    )
    earlier = Q(date__lt=walk.date) | Q(date=walk.date, pk__lt=walk.pk)
    walks = ProgressionWalk.objects.visible_to(viewer).filter(earlier, Exists(shares_a_campus))
    return walks.order_by("-date", "-pk").first()


@dataclass
class MedianPause:
    """The middle classroom's place along the progression, in `Positions` numbers, and its pause's name."""

    position: float
    label: str

    def __str__(self) -> str:
        return f"{self.label} (position {self.position:g})"


@dataclass
class ProgressionChange:
    """One progression, the previous walk against this one: each classroom's pause in each (teacher id -> pause)."""

    framework: Framework
    positions: Positions
    then: dict[int, Pause] = field(default_factory=dict)
    now: dict[int, Pause] = field(default_factory=dict)

    @property
    def median_then(self) -> MedianPause | None:
        return self._median(self.then)

    @property
    def median_now(self) -> MedianPause | None:
        return self._median(self.now)

    @property
    def both(self) -> int:
        return len(self.then.keys() & self.now.keys())

    @property
    def moved_on(self) -> int:
        return self._moves().count(1)

    @property
    def stayed(self) -> int:
        return self._moves().count(0)

    @property
    def moved_back(self) -> int:
        return self._moves().count(-1)

    def _moves(self) -> list[int]:
        """For each classroom seen in both walks: 1 further along now, 0 the same pause, -1 back."""
        moves = []
        for teacher_id in self.then.keys() & self.now.keys():
            now, then = pause_position(*self.now[teacher_id]), pause_position(*self.then[teacher_id])
            moves.append((now > then) - (now < then))
        return moves

    def _median(self, pauses: dict[int, Pause]) -> MedianPause | None:
        places = [self.positions.of_pause(*pause) for pause in pauses.values()]
        places = [place for place in places if place is not None]  # a pause on a phase no longer published
        if not places:
            return None
        # With an even count the median falls between the two middle classrooms: named by their
        # pauses, never by an action halfway between them that no classroom paused at.
        places.sort()
        low, high = places[(len(places) - 1) // 2], places[len(places) // 2]
        label = self._label(low) if low == high else f"between {self._label(low)} and {self._label(high)}"
        return MedianPause(median(places), label)

    def _label(self, position: int) -> str:
        if position >= self.positions.everything:
            return pause_label("", None)
        phase, offset = [(phase, offset) for phase, offset in self.positions.offsets.items() if offset < position][-1]
        return pause_label(phase, position - offset)


def changes_since(
    viewer, scope: Scope, previous: ProgressionWalk | None, progressions: list[Framework]
) -> list[ProgressionChange]:
    """Per progression seen in either walk, each classroom's pause then and now, in the same filters.
    One query for the pauses, and one per progression seen for its positions: the content's few
    progressions, however many classrooms the walks saw."""
    if previous is None:
        return []
    this_walk = latest_per_classroom(coach_walkthroughs(viewer, scope))
    that_walk = latest_per_classroom(coach_walkthroughs(viewer, replace(scope, walk=previous)))
    # Two reads joined, not one filter on either: PostgreSQL turned "in this walk or that one"
    # into a scan of every walkthrough in the district (0.4 s at a million, for any walk).
    columns = ("walk_id", "teacher_id", "framework_id", "pause_phase", "pause_number")
    rows = (
        Walkthrough.objects.filter(pk__in=this_walk).values_list(*columns).order_by()
        .union(Walkthrough.objects.filter(pk__in=that_walk).values_list(*columns).order_by(), all=True)
    )  # fmt: skip
    by_pk = {p.pk: p for p in progressions}
    pauses: dict[int, tuple[dict, dict]] = {}
    for walk_id, teacher_id, framework_id, phase, number in rows:
        then, now = pauses.setdefault(framework_id, ({}, {}))
        (then if walk_id == previous.pk else now)[teacher_id] = (phase, number) if number else ("", None)
    ordered = sorted(pauses.items(), key=lambda item: (by_pk[item[0]].name, item[0]))
    return [ProgressionChange(by_pk[pk], Positions.of(by_pk[pk]), then, now) for pk, (then, now) in ordered]
