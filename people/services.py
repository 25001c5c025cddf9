"""Writing a checked roster: campuses, teachers, logins and roles, in one transaction.

Re-importing the same file changes nothing; a person is matched on employee id or email,
so a changed name or campus updates them and never duplicates them. For each person in
the file, the file lists all of their roles.
"""

from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from .models import Campus, Role, Teacher, User
from .roster import RosterError, RosterRow

TEACHER_FIELDS = ("first_name", "last_name", "email", "employee_id", "grade_band", "subject")
USER_FIELDS = ("first_name", "last_name", "email", "employee_id")


def _index(model, rows: list[RosterRow]) -> tuple[dict, dict]:
    """Existing rows by employee id and by lowercased email (the admin keeps emails as typed)."""
    ids = {r.employee_id for r in rows if r.employee_id}
    emails = {r.email for r in rows if r.email}
    found = model.objects.annotate(email_lower=Lower("email")).filter(
        Q(employee_id__in=ids) | Q(email_lower__in=emails)
    )
    return {o.employee_id: o for o in found if o.employee_id}, {o.email_lower: o for o in found if o.email}


def _copy_fields(record, row: RosterRow, fields: tuple[str, ...]) -> bool:
    """Copies the row's fields onto the record; True if anything changed.

    An identifier the row leaves out keeps the one on file, and emails compare
    whatever their case (the admin keeps them as typed).
    """
    dirty = False
    for field in fields:
        old, new = getattr(record, field), getattr(row, field)
        if field in ("email", "employee_id") and not new:
            continue
        if old == new or (field == "email" and old and old.lower() == new.lower()):
            continue
        setattr(record, field, new)
        dirty = True
    return dirty


def _match(row: RosterRow, by_id: dict, by_email: dict, what: str, problems: list[str]):
    one, other = by_id.get(row.employee_id), by_email.get(row.email)
    if one and other and one.pk != other.pk:
        problems.append(
            f"row {row.line}: employee_id {row.employee_id} is {what} {one} but email {row.email} "
            f"belongs to {what} {other}; correct one of them"
        )
        return None
    return one or other


def roster_import(*, rows: list[RosterRow], dry_run: bool = False) -> Counter:
    """Writes the roster; raises RosterError (nothing written) when it conflicts with the database.

    Two imports adding the same people at once (a second admin, a form sent twice): the one
    refused by a unique constraint runs again, and finds them added."""
    for _attempt in range(2):
        try:
            return _import(rows, dry_run)
        except IntegrityError:
            continue
    raise RosterError(["Another import changed the same people at the same moment: import the file again."])


@transaction.atomic
def _import(rows: list[RosterRow], dry_run: bool) -> Counter:
    problems: list[str] = []
    changes: Counter = Counter()
    campuses = _campuses(rows, problems, changes)
    teacher_by_id, teacher_by_email = _index(Teacher, rows)
    user_by_id, user_by_email = _index(User, rows)
    people = {}
    for row in rows:
        people.setdefault(row.person_key, []).append(row)
    # The usernames the file's people would sign in with, looked up together (one query each was
    # 10,000 for a district): taken by someone the file does not match, they are refused.
    username_of = {key: person_rows[0].employee_id or person_rows[0].email for key, person_rows in people.items()}
    taken = set(User.objects.filter(username__in=username_of.values()).values_list("username", flat=True))
    matches, usernames = {}, {}
    for key, person_rows in people.items():
        first, username = person_rows[0], username_of[key]
        matches[key] = (
            _match(first, teacher_by_id, teacher_by_email, "teacher", problems),
            _match(first, user_by_id, user_by_email, "user", problems),
        )
        if matches[key][1] is None and username in taken:
            problems.append(f"row {first.line}: the username {username} is taken by someone else")
        if _gets_login(person_rows):
            if username.lower() in usernames:  # one person's employee id is another's email
                problems.append(f"row {first.line}: the username {username} is also row {usernames[username.lower()]}'s")
            usernames.setdefault(username.lower(), first.line)
    problems += _logins_of_other_teachers(people, matches)
    if problems:
        raise RosterError(problems)

    for key, person_rows in people.items():
        teacher, user = matches[key]
        first = person_rows[0]
        staff_rows = [r for r in person_rows if r.role != "teacher"]
        teacher_row = next((r for r in person_rows if r.role == "teacher"), None)
        if _gets_login(person_rows):
            user = _user(first, user, is_admin=any(r.role == Role.Kind.SITE_ADMIN for r in staff_rows), changes=changes)
            _roles(user, staff_rows, campuses, changes)
        elif user is not None:  # back in the classroom, with no role in the file: none is kept
            user = _user(first, user, is_admin=False, changes=changes)
            _roles(user, [], campuses, changes)
        if teacher_row:
            _teacher(teacher_row, teacher, campuses[teacher_row.campus_code], user if teacher_row.login else None, changes)
    if dry_run:
        transaction.set_rollback(True)
    return +changes


