"""Walkthroughs in Debian's Chromium on a tablet (768x1024): the coach's whole flow, with htmx and the retry script."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from observations.models import Answer, Walkthrough
from progressions.models import Action


def flex_action(number: int) -> Action:
    return Action.objects.current().get(phase__framework__slug="flex", phase__kind="foundation", number=number)

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_progressions", verbosity=0)
    return live_server.url


@pytest.fixture
def coach_tablet(site, district, browser):
    """A tablet signed in as the OAK/LKW coach (the session made by the test client, handed to Chromium)."""
    client = Client()
    client.force_login(district.coach)
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def start(page, site, teacher_search: str, teacher: str, framework: str) -> None:
    page.goto(f"{site}/walkthroughs/new/")
    page.get_by_label("1. Which teacher?").fill(teacher_search)  # htmx type-ahead, no submit
    page.locator("#teacher-choices").get_by_role("link", name=teacher).click()
    page.get_by_role("link", name=framework).click()
    page.get_by_role("button", name="Start the walkthrough").click()
    expect(page.locator("#walk")).to_be_visible()
    # #walk is visible while the page still parses; htmx (deferred) binds its handlers only at
    # load, and a tap before that would be a plain form post.
    page.wait_for_load_state("load")


def open_start_form(page, site, teacher) -> None:
    """The start page with the teacher and the Flex Model chosen, its script bound (load)."""
    page.goto(f"{site}/walkthroughs/new/?teacher={teacher.pk}&framework=flex")
    page.wait_for_load_state("load")


def relationships_steps(page, site):
    """A Driver Model walkthrough of Grace Kim, its form showing Relationships' steps toward learner centered."""
    start(page, site, "grace", "Grace Kim", "Driver Model")
    form = page.locator("#focus-form")
    form.get_by_label("Component").select_option(label="Relationships")
    expect(form.get_by_role("heading", name="Feedback on Relationships")).to_be_visible()
    form.get_by_label("Moving to learner centered").check()
    expect(form.get_by_role("checkbox").first).to_be_visible()
    return form


def relationships_load_failed(page, site):
    """A Driver Model walkthrough of Grace Kim whose Relationships steps failed to load: offline."""
    start(page, site, "grace", "Grace Kim", "Driver Model")
    form = page.locator("#focus-form")
    page.context.set_offline(True)
    form.get_by_label("Component").select_option(label="Relationships")
    expect(form.locator("[data-send-status]")).to_contain_text("Could not load")
    return form


def test_a_flex_walk_to_a_pause_with_an_edited_next_move(coach_tablet, site, district):
    page = coach_tablet
    start(page, site, "broo", "James Brooks", "Flex Model")
    expect(page.locator(".walk-where")).to_contain_text("Foundation · Planning Before Lesson")
    expect(page.locator(".walk-progress")).to_contain_text("Action 1 of 29")
    for button in (page.get_by_role("button", name="In place"), page.get_by_role("button", name="Not yet")):
        assert button.bounding_box()["height"] >= 44 and button.bounding_box()["width"] >= 44
    assert Axe().run(page).violations_count == 0
    page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page
    page.locator(".all-actions summary").click()  # the full list, open for context: it stays open
    for number in range(1, 5):
        expect(page.locator(".question-text .action-number")).to_have_text(str(number))
        page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text")).to_contain_text("On-demand directions are leveraged")
    expect(page.locator(".walk-progress")).to_contain_text("Action 5 of 29")
    page.get_by_label("Evidence").fill("Directions only given aloud.")
    page.get_by_role("button", name="Not yet").click()

    pause = page.locator(".pause")
    expect(pause.get_by_role("heading", name="Progression pause: Foundation 5")).to_be_visible()
    expect(pause).to_contain_text("Include directions that are specific, concrete, sequential")
    assert page.evaluate("window.stillTheSamePage") is True
    actions = page.locator(".all-actions")
    expect(actions).to_have_attribute("open", "")
    expect(actions.locator(".in-place-mark")).to_have_count(4)
    expect(actions.locator("#action-%d .pause-mark" % flex_action(5).pk)).to_have_text("Not yet: pause")
    expect(actions.locator(".current-mark")).to_have_count(0)
    assert Axe().run(page).violations_count == 0
    page.get_by_label("Agreed next move").fill("Post on-demand video directions for the two stations that confuse students most.")
    page.get_by_label("Note for James").fill("Great routines at the teacher table.")
    page.get_by_label("Private note").fill("Follow up after the PD day.")
    page.get_by_role("button", name="Finish walkthrough").click()

    expect(page.get_by_role("heading", name="Flex Model: Foundation 5")).to_be_visible()
    expect(page.locator(".next-move-agreed")).to_have_text("Post on-demand video directions for the two stations that confuse students most.")
    walk = Walkthrough.objects.get()
    assert walk.status == "complete" and walk.pause_label == "Foundation 5"
    assert list(walk.answers.values_list("number", "in_place")) == [(1, True), (2, True), (3, True), (4, True), (5, False)]
    assert page.console_errors == []


