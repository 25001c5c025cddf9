"""The demo district's history, which `make run` loads after its roster: eight months of
walkthroughs, a self-reflection and one progression walk, so each page has something to show
someone trying PL Coach (the trends, coverage gaps, a calibration debrief, a teacher's stops).

Written through the services, a tap at a time, as the coach's tablet writes them. The keys are
derived from fixed names, and the history is written only where none is yet: loading twice
changes nothing.
"""

import random
import uuid
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings

from people.models import Teacher, User
from progressions.models import Framework

from .models import ProgressionWalk, Walkthrough
from .services import walk_create, walkthrough_answer, walkthrough_finish, walkthrough_start

KEYS = uuid.UUID("5d0c6a52-7f0e-4c55-9a43-0e8f1d2b6c11")  # the namespace of the demo's client keys
MONTHS = 8

# Per teacher (employee id): the progression, the actions in place at the first visit and how many
# more by now, visits, and the days since the last one. Carlos Mendez is never visited, and Aisha
# Carter not for two months: the coverage page's gaps.
PLANS = {
    "demo-teacher": ("flex", 3, 9, 6, 6),
    "T1002": ("flex", 1, 5, 5, 9),
    "T1003": ("flex", 2, 3, 3, 62),
    "T1004": ("flex", 6, 8, 5, 12),
    "T1005": ("flex", 0, 4, 4, 4),
    "T1006": ("flex", 10, 12, 4, 17),
    "T2001": ("enriched-virtual", 1, 6, 5, 3),
    "T2002": ("enriched-virtual", 0, 4, 4, 11),
    "T2003": ("flex", 4, 7, 4, 25),
    "T2004": ("enriched-virtual", 3, 5, 3, 8),
    "T2005": ("flex", 12, 10, 4, 15),
}
TEACHER_NOTES = (
    "Thank you for opening your room to us. The station rotation ran smoothly.",
    "Students knew where to go next without asking: lovely to see.",
    "Let's look at the goal-setting sheets together on Thursday.",
    "",
    "",
)
# The walk: two observers in the same three classrooms. They agree on the first, see the same
# phase but a different action in the second, and part ways in the third: the debrief's talk.
WALK_ROOMS = {"demo-teacher": (12, 12), "T1002": (6, 8), "T1004": (10, 13)}


def demo_history_load(*, today: date) -> dict[str, int]:
    """Writes the demo history once; what it wrote, by kind (nothing if the demo teachers were
    walked already, or if the progressions are not loaded)."""
    teachers = {t.employee_id: t for t in Teacher.objects.filter(employee_id__in=[*PLANS, "T2006"])}
    progressions = {f.slug: f for f in Framework.objects.progressions()}
    if len(teachers) < len(PLANS) + 1 or not {"flex", "enriched-virtual"} <= set(progressions):
        return {}  # a dry run's roster, or no content yet
    if Walkthrough.objects.filter(teacher__in=teachers.values()).exists():
        return {}
    people = {u.username: u for u in User.objects.filter(username__in=["demo-coach", "demo-principal", "demo-leader"])}
    coach, principal = people["demo-coach"], people["demo-principal"]
    rng = random.Random(2026)
    written = {"demo walkthroughs written": 0}
    for employee_id, (slug, first, gain, visits, last) in PLANS.items():
        teacher = teachers[employee_id]
        span = MONTHS * 30 - last
        for visit in range(visits):
            days_ago = last + round(span * (visits - 1 - visit) / max(visits - 1, 1))
            along = visit / max(visits - 1, 1)
            in_place = max(0, first + round(gain * along + rng.gauss(0, 0.8)))
            observer = principal if teacher.campus.code == "OAK" and rng.random() < 0.25 else coach
            _walked(observer, teacher, progressions[slug], in_place, _at(today, days_ago, rng), key=f"{employee_id}-{visit}",
                    teacher_note=rng.choice(TEACHER_NOTES))  # fmt: skip
            written["demo walkthroughs written"] += 1
    maria = teachers["demo-teacher"]
    _walked(maria.user, maria, progressions["flex"], 11, _at(today, 2, rng), key="self", kind=Walkthrough.Kind.SELF)
    written["demo walkthroughs written"] += 1
    walk_day = _at(today, 9, rng).date()
    walk = _walk(walk_day, [teachers["demo-teacher"].campus], [coach, principal], people["demo-leader"])
    for room, (employee_id, answers) in enumerate(WALK_ROOMS.items()):
        for observer, in_place in zip((coach, principal), answers):  # in the room together, a room every 20 minutes
            at = datetime.combine(walk_day, time(9, 0), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)) + timedelta(minutes=20 * room)
            _walked(observer, teachers[employee_id], progressions["flex"], in_place, at, key=f"walk-{employee_id}-{observer.username}", walk=walk)
            written["demo walkthroughs written"] += 1
    written["demo walk planned"] = 1
    return written


def _at(today: date, days_ago: int, rng: random.Random) -> datetime:
    """A school-day morning or early afternoon, `days_ago` days back (a weekend moves to the Friday before)."""
    day = today - timedelta(days=days_ago)
    day -= timedelta(days=max(0, day.weekday() - 4))
    return datetime.combine(day, time(8, 15), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)) + timedelta(minutes=rng.randrange(0, 360, 5))


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(KEYS, name)


def _walk(day: date, campuses: list, observers: list, leader: User) -> ProgressionWalk:
    return walk_create(
        client_key=_key("walk"), created_by=leader, date=day, name="Flex stations: Foundation and Differentiated",
        norms="Look for evidence, not effort. Rate on what you see in the room today. Talk it through at the debrief.",
        campuses=campuses, observers=observers,
    )  # fmt: skip


def _walked(observer, teacher, framework, in_place: int, at: datetime, *, key: str, teacher_note: str = "",
            kind: str = Walkthrough.Kind.COACH, walk: ProgressionWalk | None = None) -> Walkthrough:  # fmt: skip
    """A finished walkthrough: `in_place` actions in place, then the pause, its suggested next move agreed."""
    walkthrough = walkthrough_start(client_key=_key(key), observer=observer, teacher=teacher, framework=framework,
                                    kind=kind, observed_at=at, walk=walk)  # fmt: skip
    for number in range(in_place + 1):
        current = walkthrough.state.current
        if current is None:
            break  # every action in place: no pause
        walkthrough = walkthrough_answer(walkthrough=walkthrough, client_key=_key(f"{key}-{number}"), action_id=current.pk,
                                         in_place=number < in_place, version=walkthrough.version)  # fmt: skip
    return walkthrough_finish(walkthrough=walkthrough, version=walkthrough.version, next_move=walkthrough.pause_next_move,
                              teacher_note=teacher_note)  # fmt: skip
