"""The roster import: the import_roster command, re-imports, updates, refusing bad input, and the upload page."""

import threading
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Campus, Role, Teacher, User
from people.roster import read_roster
from people.services import roster_import

HEADER = "role,employee_id,email,first_name,last_name,campus_code,campus_name,grade_band,subject,login"

# Row 2 onwards: two campuses, three teachers (one with a login, one known only by email),
# a coach of both campuses, a principal, a district leader and a site admin.
ROSTER = [
    "teacher,T1,ana.lopez@example.org,Ana,Lopez,OAK,Oak Cliff Elementary,3-5,Math,",
    "teacher,T2,ben.ng@example.org,Ben,Ng,LKW,Lakewood Middle,6-8,Science,yes",
    "teacher,,cy.diaz@example.org,Cy,Diaz,OAK,,K-2,Reading,no",
    "coach,C1,priya.shah@example.org,Priya,Shah,OAK,,,,",
    "coach,C1,priya.shah@example.org,Priya,Shah,LKW,,,,",
    "principal,P1,rob.hayes@example.org,Rob,Hayes,LKW,,,,",
    "district_leader,L1,angela.foster@example.org,Angela,Foster,,,,,",
    "site_admin,A1,it.admin@example.org,Sam,Admin,,,,,",
]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def write(tmp_path, data: bytes, name: str = "roster.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(path, **options) -> str:
    out = StringIO()
    call_command("import_roster", str(path), stdout=out, **options)
    return out.getvalue()


def imported(tmp_path, *rows: str, name: str = "roster.csv") -> str:
    return run(write(tmp_path, csv_bytes(*rows), name))


def snapshot() -> dict:
    """Every people table, to prove a run changed nothing."""
    return {
        "campuses": list(Campus.objects.order_by("pk").values_list("pk", "code", "name")),
        "teachers": list(
            Teacher.objects.order_by("pk").values_list(
                "pk", "campus_id", "first_name", "last_name", "email", "employee_id", "grade_band", "subject", "user_id"
            )
        ),
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "password", "first_name", "last_name", "email", "employee_id",
                "is_staff", "is_superuser", "is_active",
            )  # fmt: skip
        ),
        "roles": list(Role.objects.order_by("pk").values_list("pk", "user_id", "kind", "campus_id")),
    }


def roles_of(username: str) -> set[tuple[str, str | None]]:
    return set(Role.objects.filter(user__username=username).values_list("kind", "campus__code"))


