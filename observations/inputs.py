"""Reading what a walkthrough page posts. Each reader names the field it could not read,
so bad input becomes a clear 400 message instead of a 500."""

import uuid
from datetime import UTC, datetime, timedelta

from django.http import QueryDict
from django.utils import timezone

from .services import WalkthroughInvalid

DATETIME_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends

# How far ahead of the server's clock an observation may be (a tablet's clock runs fast): no
# walkthrough is ever observed later, which the trends rely on (dashboard.queries._count_parts).
CLOCK_SLACK = timedelta(minutes=10)


def read_key(data: QueryDict, name: str = "client_key") -> uuid.UUID:
    try:
        return uuid.UUID(data.get(name, ""))
    except ValueError:
        raise WalkthroughInvalid("The page sent no valid key with this tap. Reload the page and try again.") from None


def read_optional_key(data: QueryDict, name: str = "client_key") -> uuid.UUID | None:
    """The key a form sends with a write, if any: a page from before keys were sent has none."""
    return read_key(data, name) if data.get(name) else None


LARGEST_ID = 2**63 - 1  # a bigint: a larger number is no id, and SQLite cannot even compare it


def read_int(data: QueryDict, name: str, what: str) -> int:
    try:
        value = int(data.get(name, ""))
    except ValueError:
        value = None
    if value is None or not -LARGEST_ID <= value <= LARGEST_ID:
        raise WalkthroughInvalid(f"The page sent no {what}. Reload the page and try again.")
    return value


def read_id(value) -> int:
    """An id from a form's value, or 0 (which no row has) for anything else."""
    text = str(value) if value else ""
    # Length first: Python refuses to read a number of over 4,300 digits (a ValueError, a 500).
    return int(text) if text.isdecimal() and len(text) <= len(str(LARGEST_ID)) and int(text) <= LARGEST_ID else 0


def read_choice(data: QueryDict, name: str, choices: dict[str, object], what: str):
    value = data.get(name, "")
    if value not in choices:
        raise WalkthroughInvalid(f"Choose {what}.")
    return choices[value]


def read_observed_at(data: QueryDict) -> datetime:
    raw = data.get("observed_at", "").strip()
    try:
        typed_at = datetime.strptime(raw, DATETIME_INPUT)
    except ValueError:
        raise WalkthroughInvalid("Date and time: enter when you observed, like 2026-11-22 09:30.") from None
    observed = timezone.make_aware(typed_at)
    if timezone.localtime(observed.astimezone(UTC)).replace(tzinfo=None) != typed_at:  # the hour skipped in spring
        raise WalkthroughInvalid(
            f"Date and time: {typed_at:%H:%M} on {typed_at:%Y-%m-%d} did not happen here (the clocks went forward); "
            "choose the time again."
        )
    if observed > timezone.now() + CLOCK_SLACK:
        raise WalkthroughInvalid("Date and time: the observation cannot be in the future.")
    if observed < timezone.now() - timedelta(days=366):
        raise WalkthroughInvalid("Date and time: walkthroughs older than a year cannot be recorded.")
    return observed


def now_for_input() -> str:
    return timezone.localtime().strftime(DATETIME_INPUT)
