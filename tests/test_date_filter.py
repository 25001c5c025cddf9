"""The templates' date filter (plcoach/date_filter.py) writes exactly what Django's would."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.template.defaultfilters import date as django_date
from django.utils import translation

from plcoach.date_filter import compiled, date

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
USED = sorted({m for f in TEMPLATES.rglob("*.html") for m in re.findall(r'\|date:"([^"]*)"', f.read_text())})
# Every month and weekday, single and double digits, midnight, a leap day, a year before 1000.
MOMENTS = [datetime.datetime(2026, month, day, hour, minute, second)
           for month in range(1, 13) for day, hour, minute, second in ((1, 0, 0, 0), (9, 9, 5, 7), (28, 23, 59, 59))]  # fmt: skip
MOMENTS += [datetime.datetime(2024, 2, 29, 12, 30), datetime.datetime(999, 3, 7, 8, 4)]


def test_the_templates_use_formats_it_reads_itself():
    assert len(USED) >= 8, USED
    assert all(compiled(f) is not None for f in USED), [f for f in USED if compiled(f) is None]


@pytest.mark.parametrize("format_string", USED + ["d/m/y G:i:s", "D n"])
def test_same_text_as_djangos_for_each_format(format_string):
    for moment in MOMENTS:
        assert date(moment, format_string) == django_date(moment, format_string), (moment, format_string)
        if not compiled(format_string)[1]:
            assert date(moment.date(), format_string) == django_date(moment.date(), format_string)


@pytest.mark.parametrize(
    "value, format_string",
    [
        (datetime.datetime(2026, 11, 5, 14, 5), None),  # the locale's format
        (datetime.datetime(2026, 11, 5, 14, 5), r"jS \o\f F"),  # a letter it does not read, and escapes
        (datetime.datetime(2026, 11, 5, 14, 5, tzinfo=ZoneInfo("UTC")), "j M Y, H:i T"),
        (datetime.date(2026, 11, 5), "j M Y, H:i"),  # a time from a date: Django's answer, whatever it is
        ("", "j M Y"),
        (None, "j M Y"),
        ("not a date", "j M Y"),
    ],
)
def test_anything_else_is_djangos(value, format_string):
    try:
        expected = django_date(value, format_string)
    except Exception as error:  # noqa: BLE001 - the same failure, then
        with pytest.raises(type(error)):
            date(value, format_string)
    else:
        assert date(value, format_string) == expected


def test_another_language_gets_djangos_names():
    moment = datetime.datetime(2026, 11, 2, 8, 0)
    with translation.override("fr"):
        assert date(moment, "l j F Y") == django_date(moment, "l j F Y") == "lundi 2 novembre 2026"


def test_templates_use_it_in_local_time(settings):
    """A builtin of the engine: `|date` in any template is this filter, given the local time."""
    settings.TIME_ZONE = "America/Chicago"
    engine = engines["django"]
    assert engine.engine.template_builtins[-1].filters["date"] is date
    template = engine.from_string('{{ when|date:"j M Y, H:i" }}')
    assert template.render({"when": datetime.datetime(2026, 11, 2, 3, 30, tzinfo=ZoneInfo("UTC"))}) == "1 Nov 2026, 21:30"
