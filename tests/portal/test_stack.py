"""The suite runs on the real embedded stack: PostgreSQL with pgvector, and Redis."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import cache
from django.db import connection

from tests.stack import NonLoopbackConnection, blocked_connections


@pytest.mark.django_db
def test_database_is_postgresql_with_pgvector() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        (version,) = cursor.fetchone()
        cursor.execute("SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector")
        (distance,) = cursor.fetchone()
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 160000
    assert version
    assert distance == pytest.approx(1.0)


def test_cache_is_a_real_redis_server() -> None:
    cache.set("stack-check", {"n": 1}, 30)
    assert cache.get("stack-check") == {"n": 1}
    client = cache._cache.get_client()
    assert client.info("server")["redis_version"]
    cache.delete("stack-check")


def test_non_loopback_connection_is_blocked_and_reported() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s,
        pytest.raises(NonLoopbackConnection),
    ):
        s.connect(("192.0.2.1", 80))  # TEST-NET-1: blocked before any packet is sent
    assert blocked_connections == ["network connection to ('192.0.2.1', 80)"]
    blocked_connections.clear()  # this test provoked it on purpose


def test_name_lookup_of_a_public_host_is_blocked() -> None:
    with pytest.raises(NonLoopbackConnection):
        socket.getaddrinfo("example.org", 443)
    assert blocked_connections
    blocked_connections.clear()


def test_loopback_connection_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    assert blocked_connections == []
