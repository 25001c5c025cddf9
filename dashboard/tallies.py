"""The triggers that keep PauseTally, and a full recount (PostgreSQL only; SQLite counts live).

A walkthrough counts while it is a finished coach walkthrough (the dashboard's SHARED rule), at
its teacher's campus, in the month of its date in the district's time zone, at its pause
(phase and number, 0 for none). Every insert, update or delete of a walkthrough takes its old
row out of the tallies and puts its new row in; a teacher moving campus moves their counts.
The teacher's campus is read FOR SHARE, so a move and a walkthrough written at the same time
take turns and the count lands at the campus the teacher is at once both have committed.
"""

from django.conf import settings
from django.db import connection, transaction

# {month} is filled with the time zone quoted as a literal: the functions are written again
# (install) whenever the recount runs, so they always count in the zone TallyTimeZone records.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION dashboard_tally_walkthrough() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF current_setting('dashboard.tally', true) = 'off' THEN  -- a bulk load, counted once afterwards
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.kind = 'coach' AND OLD.status = 'complete' THEN
        UPDATE dashboard_pausetally SET walkthroughs = walkthroughs - 1
        WHERE framework_id = OLD.framework_id
          AND campus_id = (SELECT campus_id FROM people_teacher WHERE id = OLD.teacher_id FOR SHARE)
          AND month = {month_old} AND pause_phase = OLD.pause_phase AND pause_number = COALESCE(OLD.pause_number, 0);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.kind = 'coach' AND NEW.status = 'complete' THEN
        INSERT INTO dashboard_pausetally (framework_id, campus_id, month, pause_phase, pause_number, walkthroughs)
        SELECT NEW.framework_id, campus_id, {month_new}, NEW.pause_phase, COALESCE(NEW.pause_number, 0), 1
        FROM people_teacher WHERE id = NEW.teacher_id FOR SHARE
        ON CONFLICT (framework_id, month, campus_id, pause_phase, pause_number)
        DO UPDATE SET walkthroughs = dashboard_pausetally.walkthroughs + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboard_tally_teacher_moved() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF current_setting('dashboard.tally', true) = 'off' THEN
        RETURN NULL;
    END IF;
    UPDATE dashboard_pausetally t SET walkthroughs = t.walkthroughs - moved.walkthroughs
    FROM ({moved}) moved
    WHERE t.campus_id = OLD.campus_id AND t.framework_id = moved.framework_id AND t.month = moved.month
      AND t.pause_phase = moved.pause_phase AND t.pause_number = moved.pause_number;
    INSERT INTO dashboard_pausetally (framework_id, campus_id, month, pause_phase, pause_number, walkthroughs)
    SELECT framework_id, NEW.campus_id, month, pause_phase, pause_number, walkthroughs FROM ({moved}) moved
    ON CONFLICT (framework_id, month, campus_id, pause_phase, pause_number)
    DO UPDATE SET walkthroughs = dashboard_pausetally.walkthroughs + EXCLUDED.walkthroughs;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboard_tally_emptied() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM dashboard_pausetally;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS dashboard_tally ON observations_walkthrough;
CREATE TRIGGER dashboard_tally AFTER INSERT OR DELETE ON observations_walkthrough
    FOR EACH ROW EXECUTE FUNCTION dashboard_tally_walkthrough();
-- An update counts only when it changes what a walkthrough is counted as: not a tap on an open one.
DROP TRIGGER IF EXISTS dashboard_tally_changed ON observations_walkthrough;
CREATE TRIGGER dashboard_tally_changed AFTER UPDATE ON observations_walkthrough FOR EACH ROW
    WHEN ((OLD.kind, OLD.status, OLD.framework_id, OLD.teacher_id, OLD.observed_at, OLD.pause_phase, OLD.pause_number)
          IS DISTINCT FROM (NEW.kind, NEW.status, NEW.framework_id, NEW.teacher_id, NEW.observed_at, NEW.pause_phase, NEW.pause_number))
    EXECUTE FUNCTION dashboard_tally_walkthrough();
DROP TRIGGER IF EXISTS dashboard_tally_emptied ON observations_walkthrough;
CREATE TRIGGER dashboard_tally_emptied AFTER TRUNCATE ON observations_walkthrough
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_tally_emptied();
DROP TRIGGER IF EXISTS dashboard_tally_moved ON people_teacher;
CREATE TRIGGER dashboard_tally_moved AFTER UPDATE OF campus_id ON people_teacher
    FOR EACH ROW WHEN (OLD.campus_id IS DISTINCT FROM NEW.campus_id) EXECUTE FUNCTION dashboard_tally_teacher_moved();
