"""Helpers for the progression-walk tests: walks and walkthroughs written through the services."""

import uuid
from datetime import date, timedelta

from observations.models import ProgressionWalk, Walkthrough
from observations.services import walk_create, walkthrough_answer, walkthrough_finish, walkthrough_start
from progressions.models import Framework

FLEX_ACTIONS = 29  # Foundation 11, Differentiated 9, Personalized 9


def plan_walk(district, *, observers, campuses=None, name="Foundation walk") -> ProgressionWalk:
    return walk_create(
        client_key=uuid.uuid4(),
        created_by=district.leader,
        date=date.today(),
        name=name,
        norms="Look for evidence, not effort.",
        campuses=campuses or [district.oak],
        observers=observers,
    )


def walked(observer, teacher, walk, *, in_place: int, finish: bool = True, model_seen: str = "") -> Walkthrough:
    """A Flex walkthrough in the walk: `in_place` actions in place, then the pause
    (in_place=4: Foundation 5; 12: Differentiated 2; 29: every action in place, no pause)."""
    walkthrough = walkthrough_start(
        client_key=uuid.uuid4(), observer=observer, teacher=teacher, framework=Framework.objects.get(slug="flex"),
        walk=walk, model_seen=model_seen,
    )  # fmt: skip
    for number in range(min(in_place + 1, FLEX_ACTIONS)):
        walkthrough = walkthrough_answer(
            walkthrough=walkthrough, client_key=uuid.uuid4(), action_id=walkthrough.state.current.pk,
            in_place=number < in_place, version=walkthrough.version,
        )  # fmt: skip
    if not finish:
        return walkthrough
    next_move = "" if in_place >= FLEX_ACTIONS else "Try the next move."
    return walkthrough_finish(walkthrough=walkthrough, version=walkthrough.version, next_move=next_move)


def far(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


# What the plan form refuses, and the message naming the field: planning and editing a walk alike.
BAD_WALK_FIELDS = [
    ({"date": ""}, "Date: enter the day of the walk"),
    ({"date": "2026-02-30"}, "Date: enter the day of the walk"),
    ({"date": "2026-11-22\x00"}, "Date: enter the day of the walk"),
    ({"date": far(400)}, "Date: choose a day within a year of today."),
    ({"date": far(-400)}, "Date: choose a day within a year of today."),
    ({"name": "  "}, "Purpose: say what the walk is for"),
    ({"name": "x" * 201}, "Purpose: keep it under 200 characters"),
    ({"name": "Stations\x00"}, "The purpose: it holds a null character"),
    ({"norms": "Quiet\x00"}, "The norms: it holds a null character"),
    ({"norms": "n" * 5001}, "Norms: keep them under 5000 characters."),
    ({"campuses": []}, "Campuses: choose at least one campus to walk."),
    ({"campuses": ["999999"]}, "Campuses: choose from the list"),
    ({"campuses": ["abc"]}, "Campuses: choose from the list"),
    ({"observers": []}, "Observers: choose at least one observer."),
    ({"observers": ["1\x00"]}, "Observers: choose from the list"),
]
