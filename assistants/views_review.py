"""Review of protocols, exports of approved ones, and "my action items"."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assistants.models import ActionItem, Protocol
from assistants.services import review
from assistants.services.action_items import action_item_done, suggest_owner
from assistants.views import _get_protocol_for_user
from portal.http import AuthenticatedHttpRequest
from portal.models import User

SECTIONS = set(review.REVIEWED_SECTIONS)


class DirectoryPersonField(forms.ModelChoiceField):
    """Active people by name; department and address tell namesakes apart."""

    def label_from_instance(self, person: User) -> str:
        department = f", {person.department}" if person.department_id else ""
        return f"{person.name} ({person.email}{department})"


class ItemForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Decision"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    task = forms.CharField(
        label=gettext_lazy("Task"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = forms.CharField(
        label=gettext_lazy("Owner as written"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Shown in the protocol."),
    )
    person = DirectoryPersonField(
        label=gettext_lazy("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("nobody (no reminders)"),
        help_text=gettext_lazy(
            "The person in the portal who gets the task, its reminders and its mail. "
            "Picked here, never matched by name."
        ),
    )
    due_date = forms.CharField(
        label=gettext_lazy("Due"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("YYYY-MM-DD or DD.MM.YYYY"),
    )


DEMO_APPROVED = gettext_lazy(
    "It was written by the random-weight demo model: its content is meaningless, and its "
    "exports and mails are marked as a sample."
)


def _back(protocol: Protocol) -> HttpResponse:
    return redirect("assistants:protocol-detail", protocol.pk)


def _run(
    request: AuthenticatedHttpRequest, protocol: Protocol, step, success: str, **kwargs
) -> HttpResponse:
    try:
        step(protocol=protocol, by=request.user, **kwargs)
    except review.ReviewError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, success)
    return _back(protocol)


@login_required
def item_edit(
    request: AuthenticatedHttpRequest, protocol_id: int, section: str, index: int
) -> HttpResponse:
    protocol = _get_protocol_for_user(request, protocol_id)
    if section not in SECTIONS or index >= len(protocol.data.get(section, [])):
        raise Http404
    if not review.can_edit(protocol, request.user):
        raise PermissionDenied
    fields = review.EDITABLE_FIELDS[section]
    item = protocol.data[section][index]
    initial = {f: item.get(f) or "" for f in fields}
    suggested = None
    if section == "action_items":
        fields = (*fields, "person")
        initial["person"] = item.get("owner_id")
        if "owner_id" not in item and request.method != "POST":  # never picked yet
            suggested = suggest_owner(item.get("owner", ""), protocol.data.get("participants", []))
            initial["person"] = suggested.pk if suggested else None
    form = ItemForm(request.POST or None, initial=initial)
    for name in set(ItemForm.base_fields) - set(fields):
        del form.fields[name]
    if "person" in form.fields:
        people = User.objects.filter(is_active=True).select_related("department")
        form.fields["person"].queryset = people.order_by("name", "email")
        if suggested:
            form.fields["person"].help_text = _(
                "Suggested from the name in the protocol: check that it is the right person."
            )
    if request.method == "POST" and form.is_valid():
        try:
            review.protocol_item_edit(
                protocol=protocol,
                section=section,
                index=index,
                values=form.cleaned_data,
                by=request.user,
            )
        except review.ReviewError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Item saved."))
            return _back(protocol)
    return render(request, "assistants/item_edit.html", {"protocol": protocol, "form": form})


@require_POST
@login_required
def item_decide(
    request: AuthenticatedHttpRequest, protocol_id: int, section: str, index: int, decision: str
) -> HttpResponse:
    protocol = _get_protocol_for_user(request, protocol_id)
    if section not in SECTIONS or decision not in ("accept", "reject"):
        raise Http404
    try:
        review.protocol_item_decide(
            protocol=protocol,
            section=section,
            index=index,
            accept=decision == "accept",
            by=request.user,
        )
    except review.ReviewError as e:
        messages.error(request, str(e))
    return _back(protocol)


@require_POST
@login_required
def protocol_step(request: AuthenticatedHttpRequest, protocol_id: int, step: str) -> HttpResponse:
    protocol = _get_protocol_for_user(request, protocol_id)
    if step == "submit":
        return _run(request, protocol, review.protocol_submit, _("Submitted for review."))
    if step == "approve":
        approved = _("Protocol approved.")
        if protocol.from_demo_model:
            approved = f"{approved} {DEMO_APPROVED}"
        return _run(request, protocol, review.protocol_approve, approved)
    if step == "return":
        return _run(
            request,
            protocol,
            review.protocol_return,
            _("Returned to the owner."),
            comment=request.POST.get("comment", ""),
        )
    if step == "new-version":
        return _run(request, protocol, review.protocol_new_version, _("A new version was started."))
    raise Http404


@login_required
def protocol_export(request: AuthenticatedHttpRequest, protocol_id: int, fmt: str) -> HttpResponse:
    """Download an approved protocol (its approved version) as Markdown, DOCX or PDF."""
    from assistants import exports

    protocol = _get_protocol_for_user(request, protocol_id)
    version = protocol.versions.select_related("approved_by").first()
    if version is None or fmt not in exports.FORMATS:
        raise Http404
    meta = exports.ExportMeta(
        title=protocol.title,
        meeting_date=protocol.meeting_date,
        template_name=protocol.template.name,
        version=version.number,
        approved_by=str(version.approved_by or "—"),
        approved_at=timezone.localtime(version.approved_at),
        owner=str(protocol.owner),
        model_name=protocol.model_name,
        language=protocol.output_language,
        demo=protocol.from_demo_model,
    )
    content_type, render = exports.FORMATS[fmt]
    response = HttpResponse(render(version.data, meta), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(meta, fmt)}"'
    return response


@login_required
def my_action_items(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = (
        ActionItem.objects.filter(owner=request.user)
        .select_related("protocol")
        .order_by("status", "due_date", "pk")
    )
    return render(
        request,
        "assistants/action_items.html",
        {
            "open_items": [i for i in items if i.status == ActionItem.Status.OPEN],
            "done_items": [i for i in items if i.status == ActionItem.Status.DONE][:20],
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def action_item_mark_done(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(ActionItem, pk=item_id, owner=request.user)
    if action_item_done(item=item, by=request.user):
        messages.success(request, _("Marked as done."))
    return redirect("assistants:action-items")
