"""The CSV export: one row per walkthrough in the dashboard's filters, streamed, never the private note."""

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from observations.history import EVERY_ACTION, PHASE_LABELS
from observations.models import Walkthrough

# The pause action is the PL Toolbox's text: its column credits it. "Next move from" tells the
# toolbox's possible next move, kept, from one the observer wrote or edited.
HEADER = [
    "Date", "Campus", "Teacher", "Grade band", "Subject", "Observer", "Walk", "Model seen", "Progression",
    "Pause phase", "Pause number", "Pause action (PL Toolbox, CC BY-NC-SA 4.0)", "Next move", "Next move from",
]  # fmt: skip
FIELDS = (
    "observed_at", "teacher__campus__name", "teacher__first_name", "teacher__last_name", "teacher__grade_band",
    "teacher__subject", "observer__first_name", "observer__last_name", "observer__username", "walk__name", "model_seen",
    "framework__name", "pause_phase", "pause_number", "pause_text", "next_move", "pause_next_move",
)  # fmt: skip
MODELS = dict(Walkthrough.BlendedModel.choices) | {"": ""}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def safe(cell) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Echo:
    """csv.writer writes to a file; this hands each line back to the streaming response instead."""

    def write(self, line: str) -> str:
        return line


def csv_lines(walkthroughs) -> Iterator[str]:
    writer = csv.writer(Echo())
    # A byte-order mark first: without one, Excel reads the file in the computer's own code page,
    # garbling accented names and the curly quotes a tablet's keyboard types.
    yield "\ufeff" + writer.writerow(HEADER)
    rows = walkthroughs.order_by("observed_at", "pk").values_list(*FIELDS)
    for row in rows.iterator(chunk_size=2000):
        at, campus, first, last, band, subject, obs_first, obs_last, obs_username, walk, model, progression = row[:12]
        phase, number, action, move, toolbox_move = row[12:]
        observer = f"{obs_first} {obs_last}".strip() or obs_username
        pause = PHASE_LABELS.get(phase, "") if number else EVERY_ACTION
        move_from = ("PL Toolbox" if move == toolbox_move else "Observer") if number and move else ""
        cells = [timezone.localtime(at).date().isoformat(), campus, f"{first} {last}".strip(), band, subject, observer,
                 walk or "", MODELS.get(model, model), progression, pause, number or "", action if number else "", move,
                 move_from]  # fmt: skip
        yield writer.writerow([safe(cell) for cell in cells])


def csv_response(walkthroughs, filename: str) -> StreamingHttpResponse:
    """The rows as a download, streamed (a date range can be long); like the PDFs, never kept by a cache."""
    response = StreamingHttpResponse(csv_lines(walkthroughs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, no_store=True)
    return response
