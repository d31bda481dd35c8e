"""factory_boy factories for the base."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from portal.models import Department, User
from portal.roles import Role
from portal.services import user_roles_set


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Abteilung {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified email; `roles=[...]` adds roles on top of employee."""

    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@firma.test")
    name = factory.Faker("name", locale="de_DE")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.django.Password("Test-Passwort-123")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs) -> None:
        if create:
            user_roles_set(user=self, roles=extracted or [], by=None)
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


def protocol_for(owner: User, *, title: str = "Jour fixe Vertrieb", data: dict | None = None):
    """A finished job with its stored protocol (no generation: for access and page tests)."""
    from datetime import date

    from django.utils import timezone

    from assistants.models import GenerationJob, Protocol, ProtocolTemplate

    template = ProtocolTemplate.objects.get(key="ergebnisprotokoll", is_current=True)
    now = timezone.now()
    job = GenerationJob.objects.create(
        owner=owner,
        status=GenerationJob.Status.DONE,
        template=template,
        input_text="Anna: Wir beschließen den Pilot im Vertrieb.",
        params={"title": title, "meeting_date": "2026-11-20", "participants": ["Anna"]},
        started_at=now,
        first_token_at=now,
        finished_at=now,
        completion_tokens=10,
        prompt_tokens=50,
        attempts=1,
        model_name="tiny.gguf",
    )
    protocol = Protocol.objects.create(
        job=job,
        owner=owner,
        title=title,
        meeting_date=date(2026, 11, 20),
        template=template,
        output_language="de",
        schema_version=1,
        model_name="tiny.gguf",
        data=data
        or {
            "summary": "Pilot beschlossen.",
            "participants": ["Anna"],
            "agenda_items": [],
            "decisions": [
                {
                    "text": "Pilot im Vertrieb",
                    "source_quote": "Wir beschließen den Pilot",
                    "verified": True,
                }
            ],
            "action_items": [],
            "open_questions": [],
            "notes": [],
        },
    )
    return job, protocol


REPORT_FACTS = "Stand: 01.12.2026\n\nUse Cases:\n- Eingereicht: 26, davon freigegeben: 9"


def report_for(owner: User, *, title: str = "Statusbericht Dezember 2026", approved_by=None):
    """A finished report job with its stored status report (no generation)."""
    from datetime import date

    from django.utils import timezone

    from assistants.models import GenerationJob, StatusReport

    now = timezone.now()
    job = GenerationJob.objects.create(
        kind="report",
        owner=owner,
        status=GenerationJob.Status.DONE,
        input_text=REPORT_FACTS,
        params={"title": title, "meeting_date": "2026-12-01"},
        started_at=now,
        finished_at=now,
        attempts=1,
        model_name="tiny.gguf",
    )
    report = StatusReport.objects.create(
        job=job,
        owner=owner,
        title=title,
        report_date=date(2026, 12, 1),
        output_language="de",
        facts=REPORT_FACTS,
        model_name="tiny.gguf",
        data={
            "summary": "26 Use Cases sind eingereicht, 9 davon freigegeben.",
            "sections": [{"title": "Use Cases", "text": "Die Teams reichen weiter ein."}],
            "risks": ["Wenige Freigaben im Vertrieb"],
            "next_steps": ["Prüfrunde im Januar"],
            "notes": [],
        },
        status="approved" if approved_by else "draft",
        approved_by=approved_by,
        approved_at=now if approved_by else None,
    )
    return job, report
