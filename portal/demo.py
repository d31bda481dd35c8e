"""Demo people: a German SME with ~200 employees in six departments and the fixed cast.

Idempotent: people are keyed by email address; running it again changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from portal.models import Department, User
from portal.roles import Role

DEMO_DOMAIN = "hallberg.example"
DEMO_PASSWORD = "Demo-Passwort-2026"  # noqa: S105 - printed on purpose, demo data only
# Base32 secret of the demo accounts whose role requires two-factor (admin, reviewer);
# `manage.py demo_totp EMAIL` prints the current code.
DEMO_TOTP_SECRET = "KIPORTALDEMOZWEIFAKTORGEHEIMNIS2"  # noqa: S105
EMPLOYEE_COUNT = 200

DEPARTMENTS = [
    ("Geschäftsführung & Verwaltung", "GF"),
    ("Vertrieb", "VT"),
    ("Konstruktion & Entwicklung", "KE"),
    ("Produktion & Logistik", "PL"),
    ("Kundenservice", "KS"),
    ("IT & Organisation", "IT"),
]


@dataclass(frozen=True)
class CastMember:
    local: str
    name: str
    department: str
    roles: tuple[Role, ...]
    about: str

    @property
    def email(self) -> str:
        return f"{self.local}@{DEMO_DOMAIN}"


CAST = [
    CastMember("alice", "Alice Schneider", "VT", (), "employee"),
    CastMember("bob", "Bob Wagner", "KE", (Role.MULTIPLIER,), "multiplier"),
    CastMember("rita", "Rita Hoffmann", "IT", (Role.REVIEWER,), "reviewer"),
    CastMember("ada", "Ada Neumann", "GF", (Role.PROGRAMME_ADMIN,), "programme admin"),
    CastMember("walter", "Walter Fischer", "PL", (Role.WORKS_COUNCIL,), "works council"),
    CastMember("charlie", "Charlie Becker", "KS", (), "employee, other department"),
]

_FIRST = [
    "Anna",
    "Jonas",
    "Lena",
    "Lukas",
    "Marie",
    "Felix",
    "Sophie",
    "Paul",
    "Laura",
    "Max",
    "Julia",
    "Tim",
    "Sarah",
    "Jan",
    "Katharina",
    "Niklas",
    "Hannah",
    "Tobias",
    "Lea",
    "Florian",
    "Johanna",
    "Sebastian",
    "Miriam",
    "Stefan",
    "Sabine",
    "Jürgen",
    "Petra",
    "Andreas",
    "Claudia",
    "Michael",
    "Özlem",
    "Mehmet",
    "Elif",
    "Piotr",
    "Ewa",
    "Dragan",
]
_LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Yilmaz",
    "Kowalski",
]

# How many of the generated employees hold each extra role (the cast comes on top).
_EXTRA_ROLES = {
    Role.MULTIPLIER: 14,
    Role.REVIEWER: 3,
    Role.PROGRAMME_ADMIN: 1,
    Role.WORKS_COUNCIL: 2,
}


def _ascii(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ö": "Oe", "Ü": "Ue"})
    return text.translate(table).lower()


def _generated_people() -> list[tuple[str, str, str]]:
    """Return (email, name, department short name) for the employees beyond the cast."""
    rng = random.Random(2026)  # noqa: S311 - demo names, not secrets
    shorts = [short for _name, short in DEPARTMENTS]
    weights = [8, 30, 35, 70, 30, 20]  # production is the largest department
    people, seen = [], {m.email for m in CAST}
    while len(people) < EMPLOYEE_COUNT - len(CAST):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        email = f"{_ascii(first)}.{_ascii(last)}@{DEMO_DOMAIN}"
        if email in seen:
            email = f"{_ascii(first)}.{_ascii(last)}{len(people)}@{DEMO_DOMAIN}"
        seen.add(email)
        people.append((email, f"{first} {last}", rng.choices(shorts, weights)[0]))
    return people


@transaction.atomic
def seed_people(write: Callable[[str], None]) -> None:
    departments = {}
    for name, short in DEPARTMENTS:
        departments[short], _ = Department.objects.get_or_create(
            name=name, defaults={"short_name": short}
        )

    existing = set(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("email", flat=True)
    )
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: 200 hashes would take a minute
    new_users = [
        User(
            email=m.email, name=m.name, department=departments[m.department], password=password_hash
        )
        for m in CAST
        if m.email not in existing
    ]
    new_users += [
        User(email=email, name=name, department=departments[short], password=make_password(None))
        for email, name, short in _generated_people()
        if email not in existing
    ]
    User.objects.bulk_create(new_users)
    if not new_users:
        write("Demo people already present.")
        return

    created = {u.email for u in new_users}
    users = {u.email: u for u in User.objects.filter(email__in=created)}
    groups = {g.name: g for g in Group.objects.all()}
    memberships = []
    for user in users.values():
        memberships.append((user, Role.EMPLOYEE))
    for member in CAST:
        if member.email in users:
            memberships += [(users[member.email], role) for role in member.roles]
    generated = [users[email] for email, _n, _d in _generated_people() if email in users]
    start = 0
    for role, count in _EXTRA_ROLES.items():
        memberships += [(user, role) for user in generated[start : start + count]]
        start += count
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=user.pk, group_id=groups[str(role)].pk) for user, role in memberships]
    )
    admins = [user.pk for user, role in memberships if role == Role.PROGRAMME_ADMIN]
    User.objects.filter(pk__in=admins).update(is_staff=True)
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[m.email], email=m.email, verified=True, primary=True)
            for m in CAST
            if m.email in users
        ]
    )
    _activate_demo_totp([users[m.email] for m in CAST if m.email in users])
    write(f"Demo people: {len(new_users)} created in {len(departments)} departments.")


def _activate_demo_totp(users: list[User]) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    for user in users:
        user.__dict__.pop("roles", None)
        if user.needs_two_factor:
            TOTP.activate(user, DEMO_TOTP_SECRET)
