"""Calibration: how far the observers of one progression walk agreed on where each classroom pauses.

A classroom is a teacher on one progression. Each observer's rating of it is the pause they
first submitted in the walk: made blind, since the others' ratings show only after it. A later
walkthrough or a correction does not replace it (or an observer could submit anything, look, and
rate again): where it now stands otherwise is shown beside it. A district leader, or the
classroom's principal, who joined the walk after another rating of the classroom was submitted,
or began theirs after logging had closed (lifting the blind rule) and reopened, could read it
first: theirs is listed, not compared. A classroom with two or more blind ratings
is compared. Two queries (the walk's walkthroughs and the progressions' action order), however
large the walk.
"""

from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Exists, OuterRef, Subquery

from dashboard.filters import Scope
from dashboard.queries import scoped_teachers
from people.models import Role
from progressions.models import Action, Framework

from .history import pause_label
from .models import ProgressionWalk, WalkObserver, Walkthrough



class Agreement:
    SAME_PAUSE = "same pause"
    SAME_PHASE = "same phase"
    DIFFERENT_PHASE = "different phase"


@dataclass
class Rating:
    """One observer's pause for one classroom, with the action's text as they saw it."""

    observer: str
    observer_id: int
    walkthrough_id: int
    phase: str  # "" when every action was in place
    number: int | None
    text: str
    position: int | None  # along the progression, in actions; None if the action is no longer published
    changed_to: str = ""  # the pause the observer's rating now stands at, if no longer the one submitted
    read_first: bool = False  # the observer could read another rating of the classroom before beginning theirs

    @property
    def pause(self) -> tuple[str, int | None]:
        return (self.phase, self.number) if self.number else ("", None)

    @property
    def label(self) -> str:
        return pause_label(self.phase, self.number)


@dataclass
class PauseInQuestion:
    """One of the pauses a classroom's observers chose: the action, and who chose it."""

    label: str
    text: str
    observers: list[str]


@dataclass
class Classroom:
    teacher: str
    campus: str
    framework: str
    ratings: list[Rating] = field(default_factory=list)

    @property
    def agreement(self) -> str:
        if len({r.pause for r in self.ratings}) == 1:
            return Agreement.SAME_PAUSE
        if len({r.pause[0] for r in self.ratings}) == 1:
            return Agreement.SAME_PHASE
        return Agreement.DIFFERENT_PHASE

    @property
    def agreed(self) -> bool:
        return self.agreement == Agreement.SAME_PAUSE

    @property
    def distance(self) -> int | None:
        """How many actions apart the furthest pauses are (Foundation 5 and Foundation 9: 4)."""
        positions = [r.position for r in self.ratings]
        return None if None in positions else max(positions) - min(positions)

    @property
    def talk_order(self) -> tuple:
        distance = self.distance
        return (distance is None, -(distance or 0), self.agreement != Agreement.DIFFERENT_PHASE)

    @property
    def pauses_in_question(self) -> list[PauseInQuestion]:
        chosen: dict[tuple, PauseInQuestion] = {}
        for rating in sorted(self.ratings, key=lambda r: (r.position is None, r.position or 0, r.observer)):
            entry = chosen.setdefault(rating.pause, PauseInQuestion(rating.label, rating.text, []))
            entry.observers.append(rating.observer)
        return list(chosen.values())


@dataclass
class Pair:
    """Two observers: the classrooms both rated, and how many of them with the same pause."""

    first: str
    second: str
    shared: int = 0
    agreed: int = 0

    @property
    def percent(self) -> int | None:
        return percent(self.agreed, self.shared)