@pytest.mark.django_db
class TestImport:
    def test_a_full_roster_creates_campuses_teachers_logins_and_roles(self, tmp_path):
        output = imported(tmp_path, *ROSTER)

        assert output == "2 campuses added, 5 logins added, 5 roles added, 3 teachers added (8 rows).\n"
        assert Campus.objects.count() == 2 and Teacher.objects.count() == 3
        assert User.objects.count() == 5 and Role.objects.count() == 5
        assert dict(Campus.objects.values_list("code", "name")) == {
            "OAK": "Oak Cliff Elementary",
            "LKW": "Lakewood Middle",
        }
        cy = Teacher.objects.get(email="cy.diaz@example.org")
        assert (cy.campus.code, cy.employee_id, cy.grade_band, cy.subject) == ("OAK", None, "K-2", "Reading")
        assert cy.user is None
        assert roles_of("C1") == {("coach", "OAK"), ("coach", "LKW")}
        assert roles_of("P1") == {("principal", "LKW")}
        assert roles_of("L1") == {("district_leader", None)}
        assert roles_of("A1") == {("site_admin", None)}
        ben = Teacher.objects.select_related("user").get(employee_id="T2")
        assert (ben.grade_band, ben.subject, ben.campus.code) == ("6-8", "Science", "LKW")
        assert ben.user.username == "T2" and ben.user.email == "ben.ng@example.org"
        assert Teacher.objects.get(employee_id="T1").user is None

    def test_only_the_site_admin_is_staff_and_superuser(self, tmp_path):
        imported(tmp_path, *ROSTER)
        flags = {u.username: (u.is_staff, u.is_superuser) for u in User.objects.all()}
        assert flags == {
            "T2": (False, False),
            "C1": (False, False),
            "P1": (False, False),
            "L1": (False, False),
            "A1": (True, True),
        }

    def test_new_users_cannot_sign_in_until_they_set_a_password(self, tmp_path):
        imported(tmp_path, *ROSTER)
        assert [u.username for u in User.objects.all() if u.has_usable_password()] == []

    def test_reimporting_the_same_file_changes_nothing(self, tmp_path):
        path = write(tmp_path, csv_bytes(*ROSTER))
        run(path)
        before = snapshot()

        assert run(path) == "nothing changed (8 rows).\n"
        assert snapshot() == before

    def test_a_changed_name_or_campus_updates_the_person_matched_on_employee_id(self, tmp_path):
        imported(tmp_path, *ROSTER)
        ana, priya = Teacher.objects.get(employee_id="T1"), User.objects.get(employee_id="C1")
        changed = [row.replace("Ana,Lopez,OAK,Oak Cliff Elementary", "Anna,Lopez-Ruiz,LKW,") for row in ROSTER]
        changed = [row.replace("Priya,Shah", "Priya,Shah-Patel") for row in changed]

        output = imported(tmp_path, *changed, name="changed.csv")

        assert output == "1 logins updated, 1 teachers updated (8 rows).\n"
        assert Teacher.objects.count() == 3 and User.objects.count() == 5
        ana.refresh_from_db()
        assert (ana.first_name, ana.last_name, ana.campus.code) == ("Anna", "Lopez-Ruiz", "LKW")
        priya.refresh_from_db()
        assert (priya.username, priya.last_name) == ("C1", "Shah-Patel")
        assert roles_of("C1") == {("coach", "OAK"), ("coach", "LKW")}

    def test_a_row_with_only_an_email_matches_the_teacher_whatever_its_case(self, tmp_path):
        imported(tmp_path, *ROSTER)
        ana = Teacher.objects.get(employee_id="T1")

        output = imported(tmp_path, "teacher,,Ana.Lopez@Example.ORG,Ana,Lopez,LKW,,3-5,Math,", name="email.csv")

        assert output == "1 teachers updated (1 rows).\n"
        assert Teacher.objects.count() == 3
        ana.refresh_from_db()
        assert (ana.campus.code, ana.employee_id, ana.email) == ("LKW", "T1", "ana.lopez@example.org")

    def test_a_teacher_entered_with_capitals_in_the_email_is_matched_not_duplicated(self, tmp_path):
        oak = Campus.objects.create(code="OAK", name="Oak Cliff Elementary")
        Teacher.objects.create(campus=oak, first_name="Ana", last_name="Lopez", email="Ana.Lopez@example.org")

        imported(tmp_path, "teacher,,Ana.Lopez@example.org,Ana,Lopez,OAK,,3-5,Math,")

        assert Teacher.objects.filter(first_name="Ana", last_name="Lopez").count() == 1

    def test_a_row_with_only_an_email_keeps_the_employee_id_of_a_login(self, tmp_path):
        imported(tmp_path, *ROSTER)
        by_email = [row.replace("coach,C1,", "coach,,") for row in ROSTER if row.startswith("coach,C1,")]

        imported(tmp_path, *by_email, name="email.csv")

        assert User.objects.get(username="C1").employee_id == "C1"

    def test_a_sign_in_that_belongs_to_another_teacher_is_named_not_called_a_race(self, tmp_path):
        """The login, matched by its email, is linked to a teacher the row does not match: before, a
        unique constraint's refusal read "another import ... at the same moment", every time."""
        imported(tmp_path, "teacher,T1,ana@example.org,Ana,Lopez,OAK,Oak Cliff,3-5,Math,yes")
        Teacher.objects.filter(employee_id="T1").update(email="ana.l@school.example.org")
        before = snapshot()
        with pytest.raises(CommandError) as refused:
            imported(tmp_path, "teacher,T7777,ana@example.org,Jim,New,OAK,,,,yes", name="again.csv")
        assert ("row 2: the sign-in T1 already belongs to the teacher Ana Lopez; give this row that teacher's "
                "employee_id or email, or leave login empty") in str(refused.value)  # fmt: skip
        assert snapshot() == before

    def test_a_coach_moved_from_one_campus_to_another_ends_with_exactly_that_role(self, tmp_path):
        teachers = ROSTER[:2]
        imported(tmp_path, *teachers, "coach,C2,dee.moss@example.org,Dee,Moss,OAK,,,,")

        output = imported(tmp_path, *teachers, "coach,C2,dee.moss@example.org,Dee,Moss,LKW,,,,", name="moved.csv")

        assert output == "1 roles added, 1 roles removed (3 rows).\n"
        assert roles_of("C2") == {("coach", "LKW")}
        assert User.objects.filter(username="C2").count() == 1

    @pytest.mark.parametrize("was", ["coach,C2,dee.moss@example.org,Dee,Moss,OAK,,,,", "site_admin,C2,dee.moss@example.org,Dee,Moss,,,,,"])
    def test_staff_listed_again_only_as_a_teacher_without_a_login_lose_every_role(self, tmp_path, was):
        """The file lists all of a person's roles: a coach (or site admin) back in the classroom keeps none."""
        imported(tmp_path, *ROSTER[:2], was)
        output = imported(tmp_path, *ROSTER[:2], "teacher,C2,dee.moss@example.org,Dee,Moss,OAK,,3-5,Math,no", name="back.csv")
        assert "1 roles removed" in output and "1 teachers added" in output
        assert roles_of("C2") == set()
        dee = User.objects.get(username="C2")
        assert not dee.is_staff and not dee.is_superuser

    def test_a_utf8_file_with_a_byte_order_mark_imports(self, tmp_path):
        row = "teacher,T1,jose@example.org,José,Peña,OAK,Oak Cliff Elementary,3-5,Math,"
        data = "\ufeff" + "\r\n".join([HEADER, row, ""])  # as Excel's "CSV UTF-8" writes it
        path = write(tmp_path, data.encode("utf-8"))

        assert run(path) == "1 campuses added, 1 teachers added (1 rows).\n"
        teacher = Teacher.objects.get(employee_id="T1")
        assert (teacher.first_name, teacher.last_name, teacher.campus.code) == ("José", "Peña", "OAK")

    def test_dry_run_reports_what_would_change_and_writes_nothing(self, tmp_path):
        imported(tmp_path, *ROSTER[:2])
        before = snapshot()

        output = run(write(tmp_path, csv_bytes(*ROSTER), "full.csv"), dry_run=True)

        assert output == (
            "Dry run, nothing written: would have 4 logins added, 5 roles added, 1 teachers added (8 rows).\n"
        )
        assert snapshot() == before

    def test_verbosity_zero_prints_nothing(self, tmp_path):
        assert run(write(tmp_path, csv_bytes(*ROSTER)), verbosity=0) == ""
        assert Teacher.objects.count() == 3


