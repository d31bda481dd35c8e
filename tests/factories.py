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