@dataclass
class Debrief:
    classrooms: list[Classroom]  # rated blind by two or more observers
    pairs: list[Pair]
    waiting: int  # classrooms with one blind rating so far
    read_first: list[tuple[Classroom, Rating]] = field(default_factory=list)  # ratings not compared

    @property
    def progressions_rated_twice(self) -> set[str]:
        """The progressions (by name) on which some classroom has two or more ratings."""
        return {c.framework for c in self.classrooms}

    @property
    def changed_after_submitting(self) -> list[tuple[Classroom, Rating]]:
        """Ratings whose observer has since corrected them or rated again: talked through too."""
        return [(c, r) for c in self.classrooms for r in c.ratings if r.changed_to]

    @property
    def disagreements(self) -> list[Classroom]:
        """The classrooms to talk through, the furthest-apart pauses first (a phase apart before the
        same phase at the same distance; one whose action is no longer published last): a debrief
        that runs out of time has talked through the widest gaps. Ties keep campus and teacher order."""
        return sorted((c for c in self.classrooms if not c.agreed), key=lambda c: c.talk_order)

    @property
    def unanimous(self) -> int:
        return sum(c.agreed for c in self.classrooms)

    @property
    def team_shared(self) -> int:
        return sum(p.shared for p in self.pairs)

    @property
    def team_agreed(self) -> int:
        return sum(p.agreed for p in self.pairs)

    @property
    def team_percent(self) -> int | None:
        """Every pair's comparisons pooled: the share of them with the same pause."""
        return percent(self.team_agreed, self.team_shared)


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def walk_debrief(*, walk: ProgressionWalk, only_submitted_by=None, scope: Scope | None = None) -> Debrief:
    """The walk's calibration. With `only_submitted_by`, only the classrooms that observer has
    submitted their own walkthrough of (the blind rule: nobody sees others' ratings first); with
    `scope`, only the classrooms of its campuses, grade band and subject (the debrief's filters)."""
    walkthroughs = Walkthrough.objects.filter(
        walk=walk,
        kind=Walkthrough.Kind.COACH,
        submitted_at__isnull=False,
        framework__kind=Framework.Kind.PROGRESSION,
    )
    if scope is not None:
        walkthroughs = walkthroughs.filter(teacher__in=scoped_teachers(scope))  # a subquery: no query of its own
    rows = list(
        _with_joining(walkthroughs, walk)
        .select_related("teacher__campus", "framework", "observer")
        .only(
            "status", "observed_at", "created_at", "submitted_at", "submitted_phase", "submitted_number", "submitted_text",
            "pause_phase", "pause_number", "teacher__first_name",
            "teacher__last_name", "teacher__campus__name", "framework__name", "observer__first_name",
            "observer__last_name", "observer__username",
        )  # fmt: skip
        .order_by("observed_at", "pk")
    )
    if only_submitted_by is not None:
        submitted = {(w.teacher_id, w.framework_id) for w in rows if w.observer_id == only_submitted_by.pk}
        rows = [w for w in rows if (w.teacher_id, w.framework_id) in submitted]
    positions = _positions({w.framework_id for w in rows})

    first: dict[tuple[int, int], dict[int, Walkthrough]] = {}  # per classroom, each observer's first submitted
    now: dict[tuple[int, int, int], Walkthrough] = {}  # and their latest finished one, as it stands
    for w in sorted(rows, key=lambda w: (w.submitted_at, w.pk)):
        first.setdefault((w.teacher_id, w.framework_id), {}).setdefault(w.observer_id, w)
    for w in rows:  # in the order observed: a later walkthrough stands over an earlier one
        if w.status == Walkthrough.Status.COMPLETE:  # a reopened one is being corrected
            now[(w.teacher_id, w.framework_id, w.observer_id)] = w
    classrooms, waiting, read_first = [], 0, []
    for (teacher_id, framework_id), by_observer in first.items():
        some = next(iter(by_observer.values()))
        classroom = Classroom(some.teacher.name, some.teacher.campus.name, some.framework.name)
        for w in sorted(by_observer.values(), key=lambda w: (str(w.observer), w.observer_id)):
            number = w.submitted_number or None
            phase = w.submitted_phase if number else ""
            rating = Rating(str(w.observer), w.observer_id, w.pk, phase, number, w.submitted_text, positions.get((framework_id, phase, number)))
            latest = now.get((teacher_id, framework_id, w.observer_id))
            stands_at = pause_label(latest.pause_phase, latest.pause_number) if latest else rating.label
            rating.changed_to = stands_at if stands_at != rating.label else ""
            rating.read_first = _could_read_first(w, by_observer.values(), walk)
            if rating.read_first:
                read_first.append((classroom, rating))
            else:
                classroom.ratings.append(rating)
        if len(classroom.ratings) >= 2:
            classrooms.append(classroom)
        else:
            waiting += 1
    classrooms.sort(key=lambda c: (c.campus, c.teacher, c.framework))
    read_first.sort(key=lambda pair: (pair[0].campus, pair[0].teacher, pair[0].framework, pair[1].observer))
    return Debrief(classrooms, _pairs(classrooms), waiting, read_first)


