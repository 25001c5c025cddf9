import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the
# tests make beside it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def content(db):
    """The real PL Toolbox content, loaded from fixtures/ the way `make run` loads it."""
    call_command("load_progressions", verbosity=0)


@pytest.fixture
def fixture_dir(tmp_path) -> Path:
    """An editable copy of fixtures/*.yaml."""
    target = tmp_path / "fixtures"
    target.mkdir()
    for path in FIXTURES.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def tablet(browser):
    """A page the size of a tablet in portrait (768x1024)."""
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    yield page
    context.close()


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}:{database.get('PORT') or ''}"


def pytest_configure(config):
    # `make test` promises PostgreSQL; never let it quietly fall back to SQLite.
    expected = os.environ.get("PLCOACH_TEST_DATABASE")
    if expected:
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if not engine.endswith(expected):
            raise pytest.UsageError(f"PLCOACH_TEST_DATABASE={expected} but the suite would run on {engine}")


class District:
    """The demo district plus a coach and a principal who work only at the second campus."""

    def __init__(self):
        from people.demo import DEMO_ROSTER
        from people.models import Campus, Teacher, User
        from people.roster import read_roster
        from people.services import roster_import

        extra = (
            "coach,lkw-coach,lkw.coach@demo.plcoach.test,Lee,Wong,LKW,,,,\n"
            "principal,lkw-principal,lkw.principal@demo.plcoach.test,Pat,Rivera,LKW,,,,\n"
        )
        roster_import(rows=read_roster((DEMO_ROSTER + extra).encode()))
        self.oak, self.lkw = Campus.objects.get(code="OAK"), Campus.objects.get(code="LKW")
        self.teacher_user = User.objects.get(username="demo-teacher")  # Maria Alvarez, OAK
        self.teacher = Teacher.objects.get(user=self.teacher_user)
        self.coach = User.objects.get(username="demo-coach")  # OAK and LKW
        self.principal = User.objects.get(username="demo-principal")  # OAK
        self.leader = User.objects.get(username="demo-leader")
        self.admin = User.objects.get(username="demo-admin")
        self.lkw_coach = User.objects.get(username="lkw-coach")
        self.lkw_principal = User.objects.get(username="lkw-principal")
        self.oak_teacher = Teacher.objects.get(employee_id="T1002")  # James Brooks, no login
        self.lkw_teacher = Teacher.objects.get(employee_id="T2001")  # Grace Kim, no login

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def district(db) -> District:
    return District()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow on purpose; tests only need passwords to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
