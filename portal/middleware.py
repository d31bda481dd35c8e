"""Cross-cutting request handling of the base."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]


def is_loopback(host: str) -> bool:
    """Whether `host` (an address or "localhost", IPv6 with or without brackets) is local."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackOnlyMiddleware:
    """With debug mode's built-in secret key, answer only clients on this machine.

    Anyone who reads this repository knows that key and could forge a session cookie; the
    key is only tolerable where nobody else can connect. Set PORTAL_SECRET_KEY to serve the
    network (runstack refuses to listen beyond loopback without it, too).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG_SECRET_KEY and not is_loopback(request.META.get("REMOTE_ADDR", "")):
            return HttpResponseForbidden(
                DEBUG_KEY_MESSAGE, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


# For operators, in English like the other start-up messages.
DEBUG_KEY_MESSAGE = (
    "This portal runs in debug mode with the built-in secret key, so it answers only on this "
    "machine. Set PORTAL_SECRET_KEY to a long random string to serve other computers.\n"
)


class LanguageMiddleware:
    """Pick the language: the person's preference, else the language cookie, else German.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored on purpose:
    the portal is German first, and English is a choice a person makes.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = settings.LANGUAGE_CODE
        if user is not None and user.is_authenticated:
            language = user.preferred_language
        else:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            if cookie in self.supported:
                language = cookie
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


# Paths a person who still has to set up two-factor may use.
_MFA_SETUP_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/datenschutz/")


class RequireTwoFactorMiddleware:
    """Send people whose role demands two-factor to its set-up until they have it.

    allauth offers TOTP but does not make it mandatory; PORTAL_MFA_REQUIRED_ROLES does.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.needs_two_factor
            and not request.path.startswith(_MFA_SETUP_PREFIXES)
            and not _has_totp(user)
        ):
            messages.warning(
                request, _("Your role requires two-factor authentication. Please set it up now.")
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class PrivateCacheMiddleware:
    """Keep pages with personal content out of every cache (browser, proxy, back button)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            patch_cache_control(response, no_store=True, private=True)
        return response
