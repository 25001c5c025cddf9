"""The load_progressions command: loading, reloading, revisions, and refusing bad input."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from progressions.models import Action, ActionStep, Component, ContentLoad, Domain, Framework, Phase, Stage, Status


def load(*paths, **options) -> str:
    out = StringIO()
    call_command("load_progressions", *map(str, paths), stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """Everything the loader writes, to prove a failed or dry run changed nothing."""
    return {
        "frameworks": list(Framework.objects.values_list("slug", "content_hash", "name", "loaded_at")),
        "phases": list(Phase.objects.values_list("framework__slug", "kind", "available")),
        "actions": list(Action.objects.values_list("phase_id", "number", "revision", "status", "text", "next_move")),
        "stages": list(Stage.objects.values_list("slug", "name")),
        "domains": list(Domain.objects.values_list("slug", "retired")),
        "components": list(Component.objects.values_list("slug", "retired")),
        "steps": list(ActionStep.objects.values_list("component_id", "stage_id", "position", "revision", "status", "text")),
        "loads": ContentLoad.objects.count(),
    }


def current_counts(slug: str) -> dict[str, int]:
    return {
        phase.kind: phase.actions.current().count() for phase in Phase.objects.filter(framework__slug=slug)
    }


@pytest.mark.django_db
class TestHappyPath:
    def test_loads_the_three_frameworks_with_their_counts(self):
        output = load()
        assert "Loaded 3 of 3 framework(s)" in output
        assert current_counts("flex") == {"foundation": 11, "differentiated": 9, "personalized": 9}
        assert current_counts("enriched-virtual") == {"foundation": 0, "differentiated": 0, "personalized": 11}
        driver = Framework.objects.get(slug="driver-model")
        assert driver.domains.count() == 5
        assert driver.components.count() == 14
        assert list(driver.stages.values_list("name", flat=True)) == [
            "Moving to learner centered",
            "Moving more learner centered",
            "Moving to learner driven",
        ]
        for component in driver.components.all():
            stages_with_steps = set(component.steps.values_list("stage__slug", flat=True))
            assert len(stages_with_steps) == 3, component.slug

    def test_phases_are_in_order_and_missing_phases_are_marked_unavailable(self):
        load()
        ev = Phase.objects.filter(framework__slug="enriched-virtual")
        assert [(p.kind, p.available) for p in ev] == [
            ("foundation", False),
            ("differentiated", False),
            ("personalized", True),
        ]

    def test_sections_and_text_are_stored_word_for_word(self):
        load()
        action = Action.objects.get(phase__framework__slug="flex", phase__kind="differentiated", number=9)
        assert action.section == "Student Role"
        assert action.text == "Students lead 1:1 goal conferences with their teacher."
        assert action.next_move.startswith("Develop students' facilitation skills by allowing them to co-lead")
        ev8 = Action.objects.get(phase__framework__slug="enriched-virtual", number=8)
        assert ev8.section == "Out-of-School"

    def test_driver_model_keeps_leap_codes_and_repaired_seams(self):
        load()
        learner_paths = Component.objects.get(slug="learner-profile-data")
        assert learner_paths.leap_codes == ["LE.1", "I.1", "P.1", "P.2", "I.5-I.7"]
        assert Component.objects.get(slug="strategic-time").leap_codes == []
        assert Component.objects.get(slug="competency-based-progression").leap_codes == ["I.6", "I.1", "I.7", "I.5"]
        steps = set(ActionStep.objects.current().values_list("text", flat=True))
        assert (
            "Encourage learners to independently problem-solve by seeking help from peers, technology and other sources"
            in steps
        )
        assert (
            "Ensure that purpose of learning/lesson and goals for performance are always clear, visual and "
            "accessible for learners." in steps
        )

    def test_each_load_records_source_licence_and_hash(self):
        load()
        record = ContentLoad.objects.get(framework__slug="flex")
        assert record.source_file == "fixtures/flex.yaml"
        assert record.licence == "CC BY-NC-SA 4.0"
        assert record.source_title == "Flex Model Progression"
        assert len(record.content_hash) == 64
        assert record.content_hash == Framework.objects.get(slug="flex").content_hash
        assert record.changes["actions added"] == 29


@pytest.mark.django_db
class TestReload:
    def test_a_second_run_with_nothing_changed_writes_nothing_and_says_so(self, django_assert_max_num_queries):
        load()
        before = snapshot()
        with django_assert_max_num_queries(3):  # one read of the stored hashes, in a transaction
            output = load()
        assert "Nothing changed: all 3 framework(s) are up to date." in output
        assert snapshot() == before

    def test_dry_run_shows_what_would_change_and_writes_nothing(self):
        output = load(dry_run=True)
        assert "would load flex (fixtures/flex.yaml): new, 29 actions added" in output
        assert "Dry run: 3 of 3 framework(s) would change; nothing was written." in output
        assert Framework.objects.count() == 0
        assert ContentLoad.objects.count() == 0

    def test_verbosity_zero_prints_nothing(self):
        assert load(verbosity=0) == ""

    def test_an_edited_action_becomes_a_new_revision_and_the_old_text_is_kept(self, fixture_dir):
        load(fixture_dir)
        old = Action.objects.get(phase__framework__slug="flex", phase__kind="foundation", number=3)
        flex = fixture_dir / "flex.yaml"
        flex.write_text(flex.read_text().replace("delivered through a self-paced lesson.", "delivered in a self-paced lesson."))

        output = load(fixture_dir)

        assert "flex (" in output and "1 actions revised" in output
        assert "enriched-virtual" not in output  # unchanged frameworks are not touched
        old.refresh_from_db()
        assert old.status == Status.SUPERSEDED
        assert old.text == "Direct instruction is delivered through a self-paced lesson."
        new = Action.objects.current().get(phase__framework__slug="flex", phase__kind="foundation", number=3)
        assert (new.revision, new.text) == (2, "Direct instruction is delivered in a self-paced lesson.")
        assert current_counts("flex")["foundation"] == 11

    def test_a_removed_action_is_retired_not_deleted(self, fixture_dir):
        load(fixture_dir)
        flex = fixture_dir / "flex.yaml"
        text = flex.read_text()
        start = text.index("          - number: 9\n            action: Students showcase")
        flex.write_text(text[:start])  # drop Personalized 9, the last action of the file

        output = load(fixture_dir)

        assert "1 actions retired" in output
        retired = Action.objects.get(phase__framework__slug="flex", phase__kind="personalized", number=9)
        assert retired.status == Status.RETIRED and retired.retired_at is not None
        assert retired.text.startswith("Students showcase their completed product")
        assert current_counts("flex")["personalized"] == 8

    def test_an_edited_step_becomes_a_new_revision(self, fixture_dir):
        load(fixture_dir)
        driver = fixture_dir / "driver-model.yaml"
        driver.write_text(driver.read_text().replace("Prompt learners to encourage each other.", "Prompt learners to cheer each other on."))
        load(fixture_dir)
        texts = dict(
            ActionStep.objects.filter(text__startswith="Prompt learners to").values_list("text", "status")
        )
        assert texts == {
            "Prompt learners to encourage each other.": Status.SUPERSEDED,
            "Prompt learners to cheer each other on.": Status.CURRENT,
        }

    def test_a_new_progression_needs_only_a_yaml_file(self, fixture_dir):
        (fixture_dir / "station-rotation.yaml").write_text(
            (fixture_dir / "enriched-virtual.yaml")
            .read_text()
            .replace("slug: enriched-virtual", "slug: station-rotation")
            .replace("name: Enriched Virtual", "name: Station Rotation")
        )
        output = load(fixture_dir)
        assert "station-rotation (" in output
        assert current_counts("station-rotation") == {"foundation": 0, "differentiated": 0, "personalized": 11}


# (name, what to do to flex.yaml's text, expected words in the message, expected line or None)
BAD_INPUTS = [
    ("unknown key", lambda t: t.replace("    sections:\n", "    colour: blue\n    sections:\n", 1), "unknown key 'colour'", 17),
    ("missing field", lambda t: t.replace("            next_move: Block off time in the lesson cycle for students to be self-directed.\n", "", 1), "missing required key 'next_move'", 20),
    ("duplicate number", lambda t: t.replace("          - number: 2\n", "          - number: 1\n", 1), "number 1 is used twice in this phase (first on line 20)", 23),
    ("non-sequential number", lambda t: t.replace("          - number: 3\n", "          - number: 4\n", 1), "expected 3 (numbers run 1, 2, 3, ... through the phase), found 4", 28),
    ("empty text", lambda t: t.replace("action: Teacher has set time in the daily schedule for self-directed learning.", "action: '  '", 1), "phases[0].sections[0].actions[0].action: must not be empty", 21),
    ("bad URL", lambda t: t.replace("url: https://www.thepltoolbox.com/flexmodel", "url: www.thepltoolbox.com/flexmodel", 1), "source.url: 'www.thepltoolbox.com/flexmodel' is not a valid http(s) URL", 13),
    ("wrong type", lambda t: t.replace("          - number: 1\n", "          - number: one\n", 1), "expected a whole number from 1, found text ('one')", 20),
    ("invalid YAML", lambda t: t.replace("  - phase: foundation\n", "  - phase: [foundation\n", 1), "invalid YAML", None),
    ("duplicate key", lambda t: t.replace("slug: flex\n", "slug: flex\nslug: flex2\n", 1), "duplicate key 'slug' (first on line 3)", 4),
    ("unknown phase", lambda t: t.replace("  - phase: differentiated\n", "  - phase: advanced\n", 1), "unknown phase 'advanced'", None),
    ("unknown rubric strand", lambda t: t.replace("            next_move: Block off time", "            rubric_strands: [Self-Direction, Telepathy]\n            next_move: Block off time", 1), "unknown rubric strand 'Telepathy'", 22),
]


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize("name,edit,message,line", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
    def test_is_refused_with_file_line_and_reason_and_changes_nothing(self, fixture_dir, name, edit, message, line):
        load(fixture_dir)
        before = snapshot()
        # A valid edit to another file in the same run must not be written either.
        ev = fixture_dir / "enriched-virtual.yaml"
        ev.write_text(ev.read_text().replace("Students participate in their own ELO,", "Students take part in their own ELO,"))
        flex = fixture_dir / "flex.yaml"
        flex.write_text(edit(flex.read_text()))

        with pytest.raises(CommandError) as error:
            load(fixture_dir)

        text = str(error.value)
        assert "nothing was written" in text
        assert message in text
        assert (f"fixtures/flex.yaml:{line}:" if line else "fixtures/flex.yaml") in text
        assert snapshot() == before

    def test_invalid_yaml_names_the_line(self, fixture_dir):
        flex = fixture_dir / "flex.yaml"
        flex.write_text(flex.read_text().replace("  - phase: foundation\n", "  - phase: [foundation\n", 1))
        with pytest.raises(CommandError, match=r"flex\.yaml:\d+: invalid YAML"):
            load(fixture_dir)

    def test_a_file_that_is_not_utf8(self, fixture_dir):
        flex = fixture_dir / "flex.yaml"
        flex.write_bytes(flex.read_text().replace("pace", "p\u00e2ce", 1).encode("latin-1"))
        with pytest.raises(CommandError, match=r"flex\.yaml:\d+: is not UTF-8 text \(byte 0xe2\)"):
            load(fixture_dir)
        assert Framework.objects.count() == 0

    def test_an_unreadable_file(self, fixture_dir):
        (fixture_dir / "lab-rotation.yaml").symlink_to(fixture_dir / "missing.yaml")
        with pytest.raises(CommandError, match=r"lab-rotation\.yaml: cannot be read: No such file or directory"):
            load(fixture_dir)
        assert Framework.objects.count() == 0

    def test_a_missing_path(self, tmp_path):
        with pytest.raises(CommandError, match="no such file or folder"):
            load(tmp_path / "nowhere")

    def test_every_problem_in_every_file_is_reported_at_once(self, fixture_dir):
        flex = fixture_dir / "flex.yaml"
        flex.write_text(flex.read_text().replace("          - number: 3\n", "          - number: 4\n", 1).replace("name: Flex Model\n", ""))
        ev = fixture_dir / "enriched-virtual.yaml"
        ev.write_text(ev.read_text().replace("licence: CC BY-NC-SA 4.0", "licence: ''"))
        with pytest.raises(CommandError) as error:
            load(fixture_dir)
        text = str(error.value)
        assert "4 problem(s) found" in text
        assert "flex.yaml:27: phases[0].sections[1].actions[0].number: expected 3" in text
        assert "flex.yaml:30: phases[0].sections[1].actions[1].number: number 4 is used twice in this phase (first on line 27)" in text
        assert "flex.yaml:3: missing required key 'name'" in text
        assert "enriched-virtual.yaml:13: source.licence: must not be empty" in text

    def test_two_files_with_one_slug(self, fixture_dir):
        (fixture_dir / "flex-copy.yaml").write_text((fixture_dir / "flex.yaml").read_text())
        with pytest.raises(CommandError, match="slug 'flex' is already used by"):
            load(fixture_dir)

    def test_a_phase_missing_from_the_list(self, fixture_dir):
        ev = fixture_dir / "enriched-virtual.yaml"
        ev.write_text(ev.read_text().replace("  - phase: foundation\n    available: false\n", "", 1))
        with pytest.raises(CommandError, match="expected 'foundation'"):
            load(fixture_dir)
