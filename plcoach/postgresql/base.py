"""Django's PostgreSQL backend, patient while the server restarts.

A new connection that is refused is tried again for a few seconds (DATABASE_CONNECT_PATIENCE)
instead of failing the request at once. With CONN_HEALTH_CHECKS, a connection broken by a
restart is noticed at the start of the next request, so a restart costs each app worker at
most the one request that was running on the database when it went away.

The health check looks before it asks: a server that ends a connection (a restart, an
administrator's terminate) says so and closes the socket, so an idle connection whose socket
has nothing to read is still open, and the request is spared Django's `SELECT 1` round trip.
Anything waiting to be read on an idle connection gets that round trip, as before.
"""

import select
import time

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import OperationalError
from psycopg.pq import ConnStatus, TransactionStatus


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

    def close_if_health_check_failed(self):
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self._quietly_open() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _quietly_open(self) -> bool:
        """True when the connection is idle and open with nothing from the server to read."""
        pgconn = self.connection.pgconn
        if pgconn.status != ConnStatus.OK or pgconn.transaction_status != TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()  # not select(): it fails on descriptors past 1023
            poller.register(pgconn.socket, select.POLLIN)
            return not poller.poll(0)  # a hang-up or an error is reported too
        except (OSError, ValueError, OperationalError):
            return False
