"""Django's PostgreSQL backend, patient while the server restarts.

A new connection that is refused is tried again for a few seconds (DATABASE_CONNECT_PATIENCE)
instead of failing the request at once. With CONN_HEALTH_CHECKS, a connection broken by a
restart is noticed at the start of the next request, so a restart costs each app worker at
most the one request that was running on the database when it went away.

The health check looks before it asks: a server that ends a connection (a restart, an
administrator's terminate) says so and closes the socket, so a connection used in the last few
seconds whose socket has nothing to read is still open, and the request is spared Django's
`SELECT 1` round trip. Anything waiting to be read gets that round trip, as before, and so does
a connection quiet for longer: a firewall, a balancer's idle timeout or a failover can drop it
without a word, which only a packet sent finds out. Under load, where the round trip costs,
connections are reused within milliseconds.
"""

import select
import time

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import OperationalError
from psycopg.pq import ConnStatus, TransactionStatus

TRUSTED_QUIET_SECONDS = 10  # how long since its last use a quiet socket is taken as open


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = 0.0  # time.monotonic() when the server last heard from this connection

    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + getattr(settings, "DATABASE_CONNECT_PATIENCE", 10)
        pause = 0.1
        while True:
            try:
                connection = super().get_new_connection(conn_params)
                self.used_at = time.monotonic()
                return connection
            except OperationalError:
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    def create_cursor(self, name=None):
        self.used_at = time.monotonic()  # its query follows at once
        return super().create_cursor(name)

    def is_usable(self):
        usable = super().is_usable()
        if usable:
            self.used_at = time.monotonic()
        return usable

    def close_if_health_check_failed(self):
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self._quietly_open() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _quietly_open(self) -> bool:
        """True when the connection, used a moment ago, is idle and open with nothing from the server to read."""
        pgconn = self.connection.pgconn
        if time.monotonic() - self.used_at > TRUSTED_QUIET_SECONDS:
            return False
        if pgconn.status != ConnStatus.OK or pgconn.transaction_status != TransactionStatus.IDLE:
            return False
        if not hasattr(select, "poll"):
            return False  # not on Windows
        try:
            poller = select.poll()  # not select(): it fails on descriptors past 1023
            poller.register(pgconn.socket, select.POLLIN)
            return not poller.poll(0)  # a hang-up or an error is reported too
        except (OSError, ValueError, OperationalError):
            return False