def test_back_undoes_the_last_answer_without_a_reload(coach_tablet, site):
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text .action-number")).to_have_text("2")
    page.get_by_role("button", name="Back: undo").click()
    expect(page.locator(".question-text .action-number")).to_have_text("1")
    assert Answer.objects.filter(undone_at__isnull=True).count() == 0


def test_change_from_here_in_the_full_list_goes_back_to_that_action_in_one_tap(coach_tablet, site):
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    for number in (1, 2, 3):
        expect(page.locator(".question-text .action-number")).to_have_text(str(number))
        page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text .action-number")).to_have_text("4")
    page.get_by_text("All 29 actions of this walk").click()
    page.get_by_role("button", name="Change from Foundation 2: undo it and the answers after it").click()
    expect(page.locator(".question-text .action-number")).to_have_text("2")
    expect(page.get_by_role("button", name="Back: undo “Foundation 1”")).to_be_visible()
    expect(page.locator(".all-actions .in-place-mark")).to_have_count(1)  # the list redrawn with the walk
    assert Answer.objects.filter(undone_at__isnull=True).count() == 1
    assert page.console_errors == []


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_with_the_keyboard_focus_follows_the_walk(coach_tablet, site):
    """After each save focus goes where the walk now stands, never back to the page's top: the next
    question, the pause, a refusal; in the Driver Model a stage chosen with the arrow keys keeps it."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    page.get_by_role("button", name="In place").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".question-text .action-number")).to_have_text("2")
    assert focused(page) == "question"
    page.wait_for_timeout(450)  # a new question's buttons wait a moment
    page.keyboard.press("Tab")  # from the question: the evidence box, then the buttons
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Not yet"
    page.keyboard.press("Enter")
    expect(page.locator(".pause")).to_contain_text("Progression pause: Foundation 2")
    assert focused(page) == "pause-title"
    page.wait_for_timeout(450)
    next_move = page.get_by_label("Agreed next move")
    next_move.fill(" ")
    next_move.evaluate("box => box.removeAttribute('required')")  # past the browser's own check, to the server's
    page.get_by_role("button", name="Finish walkthrough").focus()
    page.keyboard.press("Enter")  # refused: no next move
    expect(page.locator("#walk .form-errors")).to_contain_text("Write the next move")
    assert page.evaluate("document.activeElement.classList.contains('form-errors')")

    form = relationships_steps(page, site)
    form.get_by_label("Moving to learner centered").focus()
    page.keyboard.press("ArrowDown")  # the next stage: the form is redrawn with its steps
    expect(form.get_by_role("heading", name="Feedback on Relationships")).to_be_visible()
    expect(page.get_by_label("Moving more learner centered")).to_be_checked()
    assert page.evaluate("document.activeElement.name") == "stage"
    assert [e for e in page.console_errors if "status of 400" not in e] == []  # the refused finish's own 400


def test_a_driver_model_walkthrough(coach_tablet, site):
    page = coach_tablet
    form = relationships_steps(page, site)
    steps = form.get_by_role("checkbox")
    first, second = steps.nth(0), steps.nth(1)
    chosen = [first.locator("xpath=..").inner_text().strip(), second.locator("xpath=..").inner_text().strip()]
    first.check()
    second.check()
    form.get_by_role("button", name="Save feedback on this component").click()

    card = page.locator(".focus").first
    expect(card.get_by_role("heading", name="Relationships")).to_be_visible()
    expect(card).to_contain_text("working toward Moving to learner centered")
    for text in chosen:
        expect(card).to_contain_text(text)
    page.get_by_label("Note for Grace").fill("Lovely morning meeting.")
    page.get_by_role("button", name="Finish walkthrough").click()
    expect(page.locator("h1")).to_contain_text("feedback")
    walk = Walkthrough.objects.get()
    assert walk.status == "complete"
    assert [step["text"] for step in walk.focuses.get().steps] == chosen
    assert page.console_errors == []


def test_choosing_a_component_and_stage_keeps_the_csrf_token_and_typed_words_out_of_every_address(coach_tablet, site):
    """What is typed stays in the form across a change of stage, carried by the page, not in the
    address (the server's logs, and its limit on an address's length)."""
    addresses = []
    coach_tablet.on("request", lambda request: addresses.append(request.url))
    form = relationships_steps(coach_tablet, site)
    form.get_by_label("In your own words").fill("Morning meeting “every day”")
    form.get_by_label("Moving more learner centered").check()
    expect(form.get_by_label("Moving more learner centered")).to_be_checked()
    expect(form.get_by_label("In your own words")).to_have_value("Morning meeting “every day”")
    loads = [a for a in addresses if "stage=" in a]
    assert len(loads) == 2
    assert not any(word in a for a in addresses for word in ("csrfmiddlewaretoken", "client_key", "own_words", "Morning"))


def test_a_driver_model_component_takes_at_most_three_steps_while_choosing(coach_tablet, site):
    """Once three steps are ticked the others wait; unticking one frees them again."""
    form = relationships_steps(coach_tablet, site)
    expect(form.get_by_role("button", name="Show the action steps")).to_be_hidden()  # the script loads them
    steps = form.get_by_role("checkbox")
    assert steps.count() > 3
    for n in range(3):
        steps.nth(n).check()
    expect(steps.nth(3)).to_be_disabled()
    expect(steps.nth(2)).to_be_enabled()
    steps.nth(0).uncheck()
    expect(steps.nth(3)).to_be_enabled()
    steps.nth(3).check()
    form.get_by_role("button", name="Save feedback on this component").click()
    expect(coach_tablet.locator(".focus").first.get_by_role("heading", name="Relationships")).to_be_visible()
    assert len(Walkthrough.objects.get().focuses.get().steps) == 3


def test_a_walk_while_the_server_is_briefly_unreachable_saves_every_answer_once(coach_tablet, site):
    """Two kinds of failure: a tap that never reaches the server, and one whose reply is lost
    after the server saved it. Both are shown as not saved, resent with the same key, and
    recorded exactly once."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    sends = []

    def unreachable_then_lost_reply(route):
        sends.append(route.request.post_data)
        if len(sends) == 1:
            route.abort("connectionrefused")  # the server is down: nothing arrives
        elif len(sends) == 3:
            route.fetch()  # the server saves the tap...
            route.abort("connectionreset")  # ...but the reply never comes back
        else:
            route.continue_()

    page.route("**/answer/", unreachable_then_lost_reply)
    page.get_by_role("button", name="In place").click()
    status = page.locator(".question [data-send-status]")
    expect(status).to_contain_text("Not saved yet")
    expect(page.get_by_role("button", name="In place")).to_be_disabled()  # no second answer while one is pending
    expect(page.locator(".question-text .action-number")).to_have_text("2", timeout=10_000)  # resent and saved

    page.get_by_role("button", name="In place").click()  # saved, reply lost
    expect(page.locator(".question [data-send-status]")).to_contain_text("Not saved yet")
    expect(page.locator(".question-text .action-number")).to_have_text("3", timeout=10_000)
    page.get_by_role("button", name="Not yet").click()
    expect(page.locator(".pause")).to_contain_text("Progression pause: Foundation 3")

    answers = list(Answer.objects.values_list("number", "in_place"))
    assert answers == [(1, True), (2, True), (3, False)]  # each tap once, none lost
    assert len(sends) == 5  # 2 taps resent once each, plus the last
    assert sends[0] == sends[1] and sends[2] == sends[3]  # a resend carries the same key and answer


