"""Shared fixtures: the fixed cast, tiny GGUF models, and the network guard's verdict."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.mail.utils import DNS_NAME

from portal.models import User
from portal.roles import Role
from tests import stack
from tests.factories import DepartmentFactory, UserFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Django asks the resolver for this host's name when it builds a Message-ID; answer locally.
DNS_NAME._fqdn = "portal.test"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `make test` runs two pytest workers: the tests that start processes (worker stacks,
    # browsers) all go to one of them, one after another, so two stacks never compete;
    # the in-process tests share the other core.
    for item in items:
        if item.get_closest_marker("slow") or item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group("processes"))


@pytest.fixture
def migrations_restored() -> Iterator[None]:
    """For tests that migrate backwards: the schema is the newest again afterwards (before
    the serialized rollback puts the data back)."""
    from tests.migrations import migrate_to_latest

    yield
    migrate_to_latest()


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    """Fail any test that tried to reach a non-loopback address, even if the code caught it."""
    stack.blocked_connections.clear()
    yield
    blocked = list(stack.blocked_connections)
    stack.blocked_connections.clear()
    assert not blocked, f"test tried to leave the machine: {blocked}"


def _member(email: str, name: str, department: str, roles: list[Role]) -> User:
    user = UserFactory(
        email=email, name=name, department=DepartmentFactory(name=department), roles=roles
    )
    if user.needs_two_factor:
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def alice(db) -> User:
    return _member("alice@firma.test", "Alice Schneider", "Vertrieb", [])


@pytest.fixture
def bob(db) -> User:
    return _member("bob@firma.test", "Bob Wagner", "Konstruktion", [Role.MULTIPLIER])


@pytest.fixture
def rita(db) -> User:
    return _member("rita@firma.test", "Rita Hoffmann", "IT", [Role.REVIEWER])


@pytest.fixture
def ada(db) -> User:
    return _member("ada@firma.test", "Ada Neumann", "Verwaltung", [Role.PROGRAMME_ADMIN])


@pytest.fixture
def walter(db) -> User:
    return _member("walter@firma.test", "Walter Fischer", "Produktion", [Role.WORKS_COUNCIL])


@pytest.fixture
def charlie(db) -> User:
    return _member("charlie@firma.test", "Charlie Becker", "Kundenservice", [])


@pytest.fixture
def cast(alice, bob, rita, ada, walter, charlie) -> dict[str, User]:
    return {
        "alice": alice,
        "bob": bob,
        "rita": rita,
        "ada": ada,
        "walter": walter,
        "charlie": charlie,
    }


@pytest.fixture(scope="session")
def tiny_chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight llama GGUF: the real llama.cpp runs it in milliseconds."""
    from assistants.gguf_models import write_chat_model

    return write_chat_model(tmp_path_factory.mktemp("models") / "tiny-chat.gguf")


@pytest.fixture(scope="session")
def tiny_embedding_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistants.gguf_models import write_embedding_model

    return write_embedding_model(tmp_path_factory.mktemp("models") / "tiny-embed.gguf")


@pytest.fixture(scope="session")
def tiny_whisper_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Whisper in CTranslate2's format: faster-whisper runs it in
    milliseconds and writes " lorem ipsum dolor" for each window of speech."""
    from assistants.speech.whisper_tiny import write_tiny_whisper

    return write_tiny_whisper(tmp_path_factory.mktemp("models") / "tiny-whisper")


@pytest.fixture(autouse=True)
def _speech_model_by_path(settings, tiny_whisper_model: Path, tmp_path_factory) -> None:
    # Never the real Whisper base (145 MB) unless a test asks for it by path, and never the
    # audio folder of a portal running from this checkout.
    settings.STT_MODEL_PATH = tiny_whisper_model
    settings.AUDIO_DIR = tmp_path_factory.getbasetemp() / "audio"


@pytest.fixture(autouse=True)
def _embedding_model_by_path(settings) -> None:
    # A test picks its embedding model with EMBEDDING_MODEL_PATH (a tiny generated GGUF, or
    # None: full text only); the real default model (e5) only where a test asks for it.
    settings.EMBEDDING_BACKEND = "gguf"


@pytest.fixture(autouse=True)
def _german_by_default() -> None:
    # A request activates its person's language for the thread (portal.middleware) and it
    # stays active after the response: a test that asked in English must not make the next
    # one's lazy labels English.
    from django.utils import translation

    translation.activate("de")


@pytest.fixture(autouse=True)
def _default_branding() -> None:
    # Pages read the branding from the cache; a test that changed it (and rolled back) must
    # not colour the next one, and query counts must not depend on a cold cache.
    from portal.branding import Look, remember

    remember(Look())


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    # PBKDF2 takes ~0.3 s per hash by design; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
