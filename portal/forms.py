"""Forms of the base."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Department, User
from portal.names import name_error, normalise_name, other_names
from portal.roles import Role


def clean_person_name(value: str, *, person: User | None = None) -> str:
    """Normalise a person's name; refuse mixed alphabets and look-alikes of other names."""
    name = normalise_name(value)
    if not name:
        raise forms.ValidationError(_("Please enter a name."))
    error = name_error(name, other_names(exclude_pk=person.pk if person else None))
    if error:
        raise forms.ValidationError(error)
    return name


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth adds email and passwords)."""

    name = forms.CharField(label=_("Full name"), max_length=150)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    field_order = ["name", "email", "department", "password1", "password2"]

    def clean_name(self) -> str:
        return clean_person_name(self.cleaned_data["name"])

    def clean(self) -> dict:
        from allauth.core import context

        from portal.adapters import signup_email_error

        cleaned = super().clean()
        email = cleaned.get("email")
        if email:
            error = signup_email_error(context.request, email)
            if error:
                self.add_error("email", error)
        return cleaned

    def signup(self, request, user: User) -> None:
        """Required by allauth; the account adapter already stored everything."""


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EMPLOYEE)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("This person already has an account."))
        return email


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(r.value, r.label) for r in Role if r != Role.EMPLOYEE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class BrandingForm(forms.Form):
    """The company's look (portal.branding); the checks live there, the words too."""

    company_name = forms.CharField(
        label=_("Company name"),
        max_length=80,
        required=False,
        help_text=_("Shown beside the logo, in mails and in downloads. At most 80 characters."),
    )
    accent = forms.CharField(
        label=_("Accent colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Header, buttons and links. White text must stay readable on it."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
        ),
        help_text=_(
            "PNG, JPEG, WebP or GIF, at most 2 MB; a wide logo on a transparent "
            "background looks best. It is stored on this server."
        ),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def clean_company_name(self) -> str:
        return normalise_name(self.cleaned_data["company_name"])

    def clean_accent(self) -> str:
        from portal.branding import BrandingError, accent_clean

        try:
            return accent_clean(self.cleaned_data["accent"])
        except BrandingError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_logo(self) -> bytes | None:
        from portal.branding import LOGO_MAX_BYTES, BrandingError, logo_clean

        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo may be at most 2 MB."))
        try:
            return logo_clean(upload.read())
        except BrandingError as error:
            raise forms.ValidationError(str(error)) from error
