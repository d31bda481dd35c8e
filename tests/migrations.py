"""Run the real migrations to a given state, for tests of data migrations.

Use `migrate_to` only in a test that asks for the `migrations_restored` fixture (tests/
conftest.py): a test left at an old state would hand the next transactional test on its
worker a schema without the newer columns, which failed depending on how tests were spread.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(target: list[tuple[str, str]]) -> Apps:
    """Migrate the test database to `target`; return the historical models of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def migrate_to_latest() -> None:
    """Migrate the test database forward to every app's newest migration."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
