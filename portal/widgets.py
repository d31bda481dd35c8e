"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms


class PeopleSelectMultiple(forms.SelectMultiple):
    """A multiple select over people whose options carry department and e-mail address.

    static/js/multiselect.js searches them as the person types; without JavaScript it is a
    plain select. The queryset should `select_related("department")` (one query for all).
    """

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        person = getattr(value, "instance", None)
        if person is not None:
            department = person.department
            option["attrs"]["data-department"] = department.name if department else ""
            option["attrs"]["data-email"] = person.email
        return option
