"""manage.py seed_demo: a made-up district at real scale, for trying the dashboard and benchmarking it.

Campuses, teachers (grade bands, subjects), two coaches and a principal per campus, three district
leaders, a progression walk a week, and finished coach walkthroughs over the last two years on the
loaded progressions. On a walk's day its campuses' classrooms are rated by its observers, often two
of them each (calibration, with the odd disagreement), so the blind rule has walks to work on. Each
teacher works on one progression (a few on two) and mostly moves forward along it over time, with
the odd step back; a few teachers are never visited and some stopped being visited months ago, so
coverage has gaps to show. Walkthroughs are written with PostgreSQL's COPY (bulk_create elsewhere);
their answers are not: the dashboard reads the pause copied onto each walkthrough.

Seeding is not repeatable on the same database: a second run refuses (the seeded campuses, codes
SD001 on, exist already), so a benchmark always starts from a fresh database. `--seed` makes the
district the same on every run, with dates counted back from today.
"""

import random
import time
import uuid
import zoneinfo
from datetime import datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from dashboard import tallies
from observations.models import ProgressionWalk, WalkObserver, Walkthrough, walk_sequence
from people.models import Campus, Role, Teacher, User
from progressions.models import Framework

CAMPUS_PREFIX = "SD"
DAYS = 730  # two school years of history
PLACES = (
    "Oak Cliff", "Lakewood", "Cedar Crest", "Pleasant Grove", "Kessler", "Bishop Arts", "Lake Highlands", "Preston",
    "White Rock", "Fair Park", "Hampton", "Casa View", "Wilmer", "Bonnie View", "Forest Hills", "Mockingbird",
    "Trinity", "Redbird", "Glendale", "Urban Park", "Arcadia", "Love Field", "Vickery", "Skyline", "Elm Thicket",
)  # fmt: skip
LEVELS = (  # campus kind, its grade bands, its subjects; most campuses are elementary
    ("Elementary", ("K-2", "3-5"), ("Math", "Reading", "Science", "Writing")),
    ("Elementary", ("K-2", "3-5"), ("Math", "Reading", "Science", "Writing")),
    ("Middle School", ("6-8",), ("Math", "English", "Science", "Social Studies")),
    ("High School", ("9-12",), ("Algebra", "English", "Biology", "History", "Spanish")),
)
FIRST_NAMES = (
    "Maria", "James", "Aisha", "Daniel", "Sofia", "Liam", "Grace", "Marcus", "Elena", "David", "Hannah", "Carlos",
    "Priya", "Robert", "Angela", "Jamal", "Mei", "Luis", "Fatima", "Noah", "Olivia", "Ethan", "Ana", "Kwame",
)  # fmt: skip
LAST_NAMES = (
    "Alvarez", "Brooks", "Carter", "Nguyen", "Ramirez", "O'Connor", "Kim", "Johnson", "Petrova", "Okafor", "Weiss",
    "Mendez", "Shah", "Hayes", "Foster", "Garcia", "Lee", "Hernandez", "Williams", "Patel", "Davis", "Lopez", "Chen",
)  # fmt: skip
OWN_NEXT_MOVES = (  # what a coach sometimes agrees instead of the progression's suggested move
    "Co-plan the next station rotation with the grade-level team.",
    "Visit a colleague's classroom to see goal setting in action.",
    "Try the routine with one small group first, then the whole class.",
)
UNUSABLE_PASSWORD = "!seeded-demo-user"  # nobody signs in as a seeded user; tests and benches force_login
COLUMNS = (
    "client_key", "kind", "teacher_id", "observer_id", "framework_id", "start_phase", "observed_at", "status",
    "pause_action_id", "pause_phase", "pause_number", "pause_section", "pause_text", "pause_next_move", "next_move",
    "teacher_note", "private_note", "version", "created_at", "updated_at", "completed_at",
    "submitted_at", "submitted_phase", "submitted_number", "submitted_text", "walk_id",
)  # fmt: skip
BATCH = 5000
WALK_EVERY = 7  # days between progression walks, each somewhere in the district
WALK_CAMPUSES = 40  # a walk visits one campus in this many (at least one)
SECOND_RATING = 0.6  # how often a classroom on a walk is rated by a second observer