VALID = "teacher,T9,new.teacher@example.org,New,Teacher,OAK,,3-5,Math,"  # row 2 of each bad file: never written

# (name, file contents, words the message must hold)
BAD_INPUTS = [
    ("unknown column", csv_bytes(VALID + ",blue", header=HEADER + ",colour"), "row 1, column colour: unknown column"),
    (
        "missing first_name column",
        csv_bytes("teacher,T9,,Teacher,OAK,,,,", header=HEADER.replace("first_name,", "")),
        "row 1: missing column first_name",
    ),
    (
        "unknown role",
        csv_bytes(VALID, "principle,P9,,Pat,Nine,OAK,,,,"),
        "row 3, column role: 'principle' is not a role",
    ),
    (
        "invalid email",
        csv_bytes(VALID, "teacher,T10,al.ten@example,Al,Ten,OAK,,,,"),
        "row 3, column email: 'al.ten@example' is not a valid email address",
    ),
    (
        "no employee_id and no email",
        csv_bytes(VALID, "teacher,,,Al,Ten,OAK,,,,"),
        "row 3, column employee_id: every row needs an employee_id or an email",
    ),
    ("empty last_name", csv_bytes(VALID, "teacher,T10,,Al,,OAK,,,,"), "row 3, column last_name: must not be empty"),
    # PostgreSQL cannot store a null character, nor a username over 150: both were 500s on the upload page.
    ("null character", csv_bytes(VALID, "teacher,T10,,Al\x00,Ten,OAK,,,,"), "row 3, column first_name: contains a null character"),
    (  # the code is part of the campus summary's address: a "/" broke the teacher list (a 500)
        "campus code with a slash",
        csv_bytes(VALID, "teacher,T10,,Al,Ten,a/b,Slash Campus,,,"),
        "row 3, column campus_code: 'a/b': use only letters, digits, - and _",
    ),
    (
        "email too long to be the username",
        csv_bytes(VALID, "teacher,,{}@example.org,Al,Ten,OAK,,,,".format("a" * 140)),
        "row 3, column email: is longer than 150 characters (it is the username: there is no employee_id)",
    ),
    (
        "email too long",
        csv_bytes(VALID, "teacher,T10,{}@example.org,Al,Ten,OAK,,,,".format("a" * 250)),
        "row 3, column email: is longer than 254 characters",
    ),
    (
        "teacher without campus_code",
        csv_bytes(VALID, "teacher,T10,,Al,Ten,,,,,"),
        "row 3, column campus_code: a teacher row needs the campus code",
    ),
    (
        "district_leader with a campus_code",
        csv_bytes(VALID, "district_leader,L9,,Lee,Nine,OAK,,,,"),
        "row 3, column campus_code: a district_leader is not tied to one campus",
    ),
    (
        "unknown campus without campus_name",
        csv_bytes(VALID, "teacher,T10,,Al,Ten,ZZZ,,,,"),
        "row 3, column campus_code: unknown campus ZZZ; give its campus_name to create it",
    ),
    (
        "login maybe",
        csv_bytes(VALID, "teacher,T10,,Al,Ten,OAK,,,,maybe"),
        "row 3, column login: 'maybe' is not yes or no",
    ),
    (
        "grade_band on a coach row",
        csv_bytes(VALID, "coach,C9,,Cora,Nine,OAK,,3-5,,"),
        "row 3, column grade_band: applies to teacher rows only",
    ),
    (
        "one person with two names",
        csv_bytes(VALID, "coach,C9,c9@example.org,Cora,Nine,OAK,,,,", "coach,C9,c9@example.org,Kora,Nine,LKW,,,,"),
        "row 4, column first_name: differs from row 3 for C9",
    ),
    (
        "principal of two campuses",
        csv_bytes(VALID, "principal,P9,p9@example.org,Pat,Nine,OAK,,,,", "principal,P9,p9@example.org,Pat,Nine,LKW,,,,"),
        "row 4, column campus_code: a principal leads one campus; P9 already leads OAK (row 3)",
    ),
    (
        "the same role twice",
        csv_bytes(VALID, "coach,C9,c9@example.org,Cora,Nine,OAK,,,,", "coach,C9,c9@example.org,Cora,Nine,OAK,,,,"),
        "row 4: repeats row 3 (coach C9)",
    ),
    (  # both would sign in as zz@example.org: a unique constraint's 500, even checking the file only
        "one person's employee id is another's email",
        csv_bytes(VALID, "coach,,zz@example.org,Ann,Bee,OAK,,,,", "coach,zz@example.org,cid@example.org,Cid,Dee,OAK,,,,"),
        "row 4: the username zz@example.org is also row 3's",
    ),
    (
        "not UTF-8",
        csv_bytes(VALID) + "teacher,T10,,José,Ten,OAK,,,,\n".encode("latin-1"),
        "row 3: the file is not UTF-8 text",
    ),
    (  # a name over several lines would run on into the password-reset mail that greets it
        "a line break in a name",
        csv_bytes(VALID, 'teacher,T11,t11@example.org,"Pat\n\nSuspended! Go to https://evil.example/r",Lee,OAK,,,,'),
        "row 3, column first_name: contains a line break or another control character; keep it on one line",
    ),
    (  # nobody could ever set its password: "Forgot your password?" mails it
        "a coach's sign-in with no email",
        csv_bytes(VALID, "coach,C777,,Noemail,Coach,OAK,,,,"),
        "row 3, column email: a sign-in needs an email",
    ),
    ("a teacher's sign-in with no email", csv_bytes(VALID, "teacher,T5555,,No,Email,OAK,,,,yes"), "row 3, column email: a sign-in needs an email"),
    ("empty file", b"", "the file is empty; the first row must name the columns"),
    ("header without rows", csv_bytes(), "the file has a header but no rows"),
    (
        "wrong number of cells",
        csv_bytes(VALID, "teacher,T10,,Al,Ten,OAK"),
        "row 3: has 6 cells, the header names 10 columns",
    ),
]


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize("name,data,message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
    def test_is_refused_naming_the_row_and_changes_nothing(self, tmp_path, name, data, message):
        imported(tmp_path, *ROSTER, name="first.csv")
        before = snapshot()
        path = write(tmp_path, data)

        with pytest.raises(CommandError) as error:
            run(path)

        text = str(error.value)
        assert text.startswith(f"{path}: ") and "nothing was written" in text
        assert message in text
        assert snapshot() == before

    def test_every_problem_is_reported_at_once(self, tmp_path):
        path = write(tmp_path, csv_bytes("teacher,T10,bad,Al,,OAK,Oak,,,maybe"))
        with pytest.raises(CommandError) as error:
            run(path)
        text = str(error.value)
        assert "3 problem(s); nothing was written." in text
        for message in ("row 2, column email:", "row 2, column last_name:", "row 2, column login:"):
            assert message in text

    def test_an_employee_id_and_email_of_two_different_teachers_is_refused(self, tmp_path):
        imported(tmp_path, *ROSTER)
        before = snapshot()
        path = write(tmp_path, csv_bytes(VALID, "teacher,T1,ben.ng@example.org,Ana,Lopez,OAK,,3-5,Math,"), "mixed.csv")

        with pytest.raises(CommandError) as error:
            run(path)

        text = str(error.value)
        assert "nothing was written" in text
        assert (
            "row 3: employee_id T1 is teacher Ana Lopez but email ben.ng@example.org belongs to teacher Ben Ng" in text
        )
        assert snapshot() == before

    def test_a_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match="cannot be read: No such file or directory"):
            run(tmp_path / "nowhere.csv")


