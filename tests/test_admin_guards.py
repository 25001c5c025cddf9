"""The Django admin, for site admins: what it would answer with a 500 is a 400 or a form error
saying why, and nothing is written (plcoach/middleware.py `admin_address_guard`, people/admin.py)."""

from html.parser import HTMLParser

import pytest

from people.models import Campus, Role, Teacher, User


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    return client


@pytest.mark.parametrize(
    "path,query,problem",
    [
        ("/admin/people/teacher/", "campus=9223372036854775808", "campus: no id is that large."),
        ("/admin/people/teacher/", "id__in=1,99999999999999999999", "id__in: no id is that large."),
        ("/admin/people/teacher/", "campus=" + "1" * 5000, "campus: no id is that large."),  # Python reads no such number
        ("/admin/people/user/", "date_joined__gte=9999-12-31+23:59:59", "date_joined__gte: choose a date between 1900 and 2100."),
        ("/admin/people/user/", "date_joined__lt=0001-01-01", "date_joined__lt: choose a date between 1900 and 2100."),
    ],
)
def test_a_filter_past_any_id_or_year_is_a_400_that_says_which(admin_client, path, query, problem):
    """SQLite cannot hold such a number or convert such a date: the changelist raised OverflowError."""
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code == 400 and response.content.decode() == problem
    campus = Campus.objects.create(code="OAK", name="Oak Cliff")
    fine = [f"campus={campus.pk}", "id__in=1,2"] if "teacher" in path else ["date_joined__gte=2026-01-01+00:00:00", "is_active__exact=0"]
    for query in (*fine, "q=9999-12-31"):  # a search may hold any text
        assert admin_client.get(f"{path}?{query}").status_code == 200, query


def test_a_bulk_action_on_rows_named_by_anything_but_their_id_is_a_400(admin_client):
    campus = Campus.objects.create(code="OAK", name="Oak Cliff")
    for selected in (["abc"], [str(campus.pk), "abc"], ["99999999999999999999"], ["1" * 5000]):
        response = admin_client.post("/admin/people/campus/", {"action": "delete_selected", "_selected_action": selected})
        assert response.status_code == 400 and response.content.decode() == "Choose the rows to act on from the list."
    assert Campus.objects.filter(pk=campus.pk).exists()
    confirm = admin_client.post("/admin/people/campus/", {"action": "delete_selected", "_selected_action": [campus.pk]})
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()


class FormFields(HTMLParser):
    """The values a browser would send for the page's main form: inputs, checked boxes, selected options."""

    def __init__(self):
        super().__init__()
        self.data, self._select = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.data.setdefault(name, [""])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def change_form(client, user: User) -> dict:
    parser = FormFields()
    parser.feed(client.get(f"/admin/people/user/{user.pk}/change/").content.decode())
    return {name: values for name, values in parser.data.items() if not name.startswith("roles-__prefix__")}


def with_role(data: dict, kind: str, campus: Campus | None) -> dict:
    n = int(data["roles-TOTAL_FORMS"][0])
    return {**data, "roles-TOTAL_FORMS": [str(n + 1)], f"roles-{n}-kind": [kind], f"roles-{n}-campus": [str(campus.pk) if campus else ""]}


@pytest.mark.parametrize(
    "held,added,problem",
    [
        ("principal", ("principal", "LKW"), "A principal leads one campus: keep one Principal row."),
        ("district_leader", ("district_leader", None), "District leader is held once: keep one row of it."),
    ],
)
def test_a_role_the_database_would_refuse_is_a_form_error_and_nothing_is_saved(admin_client, held, added, problem):
    """The inline's forms leave out the user, so Django did not check the constraints naming it:
    a second principal row, say, reached the database and raised IntegrityError."""
    oak, lkw = Campus.objects.create(code="OAK", name="Oak Cliff"), Campus.objects.create(code="LKW", name="Lakewood")
    person = User.objects.create(username="person", first_name="Pat", last_name="Lee")
    Role.objects.create(user=person, kind=held, campus=None if held == "district_leader" else oak)
    data = change_form(admin_client, person)
    data["first_name"] = ["Patricia"]
    kind, code = added
    response = admin_client.post(f"/admin/people/user/{person.pk}/change/", with_role(data, kind, {"OAK": oak, "LKW": lkw}.get(code)))
    assert response.status_code == 200 and problem in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Pat" and list(person.roles.values_list("kind", flat=True)) == [held]
    saved = admin_client.post(f"/admin/people/user/{person.pk}/change/", data)  # the form as it was: saved
    assert saved.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Patricia"