def test_a_back_and_a_finish_whose_replies_are_lost_are_done_once_and_shown_as_saved(coach_tablet, site):
    """The server does the Back and the finish, but their replies never reach the tablet: each is
    resent, found done, and the coach sees the walk go on, with no "changed in another tab"."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    lost = []

    def reply_lost_once(route):
        if route.request.url not in lost:
            lost.append(route.request.url)
            route.fetch()  # done on the server...
            route.abort("connectionreset")  # ...the reply lost
        else:
            route.continue_()

    page.route("**/back/", reply_lost_once)
    page.route("**/finish/", reply_lost_once)
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text .action-number")).to_have_text("2")
    page.wait_for_timeout(450)  # a new question's buttons wait a moment (walk.js SETTLE_MS)
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text .action-number")).to_have_text("3")
    page.get_by_role("button", name="Back: undo").click()
    expect(page.locator(".question-text .action-number")).to_have_text("2", timeout=10_000)
    expect(page.get_by_role("button", name="Back: undo “Foundation 1”")).to_be_visible()
    expect(page.locator("#walk")).not_to_contain_text("another tab")
    page.wait_for_timeout(450)
    page.get_by_role("button", name="Not yet").click()
    expect(page.locator(".pause")).to_contain_text("Progression pause: Foundation 2")
    page.get_by_role("button", name="Finish walkthrough").click()
    expect(page.get_by_role("heading", name="Flex Model: Foundation 2")).to_be_visible(timeout=10_000)
    expect(page.locator("main")).to_contain_text("Walkthrough saved.")
    expect(page.locator("main")).not_to_contain_text("already finished")
    walk = Walkthrough.objects.get()
    assert walk.status == "complete" and len(lost) == 2
    assert list(walk.answers.filter(undone_at__isnull=True).values_list("number", "in_place")) == [(1, True), (2, False)]


def test_leaving_with_an_unsaved_answer_asks_first(coach_tablet, site):
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    page.route("**/answer/", lambda route: route.abort("connectionrefused"))
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question [data-send-status]")).to_contain_text("Not saved yet")
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()


def test_finishing_goes_to_the_walkthrough_without_a_leave_page_question(coach_tablet, site):
    """The finish answers with a redirect, which htmx follows before its afterRequest event:
    the script must count the finish as saved first, or the browser asks "leave the page?"
    and staying would show a form whose walkthrough is already finished."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    page.get_by_role("button", name="Not yet").click()
    expect(page.locator(".pause")).to_contain_text("Progression pause: Foundation 1")
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page, as a coach who is asked might

    page.on("dialog", on_dialog)
    page.get_by_role("button", name="Finish walkthrough").click()
    expect(page.get_by_role("heading", name="Flex Model: Foundation 1")).to_be_visible()
    assert dialogs == []
    assert Walkthrough.objects.get().status == "complete"


