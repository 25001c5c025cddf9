"""Writing validated content into the database (the load_progressions command's work).

A framework whose content hash is unchanged is skipped with one read. Otherwise
rows are matched by natural key: unchanged rows are left alone, edited actions
and steps get a new revision, removed ones are retired, never deleted.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .models import Action, ActionStep, Component, ContentLoad, Domain, Framework, Phase, Stage, Status
from .schema import parse_framework
from .yaml_source import ContentError, Problem, read_yaml


def content_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Parsed:
    label: str
    data: dict
    hash: str


@dataclass
class LoadResult:
    slug: str
    label: str
    changed: bool
    changes: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        if not self.changed:
            return f"{self.slug}: unchanged"
        new = "new, " if self.changes.get("new") else ""
        parts = [f"{count} {what}" for what, count in sorted(self.changes.items()) if count and what != "new"]
        return f"{self.slug} ({self.label}): {new}" + (", ".join(parts) or "titles or descriptions updated")


def content_parse(*, paths: list[Path], base: Path) -> list[Parsed]:
    """Every file read and validated; raises ContentError with all problems of all files."""
    problems: list[Problem] = []
    parsed: list[Parsed] = []
    slugs: dict[str, str] = {}
    for path in paths:
        label = _label(path, base)
        try:
            data = parse_framework(read_yaml(path, label), label)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if data["slug"] in slugs:
            problems.append(Problem(label, None, f"slug {data['slug']!r} is already used by {slugs[data['slug']]}"))
            continue
        slugs[data["slug"]] = label
        parsed.append(Parsed(label, data, content_hash(data)))
    if problems:
        raise ContentError(problems)
    return parsed


def _label(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


@transaction.atomic
def content_load(*, parsed: list[Parsed], dry_run: bool = False) -> list[LoadResult]:
    """Writes every parsed framework in one transaction; a dry run rolls it back."""
    now = timezone.now()
    known = dict(Framework.objects.filter(slug__in=[p.data["slug"] for p in parsed]).values_list("slug", "content_hash"))
    results = []
    for item in parsed:
        slug = item.data["slug"]
        if known.get(slug) == item.hash:
            results.append(LoadResult(slug, item.label, changed=False))
            continue
        framework, changes = framework_sync(data=item.data, content_hash=item.hash, now=now)
        ContentLoad.objects.create(
            framework=framework,
            loaded_at=now,
            source_file=item.label,
            source_title=framework.source_title,
            licence=framework.licence,
            content_hash=item.hash,
            changes=dict(changes),
        )
        results.append(LoadResult(slug, item.label, changed=True, changes=changes))
    if dry_run:
        transaction.set_rollback(True)
    return results


def framework_sync(*, data: dict, content_hash: str, now) -> tuple[Framework, Counter]:
    source = data["source"]
    framework, created = Framework.objects.update_or_create(
        slug=data["slug"],
        defaults={
            "kind": data["kind"],
            "name": data["name"],
            "summary": data["summary"],
            "intro": data["intro"],
            "source_title": source["title"],
            "source_publisher": source["publisher"],
            "source_url": source["url"],
            "source_note": source["note"],
            "licence": source["licence"],
            "licence_url": source["licence_url"],
            "content_hash": content_hash,
            "loaded_at": now,
        },
    )
    changes = Counter({"new": 1} if created else {})
    if data["kind"] == Framework.Kind.PROGRESSION:
        changes += _sync_progression(framework, data, now)
    else:
        changes += _sync_driver_model(framework, data, now)
    return framework, changes


def _sync_revisions(model, existing: dict, wanted: dict, build, now) -> Counter:
    """Brings revisioned rows (actions, steps) in line with wanted {key: content fields}.

    existing maps key -> (current row or None, highest revision number).
    """
    changes: Counter = Counter()
    new_rows, superseded, retired = [], [], []
    for key, fields in wanted.items():
        current, top = existing.get(key, (None, 0))
        if current is not None and all(getattr(current, f) == v for f, v in fields.items()):
            continue
        if current is not None:
            superseded.append(current.pk)
            changes["revised"] += 1
        else:
            changes["added"] += 1
        new_rows.append(build(key, fields, revision=top + 1))
    for key, (current, _top) in existing.items():
        if current is not None and key not in wanted:
            retired.append(current.pk)
    # Retire and supersede before inserting: only one current row per key may exist.
    model.objects.filter(pk__in=superseded).update(status=Status.SUPERSEDED)
    model.objects.filter(pk__in=retired).update(status=Status.RETIRED, retired_at=now)
    model.objects.bulk_create(new_rows)
    changes["retired"] += len(retired)
    return changes


def _revision_index(rows, key) -> dict:
    index: dict = {}
    for row in rows:
        current, top = index.get(key(row), (None, 0))
        if row.status == Status.CURRENT:
            current = row
        index[key(row)] = (current, max(top, row.revision))
    return index


def _sync_progression(framework: Framework, data: dict, now) -> Counter:
    phases = {}
    for position, phase in enumerate(data["phases"], start=1):
        phases[phase["kind"]], _ = Phase.objects.update_or_create(
            framework=framework, kind=phase["kind"], defaults={"position": position, "available": phase["available"]}
        )
    wanted = {
        (phase["kind"], action["number"]): {f: action[f] for f in Action.CONTENT_FIELDS}
        for phase in data["phases"]
        for action in phase["actions"]
    }
    rows = Action.objects.filter(phase__framework=framework).select_related("phase")
    existing = _revision_index(rows, lambda a: (a.phase.kind, a.number))

    def build(key, fields, revision):
        return Action(phase=phases[key[0]], number=key[1], revision=revision, created_at=now, **fields)

    changes = _sync_revisions(Action, existing, wanted, build, now)
    return Counter({f"actions {what}": n for what, n in changes.items()})


def _sync_driver_model(framework: Framework, data: dict, now) -> Counter:
    stages = {}
    for position, stage in enumerate(data["stages"], start=1):
        stages[stage["slug"]], _ = Stage.objects.update_or_create(
            framework=framework,
            slug=stage["slug"],
            defaults={"position": position, "name": stage["name"], "heading": stage["heading"]},
        )
    domain_slugs, component_slugs, components = [], [], {}
    for dpos, domain_data in enumerate(data["domains"], start=1):
        domain, _ = Domain.objects.update_or_create(
            framework=framework,
            slug=domain_data["slug"],
            defaults={"position": dpos, "name": domain_data["name"], "description": domain_data["description"], "retired": False},
        )
        domain_slugs.append(domain.slug)
        for cpos, comp in enumerate(domain_data["components"], start=1):
            components[comp["slug"]], _ = Component.objects.update_or_create(
                framework=framework,
                slug=comp["slug"],
                defaults={
                    "domain": domain,
                    "position": cpos,
                    "name": comp["name"],
                    "leap_codes": comp["leap_codes"],
                    "description": comp["description"],
                    "retired": False,
                },
            )
            component_slugs.append(comp["slug"])
    changes = Counter()
    changes["domains retired"] = Domain.objects.filter(framework=framework, retired=False).exclude(slug__in=domain_slugs).update(retired=True)
    changes["components retired"] = (
        Component.objects.filter(framework=framework, retired=False).exclude(slug__in=component_slugs).update(retired=True)
    )
    wanted = {
        (comp["slug"], stage, position): {"kind": entry["kind"], "text": entry["text"]}
        for domain_data in data["domains"]
        for comp in domain_data["components"]
        for stage, entries in comp["steps"].items()
        for position, entry in enumerate(entries, start=1)
    }
    rows = ActionStep.objects.filter(component__framework=framework).select_related("component", "stage")
    existing = _revision_index(rows, lambda s: (s.component.slug, s.stage.slug, s.position))

    def build(key, fields, revision):
        return ActionStep(
            component=components[key[0]], stage=stages[key[1]], position=key[2], revision=revision, created_at=now, **fields
        )

    step_changes = _sync_revisions(ActionStep, existing, wanted, build, now)
    changes.update({f"action steps {what}": n for what, n in step_changes.items()})
    return +changes
