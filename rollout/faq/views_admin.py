"""FAQ management for the FAQ team: entries, categories, reviews, the stale list."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import role_required
from rollout.faq import services as service
from rollout.faq.forms import CategoryForm, EntryEditForm, EntryForm
from rollout.faq.services import FaqError
from rollout.faq.views import FAQ_TEAM
from rollout.models import FaqCategory, FaqEntry

PER_PAGE = 50
TEXTS = ("question_de", "answer_de", "question_en", "answer_en")


def stale_before() -> date:
    """Return the day before which an entry's review is stale (FAQ_STALE_DAYS ago)."""
    return timezone.localdate() - timedelta(days=settings.FAQ_STALE_DAYS)


def _entries():
    return FaqEntry.objects.select_related("category", "reviewed_by")


@role_required(*FAQ_TEAM)
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    show = request.GET.get("zeige", "")
    entries = _entries().order_by("category__order", "category__name_de", "question_de")
    if show == "unveroeffentlicht":
        entries = entries.filter(published=False)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rollout/faq/manage.html",
        {
            "page": page,
            "show": show,
            "stale_count": FaqEntry.objects.filter(reviewed_on__lt=stale_before()).count(),
            "stale_before": stale_before(),
        },
    )


@role_required(*FAQ_TEAM)
def stale(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return entries not reviewed for FAQ_STALE_DAYS, the longest unreviewed first."""
    entries = _entries().filter(reviewed_on__lt=stale_before()).order_by("reviewed_on", "pk")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rollout/faq/stale.html",
        {"page": page, "days": settings.FAQ_STALE_DAYS, "stale_before": stale_before()},
    )


def _entry_form_page(
    request: AuthenticatedHttpRequest, form, entry: FaqEntry | None
) -> HttpResponse:
    return render(request, "rollout/faq/entry_form.html", {"form": form, "entry": entry})


@role_required(*FAQ_TEAM)
def entry_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = service.faq_entry_create(by=request.user, **form.cleaned_data)
        except FaqError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("FAQ entry created."))
            return redirect("rollout:faq-entry", entry.pk)
    return _entry_form_page(request, form, None)


@role_required(*FAQ_TEAM)
def entry_edit(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(_entries(), pk=entry_id)
    initial = {"category": entry.category_id, **{name: getattr(entry, name) for name in TEXTS}}
    form = EntryEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.faq_entry_update(entry=entry, by=request.user, **form.cleaned_data)
        except FaqError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("FAQ entry saved."))
            return redirect("rollout:faq-entry", entry.pk)
    return _entry_form_page(request, form, entry)


def _back(request: AuthenticatedHttpRequest, entry: FaqEntry) -> HttpResponse:
    # Back to the stale list when the button was pressed there.
    if request.POST.get("next") == "stale":
        return redirect("rollout:faq-stale")
    return redirect("rollout:faq-entry", entry.pk)


@require_POST
@role_required(*FAQ_TEAM)
def entry_reviewed(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(FaqEntry, pk=entry_id)
    service.faq_entry_mark_reviewed(entry=entry, by=request.user)
    messages.success(request, _("Marked as reviewed today."))
    return _back(request, entry)


@require_POST
@role_required(*FAQ_TEAM)
def entry_published(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(FaqEntry, pk=entry_id)
    choice = request.POST.get("published")
    if choice not in ("yes", "no"):
        messages.error(request, _("Please choose whether to publish."))
        return _back(request, entry)
    service.faq_entry_set_published(entry=entry, published=choice == "yes", by=request.user)
    if choice == "yes":
        messages.success(request, _("The entry is published."))
    else:
        messages.success(request, _("The entry is unpublished: only the FAQ team sees it."))
    return _back(request, entry)


@role_required(*FAQ_TEAM)
def categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the categories; POST adds one."""
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.faq_category_create(by=request.user, **form.cleaned_data)
        except FaqError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Category added."))
            return redirect("rollout:faq-categories")
    listed = FaqCategory.objects.annotate(n=Count("entries"))
    return render(request, "rollout/faq/categories.html", {"form": form, "categories": listed})


@role_required(*FAQ_TEAM)
def category_edit(request: AuthenticatedHttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(FaqCategory, pk=category_id)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            service.faq_category_update(category=category, by=request.user, **form.cleaned_data)
        except FaqError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Category saved."))
            return redirect("rollout:faq-categories")
    return render(request, "rollout/faq/category_form.html", {"form": form, "category": category})
