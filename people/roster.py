"""Reading a roster CSV into checked rows. Nothing here writes; see people/services.py.

Columns (header row required, any order; documented in README.md):
  role         teacher, coach, principal, district_leader or site_admin
  employee_id  \\ at least one of the two on every row; a person is matched on either
  email        /
  first_name, last_name
  campus_code  required for teacher, coach and principal rows; empty for district_leader, site_admin
  campus_name  creates the campus when its code is new; renames it when it differs
  grade_band, subject   teacher rows only (optional)
  login        teacher rows only: yes to give the teacher a sign-in (optional, default no)
A person with several roles, or a coach of several campuses, has one row per role and campus.
"""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .models import CAMPUS_CODE, Role

COLUMNS = (
    "role", "employee_id", "email", "first_name", "last_name",
    "campus_code", "campus_name", "grade_band", "subject", "login",
)  # fmt: skip
REQUIRED = ("role", "first_name", "last_name", "campus_code")
ROLES = ("teacher",) + tuple(Role.Kind.values)
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}
MAX_BYTES = 5 * 1024 * 1024
TOO_LARGE = f"The file is larger than {MAX_BYTES // 1024 // 1024} MB; split the roster."


class RosterError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class RosterRow:
    line: int
    role: str
    employee_id: str | None
    email: str | None
    first_name: str
    last_name: str
    campus_code: str | None
    campus_name: str
    grade_band: str
    subject: str
    login: bool

    @property
    def person_key(self) -> str:
        return f"id:{self.employee_id}" if self.employee_id else f"email:{self.email}"

    @property
    def who(self) -> str:
        return self.employee_id or self.email or "?"


