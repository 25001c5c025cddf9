"""The fixtures carry the PL Toolbox sources word for word.

Allowed normalisation (fixtures/README.md): whitespace, stray spaces before
punctuation, curly vs straight quotes, and the extraction's HTML tags and bullets.
"""

import html
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from progressions.models import Phase
from progressions.services import content_parse

SOURCES = Path(settings.CONTENT_FIXTURES_DIR) / "sources"


def norm(text: str) -> str:
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2018", "'").replace("\u2019", "'")
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return " ".join(text.split())


def words(text: str) -> Counter:
    return Counter(norm(text).split())


@pytest.fixture(scope="module")
def content() -> dict:
    parsed = content_parse(paths=sorted(Path(settings.CONTENT_FIXTURES_DIR).glob("*.yaml")), base=settings.BASE_DIR)
    return {p.data["slug"]: p.data for p in parsed}


def source_rows(name: str) -> dict[str, list[tuple[str, int, str, str]]]:
    """{phase: [(section label as printed or "", number, action, next move)]} from a tab-separated seed."""
    phases, phase = {}, None
    for line in (SOURCES / name).read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^.* Progression \| (\w+) Phase", line)
        if heading:
            phase = heading.group(1).lower()
            phases[phase] = []
            continue
        cells = line.split("\t")
        if len(cells) >= 4 and cells[1].strip().isdigit():
            phases[phase].append((cells[0].strip(), int(cells[1]), cells[2], cells[-1]))
    return phases


def test_flex_matches_its_source_row_by_row(content):
    flex = {p["kind"]: p for p in content["flex"]["phases"]}
    for phase, rows in source_rows("000_13366d306b0b0663.txt").items():
        actions = flex[phase]["actions"]
        assert len(actions) == len(rows), phase
        label = None
        for (printed_label, number, text, move), action in zip(rows, actions):
            label = printed_label or label  # a label stands on the first row of its group
            assert (action["number"], action["section"]) == (number, label)
            assert norm(action["text"]) == norm(text)
            assert norm(action["next_move"]) == norm(move)


def test_flex_personalized_agrees_with_the_pdf_extraction(content):
    personalized = next(p for p in content["flex"]["phases"] if p["kind"] == "personalized")
    ours = Counter()
    for action in personalized["actions"]:
        ours += words(f"{action['number']} {action['text']} {action['next_move']}")
    labels = {a["section"] for a in personalized["actions"]}
    pdf = (SOURCES / "001_b98915785a2dab67.txt").read_text(encoding="utf-8")
    body = pdf.split("Possible Next Move to Take", 1)[1]
    for label in labels:
        body = body.replace(label.replace(" ", "\n", 1), "").replace(label, "")
    assert words(body) == ours


def test_enriched_virtual_matches_its_source_and_invents_no_phase(content):
    ev = {p["kind"]: p for p in content["enriched-virtual"]["phases"]}
    assert not ev["foundation"]["available"] and not ev["foundation"]["actions"]
    assert not ev["differentiated"]["available"] and not ev["differentiated"]["actions"]
    rows = source_rows("002_041640c897b4b3f4.txt")["personalized"]
    actions = ev["personalized"]["actions"]
    assert [a["number"] for a in actions] == [r[1] for r in rows] == list(range(1, 12))
    # The labels were extracted onto middle rows; by content: 1-5, 6-7, 8-11.
    expected = {n: "Preparation + Planning" if n <= 5 else "In-School" if n <= 7 else "Out-of-School" for n in range(1, 12)}
    for (_, number, text, move), action in zip(rows, actions):
        assert action["section"] == expected[number]
        assert norm(action["text"]) == norm(text)
        assert norm(action["next_move"]) == norm(move)


def driver_source_text() -> str:
    raw = html.unescape((SOURCES / "004_764a17856ef484f9.txt").read_text(encoding="utf-8"))
    raw = re.sub(r"</?(i|b|em|strong)>", "", raw)  # inline tags sit inside words' runs
    raw = re.sub(r"<[^>]+>", " ", raw)
    raw = re.sub(r"[•●]", " ", raw)
    return re.sub(r"(?m)^[\s|-]*-{2,}[\s|-]*$", " ", raw)  # table rule lines


def test_driver_model_components_carry_every_word_of_the_source(content):
    """Each component's stretch of the source (its row and any continuation row) holds
    exactly the words of its name, LEAP codes, description and steps in the fixture."""
    driver = content["driver-model"]
    text = driver_source_text()
    components = [(d, c) for d in driver["domains"] for c in d["components"]]
    starts = []
    for _, component in components:
        match = re.search(re.escape(component["name"]) + r"\s+(LEAP Alignment|Learners are able)", text)
        assert match, component["name"]
        starts.append(match.start())
    assert starts == sorted(starts), "components appear in source order"
    headings = " ".join(s["heading"] for s in driver["stages"])
    for i, (domain, component) in enumerate(components):
        region = words(text[starts[i] : starts[i + 1] if i + 1 < len(components) else len(text)])
        if i + 1 < len(components) and components[i + 1][0] is not domain:
            following = components[i + 1][0]  # the next domain's header row and description
            region -= words(f"{following['name']} {headings} {following['description']}")
        steps = " ".join(e["text"] for entries in component["steps"].values() for e in entries)
        expected = words(
            f"{component['name']} LEAP Alignment: {', '.join(component['leap_codes'])} "
            f"{component['description']} {steps}"
        )
        assert region == expected, (component["slug"], region - expected, expected - region)


def test_driver_model_domains_stages_and_intro_are_word_for_word(content):
    driver = content["driver-model"]
    source = norm(driver_source_text())
    assert norm(driver["intro"]) in source
    for domain in driver["domains"]:
        assert norm(domain["name"]) in source
        assert norm(domain["description"]) in source
    for stage in driver["stages"]:
        assert stage["name"].lower() in source.lower()
        assert norm(stage["heading"]) in source
    assert len(driver["domains"]) == 5
    assert sum(len(d["components"]) for d in driver["domains"]) == 14


def test_the_coaching_progressions_page_is_quoted_and_its_phase_descriptions_kept_word_for_word(client, db):
    """The home and progression pages quote the PL Toolbox's Coaching Progressions page, and the
    phases are described in its words: each quotation is found in that source as it stands."""
    source = norm((SOURCES / "003_72cb3fecacbec068.txt").read_text(encoding="utf-8"))
    for description in Phase.DESCRIPTIONS.values():
        assert norm(description) in source
    page = client.get("/").content.decode()
    quotes = re.findall(r"<p>“(.*?)”</p>", page.split('<figure class="quoted">', 1)[1].split("</blockquote>", 1)[0])
    assert len(quotes) == 2
    for quote in quotes:
        assert norm(html.unescape(quote)) in source
    assert "<cite>Coaching Progressions</cite>" in page