class Progress:
    """A one-line progress bar on stderr, redrawn at most every whole percent."""

    def __init__(self, stream, label: str, total: int):
        self.stream, self.label, self.total, self.shown = stream, label, max(total, 1), -1

    def update(self, done: int) -> None:
        percent = done * 100 // self.total
        if percent != self.shown:
            self.shown = percent
            bar = "#" * (percent // 4)
            self.stream.write(f"\r{self.label} [{bar:<25}] {percent:3d}% {done:,}/{self.total:,}", ending="")
            self.stream.flush()

    def finish(self) -> None:
        self.update(self.total)
        self.stream.write("")


class Command(BaseCommand):
    help = (
        "Fill the database with a made-up district (campuses, teachers, coaches, principals, leaders and finished "
        "coach walkthroughs over two years) for demos and benchmarks. Development only: refuses when DEBUG is off "
        "unless --force, and refuses a second run on the same database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campuses", type=int, default=23, help="How many campuses (default 23).")
        parser.add_argument("--teachers", type=int, default=1000, help="How many teachers, spread over the campuses.")
        parser.add_argument("--walkthroughs", type=int, default=100_000, help="How many finished coach walkthroughs.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed makes the same district.")
        parser.add_argument("--force", action="store_true", help="Seed even though DEBUG is off (a benchmark server).")

    def handle(self, *args, campuses: int, teachers: int, walkthroughs: int, seed: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo writes made-up people: it refuses when DEBUG is off unless --force.")
        if campuses < 1 or teachers < campuses or walkthroughs < 0:
            raise CommandError("Give at least one campus, at least one teacher per campus and no negative counts.")
        if Campus.objects.filter(code__startswith=CAMPUS_PREFIX).exists():
            raise CommandError("This database is already seeded (campuses SD001…): seed a fresh database instead.")
        if not Framework.objects.progressions().exists():
            call_command("load_progressions", verbosity=0)
        rng, started = random.Random(seed), time.perf_counter()
        with transaction.atomic():
            campus_list = make_campuses(campuses)
            observers = make_staff(campus_list)
            teacher_list = make_teachers(rng, campus_list, teachers)
            walks = make_walks(rng, campus_list, observers)
            written = self.make_walkthroughs(rng, teacher_list, observers, walks, walkthroughs)
        if connection.vendor == "postgresql":
            # Fresh statistics, so the first dashboard query gets a good plan; VACUUM (outside a transaction
            # only) also marks the new pages all-visible, as autovacuum would in a while.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Seeded {campuses} campuses, {len(teacher_list):,} teachers and {written:,} walkthroughs in {seconds:.1f} s."
        )

    def make_walkthroughs(self, rng: random.Random, teachers: list[Teacher], observers: dict, walks: dict, total: int) -> int:
        sequences = [(f, walk_sequence(f, "foundation")) for f in Framework.objects.progressions().order_by("name")]
        sequences = [(f, actions) for f, actions in sequences if actions]
        if not sequences:
            raise CommandError("No progression has actions to walk: run load_progressions first.")
        counts = visit_counts(rng, len(teachers), total)
        progress = Progress(self.stderr, "Walkthroughs", total)
        # Fields this command does not fill take their defaults, so a field added later needs no change here.
        rest = [f for f in Walkthrough._meta.concrete_fields if not f.primary_key and f.column not in COLUMNS]
        names, defaults = (*COLUMNS, *(f.column for f in rest)), tuple(f.get_default() for f in rest)
        rows = (
            row + defaults
            for teacher, count in zip(teachers, counts)
            for row in teacher_rows(rng, teacher, count, sequences, observers, walks.get(teacher.campus_id, {}))
        )
        written = 0
        if connection.vendor == "postgresql":
            # Real walkthroughs arrive in date order, so a month of them sits on few pages of the table;
            # these are made teacher by teacher, so they are staged and then written sorted by date.
            table, columns = Walkthrough._meta.db_table, ", ".join(names)
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE TEMP TABLE seed_walkthrough AS SELECT {columns} FROM {table} WITH NO DATA")
                with cursor.copy(f"COPY seed_walkthrough ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
                        if written % BATCH == 0:
                            progress.update(written)
                progress.finish()
                self.stderr.write("Writing them in date order…")
                tallies.pause_counting()  # one count of the whole district afterwards, not a trigger per row
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM seed_walkthrough ORDER BY observed_at")
                cursor.execute("DROP TABLE seed_walkthrough")
                self.stderr.write("Counting the pause tallies…")
                tallies.recount()
        else:
            fields = [Walkthrough._meta.get_field(name.removesuffix("_id")) for name in COLUMNS] + rest
            batch = []
            for row in sorted(rows, key=lambda row: row[COLUMNS.index("observed_at")]):  # in date order, as above
                batch.append(Walkthrough(**{f.attname: v for f, v in zip(fields, row)}))
                if len(batch) == BATCH:
                    written += len(Walkthrough.objects.bulk_create(batch))
                    batch = []
                    progress.update(written)
            written += len(Walkthrough.objects.bulk_create(batch))
            progress.finish()
        return written


def make_campuses(count: int) -> list[Campus]:
    campuses = []
    for n in range(count):
        kind = LEVELS[n % len(LEVELS)][0]
        place = PLACES[n % len(PLACES)] + (f" {n // len(PLACES) + 1}" if n >= len(PLACES) else "")
        campuses.append(Campus(code=f"{CAMPUS_PREFIX}{n + 1:03d}", name=f"{place} {kind}"))
    return Campus.objects.bulk_create(campuses)


def make_staff(campuses: list[Campus]) -> dict[int, list[int]]:
    """Two coaches and a principal per campus, three district leaders; returns each campus's observers
    (coaches first, the principal last)."""
    users, roles = [], []
    for campus in campuses:
        code = campus.code.lower()
        for kind, n in ((Role.Kind.COACH, 1), (Role.Kind.COACH, 2), (Role.Kind.PRINCIPAL, 1)):
            users.append((User(username=f"{code}-{kind}-{n}", first_name=kind.label, last_name=f"{campus.code}-{n}",
                               password=UNUSABLE_PASSWORD), kind, campus))  # fmt: skip
    for n in range(1, 4):
        users.append((User(username=f"sd-leader-{n}", first_name="Leader", last_name=str(n), password=UNUSABLE_PASSWORD),
                      Role.Kind.DISTRICT_LEADER, None))  # fmt: skip
    created = User.objects.bulk_create([user for user, _kind, _campus in users])
    observers: dict[int, list[int]] = {}
    for user, (_user, kind, campus) in zip(created, users):
        roles.append(Role(user=user, kind=kind, campus=campus))
        if campus is not None:
            observers.setdefault(campus.pk, []).append(user.pk)
    Role.objects.bulk_create(roles)
    return observers


def make_walks(rng: random.Random, campuses: list[Campus], observers: dict) -> dict[int, dict[int, tuple]]:
    """A progression walk a week over the two years: two of the district leaders and the coaches of a
    few campuses visit those campuses on one day. Returns, per campus, {days ago: (walk id, its observers)}."""
    leaders = list(User.objects.filter(username__startswith="sd-leader-").values_list("pk", flat=True))
    today, plans = timezone.localdate(), []
    for days_ago in range(DAYS - 1, 0, -WALK_EVERY):
        visited = rng.sample(campuses, max(1, len(campuses) // WALK_CAMPUSES))
        plans.append((days_ago, visited, rng.sample(leaders, 2)))
    walks = ProgressionWalk.objects.bulk_create(
        ProgressionWalk(client_key=uuid.UUID(int=rng.getrandbits(128), version=4), date=today - timedelta(days=days_ago),
                        name=f"Progression walk {n + 1}", norms="Look for evidence; rate before you compare.",
                        created_by_id=walk_leaders[0],
                        logging_ends_at=ProgressionWalk.logging_end(today - timedelta(days=days_ago), ProgressionWalk.LOGGING_DAYS))  # fmt: skip
        for n, (days_ago, _visited, walk_leaders) in enumerate(plans)
    )
    by_campus: dict[int, dict[int, tuple]] = {}
    walk_campuses, walk_observers = [], []
    for walk, (days_ago, visited, walk_leaders) in zip(walks, plans):
        team = walk_leaders + [coach for campus in visited for coach in observers[campus.pk][:-1]]
        walk_campuses += [ProgressionWalk.campuses.through(progressionwalk_id=walk.pk, campus_id=c.pk) for c in visited]
        planned = timezone.make_aware(datetime.combine(walk.date, clock.min))  # on the walk before anyone rated
        walk_observers += [WalkObserver(progressionwalk_id=walk.pk, user_id=pk, added_at=planned) for pk in dict.fromkeys(team)]
        for campus in visited:
            by_campus.setdefault(campus.pk, {})[days_ago] = (walk.pk, list(dict.fromkeys(team)))
    ProgressionWalk.campuses.through.objects.bulk_create(walk_campuses)
    WalkObserver.objects.bulk_create(walk_observers)
    return by_campus


def make_teachers(rng: random.Random, campuses: list[Campus], count: int) -> list[Teacher]:
    teachers = []
    for n in range(count):
        campus_index = n % len(campuses)
        _kind, bands, subjects = LEVELS[campus_index % len(LEVELS)]
        teachers.append(
            Teacher(
                campus=campuses[campus_index], employee_id=f"{CAMPUS_PREFIX}{n + 1:06d}",
                first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                grade_band=rng.choice(bands), subject=rng.choice(subjects),
            )
        )  # fmt: skip
    return Teacher.objects.bulk_create(teachers, batch_size=BATCH)


def visit_counts(rng: random.Random, teachers: int, total: int) -> list[int]:
    """How many walkthroughs each teacher gets: uneven (some teachers are visited far more than others),
    about 4 in 100 never, adding up to `total` exactly."""
    weights = [0.0 if rng.random() < 0.04 else rng.lognormvariate(0, 0.6) for _ in range(teachers)]
    weights = weights if any(weights) else [1.0] * teachers
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    visited = [i for i, w in enumerate(weights) if w]
    for i in rng.choices(visited, k=total - sum(counts)):  # what rounding down left over
        counts[i] += 1
    return counts


def teacher_rows(rng: random.Random, teacher: Teacher, count: int, sequences: list, observers: dict, walks: dict):
    """One teacher's walkthroughs, oldest first: the pause moves along the progression over time, with noise.
    A visit on a walk's day is the walk's: rated by its observers, often two of them (the second rating
    takes the place of another of the teacher's visits, drawn at random, so the count stays)."""
    if not count:
        return
    today = timezone.localdate()
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    stopped = rng.randrange(40, 400) if rng.random() < 0.12 else 0  # no visit in the last `stopped` days
    # Mostly one progression per teacher, the longer ones more often (Flex over Enriched Virtual); a few on two.
    sizes = [len(actions) for _f, actions in sequences]
    plans = rng.sample(sequences, 2) if len(sequences) > 1 and rng.random() < 0.1 else rng.choices(sequences, sizes)
    starts = {f.pk: rng.randrange(0, max(1, len(actions) // 3)) for f, actions in plans}
    gains = {f.pk: rng.uniform(0.2, 0.9) * len(actions) for f, actions in plans}
    campus_observers = observers[teacher.campus_id]
    days = sorted((rng.randrange(max(stopped, 1), DAYS) for _ in range(count)), reverse=True)  # days ago, oldest first; none today
    # Walk visits rated twice: each second rating takes the place of one of the teacher's other
    # visits, drawn from them all, so the count stays and no stretch of time is thinned.
    doubles = [i for i, days_ago in enumerate(days) if days_ago in walks and rng.random() < SECOND_RATING]
    singles = sorted(set(range(len(days))) - set(doubles))
    kept = min(len(doubles), len(singles))
    doubles, dropped = set(rng.sample(doubles, kept)), set(rng.sample(singles, kept))
    for n, days_ago in enumerate(days):
        if n in dropped:
            continue
        framework, actions = plans[0] if len(plans) == 1 else rng.choice(plans)
        along = (DAYS - days_ago) / DAYS  # 0 two years ago, 1 today
        index = round(starts[framework.pk] + gains[framework.pk] * along + rng.gauss(0, 1.2))
        at = datetime.combine(today - timedelta(days=days_ago), clock(8), tzinfo=zone) + timedelta(minutes=rng.randrange(420))
        walk_id, team = walks.get(days_ago, (None, None))
        if walk_id is None:
            observer = campus_observers[-1] if rng.random() < 0.1 else rng.choice(campus_observers[:-1] or campus_observers)
            raters = [(observer, index)]
        else:  # a second observer mostly agrees, sometimes by an action either way
            observers_here = rng.sample(team, 2 if n in doubles else 1)
            raters = list(zip(observers_here, (index, index + rng.choice((-1, 0, 0, 0, 1)))))
        for observer, rated in raters:
            yield _row(rng, teacher, framework, actions, rated, at, observer, walk_id)


def _row(rng: random.Random, teacher: Teacher, framework: Framework, actions: list, index: int, at, observer: int, walk_id):
    index = min(max(index, 0), len(actions))  # len(actions): every action in place, no pause
    action = actions[index] if index < len(actions) else None
    next_move = "" if action is None else rng.choice(OWN_NEXT_MOVES) if rng.random() < 0.15 else action.next_move
    private = "Private: discussed a family matter; follow up gently." if rng.random() < 0.1 else ""
    pause = (action.phase.kind, action.number, action.text) if action else ("", None, "")  # as submitted too
    done = at + timedelta(minutes=20)
    return (
        uuid.UUID(int=rng.getrandbits(128), version=4), Walkthrough.Kind.COACH.value, teacher.pk, observer,
        framework.pk, "foundation", at, Walkthrough.Status.COMPLETE.value,
        action.pk if action else None, *pause[:2], action.section if action else "", pause[2],
        action.next_move if action else "", next_move, "", private, 1, at, done, done,
        done, *pause, walk_id,
    )  # fmt: skip
