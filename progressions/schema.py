"""Validating a content YAML document into clean data, collecting every problem with its line.

The clean data is plain dicts and lists; its JSON form is what the content hash is taken of.
The format is documented in fixtures/README.md.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .models import Framework, Phase
from .rubric import ALL_STRANDS
from .yaml_source import ContentError, LineDict, LineList, Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PHASE_ORDER = [kind.value for kind in Phase.Kind]
_url_validator = URLValidator(schemes=["http", "https"])

COMMON_KEYS = ("slug", "kind", "name", "summary", "source")
SOURCE_KEYS = ("title", "publisher", "url", "licence", "licence_url")


def describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dict):
        return "a mapping of keys"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text ({value[:40]!r})"
    return type(value).__name__


def one_line(text: str) -> str:
    return " ".join(text.split())


def paragraphs(text: str) -> str:
    return "\n\n".join(one_line(p) for p in re.split(r"\n\s*\n", text) if p.strip())


class Checker:
    """Walks one document, recording problems as `file:line: path: message`."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def problem(self, line: int | None, path: str, message: str) -> None:
        self.problems.append(Problem(self.label, line, f"{path}: {message}" if path else message))

    @staticmethod
    def line_of(container: Any, key: Any) -> int | None:
        if isinstance(container, LineDict):
            return container.key_lines.get(key, container.line)
        if isinstance(container, LineList) and isinstance(key, int) and key < len(container.item_lines):
            return container.item_lines[key]
        return getattr(container, "line", None)

    def mapping(self, value: Any, path: str, line: int | None, required: tuple, optional: tuple = ()):
        if not isinstance(value, dict):
            self.problem(line, path, f"expected a mapping of keys, found {describe(value)}")
            return None
        allowed = required + optional
        for key in value:
            if key not in allowed:
                self.problem(
                    self.line_of(value, key),
                    path,
                    f"unknown key {key!r}; allowed here: {', '.join(allowed)}",
                )
        for key in required:
            if key not in value:
                self.problem(getattr(value, "line", line), path, f"missing required key {key!r}")
        return value

    def _at(self, parent: str, key: Any) -> str:
        if isinstance(key, int):
            return f"{parent}[{key}]"
        return f"{parent}.{key}" if parent else str(key)

    def text(self, m: dict, key: str, path: str, *, multi: bool = False, required: bool = True) -> str:
        if key not in m:
            return ""  # missing keys are reported by mapping()
        value, where, line = m[key], self._at(path, key), self.line_of(m, key)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.problem(line, where, f"expected text, found {describe(value)}")
            return ""
        cleaned = paragraphs(value) if multi else one_line(value)
        if not cleaned:
            self.problem(line, where, "must not be empty")
        return cleaned

    def slug(self, m: dict, key: str, path: str) -> str:
        value = self.text(m, key, path)
        if value and not SLUG.match(value):
            self.problem(
                self.line_of(m, key),
                self._at(path, key),
                f"{value!r} is not a slug: use lowercase letters, digits and single hyphens",
            )
        return value

    def url(self, m: dict, key: str, path: str) -> str:
        value = self.text(m, key, path)
        if value:
            try:
                _url_validator(value)
            except ValidationError:
                self.problem(self.line_of(m, key), self._at(path, key), f"{value!r} is not a valid http(s) URL")
        return value

    def items(self, m: dict, key: str, path: str, *, required: bool = True, allow_empty: bool = False):
        """(item, path, line) for each entry of the list at m[key]."""
        if key not in m:
            return []
        value, where, line = m[key], self._at(path, key), self.line_of(m, key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.problem(line, where, f"expected a list, found {describe(value)}")
            return []
        if not value and not allow_empty:
            self.problem(line, where, "must list at least one entry")
        return [(item, self._at(where, i), self.line_of(value, i)) for i, item in enumerate(value)]

    def unique(self, seen: dict, value: str, path: str, line: int | None, what: str) -> None:
        if value and value in seen:
            self.problem(line, path, f"{what} {value!r} is used twice (first on line {seen[value]})")
        elif value:
            seen[value] = line


def parse_framework(doc: Any, label: str) -> dict:
    """Clean data for one document; raises ContentError listing every problem found."""
    check = Checker(label)
    kinds = [k.value for k in Framework.Kind]
    if not isinstance(doc, dict):
        check.problem(getattr(doc, "line", 1), "", f"expected a mapping of keys at the top, found {describe(doc)}")
        raise ContentError(check.problems)
    kind = doc.get("kind")
    if kind not in kinds:
        line = check.line_of(doc, "kind") if "kind" in doc else doc.line
        found = "nothing" if "kind" not in doc else repr(kind)
        check.problem(line, "kind", f"expected one of {', '.join(kinds)}, found {found}")
        raise ContentError(check.problems)
    extra = ("phases",) if kind == Framework.Kind.PROGRESSION else ("stages", "domains")
    check.mapping(doc, "", doc.line, COMMON_KEYS + extra, ("intro",))
    data = {
        "slug": check.slug(doc, "slug", ""),
        "kind": kind,
        "name": check.text(doc, "name", ""),
        "summary": check.text(doc, "summary", "", multi=True),
        "intro": check.text(doc, "intro", "", multi=True, required=False),
        "source": _source(check, doc),
    }
    if kind == Framework.Kind.PROGRESSION:
        data["phases"] = _phases(check, doc)
    else:
        data["stages"] = _stages(check, doc)
        data["domains"] = _domains(check, doc, [s["slug"] for s in data["stages"]])
    if check.problems:
        raise ContentError(check.problems)
    return data


def _source(check: Checker, doc: dict) -> dict:
    source = check.mapping(doc.get("source"), "source", check.line_of(doc, "source"), SOURCE_KEYS, ("note",))
    if source is None:
        return {}
    return {
        "title": check.text(source, "title", "source"),
        "publisher": check.text(source, "publisher", "source"),
        "url": check.url(source, "url", "source"),
        "licence": check.text(source, "licence", "source"),
        "licence_url": check.url(source, "licence_url", "source"),
        "note": check.text(source, "note", "source", required=False),
    }


def _phases(check: Checker, doc: dict) -> list[dict]:
    phases = []
    for index, (item, path, line) in enumerate(check.items(doc, "phases", "")):
        phase = check.mapping(item, path, line, ("phase",), ("available", "sections"))
        if phase is None:
            continue
        kind = check.text(phase, "phase", path)
        expected = PHASE_ORDER[index] if index < len(PHASE_ORDER) else None
        if kind and kind not in PHASE_ORDER:
            check.problem(
                check.line_of(phase, "phase"), f"{path}.phase", f"unknown phase {kind!r}; expected one of {', '.join(PHASE_ORDER)}"
            )
        elif kind and kind != expected:
            wanted = f"expected {expected!r}" if expected else "no more phases expected"
            check.problem(
                check.line_of(phase, "phase"),
                f"{path}.phase",
                f"{wanted} (phases run {', '.join(PHASE_ORDER)}, each once), found {kind!r}",
            )
        available = phase.get("available", True)
        if not isinstance(available, bool):
            check.problem(check.line_of(phase, "available"), f"{path}.available", f"expected true or false, found {describe(available)}")
            available = True
        if not available and "sections" in phase:
            check.problem(
                check.line_of(phase, "sections"),
                f"{path}.sections",
                "a phase marked `available: false` (not in the source) must not list sections",
            )
        actions = _actions(check, phase, path) if available else []
        if available and "sections" not in phase:
            check.problem(line, path, "missing required key 'sections' (or mark the phase `available: false`)")
        phases.append({"kind": kind, "available": available, "actions": actions})
    if len(phases) < len(PHASE_ORDER) and not check.problems:
        check.problem(
            check.line_of(doc, "phases"),
            "phases",
            f"lists {len(phases)} phase(s); list all of {', '.join(PHASE_ORDER)} (mark missing ones `available: false`)",
        )
    return phases


def _actions(check: Checker, phase: dict, phase_path: str) -> list[dict]:
    actions, labels, numbers = [], {}, {}
    expected = 1
    for section, spath, sline in check.items(phase, "sections", phase_path):
        section = check.mapping(section, spath, sline, ("label", "actions"))
        if section is None:
            continue
        label = check.text(section, "label", spath)
        check.unique(labels, label, f"{spath}.label", check.line_of(section, "label"), "section label")
        for item, apath, aline in check.items(section, "actions", spath):
            action = check.mapping(item, apath, aline, ("number", "action", "next_move"), ("rubric_strands", "inspiration"))
            if action is None:
                continue
            number = action.get("number")
            nline = check.line_of(action, "number")
            if "number" in action and (not isinstance(number, int) or isinstance(number, bool) or number < 1):
                check.problem(nline, f"{apath}.number", f"expected a whole number from 1, found {describe(number)}")
            elif isinstance(number, int):
                if number in numbers:
                    check.problem(nline, f"{apath}.number", f"number {number} is used twice in this phase (first on line {numbers[number]})")
                elif number != expected:
                    check.problem(nline, f"{apath}.number", f"expected {expected} (numbers run 1, 2, 3, ... through the phase), found {number}")
                numbers.setdefault(number, nline)
                expected = number + 1
            actions.append(
                {
                    "number": number,
                    "section": label,
                    "text": check.text(action, "action", apath),
                    "next_move": check.text(action, "next_move", apath),
                    "rubric_strands": _strands(check, action, apath),
                    "inspiration": _inspiration(check, action, apath),
                }
            )
    return actions


def _strands(check: Checker, action: dict, path: str) -> list[str]:
    strands = []
    for value, spath, line in check.items(action, "rubric_strands", path, required=False, allow_empty=True):
        if not isinstance(value, str):
            check.problem(line, spath, f"expected a rubric strand name, found {describe(value)}")
        elif one_line(value) not in ALL_STRANDS:
            check.problem(line, spath, f"unknown rubric strand {value!r}; see progressions/rubric.py for the list")
        else:
            strands.append(one_line(value))
    return strands


def _inspiration(check: Checker, action: dict, path: str) -> list[dict]:
    links = []
    for item, lpath, line in check.items(action, "inspiration", path, required=False, allow_empty=True):
        link = check.mapping(item, lpath, line, ("title", "url"))
        if link is not None:
            links.append({"title": check.text(link, "title", lpath), "url": check.url(link, "url", lpath)})
    return links


def _stages(check: Checker, doc: dict) -> list[dict]:
    stages, slugs = [], {}
    for item, path, line in check.items(doc, "stages", ""):
        stage = check.mapping(item, path, line, ("slug", "name", "heading"))
        if stage is None:
            continue
        slug = check.slug(stage, "slug", path)
        check.unique(slugs, slug, f"{path}.slug", check.line_of(stage, "slug"), "stage slug")
        stages.append({"slug": slug, "name": check.text(stage, "name", path), "heading": check.text(stage, "heading", path)})
    return stages


def _domains(check: Checker, doc: dict, stage_slugs: list[str]) -> list[dict]:
    domains, domain_slugs, component_slugs = [], {}, {}
    for item, path, line in check.items(doc, "domains", ""):
        domain = check.mapping(item, path, line, ("slug", "name", "description", "components"))
        if domain is None:
            continue
        slug = check.slug(domain, "slug", path)
        check.unique(domain_slugs, slug, f"{path}.slug", check.line_of(domain, "slug"), "domain slug")
        components = []
        for citem, cpath, cline in check.items(domain, "components", path):
            component = check.mapping(citem, cpath, cline, ("slug", "name", "leap", "description", "steps"))
            if component is None:
                continue
            cslug = check.slug(component, "slug", cpath)
            check.unique(component_slugs, cslug, f"{cpath}.slug", check.line_of(component, "slug"), "component slug")
            components.append(
                {
                    "slug": cslug,
                    "name": check.text(component, "name", cpath),
                    "leap_codes": _leap(check, component, cpath),
                    "description": check.text(component, "description", cpath, multi=True),
                    "steps": _component_steps(check, component, cpath, stage_slugs),
                }
            )
        domains.append(
            {
                "slug": slug,
                "name": check.text(domain, "name", path),
                "description": check.text(domain, "description", path, multi=True),
                "components": components,
            }
        )
    return domains


def _leap(check: Checker, component: dict, path: str) -> list[str]:
    codes = []
    for value, lpath, line in check.items(component, "leap", path, allow_empty=True):
        if not isinstance(value, str) or not value.strip():
            check.problem(line, lpath, f"expected a LEAP code such as LE.1, found {describe(value)}")
        else:
            codes.append(one_line(value))
    return codes


def _component_steps(check: Checker, component: dict, path: str, stage_slugs: list[str]) -> dict:
    spath = f"{path}.steps"
    steps = check.mapping(component.get("steps"), spath, check.line_of(component, "steps"), tuple(stage_slugs))
    if steps is None:
        return {}
    result = {}
    for stage in stage_slugs:
        entries = []
        for item, ipath, line in check.items(steps, stage, spath):
            if isinstance(item, dict):
                group = check.mapping(item, ipath, line, ("heading",), ("steps",))
                entries.append({"kind": "heading", "text": check.text(group, "heading", ipath)})
                for step, gpath, gline in check.items(group, "steps", ipath, required=False):
                    entries.append({"kind": "step", "text": _step_text(check, step, gpath, gline)})
            else:
                entries.append({"kind": "step", "text": _step_text(check, item, ipath, line)})
        result[stage] = entries
    return result


def _step_text(check: Checker, value: Any, path: str, line: int | None) -> str:
    if not isinstance(value, str):
        check.problem(line, path, f"expected an action step (text), found {describe(value)}")
        return ""
    if not one_line(value):
        check.problem(line, path, "must not be empty")
    return one_line(value)