def test_a_second_tap_just_after_the_next_question_appears_does_not_answer_it(coach_tablet, site):
    """A double tap whose second touch lands on the question that has just replaced the first:
    its buttons wait a moment, so the new question is not answered unread."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    # A second tap at once on the new question, as a double tap's second touch would land.
    page.evaluate("""() => {
        window.secondTaps = [];
        document.addEventListener("htmx:afterSwap", () => {
            const button = document.querySelector(".question button[value=yes]");
            if (button) { window.secondTaps.push(button.disabled); button.click(); }
        });
    }""")
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text .action-number")).to_have_text("2")
    expect(page.get_by_role("button", name="In place")).to_be_enabled()  # and ready again soon after
    assert page.evaluate("window.secondTaps")[0] is True
    assert list(Answer.objects.values_list("number", flat=True)) == [1]
    expect(page.locator(".question-text .action-number")).to_have_text("2")


def test_back_waits_while_an_answer_is_not_saved_yet(coach_tablet, site):
    """A Back tapped behind an unsaved answer would be lost when the answer's reply redraws the walk."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text .action-number")).to_have_text("2")
    page.context.set_offline(True)
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question [data-send-status]")).to_contain_text("Not saved yet: no connection. Your answer, “In place”, is kept here")
    expect(page.get_by_role("button", name="Back: undo “Foundation 1”")).to_be_disabled()
    page.context.set_offline(False)
    expect(page.locator(".question-text .action-number")).to_have_text("3", timeout=15_000)
    expect(page.get_by_role("button", name="Back: undo “Foundation 2”")).to_be_enabled()
    assert list(Answer.objects.values_list("number", flat=True)) == [1, 2]


