"""Pages of the base: home, privacy, health, language, people, invitations, audit log."""

from __future__ import annotations

import sys

from allauth.account.models import EmailAddress
from allauth.account.views import email as allauth_email
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.utils import InterfaceError, OperationalError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal import names, registry, selectors
from portal.adapters import INVITATION_SESSION_KEY, own_email_error
from portal.forms import InvitationForm, RolesForm
from portal.health import health_report
from portal.http import AuthenticatedHttpRequest, HtmxHttpRequest
from portal.models import Department, Invitation, User
from portal.roles import OVERSIGHT, Role, role_required
from portal.services import invitation_create, user_language_set, user_roles_set


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    cards = [card for provider in registry.home_card_providers for card in provider(request)]
    cards.sort(key=lambda card: card.order)
    return render(request, "portal/home.html", {"cards": cards})


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What waits for this person: reviews, returned work, questions to answer."""
    from portal.inbox import grouped, inbox_count_forget, inbox_items

    items = inbox_items(request.user)
    inbox_count_forget(request.user)  # the header below counts afresh
    return render(request, "portal/inbox.html", {"groups": grouped(items), "total": len(items)})


@login_required
@require_POST
def inbox_digest_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Switch the person's daily to-do mail on or off."""
    wanted = request.POST.get("digest") == "on"
    if request.user.inbox_digest != wanted:
        request.user.inbox_digest = wanted
        request.user.save(update_fields=["inbox_digest"])
    messages.success(
        request,
        _("You get the daily to-do mail again.")
        if wanted
        else _("You no longer get the daily to-do mail. This page always shows what waits."),
    )
    return redirect("portal:inbox")


@login_required
def inbox_count_badge(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The header's count, fetched after the page (cached per person for a short while)."""
    from portal.inbox import inbox_count

    return render(request, "portal/_inbox_count.html", {"count": inbox_count(request.user)})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html", selectors.privacy_facts())


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def healthz_live(request: HttpRequest) -> HttpResponse:
    """Answer as long as the web process runs (container liveness, no dependencies)."""
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def language_set(request: HtmxHttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("This language is not available."))
        return HttpResponseRedirect(next_url)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=not settings.DEBUG,
        httponly=True,
    )
    return response


@role_required(*OVERSIGHT)
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    action = request.GET.get("action", "").replace("\x00", "")  # PostgreSQL refuses NUL
    entries = selectors.audit_entries(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/audit_log.html",
        {
            "page": page,
            "action": action,
            "actions": selectors.audit_actions(),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
def people(request: AuthenticatedHttpRequest) -> HttpResponse:
    department = request.GET.get("department", "")
    # PostgreSQL refuses NUL in text: a typed or crafted one must not become a 500.
    role = request.GET.get("role", "").replace("\x00", "")
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    users = selectors.people(department_id=department, role=role, query=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    # look-alike names are found against everyone, not only the people on this page
    flagged = names.flagged_names(list(User.objects.values_list("name", flat=True)))
    for person in page:
        person.name_flags = flagged.get(person.name, [])
    context = {
        "page": page,
        "departments": Department.objects.all(),
        "roles": Role.choices,
        "department": department,
        "role": role,
        "q": query,
    }
    if request.htmx:
        return render(request, "portal/people.html#people-table", context)
    return render(request, "portal/people.html", context)


@role_required(Role.PROGRAMME_ADMIN)
def person_roles(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, is_active=True)
    form = RolesForm(request.POST or None, initial={"roles": sorted(person.roles)})
    if request.method == "POST" and form.is_valid():
        if person == request.user and Role.PROGRAMME_ADMIN not in form.cleaned_data["roles"]:
            form.add_error("roles", _("You cannot take the programme admin role from yourself."))
        else:
            user_roles_set(
                user=person, roles=[Role(r) for r in form.cleaned_data["roles"]], by=request.user
            )
            messages.success(request, _("Roles of %(name)s saved.") % {"name": person.name})
            return redirect("portal:people")
    return render(request, "portal/person_roles.html", {"person": person, "form": form})


@role_required(Role.PROGRAMME_ADMIN)
def invitations(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation_create(
            email=form.cleaned_data["email"],
            role=Role(form.cleaned_data["role"]),
            department=form.cleaned_data["department"],
            by=request.user,
        )
        messages.success(
            request,
            _("Invitation to %(email)s is on its way.") % {"email": form.cleaned_data["email"]},
        )
        return redirect("portal:invitations")
    recent = Invitation.objects.select_related("department", "invited_by")[:100]
    return render(request, "portal/invitations.html", {"form": form, "invitations": recent})


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    # PostgreSQL refuses NUL in text; no real token has one.
    invitation = None if "\x00" in token else Invitation.objects.filter(token=token).first()
    if invitation is None or not invitation.is_open():
        return render(request, "portal/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in."))
        return redirect("portal:home")
    request.session[INVITATION_SESSION_KEY] = invitation.token
    return HttpResponseRedirect(reverse("account_signup"))


def favicon(request: HttpRequest) -> HttpResponse:
    """Point browsers that ask for /favicon.ico at the icon (resolved per request)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer 503 while the database is unreachable, 500 otherwise; never touch the database."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, OperationalError | InterfaceError)
    template = "503.html" if unavailable else "500.html"
    response = HttpResponse(render_to_string(template), status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = "30"
    return response


def account_email(request: HttpRequest) -> HttpResponse:
    """allauth's address page, but an address outside the company never becomes primary by
    the person's own click (portal.adapters.own_email_error): mails would leave with it."""
    if (
        request.method == "POST"
        and "action_primary" in request.POST
        and request.user.is_authenticated
    ):
        address = EmailAddress.objects.filter(
            user=request.user, email__iexact=request.POST.get("email", "")
        ).first()
        error = own_email_error(request.user, address.email) if address else None
        if error:
            messages.error(request, error)
            return redirect("account_email")
    return allauth_email(request)


@role_required(Role.PROGRAMME_ADMIN)
def branding(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The company's name, logo and accent colour on pages, mails and downloads."""
    from portal import branding as look
    from portal.forms import BrandingForm

    current = look.current()
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            look.branding_set(
                actor=request.user,
                company_name=data["company_name"],
                accent=data["accent"],
                logo=data["logo"],
                remove_logo=data["remove_logo"],
            )
            messages.success(request, _("The branding is saved. Every page shows it now."))
            return redirect("portal:branding")
    else:
        form = BrandingForm(
            initial={"company_name": current.company_name, "accent": current.accent}
        )
    return render(request, "portal/branding.html", {"form": form, "current": current})


# The logo and the colour sheet are public (the sign-in page shows them) and immutable: the
# URL names the content (a hash of the logo, the colour itself).
_FOR_GOOD = "public, max-age=31536000, immutable"


@require_GET
def brand_logo(request: HttpRequest, digest: str) -> HttpResponse:
    from portal import branding as look

    if not digest or not look.current().logo_sha256.startswith(digest):
        return HttpResponse(status=404)
    data = look.logo_bytes()
    if data is None:
        return HttpResponse(status=404)
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = _FOR_GOOD
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def brand_theme(request: HttpRequest, colour: str) -> HttpResponse:
    """`--brand` for portal.css: a colour that passed the contrast check, or 404."""
    from portal import branding as look

    accent = f"#{colour}"
    if look.current().accent != accent:
        return HttpResponse(status=404)
    response = HttpResponse(f":root {{ --brand: {accent}; }}\n", content_type="text/css")
    response["Cache-Control"] = _FOR_GOOD
    return response
