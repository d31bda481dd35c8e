"""Forms for multipliers and stakeholder groups."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.roles import Role
from rollout.models import Multiplier, Programme, StakeholderGroup, StakeholderStatus

_FOCUS_HELP = _("What you take care of, e.g. “Prompting for quotes, Excel evaluations”.")


class FocusForm(forms.Form):
    focus = forms.CharField(label=_("Focus"), max_length=300, required=False, help_text=_FOCUS_HELP)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name} ({obj.department})" if obj.department_id else obj.name


class MultiplierAddForm(FocusForm):
    """Confirm anyone, e.g. after an external training; confirmed multipliers are left out."""

    user = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    field_order = ["user", "focus"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        confirmed = Multiplier.objects.filter(user__groups__name=Role.MULTIPLIER).values("user_id")
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(pk__in=confirmed)
            .select_related("department")
            .order_by("name", "pk")
        )


class StakeholderGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=StakeholderGroup.Kind.choices)
    contact = PersonChoiceField(
        label=_("Contact person"),
        queryset=User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("name", "pk"),
        required=False,
    )
    involvement = forms.CharField(
        label=_("Involvement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("How the group takes part: decides, advises, tests, is informed."),
    )
    concerns = forms.CharField(
        label=_("Concerns"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What worries the group; leave empty when nothing is open."),
    )

    def __init__(
        self, *args, programme: Programme, group: StakeholderGroup | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programme, self.group = programme, group

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = StakeholderGroup.objects.filter(programme=self.programme, name__iexact=name)
        if self.group is not None:
            taken = taken.exclude(pk=self.group.pk)
        if taken.exists():
            raise forms.ValidationError(_("A group with this name exists already."))
        return name


class StakeholderStatusForm(forms.Form):
    level = forms.ChoiceField(label=_("Status"), choices=StakeholderStatus.Level.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