def upload(data: bytes, name: str = "roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


UPLOAD = csv_bytes(*ROSTER[:2])  # two campuses, two teachers, one login


@pytest.fixture
def site_admin(db) -> User:
    user = User.objects.create_user("site.admin")
    Role.objects.create(user=user, kind=Role.Kind.SITE_ADMIN)
    return user


@pytest.fixture
def coach(db) -> User:
    user = User.objects.create_user("coach")
    Role.objects.create(user=user, kind=Role.Kind.COACH, campus=Campus.objects.create(code="ELM", name="Elm"))
    return user


class TestUploadPage:
    def test_a_site_admin_imports_a_roster_and_sees_what_changed(self, client, site_admin):
        client.force_login(site_admin)
        url = reverse("people:roster")

        response = client.post(url, {"roster": upload(UPLOAD)})

        assert response.status_code == 302 and response["Location"] == url
        page = client.get(url).content.decode()
        assert "Roster imported from roster.csv: 2 campuses added, 1 logins added, 2 teachers added." in page
        assert set(Teacher.objects.values_list("employee_id", flat=True)) == {"T1", "T2"}

    def test_an_invalid_roster_answers_400_with_the_problems_escaped_and_writes_nothing(self, client, site_admin):
        client.force_login(site_admin)
        data = csv_bytes(
            "teacher,T1,ana.lopez@example.org,Ana,Lopez,OAK,<script>alert(1)</script>,3-5,Math,",
            "teacher,T2,ben.ng@example.org,Ben,Ng,OAK,Oak Cliff Elementary,6-8,Science,",
        )

        response = client.post(reverse("people:roster"), {"roster": upload(data)})

        assert response.status_code == 400
        page = response.content.decode()
        assert "Nothing was imported." in page
        escaped = "&#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;"
        assert f"row 3, column campus_name: OAK is named {escaped} on row 2" in page
        assert "<script>alert(1)" not in page
        assert (Campus.objects.count(), Teacher.objects.count()) == (0, 0)

    def test_a_file_wrong_throughout_lists_the_first_hundred_problems(self, client, site_admin):
        """A header of 100,000 unknown columns made a 19 MB page, one line each."""
        client.force_login(site_admin)
        data = csv_bytes(VALID, header=HEADER + "".join(f",x{n}" for n in range(5000)))
        response = client.post(reverse("people:roster"), {"roster": upload(data)})
        page = response.content.decode()
        assert response.status_code == 400 and page.count("unknown column") == 100
        assert "… and 4900 more problems: fix these and import again." in page

    def test_a_file_too_large_is_refused_before_it_is_read(self, client, site_admin):
        client.force_login(site_admin)
        response = client.post(reverse("people:roster"), {"roster": upload(csv_bytes(VALID) + b"#" * 5 * 1024 * 1024)})
        assert response.status_code == 400 and "The file is larger than 5 MB; split the roster." in response.content.decode()
        assert Teacher.objects.count() == 0

    def test_a_post_without_a_file_asks_for_one(self, client, site_admin):
        client.force_login(site_admin)
        response = client.post(reverse("people:roster"), {})
        assert response.status_code == 400
        assert "Choose a roster CSV file to import." in response.content.decode()

    def test_check_the_file_only_previews_and_writes_nothing(self, client, site_admin):
        client.force_login(site_admin)

        response = client.post(reverse("people:roster"), {"roster": upload(UPLOAD), "dry_run": "on"})

        assert response.status_code == 200
        assert (
            "The file is valid. Importing it would make: 2 campuses added, 1 logins added, 2 teachers added."
            in response.content.decode()
        )
        assert (Campus.objects.count(), Teacher.objects.count(), User.objects.count()) == (0, 0, 1)

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_coach_is_refused(self, client, coach, method):
        client.force_login(coach)
        data = {"roster": upload(UPLOAD)} if method == "post" else {}
        response = getattr(client, method)(reverse("people:roster"), data)
        assert response.status_code == 403
        assert Teacher.objects.count() == 0

    def test_an_anonymous_visitor_is_sent_to_the_login_page(self, client, db):
        response = client.get(reverse("people:roster"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")



def test_checking_a_roster_already_imported_takes_the_same_queries_however_many_it_lists(db):
    """Re-importing a district's 10,000 teachers, nothing changed, took a query each (10,006, 5 s)."""

    def checked(first: int, count: int) -> int:
        rows = read_roster(csv_bytes(*(f"teacher,X{n},x{n}@example.org,Ann,Teacher{n},OAK,Oak Cliff,3-5,Math,"
                                       for n in range(first, first + count))))  # fmt: skip
        roster_import(rows=rows)
        with CaptureQueriesContext(connection) as queries:
            assert roster_import(rows=rows, dry_run=True) == {}
        return len(queries)

    assert checked(0, 5) == checked(100, 40)


def test_the_upload_page_query_count(client, db, django_assert_num_queries):
    """Session, user and roles: the page reads nothing else."""
    admin = User.objects.create(username="site-admin")
    Role.objects.create(user=admin, kind=Role.Kind.SITE_ADMIN)
    client.force_login(admin)
    with django_assert_num_queries(3):
        assert client.get(reverse("people:roster")).status_code == 200


def test_the_admin_teacher_form_refuses_a_login_that_is_not_an_id(client, db):
    """The autocomplete widget redisplayed the bad value by querying it: a 500. The raw id field says what is wrong."""
    from people.models import Campus, User

    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    campus = Campus.objects.create(code="OAK", name="Oak Cliff")
    client.force_login(admin)
    response = client.post("/admin/people/teacher/add/", {"campus": campus.pk, "first_name": "Al", "last_name": "Ten", "user": "x"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()


@pytest.mark.parametrize("query", ["grade_band=a%00b", "q=" + "x" * 1000])
def test_the_admin_refuses_an_address_it_would_fail_on(client, db, query):
    """A null character in a filter (PostgreSQL refuses it) or a search too long for SQLite: 400s, not 500s."""
    from people.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    response = client.get("/admin/people/teacher/?" + query)
    assert response.status_code == 400
    assert client.get("/admin/people/teacher/?q=Kim").status_code == 200


def test_a_form_body_that_cannot_be_read_is_a_400_not_a_500(site_admin):
    """A multipart body without a boundary: the CSRF check, which reads the form first, raised."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(site_admin)
    response = client.post(reverse("people:roster"), data=b"roster=x", content_type="multipart/form-data")
    assert response.status_code == 400 and "The form could not be read" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_people_at_once_both_succeed(monkeypatch):
    """The other import commits the new campus between this one's look-up and its insert: the
    unique constraint refuses this one, which runs again and finds the campus there."""
    if connection.vendor != "postgresql":
        pytest.skip("a second connection writing meanwhile: PostgreSQL's, as in production")
    real_create, raced = Campus.objects.create, []

    def other_import_first(**fields):
        if not raced:  # the first campus this import adds, the other adds first
            raced.append(fields["code"])
            other = threading.Thread(target=lambda: (real_create(**fields), connections.close_all()))
            other.start()
            other.join()
        return real_create(**fields)

    monkeypatch.setattr(Campus.objects, "create", other_import_first)
    changes = roster_import(rows=read_roster(csv_bytes(*ROSTER)))
    assert changes["teachers added"] == 3 and changes["campuses added"] == 1  # the other import added one
    assert set(Campus.objects.values_list("code", flat=True)) == {"OAK", "LKW"}
    assert Teacher.objects.count() == 3