def test_on_a_phone_an_unsaved_tap_shows_in_the_sticky_bar_and_on_its_button(coach_tablet, site):
    """On a phone the form's own message can sit below the screen: the walk's sticky bar says
    "Not saved yet" while the tap waits, and the button tapped stays marked."""
    page = coach_tablet
    page.set_viewport_size({"width": 390, "height": 844})
    start(page, site, "brooks", "James Brooks", "Flex Model")
    page.get_by_label("Evidence").fill("Rotation chart up, nobody used it.")
    page.context.set_offline(True)
    page.get_by_role("button", name="Not yet").click()
    expect(page.locator(".question [data-send-status]")).to_contain_text("Your answer, “Not yet”, is kept here")
    status_bar = page.locator(".walk-status")
    bar_text = "() => getComputedStyle(document.querySelector('.walk-status'), '::after').content"
    assert page.evaluate(bar_text) == '"Not saved yet"'
    box = status_bar.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 844  # on screen, wherever the page is scrolled
    expect(page.get_by_role("button", name="Not yet")).to_have_class(re.compile(r"\bis-kept\b"))
    expect(page.get_by_role("button", name="In place")).not_to_have_class(re.compile(r"\bis-kept\b"))
    page.context.set_offline(False)
    expect(page.locator(".pause h2")).to_contain_text("Progression pause: Foundation 1", timeout=15_000)
    assert page.evaluate(bar_text) == "none"
    assert Answer.objects.get().evidence == "Rotation chart up, nobody used it."


def test_a_driver_model_choice_made_offline_is_never_saved_unsubmitted(coach_tablet, site):
    """Choosing a component loads its action steps (a GET). Offline, that load fails: the page says
    so, and nothing is sent as a save when the network returns."""
    page = coach_tablet
    form = relationships_load_failed(page, site)
    expect(form.get_by_role("button", name="Show the action steps")).to_be_visible()  # the way to load them again
    form.get_by_label("In your own words").fill("Half a thought")
    page.context.set_offline(False)
    page.wait_for_timeout(3_000)  # the resend of a failed tap comes after 1 s, then 2 s
    walk = Walkthrough.objects.get()
    assert walk.focuses.count() == 0
    expect(form.get_by_role("button", name="Save feedback on this component")).to_be_enabled()


def test_under_debug_a_refused_finish_shows_its_message_in_the_page(coach_tablet, site, settings):
    """`make run` serves with DEBUG on, when django-htmx adds its debug script; its stand-in
    (static/django_htmx/django-htmx.js) leaves the app's 400 answers to be swapped in as usual."""
    settings.DEBUG = True
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    assert page.locator("script[data-debug='True']").count() == 1
    page.get_by_role("button", name="Not yet").click()
    page.get_by_label("Agreed next move").fill("   ")
    page.get_by_label("Note for James").fill("Kept as typed.")
    page.get_by_role("button", name="Finish walkthrough").click()
    expect(page.locator("#walk [role=alert]")).to_contain_text("Write the next move")
    expect(page.locator("nav[aria-label=Main]")).to_be_visible()  # the page, not a bare fragment
    expect(page.get_by_label("Note for James")).to_have_value("Kept as typed.")
    assert Walkthrough.objects.get().is_open


