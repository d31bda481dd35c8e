"""The Celery broker transport: kombu's Redis transport, made to survive a Redis restart.

Selected in settings.py (CELERY_BROKER_TRANSPORT). Kept free of Django and Celery imports: the
worker, beat and web processes import it while they set up their broker connection.

Why (issue 21): a worker that holds an unacknowledged message (a running task) and waits in
BRPOP for the next one crashes with "Unrecoverable error: AttributeError: 'NoneType' object has
no attribute 'hostname'" when Redis goes away, killed or cleanly restarted alike:

1. Celery's `Consumer.on_connection_error_after_connected()` calls kombu's
   `Connection.collect()` and then `Connection.close()`; both close the default channel.
2. In `collect()`, `kombu.transport.redis.Channel.close()` first reads the pending BRPOP reply
   (`Channel._brpop_read()`). The socket is dead, so it raises `ConnectionError` and the close
   stops half-way, before the channel is marked closed. `collect()` then detaches the transport
   from its connection (`Connection._do_close_transport()` sets `transport.client = None`).
3. `close()` closes the same channel again. This time it gets as far as putting the running
   task's message back (`QoS.restore_unacked()` -> `Channel.conn_or_acquire()`), which needs a
   new connection pool: `Channel._connparams()` (kombu/transport/redis.py, line 1959) reads
   `self.connection.client.hostname` from the detached transport -> AttributeError.
4. kombu's `maybe_close_channel()`/`ignore_errors()` and Celery's consumer treat only the
   transport's connection errors as recoverable, so the AttributeError ends the worker.

The same happens over TCP; the URL form does not matter. A channel whose transport was
detached cannot reach Redis any more, which is a connection error: `_connparams()` says so
below, and kombu and Celery then do what they do for any lost connection: the close finishes,
the consumer reconnects, and a message that could not be put back is delivered again after
the visibility timeout (tasks are idempotent, see STYLE.md).
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel was closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    """kombu's Redis transport for redis:// URLs, with the channel above."""

    Channel = Channel


class UnixSocketTransport(Transport):
    """The same for a unix socket, given as `socket:///path/redis.sock?virtual_host=<db>`.

    `redis+socket://` would pick kombu's own transport by its prefix. With this class named
    as the transport, kombu leaves the URL to the channel, which reads `socket://` URLs
    itself (`Channel._connparams()`), as it does for `redis+socket://`.
    """

    can_parse_url = True
