"""Hooks into django-allauth: who may sign up, and what happens when they do."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal.models import Invitation, User
from portal.names import normalise_name
from portal.services import user_signup_complete

INVITATION_SESSION_KEY = "portal.invitation"


def invitation_from_session(request: HttpRequest) -> Invitation | None:
    token = request.session.get(INVITATION_SESSION_KEY)
    if not token:
        return None
    invitation = Invitation.objects.filter(token=token).first()
    return invitation if invitation is not None and invitation.is_open() else None


def email_domain_allowed(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in settings.SIGNUP_DOMAINS


def signup_email_error(request: HttpRequest, email: str) -> str | None:
    """Return why `email` may not sign up, or None: allowed domain or a matching invitation.

    Checked on the sign-up form only: password reset and email changes of existing
    accounts are not limited by PORTAL_SIGNUP_DOMAINS.
    """
    email = email.strip().lower()
    invitation = invitation_from_session(request)
    if invitation is not None and invitation.email == email:
        return None
    if email_domain_allowed(email):
        return None
    if invitation is not None:
        return _("This invitation is for %(email)s.") % {"email": invitation.email}
    return _(
        "Sign-up is open for addresses at %(domains)s. Ask the programme team for an invitation."
    ) % {"domains": ", ".join(settings.SIGNUP_DOMAINS) or "—"}


def company_email_domains(user: User | None) -> set[str]:
    """The domains a person's own address may be at: PORTAL_SIGNUP_DOMAINS, or where none
    are set (invitations only, single sign-on), the domain of their current address."""
    if settings.SIGNUP_DOMAINS:
        return set(settings.SIGNUP_DOMAINS)
    if user is not None and user.email:
        return {user.email.rsplit("@", 1)[-1].lower()}
    return set()


def own_email_error(user: User, email: str) -> str | None:
    """Why `user` may not add `email` or make it primary themselves, or None.

    Portal mails go to the primary address; one outside the company would carry answers,
    protocols and reminders out of it. The programme team can still set any address in
    the admin (an external expert's, say).
    """
    domains = company_email_domains(user)
    if not domains or email.rsplit("@", 1)[-1].lower() in domains:
        return None
    return _(
        "Only addresses at %(domains)s can be added here. The programme team can set another "
        "address for you."
    ) % {"domains": ", ".join(sorted(domains))}


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # A signed-in person adding or changing an address; sign-up has its own rule.
        request = getattr(self, "request", None)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            error = own_email_error(user, email)
            if error:
                raise forms.ValidationError(error)
        return email

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.SIGNUP_DOMAINS) or invitation_from_session(request) is not None

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "")
        user.department = form.cleaned_data.get("department")
        invitation = invitation_from_session(request)
        request.session.pop(INVITATION_SESSION_KEY, None)
        return user_signup_complete(user=user, invitation=invitation)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on: the company's identity provider vouches for the person."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return True

    def save_user(self, request: HttpRequest, sociallogin, form=None) -> User:
        user = sociallogin.user
        extra = sociallogin.account.extra_data or {}
        # the identity provider's name is trusted (flagged on the people page, not refused)
        user.name = normalise_name(extra.get("name") or "")[:150] or user.email.split("@")[0]
        user = super().save_user(request, sociallogin, form)
        return user_signup_complete(user=user, invitation=None)