def test_back_waits_while_an_answer_is_on_its_way(coach_tablet, site):
    """Not only after a failed send: from the moment a tap is sent until the server answers."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text .action-number")).to_have_text("2")
    expect(page.get_by_role("button", name="In place")).to_be_enabled()
    # The tap's send starts within the click: read Back's state in the same turn of the page's script.
    back_disabled = page.evaluate("""() => {
        document.querySelector(".question button[value=yes]").click();
        return document.querySelector(".back-form button").disabled;
    }""")
    assert back_disabled is True
    expect(page.locator(".question-text .action-number")).to_have_text("3")
    expect(page.get_by_role("button", name="Back: undo “Foundation 2”")).to_be_enabled()


def test_a_start_sent_without_a_connection_is_kept_and_sent_again(coach_tablet, site, district):
    page = coach_tablet
    open_start_form(page, site, district.oak_teacher)
    page.context.set_offline(True)
    page.get_by_role("button", name="Start the walkthrough").click()
    status = page.locator(".start-form [data-send-status]")
    expect(status).to_contain_text("Not saved yet: no connection. Your start is kept here and will be sent again")
    assert not Walkthrough.objects.exists()
    page.context.set_offline(False)
    expect(page.locator("#walk")).to_be_visible(timeout=15000)
    walk = Walkthrough.objects.get()
    assert page.url.endswith(walk.get_absolute_url()) and walk.teacher == district.oak_teacher


def test_a_start_answered_by_a_page_not_pl_coachs_is_kept_and_sent_again(coach_tablet, site, district):
    """A school wifi's sign-in page (a 200) or a proxy's error page holds no start page: swapped in,
    it wiped the form and the kept start with it."""
    page = coach_tablet
    open_start_form(page, site, district.oak_teacher)
    portal = "<html><body><h1>Sign in to the school wifi</h1></body></html>"
    page.route("**/walkthroughs/new/", lambda route: route.fulfill(status=200, body=portal, content_type="text/html"))
    page.get_by_role("button", name="Start the walkthrough").click()
    expect(page.locator(".start-form [data-send-status]")).to_contain_text("Not saved yet: no connection. Your start is kept here")
    expect(page.get_by_role("heading", name="Sign in to the school wifi")).to_have_count(0)
    page.unroute("**/walkthroughs/new/")
    expect(page.locator("#walk")).to_be_visible(timeout=15000)
    assert Walkthrough.objects.count() == 1


def test_a_start_refused_404_says_the_page_is_out_of_date(coach_tablet, site, district):
    page = coach_tablet
    open_start_form(page, site, district.oak_teacher)
    page.route("**/walkthroughs/new/", lambda route: route.fulfill(status=404, body="Not found", content_type="text/plain"))
    page.get_by_role("button", name="Start the walkthrough").click()
    expect(page.locator(".start-form [data-send-status]")).to_contain_text("Not started: this page is out of date. Reload it")
    expect(page.get_by_role("button", name="Start the walkthrough")).to_be_disabled()


def test_a_refused_start_shows_why_in_the_page(coach_tablet, site, district):
    page = coach_tablet
    open_start_form(page, site, district.oak_teacher)
    when = page.get_by_label("Date and time")
    when.fill("2001-09-10T09:30")
    page.get_by_role("button", name="Start the walkthrough").click()
    expect(page.get_by_role("alert")).to_contain_text("older than a year")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)  # the page's own part swapped, not a page inside it
    expect(page.get_by_role("alert")).to_be_focused()  # the button pressed is gone: the focus goes to why
    page.get_by_label("Date and time").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Start the walkthrough").click()
    expect(page.locator("#walk")).to_be_visible()
    assert Walkthrough.objects.count() == 1 and page.console_errors == [e for e in page.console_errors if "400" in e]


def test_a_tap_on_a_walkthrough_discarded_elsewhere_says_so(coach_tablet, site):
    """Every button of the walk waits then (each would be refused the same), and the focus stays
    put: no later swap takes it for this tap's answer."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question-text .action-number")).to_have_text("2")
    page.wait_for_timeout(450)  # the new question's buttons are live
    Walkthrough.objects.all().delete()  # discarded on another device
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question [data-send-status]")).to_contain_text("no longer open to you here. Reload the page")
    expect(page.get_by_role("button", name="In place")).to_be_disabled()
    expect(page.get_by_role("button", name="Back: undo “Foundation 1”")).to_be_disabled()
    page.wait_for_timeout(450)
    expect(page.locator("#walk button:enabled")).to_have_count(0)


def test_another_component_waits_while_feedback_is_not_saved_yet(coach_tablet, site):
    """Choosing another component redraws the form: not while its feedback is waiting to be resent."""
    page = coach_tablet
    form = relationships_steps(page, site)
    form.get_by_role("checkbox").nth(0).check()
    form.get_by_role("checkbox").nth(1).check()
    form.get_by_label("In your own words").fill("As sent")
    page.context.set_offline(True)
    form.get_by_role("button", name="Save feedback on this component").click()
    expect(form.locator("[data-send-status]")).to_contain_text("Not saved yet")
    # What is kept is what was sent: the fields hold still until it is saved.
    expect(form.get_by_label("In your own words")).not_to_be_editable()
    expect(form.get_by_role("checkbox").nth(0)).to_be_disabled()
    expect(form.get_by_label("Component")).to_be_disabled()  # another component would redraw the form
    page.context.set_offline(False)
    expect(page.locator(".focus").first.get_by_role("heading", name="Relationships")).to_be_visible(timeout=15_000)
    focus = Walkthrough.objects.get().focuses.get()
    assert focus.component.name == "Relationships" and len(focus.steps) == 2 and focus.own_words == "As sent"



