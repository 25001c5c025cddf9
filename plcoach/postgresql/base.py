"""Django's PostgreSQL backend, patient while the server restarts.

A new connection that is refused is tried again for a few seconds (DATABASE_CONNECT_PATIENCE)
instead of failing the request at once. With CONN_HEALTH_CHECKS, a connection broken by a
restart is noticed at the start of the next request, so a restart costs each app worker at
most the one request that was running on the database when it went away.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import OperationalError


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + getattr(settings, "DATABASE_CONNECT_PATIENCE", 10)
        pause = 0.1
        while True:
            try:
                return super().get_new_connection(conn_params)
            except OperationalError:
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
