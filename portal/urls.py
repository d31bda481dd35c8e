"""Root URLs. Apps are included by dotted string, so the base imports none of them."""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import views

# The Django admin sits behind the allauth login, so two-factor and rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "KI-Portal"

handler500 = "portal.views.server_error"

portal_patterns = [
    path("", views.home, name="home"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("zu-erledigen/", views.inbox, name="inbox"),
    path("zu-erledigen/anzahl/", views.inbox_count_badge, name="inbox-count"),
    path("zu-erledigen/mail/", views.inbox_digest_set, name="inbox-digest"),
    path("sprache/", views.language_set, name="language-set"),
    path("audit/", views.audit_log, name="audit-log"),
    path("personen/", views.people, name="people"),
    path("personen/<int:user_id>/rollen/", views.person_roles, name="person-roles"),
    path("einladungen/", views.invitations, name="invitations"),
    path("erscheinungsbild/", views.branding, name="branding"),
    path("marke/logo-<str:digest>.png", views.brand_logo, name="brand-logo"),
    path("marke/farbe-<str:colour>.css", views.brand_theme, name="brand-theme"),
    path("einladung/<str:token>/", views.invitation_accept, name="invitation-accept"),
]

urlpatterns = [
    path("favicon.ico", views.favicon),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz-live"),
    path("", include((portal_patterns, "portal"))),
    # Before allauth's page of the same name: see the view.
    path("accounts/email/", views.account_email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("rollout.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("assistenten/", include("assistants.urls")),
]