def _with_joining(walkthroughs, walk: ProgressionWalk):
    """Each rating with when its observer joined the walk, and whether they could read the others'
    ratings of the classroom off it: as a district leader, or as the principal of its campus (a
    coach reads only their own). Subqueries: the one query still reads it all."""
    observer, campus = OuterRef("observer"), OuterRef("teacher__campus")
    return walkthroughs.annotate(
        joined_at=Subquery(WalkObserver.objects.filter(progressionwalk=walk, user=observer).values("added_at")[:1]),
        reads_all=Exists(Role.objects.filter(user=observer, kind=Role.Kind.DISTRICT_LEADER)),
        reads_campus=Exists(Role.objects.filter(user=observer, kind=Role.Kind.PRINCIPAL, campus=campus)),
    )


def _could_read_first(rating: Walkthrough, classroom_ratings, walk: ProgressionWalk) -> bool:
    """Whether another observer's rating of the classroom was submitted while this observer could
    read it and had not begun their own: before they joined the walk, or before they began it
    after logging had closed once (the blind rule lifted) and was reopened. An observer whose
    joining is not recorded (taken off the walk before it was kept) is taken to have rated blind."""
    if not (rating.reads_all or rating.reads_campus):
        return False
    others = [other.submitted_at for other in classroom_ratings if other.observer_id != rating.observer_id]
    if rating.joined_at is not None and any(at < rating.joined_at for at in others):
        return True
    lifted = walk.blind_lifted_at
    return lifted is not None and rating.created_at > lifted and any(at < rating.created_at for at in others)


def _positions(framework_ids: set[int]) -> dict[tuple, int]:
    """(framework, phase, number) -> position along the progression, counting every published
    action; "every action in place" sits one past the last action. One query."""
    if not framework_ids:
        return {}
    actions = (
        Action.objects.current()
        .filter(phase__framework_id__in=framework_ids, phase__available=True)
        .order_by("phase__framework_id", "phase__position", "number")
        .values_list("phase__framework_id", "phase__kind", "number")
    )
    positions: dict[tuple, int] = {}
    counts: dict[int, int] = {}
    for framework_id, phase, number in actions:
        positions[(framework_id, phase, number)] = counts.get(framework_id, 0)
        counts[framework_id] = counts.get(framework_id, 0) + 1
    for framework_id, count in counts.items():
        positions[(framework_id, "", None)] = count
    return positions


def _pairs(classrooms: list[Classroom]) -> list[Pair]:
    pairs: dict[tuple[int, int], Pair] = {}
    for classroom in classrooms:
        for a, b in combinations(classroom.ratings, 2):  # ratings are sorted by observer
            pair = pairs.setdefault((a.observer_id, b.observer_id), Pair(a.observer, b.observer))
            pair.shared += 1
            pair.agreed += a.pause == b.pause
    return sorted(pairs.values(), key=lambda p: (p.first, p.second))