"""

MOVED = """SELECT framework_id, {month} AS month, pause_phase, COALESCE(pause_number, 0) AS pause_number, COUNT(*) AS walkthroughs
    FROM observations_walkthrough WHERE teacher_id = NEW.id AND kind = 'coach' AND status = 'complete'
    GROUP BY 1, 2, 3, 4"""

COUNTED = """
SELECT w.framework_id, t.campus_id, {month} AS month, w.pause_phase, COALESCE(w.pause_number, 0), COUNT(*)
FROM observations_walkthrough w JOIN people_teacher t ON t.id = w.teacher_id
WHERE w.kind = 'coach' AND w.status = 'complete'
GROUP BY 1, 2, 3, 4, 5
"""
RECOUNT = "INSERT INTO dashboard_pausetally (framework_id, campus_id, month, pause_phase, pause_number, walkthroughs)" + COUNTED


def _literal(time_zone: str) -> str:
    return "'" + time_zone.replace("'", "''") + "'"


def _month(column: str, time_zone: str) -> str:
    return f"(date_trunc('month', {column} AT TIME ZONE {_literal(time_zone)}))::date"


def pause_counting() -> None:
    """For the rest of the transaction, writes of walkthroughs leave the tallies alone: for a bulk
    load, which then calls `recount` once instead of a trigger per row."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL dashboard.tally = 'off'")


def install(time_zone: str) -> None:
    """(Re)writes the trigger functions to count months in `time_zone`."""
    moved = MOVED.format(month=_month("observed_at", time_zone))
    sql = FUNCTIONS.format(month_old=_month("OLD.observed_at", time_zone), month_new=_month("NEW.observed_at", time_zone), moved=moved)
    with connection.cursor() as cursor:
        cursor.execute(sql)


def lock_for_recount() -> None:
    """Holds off writes of walkthroughs and teachers until the transaction ends (reads go on)."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE observations_walkthrough, people_teacher IN SHARE MODE")


def uninstall() -> None:
    with connection.cursor() as cursor:
        for trigger, table in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in ("dashboard_tally_walkthrough", "dashboard_tally_teacher_moved", "dashboard_tally_emptied"):
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")


TRIGGERS = [
    ("dashboard_tally", "observations_walkthrough"),
    ("dashboard_tally_changed", "observations_walkthrough"),
    ("dashboard_tally_emptied", "observations_walkthrough"),
    ("dashboard_tally_moved", "people_teacher"),
]


def recount() -> int:
    """Counts every tally again from the walkthroughs, in settings.TIME_ZONE; returns the tallies written.
    Locks the walkthroughs against writes meanwhile, so no trigger's change is lost or counted twice."""
    time_zone = settings.TIME_ZONE
    with transaction.atomic(), connection.cursor() as cursor:
        lock_for_recount()
        cursor.execute("SET LOCAL dashboard.tally = 'on'")
        install(time_zone)
        cursor.execute("DELETE FROM dashboard_pausetally")
        cursor.execute(RECOUNT.format(month=_month("w.observed_at", time_zone)))
        written = cursor.rowcount
        cursor.execute("DELETE FROM dashboard_tallytimezone")
        cursor.execute("INSERT INTO dashboard_tallytimezone (time_zone) VALUES (%s)", [time_zone])
    return written


def drift() -> tuple[int, int]:
    """(tallies a recount would write, kept tallies that differ from them), in one statement: one
    snapshot, read without holding off a single tap (each write's tally change comes with it)."""
    sql = f"""
        WITH counted (framework_id, campus_id, month, pause_phase, pause_number, walkthroughs) AS ({COUNTED}),
        kept AS (SELECT framework_id, campus_id, month, pause_phase, pause_number, walkthroughs FROM dashboard_pausetally WHERE walkthroughs <> 0)
        SELECT (SELECT COUNT(*) FROM counted), COUNT(*) FILTER (WHERE c.walkthroughs IS DISTINCT FROM k.walkthroughs)
        FROM counted c FULL JOIN kept k USING (framework_id, campus_id, month, pause_phase, pause_number)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql.format(month=_month("w.observed_at", settings.TIME_ZONE)))
        return cursor.fetchone()


def counting() -> bool:
    """Whether the tallies can stand in for counting walkthroughs: PostgreSQL, counted in this time zone."""
    from .models import TallyTimeZone

    return connection.vendor == "postgresql" and TallyTimeZone.objects.filter(time_zone=settings.TIME_ZONE).exists()
