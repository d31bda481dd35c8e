"""Debug mode's built-in secret key: the portal answers only on this machine with it."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from portal.middleware import is_loopback

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", ["192.168.1.20", "10.0.0.7", "2001:db8::5", "0.0.0.0"])  # noqa: S104
def test_other_machines_are_refused_with_the_debug_key(client, settings, address) -> None:
    settings.DEBUG_SECRET_KEY = True
    response = client.get("/accounts/login/", REMOTE_ADDR=address)
    assert response.status_code == 403
    assert "PORTAL_SECRET_KEY" in response.content.decode()


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.53", "::1"])
def test_this_machine_is_served_with_the_debug_key(client, settings, address) -> None:
    settings.DEBUG_SECRET_KEY = True
    assert client.get("/accounts/login/", REMOTE_ADDR=address).status_code == 200


def test_a_real_key_serves_the_network(client, settings) -> None:
    settings.DEBUG_SECRET_KEY = False
    assert client.get("/accounts/login/", REMOTE_ADDR="192.168.1.20").status_code == 200


@pytest.mark.parametrize("addr", ["0.0.0.0:8000", "[::]:8000", "192.168.1.5:80", ":8000"])
def test_runstack_refuses_to_listen_beyond_loopback_with_the_debug_key(settings, addr) -> None:
    settings.DEBUG_SECRET_KEY = True
    with pytest.raises(CommandError, match="PORTAL_SECRET_KEY"):
        call_command("runstack", "--addr", addr)


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("[::1]", True),
        ("::1", True),
        ("0.0.0.0", False),  # noqa: S104 (an address checked, nothing bound)
        ("", False),
        ("[::]", False),
        ("portal.firma.de", False),
    ],
)
def test_loopback_addresses(host: str, local: bool) -> None:
    assert is_loopback(host) is local