@pytest.mark.parametrize("status", [408, 429, 502])
def test_a_tap_a_proxy_or_server_refuses_is_kept_and_sent_again(coach_tablet, site, status):
    """A load balancer's timeout (408), a rate limit (429) or a bad gateway (502) saved nothing:
    the tap is shown as not saved and resent, never taken for saved."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    refused = []

    def once(route):
        if not refused:
            refused.append(route.request.post_data)
            route.fulfill(status=status, body="busy")
        else:
            route.continue_()

    page.route("**/answer/", once)
    page.get_by_label("Evidence").fill("Schedule posted by the door.")
    page.get_by_role("button", name="Not yet").click()
    expect(page.locator(".question [data-send-status]")).to_contain_text(f"Not saved yet: the server did not take it (error {status}).")
    expect(page.locator(".pause")).to_contain_text("Progression pause: Foundation 1", timeout=10_000)
    assert list(Answer.objects.values_list("number", "in_place", "evidence")) == [(1, False, "Schedule posted by the door.")]


def test_under_debug_a_tap_answered_500_stays_on_the_walk_and_is_sent_again(coach_tablet, site, settings):
    """`make run` has DEBUG on: django-htmx's debug script put the error page in place of the walk."""
    settings.DEBUG = True
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    failed = []
    page.route("**/answer/", lambda route: (failed.append(1), route.fulfill(status=500, body="<h1>Server Error</h1>")) if not failed else route.continue_())
    page.get_by_role("button", name="In place").click()
    expect(page.locator(".question [data-send-status]")).to_contain_text("error 500")
    expect(page.locator("nav[aria-label=Main]")).to_be_visible()  # the walk, not Django's error page
    expect(page.locator(".question-text .action-number")).to_have_text("2", timeout=10_000)
    assert Answer.objects.count() == 1


def test_a_tap_after_the_sign_in_ended_is_kept_and_saved_once_signed_in_again(coach_tablet, site, district):
    """Sent to the login page, the tap and its evidence were lost. It stays, unsaved; signing in
    again in another tab (a new session and a new CSRF token) lets the resend through."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    Session.objects.all().delete()  # the sign-in ended: expired, or signed out on another device
    page.get_by_label("Evidence").fill("No schedule posted.")
    page.get_by_role("button", name="Not yet").click()
    expect(page.locator(".question [data-send-status]")).to_contain_text("Not saved yet: your sign-in has ended.")
    expect(page.locator(".question-text")).to_be_visible()  # still on the walk
    assert Answer.objects.count() == 0
    district.coach.set_password("Tablet-2026!")
    district.coach.save()
    other_tab = page.context.new_page()
    other_tab.goto(f"{site}/accounts/login/")
    other_tab.get_by_label("Username").fill(district.coach.username)
    other_tab.get_by_label("Password").fill("Tablet-2026!")
    other_tab.get_by_role("button", name="Sign in").click()
    other_tab.wait_for_load_state("load")
    expect(page.locator(".pause")).to_contain_text("Progression pause: Foundation 1", timeout=15_000)
    assert list(Answer.objects.values_list("number", "in_place", "evidence")) == [(1, False, "No schedule posted.")]


def test_what_is_typed_while_a_tap_is_on_its_way_waits(coach_tablet, site):
    """The send carries the evidence as it was at the tap: a field still open to typing would show
    words that were never sent, nor sent again if the send failed."""
    page = coach_tablet
    start(page, site, "brooks", "James Brooks", "Flex Model")
    held = page.evaluate("""() => {
        document.querySelector(".question button[value=no]").click();
        return document.querySelector("#evidence").readOnly;
    }""")
    assert held is True
    expect(page.locator(".pause")).to_be_visible()


def test_show_the_action_steps_after_a_failed_load_loads_them_in_the_form(coach_tablet, site):
    """The button's GET went to the form's target, the walk: a whole second page inside it."""
    page = coach_tablet
    form = relationships_load_failed(page, site)
    page.context.set_offline(False)
    form.get_by_role("button", name="Show the action steps").click()
    expect(page.locator("#focus-form").get_by_role("heading", name="Feedback on Relationships")).to_be_visible()
    expect(page.locator("nav[aria-label=Main]")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