def _logins_of_other_teachers(people: dict, matches: dict) -> list[str]:
    """A teacher row's sign-in that already belongs to another teacher: one query for the file."""
    wanted = {}
    for key, person_rows in people.items():
        teacher, user = matches[key]
        row = next((r for r in person_rows if r.role == "teacher" and r.login), None)
        if row is not None and user is not None:
            wanted[user.pk] = (row, user, teacher)
    problems = []
    for user_id, pk, first_name, last_name in Teacher.objects.filter(user_id__in=wanted).values_list(
        "user_id", "pk", "first_name", "last_name"
    ):
        row, user, teacher = wanted[user_id]
        if teacher is None or teacher.pk != pk:
            problems.append(f"row {row.line}: the sign-in {user.username} already belongs to the teacher {first_name} "
                            f"{last_name}; give this row that teacher's employee_id or email, or leave login empty")  # fmt: skip
    return problems


def _gets_login(person_rows: list[RosterRow]) -> bool:
    """Staff always sign in; a teacher when their row says login."""
    return any(r.role != "teacher" or r.login for r in person_rows)


def _campuses(rows: list[RosterRow], problems: list[str], changes: Counter) -> dict[str, Campus]:
    codes = {r.campus_code for r in rows if r.campus_code}
    existing = {c.code: c for c in Campus.objects.filter(code__in=codes)}
    names = {r.campus_code: r.campus_name for r in rows if r.campus_code and r.campus_name}
    for code in sorted(codes):
        name = names.get(code)
        if code in existing:
            if name and existing[code].name != name:
                existing[code].name = name
                existing[code].save(update_fields=["name"])
                changes["campuses renamed"] += 1
        elif not name:
            line = next(r.line for r in rows if r.campus_code == code)
            problems.append(f"row {line}, column campus_code: unknown campus {code}; give its campus_name to create it")
        else:
            existing[code] = Campus.objects.create(code=code, name=name)
            changes["campuses added"] += 1
    return existing


def _user(row: RosterRow, user: User | None, *, is_admin: bool, changes: Counter) -> User:
    if user is None:
        user = User(username=row.employee_id or row.email)
        user.set_unusable_password()  # people set their own password through "Forgot your password?"
        changes["logins added"] += 1
        dirty = True
    else:
        dirty = False
    dirty = _copy_fields(user, row, USER_FIELDS) or dirty
    if (user.is_staff, user.is_superuser) != (is_admin, is_admin):
        user.is_staff = user.is_superuser = is_admin  # the admin site is for site admins only
        dirty = True
    if dirty:
        if user.pk:
            changes["logins updated"] += 1
        user.save()
    return user


def _roles(user: User, staff_rows: list[RosterRow], campuses: dict[str, Campus], changes: Counter) -> None:
    wanted = {(r.role, campuses[r.campus_code].pk if r.campus_code else None) for r in staff_rows}
    current = {(role.kind, role.campus_id): role for role in user.roles.all()}
    for key, role in current.items():
        if key not in wanted:
            role.delete()
            changes["roles removed"] += 1
    for kind, campus_id in wanted - current.keys():
        Role.objects.create(user=user, kind=kind, campus_id=campus_id)
        changes["roles added"] += 1


def _teacher(row: RosterRow, teacher: Teacher | None, campus: Campus, login: User | None, changes: Counter) -> None:
    if teacher is None:
        teacher = Teacher(campus=campus)
        changes["teachers added"] += 1
        dirty = True
    else:
        dirty = False
    dirty = _copy_fields(teacher, row, TEACHER_FIELDS) or dirty
    if teacher.campus_id != campus.pk:
        teacher.campus = campus
        dirty = True
    if login is not None and teacher.user_id != login.pk:
        teacher.user = login
        dirty = True
    if dirty:
        if teacher.pk:
            changes["teachers updated"] += 1
        teacher.save()
