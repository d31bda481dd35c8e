"""Composing an issue (programme admins): the form, live preview, suggested sections."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from newsletter import views_model_draft as model_draft_views
from newsletter.forms import MAX_BODY, MAX_SUBJECT, IssueForm
from newsletter.models import Issue
from newsletter.services import issues as service
from newsletter.services.message import build_message
from newsletter.services.suggestions import suggested_sections, suggestions_since
from newsletter.services.tokens import unsubscribe_token
from portal.http import AuthenticatedHttpRequest
from portal.roles import Role, role_required

ADMINS = (Role.PROGRAMME_ADMIN,)
MULTI = ("roles", "departments")


@role_required(*ADMINS)
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    issues = Issue.objects.select_related("created_by").order_by("-created_at", "-pk")
    return render(request, "newsletter/manage.html", {"issues": issues})


def unbound_form(data: QueryDict, **override: str) -> IssueForm:
    """Return the form showing what was typed, without error messages (not yet saved)."""
    initial = {name: data.getlist(name) if name in MULTI else data.get(name, "") for name in data}
    return IssueForm(initial={**initial, **override})


def body_with(data: QueryDict, text: str) -> str:
    """The typed German text with `text` (suggestions, the model's draft) appended."""
    body = data.get("body_de", "").rstrip()
    return f"{body}\n\n{text}" if body and text else body or text


def _compose(request: AuthenticatedHttpRequest, issue: Issue | None) -> HttpResponse:
    action = request.POST.get("action", "save")
    initial = IssueForm.initial_from(issue) if issue else {}
    form = IssueForm(request.POST or None, initial=initial)
    preview, draft = None, {}
    if request.method == "POST" and action.startswith("model_draft"):
        # Without JavaScript: the model-draft panel's buttons post the whole form.
        draft, body = _model_draft_step(request, action)
        form = unbound_form(request.POST, body_de=body)
    elif request.method == "POST" and action == "suggest":
        # Without JavaScript the button posts the whole form; nothing is saved yet.
        form = unbound_form(request.POST, body_de=body_with(request.POST, suggested_sections()))
    elif request.method == "POST" and action == "preview":
        preview = _preview_context(request)
        form = unbound_form(request.POST)
    elif request.method == "POST" and form.is_valid():
        try:
            if issue is None:
                issue = service.issue_create(by=request.user, **form.cleaned_data)
            else:
                issue = service.issue_update(issue=issue, by=request.user, **form.cleaned_data)
        except service.IssueError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Issue saved."))
            return redirect("newsletter:issue-send", issue.pk)
    return render(
        request,
        "newsletter/compose.html",
        {
            "form": form,
            "issue": issue,
            "preview": preview,
            "since": suggestions_since(),
            **draft,
        },
    )


def _model_draft_step(request: AuthenticatedHttpRequest, action: str) -> tuple[dict, str]:
    """Start, look at or adopt the model's draft; return (panel context, German body)."""
    body = request.POST.get("body_de", "")
    if action == "model_draft":
        return model_draft_views.draft_start(request), body
    draft = model_draft_views.draft_context(request, request.POST.get("model_job"))
    if action == "model_draft_adopt":
        body = body_with(request.POST, draft["model_text"])
    return draft, body


@role_required(*ADMINS)
def issue_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _compose(request, None)


@role_required(*ADMINS)
def issue_edit(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=issue_id)
    if issue.status not in service.EDITABLE:
        return redirect("newsletter:issue-status", issue.pk)
    return _compose(request, issue)


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="[^"]*"')  # our own markup: values are escaped


def _email_html(issue: Issue, request: AuthenticatedHttpRequest, language: str) -> str:
    user = request.user
    token = unsubscribe_token(user)
    message = build_message(
        issue,
        email=user.email or "preview@localhost",
        language=language,
        unsubscribe_url=f"{settings.SITE_URL}{reverse('newsletter:unsubscribe', args=[token])}",
        preferences_url=f"{settings.SITE_URL}{reverse('newsletter:preferences')}",
    )
    html, _mimetype = message.alternatives[0]
    # The page's CSP (no 'unsafe-inline') would block the mail's inlined styles in the srcdoc
    # frame and log an error for each; the preview shows text and structure without them.
    return _STYLE_ATTRIBUTE.sub("", html)


def _preview_context(request: AuthenticatedHttpRequest) -> dict:
    """Render the typed, unsaved issue as its recipients will see the HTML mail."""
    data = request.POST
    # Cut to the limits so a pasted novel cannot make the preview expensive; saving says why.
    issue = Issue(
        subject_de=data.get("subject_de", "").strip()[:MAX_SUBJECT],
        body_de=data.get("body_de", "")[:MAX_BODY],
        subject_en=data.get("subject_en", "").strip()[:MAX_SUBJECT],
        body_en=data.get("body_en", "")[:MAX_BODY],
    )
    versions = []
    if issue.subject_de or issue.body_de.strip():
        versions.append((_("German"), _email_html(issue, request, "de")))
    if issue.body_en.strip():
        versions.append((_("English"), _email_html(issue, request, "en")))
    return {"versions": versions}


@require_POST
@role_required(*ADMINS)
def preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return the preview fragment for the form's current fields (htmx)."""
    return render(request, "newsletter/_preview.html", {"preview": _preview_context(request)})


@require_POST
@role_required(*ADMINS)
def suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return the German text field with the suggested sections appended (htmx)."""
    form = unbound_form(request.POST, body_de=body_with(request.POST, suggested_sections()))
    return render(request, "newsletter/_body_field.html", {"field": form["body_de"]})
