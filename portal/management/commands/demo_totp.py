"""Print the current two-factor code of a demo account (demo secret only)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from portal.demo import CAST, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account whose role requires two-factor."

    def add_arguments(self, parser) -> None:
        parser.add_argument("login", help="demo login, e.g. ada or ada@hallberg.example")

    def handle(self, *args, **options) -> None:
        import time

        from allauth.mfa import app_settings
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        login = options["login"].split("@")[0]
        if login not in {m.local for m in CAST}:
            raise CommandError(
                f"{login!r} is not a demo login ({', '.join(m.local for m in CAST)})"
            )
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