def read_roster(data: bytes) -> list[RosterRow]:
    """Every row checked; raises RosterError naming each bad row and column."""
    if len(data) > MAX_BYTES:
        raise RosterError([TOO_LARGE])
    try:
        text = data.decode("utf-8-sig")  # spreadsheet exports often start with a byte-order mark
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterError([f"row {line}: the file is not UTF-8 text; export it as CSV UTF-8"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise RosterError(["the file is empty; the first row must name the columns"]) from None
    except csv.Error as exc:
        raise RosterError([f"row 1: {exc}"]) from None
    problems = _check_header(header)
    if problems:
        raise RosterError(problems)
    rows: list[RosterRow] = []
    try:
        for line, cells in enumerate(reader, start=2):  # a spreadsheet's row: a quoted cell may hold line breaks
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(f"row {line}: has {len(cells)} cells, the header names {len(header)} columns")
                continue
            row = _check_row(line, dict(zip(header, (c.strip() for c in cells))), problems)
            if row:
                rows.append(row)
    except csv.Error as exc:
        problems.append(f"row {reader.line_num}: {exc}")
    if not rows and not problems:
        problems.append("the file has a header but no rows")
    problems += _check_people(rows)
    if problems:
        raise RosterError(problems)
    return rows


def _check_header(header: list[str]) -> list[str]:
    problems = [f"row 1, column {h or '(blank)'}: unknown column; expected: {', '.join(COLUMNS)}" for h in header if h not in COLUMNS]
    problems += [f"row 1: missing column {c}" for c in REQUIRED if c not in header]
    if "employee_id" not in header and "email" not in header:
        problems.append("row 1: missing column employee_id or email (people are matched on them)")
    seen = set()
    for h in header:
        if h in seen:
            problems.append(f"row 1, column {h}: named twice")
        seen.add(h)
    return problems


def _check_row(line: int, cells: dict[str, str], problems: list[str]) -> RosterRow | None:
    before = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(f"row {line}, column {column}: {message}")

    for column, value in cells.items():
        if "\x00" in value:  # PostgreSQL cannot store it
            bad(column, "contains a null character")
        elif any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
            # One line each: a line break in a name would run on into the password-reset mail it greets.
            bad(column, "contains a line break or another control character; keep it on one line")
    role = cells.get("role", "").lower().replace(" ", "_").replace("-", "_")
    if role not in ROLES:
        bad("role", f"{cells.get('role')!r} is not a role; use one of {', '.join(ROLES)}")
    employee_id = cells.get("employee_id") or None
    email = (cells.get("email") or "").lower() or None
    if not employee_id and not email:
        bad("employee_id", "every row needs an employee_id or an email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            bad("email", f"{email!r} is not a valid email address")
    for column in ("first_name", "last_name"):
        if not cells.get(column):
            bad(column, "must not be empty")
    campus_code = cells.get("campus_code") or None
    if campus_code and not CAMPUS_CODE.regex.search(campus_code):
        bad("campus_code", f"{campus_code!r}: use only letters, digits, - and _ (the code is part of the campus summary's address)")
    if role in ("teacher", *Role.CAMPUS_ROLES) and not campus_code:
        bad("campus_code", f"a {role} row needs the campus code")
    if role in (Role.Kind.DISTRICT_LEADER, Role.Kind.SITE_ADMIN) and campus_code:
        bad("campus_code", f"a {role} is not tied to one campus; leave it empty")
    if role != "teacher":
        for column in ("grade_band", "subject", "login"):
            if cells.get(column) and not (column == "login" and cells[column].lower() in YES):
                bad(column, "applies to teacher rows only")
    login = cells.get("login", "").lower()
    if login not in YES | NO:
        bad("login", f"{cells.get('login')!r} is not yes or no")
    elif (role != "teacher" or login in YES) and not email:
        bad("email", "a sign-in needs an email: its owner sets their password through it (“Forgot your password?”)")
    # The email is the login's username (150 characters at most) when there is no employee_id.
    email_limit, email_note = (254, "") if employee_id else (150, " (it is the username: there is no employee_id)")
    for column, limit in (("first_name", 100), ("last_name", 100), ("campus_name", 200), ("grade_band", 40), ("subject", 100),
                          ("employee_id", 40), ("campus_code", 20), ("email", email_limit)):  # fmt: skip
        if len(cells.get(column, "")) > limit:
            bad(column, f"is longer than {limit} characters" + (email_note if column == "email" else ""))
    if len(problems) > before:
        return None
    return RosterRow(
        line=line,
        role=role,
        employee_id=employee_id,
        email=email,
        first_name=cells["first_name"],
        last_name=cells["last_name"],
        campus_code=campus_code,
        campus_name=cells.get("campus_name", ""),
        grade_band=cells.get("grade_band", ""),
        subject=cells.get("subject", ""),
        login=login in YES,
    )


def _check_people(rows: list[RosterRow]) -> list[str]:
    """Rows that describe one person must agree, and must not repeat a role."""
    problems, first_row, seen_roles, principal_of = [], {}, {}, {}
    by_email, by_id, campus_names = {}, {}, {}
    for row in rows:
        for key, index in ((row.employee_id, by_id), (row.email, by_email)):
            if key and key in index and index[key].person_key != row.person_key:
                other = index[key]
                problems.append(
                    f"row {row.line}: {key} is also on row {other.line} with a different "
                    f"{'email' if index is by_id else 'employee_id'}; one person, one identity"
                )
            elif key:
                index.setdefault(key, row)
        earlier = first_row.setdefault(row.person_key, row)
        for field in ("first_name", "last_name", "email", "employee_id"):
            if getattr(row, field) != getattr(earlier, field):
                problems.append(f"row {row.line}, column {field}: differs from row {earlier.line} for {row.who}")
        role_key = (row.person_key, row.role, row.campus_code if row.role != "teacher" else None)
        if role_key in seen_roles:
            problems.append(f"row {row.line}: repeats row {seen_roles[role_key]} ({row.role} {row.who})")
        seen_roles.setdefault(role_key, row.line)
        if row.role == Role.Kind.PRINCIPAL:
            if row.person_key in principal_of and principal_of[row.person_key][0] != row.campus_code:
                problems.append(
                    f"row {row.line}, column campus_code: a principal leads one campus; {row.who} already leads "
                    f"{principal_of[row.person_key][0]} (row {principal_of[row.person_key][1]})"
                )
            principal_of.setdefault(row.person_key, (row.campus_code, row.line))
        if row.campus_code and row.campus_name:
            named = campus_names.setdefault(row.campus_code, (row.campus_name, row.line))
            if named[0] != row.campus_name:
                problems.append(
                    f"row {row.line}, column campus_name: {row.campus_code} is named {named[0]!r} on row {named[1]}"
                )
    return problems
