"""Content is addressed by slugs and numbers, never database ids, in fixtures and in dumps."""

import json
from io import StringIO

from django.core.management import call_command

from progressions.models import Action, ActionStep, Component, Framework

CONTENT_MODELS = [
    "progressions.framework",
    "progressions.phase",
    "progressions.action",
    "progressions.stage",
    "progressions.domain",
    "progressions.component",
    "progressions.actionstep",
]


def test_a_natural_key_dump_has_no_ids_and_loads_back(content, tmp_path):
    out = StringIO()
    call_command("dumpdata", *CONTENT_MODELS, natural_foreign=True, natural_primary=True, stdout=out)
    rows = json.loads(out.getvalue())
    assert rows and all("pk" not in row for row in rows)
    step = next(r for r in rows if r["model"] == "progressions.actionstep")
    assert step["fields"]["component"] == ["driver-model", "relationships"]
    assert step["fields"]["stage"] == ["driver-model", "learner-centered"]
    action = next(r for r in rows if r["model"] == "progressions.action")
    assert action["fields"]["phase"] == ["enriched-virtual", "personalized"]

    before = (Action.objects.count(), ActionStep.objects.count(), Component.objects.count())
    dump = tmp_path / "content.json"
    dump.write_text(out.getvalue())
    call_command("loaddata", str(dump), verbosity=0)  # matched by natural key: updates, never duplicates
    assert (Action.objects.count(), ActionStep.objects.count(), Component.objects.count()) == before


def test_lookups_by_natural_key(content):
    assert Framework.objects.get_by_natural_key("flex").name == "Flex Model"
    action = Action.objects.get_by_natural_key("flex", "foundation", 3, 1)
    assert action.text == "Direct instruction is delivered through a self-paced lesson."
    assert action.natural_key() == ("flex", "foundation", 3, 1)
    component = Component.objects.get_by_natural_key("driver-model", "strategic-time")
    assert component.name == "Strategic Time"
    step = ActionStep.objects.get_by_natural_key("driver-model", "relationships", "learner-centered", 1, 1)
    assert step.text == "Determine a time and place for learners to share about themselves at least once per week."
