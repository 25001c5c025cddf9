"""Driver Model walkthroughs: feedback per component, a stage, and 1 to 3 bite-sized action steps.

The component/stage choice is an htmx GET that swaps in the form with that cell's steps;
the same GET without htmx gives the whole page, so the coach can do it all without JavaScript.
"""

import re
import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from observations.models import DriverFocus, Walkthrough
from observations.services import walkthrough_focus, walkthrough_start
from progressions.models import ActionStep, Component, Framework, Stage

HX = {"HX-Request": "true", "HX-Target": "walk"}
HX_FORM = {"HX-Request": "true", "HX-Target": "focus-form"}


def field(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def cell(component: str, stage: str) -> tuple[Component, Stage, list[ActionStep]]:
    """A component, a stage, and the current action steps of that cell, in order."""
    component = Component.objects.get(framework__slug="driver-model", slug=component)
    stage = Stage.objects.get(framework__slug="driver-model", slug=stage)
    steps = (
        ActionStep.objects.current()
        .filter(component=component, stage=stage, kind=ActionStep.Kind.STEP)
        .order_by("position")
    )
    return component, stage, list(steps)


def start(observer, teacher) -> Walkthrough:
    framework = Framework.objects.get(slug="driver-model")
    return walkthrough_start(client_key=uuid.uuid4(), observer=observer, teacher=teacher, framework=framework)


def page_of(client, walk, **params) -> str:
    response = client.get(walk.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def save(client, walk, component, stage, steps=(), own_words="", headers=None):
    """Saves feedback from the form the page shows for this component and stage."""
    page = page_of(client, walk, component=component.pk, stage=stage.pk)
    data = {
        "client_key": field(page, "client_key"),
        "version": field(page, "version"),
        "component": component.pk,
        "stage": stage.pk,
        "steps": [step.pk for step in steps],
        "own_words": own_words,
    }
    return client.post(reverse("observations:focus", args=[walk.pk]), data, headers=headers)


def checkboxes(page: str) -> list[str]:
    return re.findall(r'<input type="checkbox" id="step-\d+" name="steps" value="(\d+)"', page)


@pytest.fixture
def walk(client, content, district) -> Walkthrough:
    client.force_login(district.coach)
    return start(district.coach, district.teacher)


@pytest.fixture
def relationships():
    return cell("relationships", "learner-centered")


# Choosing the component and stage ---------------------------------------------------------------------


def test_the_htmx_choice_returns_just_the_form_with_that_cells_steps(client, walk, relationships):
    component, stage, steps = relationships
    response = client.get(walk.get_absolute_url(), {"component": component.pk, "stage": stage.pk}, headers=HX_FORM)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="focus-form"') and "<html" not in body and 'id="walk"' not in body
    assert checkboxes(body) == [str(step.pk) for step in steps]
    assert (
        "Feedback on Relationships" in body
        and "1 to 3 action steps from Relationships, Moving to learner centered" in body
    )
    other = cell("culture", "learner-centered")[2][0]
    assert other.text not in body


def test_the_choice_works_without_javascript(client, walk, relationships, district):
    """"Show the action steps" posts the form back, so its CSRF token never lands in an address, the
    history or a log (a GET once carried it there), and saves nothing."""
    component, stage, steps = relationships
    page = page_of(client, walk)
    assert "Show the action steps" in page and checkboxes(page) == []  # nothing chosen yet
    assert 'formmethod="get"' not in page
    data = {"client_key": field(page, "client_key"), "version": field(page, "version"), "csrfmiddlewaretoken": "x" * 32,
            "component": component.pk, "stage": stage.pk, "own_words": "Typed <first>", "show_steps": "1"}  # fmt: skip
    response = client.post(reverse("observations:focus", args=[walk.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page and checkboxes(page) == [str(step.pk) for step in steps]
    assert re.search(rf'<option value="{component.pk}" selected>Relationships</option>', page)
    assert re.search(rf'name="stage" value="{stage.pk}" checked', page)
    assert "Typed &lt;first&gt;</textarea>" in page
    walk.refresh_from_db()
    assert not DriverFocus.objects.exists() and str(walk.version) == data["version"]
    # With JavaScript the form's choices load by GET: only what chooses the steps goes into its address (typed words are carried by the page).
    form = page.split('<form id="focus-form"')[1].split("</form>")[0]
    loads = 2 + Stage.objects.filter(framework=walk.framework).count()  # the component, each stage, the button
    assert form.count('hx-params="component,stage"') == form.count("hx-get=") == loads
    client.force_login(district.principal)  # not the observer: nothing to show
    assert client.post(reverse("observations:focus", args=[walk.pk]), data).status_code == 404


def test_a_driver_model_walkthrough_starts_without_a_phase(client, walk, district):
    page = client.get(
        reverse("observations:walkthrough-new"), {"teacher": district.oak_teacher.pk, "framework": "driver-model"}
    )
    body = page.content.decode()
    assert "Start from which phase?" not in body
    data = {k: field(body, k) for k in ("client_key", "teacher", "framework", "observed_at")}
    response = client.post(reverse("observations:walkthrough-new"), data)
    started = Walkthrough.objects.get(client_key=data["client_key"])
    assert response["Location"] == started.get_absolute_url() and started.start_phase == ""
    assert "Add feedback on a component" in page_of(client, started)


# Saving feedback ----------------------------------------------------------------------------------------


def test_saving_one_to_three_steps_lists_them_on_the_page(client, walk, relationships):
    component, stage, steps = relationships
    response = save(client, walk, component, stage, steps[:3])
    assert response.status_code == 302 and response["Location"] == walk.get_absolute_url()
    focus = DriverFocus.objects.get(walkthrough=walk)
    assert (focus.component, focus.stage, focus.step_texts) == (component, stage, [s.text for s in steps[:3]])
    page = page_of(client, walk)
    assert "<h3>Relationships</h3>" in page and "working toward <strong>Moving to learner centered</strong>" in page
    assert all(s.text in page for s in steps[:3])
    assert "Finish walkthrough" in page  # finishing is offered once a component has feedback


def test_an_htmx_save_returns_the_walk_fragment_with_a_clean_form(client, walk, relationships):
    component, stage, steps = relationships
    response = save(client, walk, component, stage, steps[:1], headers=HX)
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="walk"') and "<html" not in body
    assert "<h3>Relationships</h3>" in body and "Add feedback on a component" in body


def test_own_words_alone_are_feedback(client, walk, relationships):
    component, stage, _ = relationships
    save(client, walk, component, stage, own_words="Start each Monday with a circle.")
    assert DriverFocus.objects.get(walkthrough=walk).own_words == "Start each Monday with a circle."


def test_saving_again_for_the_same_component_replaces_it(client, walk, relationships):
    component, stage, steps = relationships
    save(client, walk, component, stage, steps[:2])
    _, later_stage, later_steps = cell("relationships", "learner-driven")
    save(client, walk, component, later_stage, later_steps[:1])
    focus = DriverFocus.objects.get(walkthrough=walk)
    assert (focus.stage, focus.step_texts) == (later_stage, [later_steps[0].text])
    assert steps[0].text not in page_of(client, walk)


def test_a_resent_save_is_one_focus(client, walk, relationships):
    component, stage, steps = relationships
    page = page_of(client, walk, component=component.pk, stage=stage.pk)
    data = {"client_key": field(page, "client_key"), "version": field(page, "version"), "component": component.pk,
            "stage": stage.pk, "steps": [steps[0].pk]}  # fmt: skip
    url = reverse("observations:focus", args=[walk.pk])
    assert client.post(url, data, headers=HX).status_code == 200
    assert client.post(url, data, headers=HX).status_code == 200
    assert DriverFocus.objects.filter(walkthrough=walk).count() == 1
    assert Walkthrough.objects.get(pk=walk.pk).version == 2


def test_a_double_tap_on_save_is_one_focus_and_no_conflict(transactional_db, content, district, relationships):
    """Two identical saves at the same moment: the second waits for the first's lock, then finds its key."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once: PostgreSQL's row locks, as in production")
    walk = start(district.coach, district.teacher)
    component, stage, steps = relationships
    key, both, results = uuid.uuid4(), threading.Barrier(2), []

    def save_once():
        try:
            both.wait(timeout=10)
            claim = Walkthrough.objects.get(pk=walk.pk)  # as the page last showed it
            saved = walkthrough_focus(walkthrough=claim, client_key=key, component=component, stage=stage, steps=steps[:1], version=walk.version)
            results.append(saved.version)
        except Exception as exc:  # noqa: BLE001 - a refusal the coach would see
            results.append(repr(exc))
        finally:
            connections.close_all()

    taps = [threading.Thread(target=save_once) for _ in range(2)]
    for tap in taps:
        tap.start()
    for tap in taps:
        tap.join()
    assert results == [walk.version + 1] * 2
    assert DriverFocus.objects.filter(walkthrough=walk).count() == 1


def test_remove_takes_the_feedback_off(client, walk, relationships):
    component, stage, steps = relationships
    save(client, walk, component, stage, steps[:1])
    page = page_of(client, walk)
    url = reverse("observations:unfocus", args=[walk.pk, component.pk])
    assert f'action="{url}"' in page
    response = client.post(url, {"version": field(page, "version")})
    assert response.status_code == 302 and not DriverFocus.objects.filter(walkthrough=walk).exists()
    assert "Finish walkthrough" not in page_of(client, walk)


def test_a_remove_whose_reply_was_lost_and_is_resent_is_no_conflict(client, walk, relationships):
    component, stage, steps = relationships
    save(client, walk, component, stage, steps[:1])
    page = page_of(client, walk)
    form = page.split('class="focus-actions"', 1)[1]
    data = {"client_key": field(form, "client_key"), "version": field(form, "version")}
    url = reverse("observations:unfocus", args=[walk.pk, component.pk])
    assert client.post(url, data, headers=HX).status_code == 200  # removed; the reply is lost
    again = client.post(url, data, headers=HX)
    assert again.status_code == 200 and "changed in another tab" not in again.content.decode()
    assert not DriverFocus.objects.filter(walkthrough=walk).exists()
    assert Walkthrough.objects.get(pk=walk.pk).version == int(data["version"]) + 1


# Refused feedback: 400 with the reason, nothing saved ---------------------------------------------------


def refused(response, message: str, walk) -> None:
    body = response.content.decode()
    assert response.status_code == 400 and message in body and 'role="alert"' in body
    assert not DriverFocus.objects.filter(walkthrough=walk).exists()
    assert Walkthrough.objects.get(pk=walk.pk).version == 1


def test_more_than_three_steps_is_refused(client, walk, relationships):
    component, stage, steps = relationships
    refused(save(client, walk, component, stage, steps[:4], headers=HX), "at most 3", walk)


def test_a_refused_save_shows_what_was_chosen_again(client, walk, relationships):
    component, stage, steps = relationships
    body = save(client, walk, component, stage, steps[:4], headers=HX).content.decode()
    checked = re.findall(r'name="steps" value="(\d+)" checked', body)
    assert checked == [str(step.pk) for step in steps[:4]]  # to fix the choice rather than redo it
    assert re.search(rf'name="stage" value="{stage.pk}" checked', body)


@pytest.mark.parametrize(
    "other", [("culture", "learner-centered"), ("relationships", "learner-driven")], ids=["component", "stage"]
)
def test_a_step_from_another_cell_is_refused(client, walk, relationships, other):
    component, stage, steps = relationships
    stranger = cell(*other)[2][0]
    refused(
        save(client, walk, component, stage, [steps[0], stranger], headers=HX),
        "Choose action steps from Relationships at the Moving to learner centered stage.",
        walk,
    )


def test_nothing_chosen_is_refused(client, walk, relationships):
    component, stage, _ = relationships
    refused(
        save(client, walk, component, stage, headers=HX),
        "Choose 1 to 3 action steps, or write the feedback in your own words.",
        walk,
    )


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"component": ""}, "Choose a component."),
        ({"component": "²"}, "Choose a component."),  # a digit to str.isdigit(), not to int(): was a 500
        ({"stage": ""}, "Choose the stage Maria is working toward on Relationships."),
        ({"steps": ["²"]}, "no longer in the Driver Model"),  # was a 500 too
        ({"steps": ["9" * 30]}, "no longer in the Driver Model"),
        ({"component": "9" * 5000}, "Choose a component."),  # beyond what Python reads as a number: was a 500
        ({"own_words": "x" * 5001}, "longer than 5000 characters"),
        ({"own_words": "a\x00b"}, "null character"),  # PostgreSQL cannot store it: was a 500
        ({"client_key": "nope"}, "no valid key"),
    ],
)
def test_bad_feedback_input_is_refused(client, walk, relationships, changes, message):
    component, stage, steps = relationships
    page = page_of(client, walk)
    data = {"client_key": field(page, "client_key"), "version": "1", "component": component.pk, "stage": stage.pk,
            "steps": [steps[0].pk], "own_words": ""}  # fmt: skip
    refused(client.post(reverse("observations:focus", args=[walk.pk]), {**data, **changes}, headers=HX), message, walk)


def test_a_save_key_used_on_another_walkthrough_is_refused_not_a_500(client, walk, relationships, district):
    """A key names one save: reused on another walkthrough it is a 400 (it was an IntegrityError)."""
    component, stage, steps = relationships
    other = start(district.coach, district.oak_teacher)
    used = uuid.uuid4()
    walkthrough_focus(walkthrough=other, client_key=used, component=component, stage=stage, steps=steps[:1], version=1)
    page = page_of(client, walk)
    data = {
        "client_key": str(used),
        "version": field(page, "version"),
        "component": component.pk,
        "stage": stage.pk,
        "steps": [steps[1].pk],
    }
    refused(client.post(reverse("observations:focus", args=[walk.pk]), data, headers=HX), "already used", walk)


def test_a_save_from_a_stale_tab_is_refused(client, walk, relationships):
    component, stage, steps = relationships
    stale = page_of(client, walk)
    save(client, walk, component, stage, steps[:1])
    data = {"client_key": field(stale, "client_key"), "version": field(stale, "version"), "component": component.pk,
            "stage": stage.pk, "steps": [steps[1].pk]}  # fmt: skip
    response = client.post(reverse("observations:focus", args=[walk.pk]), data, headers=HX)
    assert response.status_code == 409 and "changed in another tab" in response.content.decode()
    assert DriverFocus.objects.get(walkthrough=walk).step_texts == [steps[0].text]


@pytest.mark.parametrize("intruder", ["lkw_coach", "principal", "teacher_user"])
def test_only_the_observer_saves_or_removes_feedback(client, walk, relationships, district, intruder):
    component, stage, steps = relationships
    save(client, walk, component, stage, steps[:1])
    other = Client()
    other.force_login(getattr(district, intruder))
    data = {
        "client_key": str(uuid.uuid4()),
        "version": "2",
        "component": component.pk,
        "stage": stage.pk,
        "steps": [steps[1].pk],
    }
    assert other.post(reverse("observations:focus", args=[walk.pk]), data, headers=HX).status_code == 404
    assert (
        other.post(reverse("observations:unfocus", args=[walk.pk, component.pk]), {"version": "2"}).status_code == 404
    )
    assert (
        other.get(walk.get_absolute_url(), {"component": component.pk, "stage": stage.pk}, headers=HX_FORM).status_code
        == 404
    )
    assert DriverFocus.objects.get(walkthrough=walk).step_texts == [steps[0].text]


# Finishing ----------------------------------------------------------------------------------------------


def test_finishing_needs_at_least_one_component(client, walk):
    response = client.post(reverse("observations:finish", args=[walk.pk]), {"version": "1"}, headers=HX)
    assert (
        response.status_code == 400
        and "Add feedback on at least one component before finishing." in response.content.decode()
    )
    assert Walkthrough.objects.get(pk=walk.pk).is_open


def test_a_whole_driver_model_walkthrough_without_javascript(client, walk, relationships):
    """Choose, save two components, finish: plain GETs and POSTs; the finished page lists them."""
    component, stage, steps = relationships
    culture, culture_stage, _ = cell("culture", "more-learner-centered")
    assert save(client, walk, component, stage, steps[:2]).status_code == 302
    assert (
        save(
            client, walk, culture, culture_stage, [], own_words='Ask: "Whose voice is missing?" <b>daily</b>'
        ).status_code
        == 302
    )
    page = page_of(client, walk)
    data = {"version": field(page, "version"), "teacher_note": "Lovely class meeting.", "private_note": "PRIVATE-DM"}
    response = client.post(reverse("observations:finish", args=[walk.pk]), data)
    assert response.status_code == 302 and response["Location"] == walk.get_absolute_url()
    walk = Walkthrough.objects.get(pk=walk.pk)
    assert walk.status == Walkthrough.Status.COMPLETE and walk.pause_label == ""
    page = page_of(client, walk)
    assert "Driver Model Action Steps: feedback" in page
    assert "<h2>Relationships</h2>" in page and "working toward <strong>Moving to learner centered</strong>" in page
    assert all(f"<li>{s.text}</li>" in page for s in steps[:2])
    assert "<h2>Culture</h2>" in page and "working toward <strong>Moving more learner centered</strong>" in page
    assert "&quot;Whose voice is missing?&quot; &lt;b&gt;daily&lt;/b&gt;" in page and "<b>daily</b>" not in page
    assert "Lovely class meeting." in page and "PRIVATE-DM" in page
