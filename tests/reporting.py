"""Helpers for the summary tests: walkthroughs written through the services, and a PDF's text."""

import uuid
from datetime import datetime
from io import BytesIO

from pypdf import PdfReader

from observations.models import Walkthrough
from observations.services import walkthrough_answer, walkthrough_finish, walkthrough_focus, walkthrough_start
from progressions.models import ActionStep, Framework


def flex_walkthrough(
    observer,
    teacher,
    *,
    in_place: int = 4,
    next_move: str = "Write on-demand directions for every station.",
    teacher_note: str = "",
    private_note: str = "",
    evidence: str = "",
    kind: str = Walkthrough.Kind.COACH,
    observed_at: datetime | None = None,
    finish: bool = True,
    model_seen: str = "",
    walk=None,
) -> Walkthrough:
    """A Flex Model walkthrough: `in_place` actions found in place, then the pause (a rating in `walk`, if given)."""
    progression_walk = walk
    walk = walkthrough_start(
        client_key=uuid.uuid4(), observer=observer, teacher=teacher, framework=Framework.objects.get(slug="flex"),
        kind=kind, observed_at=observed_at, model_seen=model_seen, walk=progression_walk,
    )  # fmt: skip
    for number in range(in_place + 1):
        action = walk.state.current
        walk = walkthrough_answer(
            walkthrough=walk, client_key=uuid.uuid4(), action_id=action.pk, in_place=number < in_place,
            evidence=evidence if number == in_place else "", version=walk.version,
        )  # fmt: skip
    if not finish:
        return walk
    return walkthrough_finish(
        walkthrough=walk, version=walk.version, next_move=next_move,
        teacher_note=teacher_note, private_note=private_note,
    )  # fmt: skip


def driver_model_walkthrough(observer, teacher, *, private_note: str = "", teacher_note: str = "") -> Walkthrough:
    """Feedback on two components of the Driver Model: chosen steps on one, own words on the other."""
    walk = walkthrough_start(
        client_key=uuid.uuid4(), observer=observer, teacher=teacher,
        framework=Framework.objects.get(slug="driver-model"),
    )  # fmt: skip
    steps = ActionStep.objects.current().filter(kind=ActionStep.Kind.STEP).select_related("component", "stage")
    first = steps.first()
    chosen = list(steps.filter(component=first.component, stage=first.stage)[:2])
    walk = walkthrough_focus(
        walkthrough=walk, client_key=uuid.uuid4(), component=first.component, stage=first.stage,
        steps=chosen, version=walk.version,
    )  # fmt: skip
    other = steps.exclude(component=first.component).first()
    walk = walkthrough_focus(
        walkthrough=walk, client_key=uuid.uuid4(), component=other.component, stage=other.stage, steps=[],
        own_words="Invite students to co-write the norms.", version=walk.version,
    )  # fmt: skip
    return walkthrough_finish(
        walkthrough=walk, version=walk.version, next_move="Hold a class meeting on norms.",
        teacher_note=teacher_note, private_note=private_note,
    )  # fmt: skip


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text, with runs of whitespace made single spaces (lines wrap anywhere)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(content)).pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages(content))


def pdf_links(content: bytes) -> list[str]:
    """The address of every link in the PDF."""
    annotations = [a.get_object() for page in PdfReader(BytesIO(content)).pages for a in page.get("/Annots") or []]
    return [a["/A"]["/URI"] for a in annotations if a.get("/Subtype") == "/Link" and "/URI" in a.get("/A", {})]


def signed_in_page(browser, client, live_server, user, viewport=(1024, 1366)):
    """A Chromium page signed in as `user` (the test client's session cookie, handed to the browser).
    Its console errors (a script error, or anything the CSP refused) are kept in `page.console_errors`.
    One client per user: signing a client in as another user ends its first session."""
    client.force_login(user)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: page.console_errors.append(message.text) if message.type == "error" else None)
    return page
