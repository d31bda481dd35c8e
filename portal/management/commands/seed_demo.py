"""Load the demo programme: people, departments and every app's registered demo data."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal import registry


class Command(BaseCommand):
    help = "Load the demo programme (idempotent: a second run changes nothing)."

    def handle(self, *args, **options) -> None:
        for seeder in registry.demo_seeders:
            seeder(self.stdout.write)
