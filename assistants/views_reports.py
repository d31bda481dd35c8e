"""Pages of the status reports: the list, one report, its correction, approval and export.

Programme admins see, correct and approve every report; the works council reads approved
ones (aggregates only, like everything it sees); nobody else learns that they exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistants import fact_blocks, report_exports, selectors
from assistants.forms import ReportForm
from assistants.models import StatusReport
from assistants.services import reports
from assistants.views_review import DEMO_APPROVED
from portal.http import AuthenticatedHttpRequest
from portal.roles import OVERSIGHT, Role, role_required


def _readable(request: AuthenticatedHttpRequest):
    if request.user.has_role(Role.PROGRAMME_ADMIN):
        return StatusReport.objects.all()
    return StatusReport.objects.filter(status=StatusReport.Status.APPROVED)


def _report(request: AuthenticatedHttpRequest, report_id: int) -> StatusReport:
    return get_object_or_404(
        _readable(request).select_related("owner", "approved_by", "edited_by", "job"),
        pk=report_id,
    )


@role_required(*OVERSIGHT)
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "assistants/report_list.html",
        {"reports": _readable(request).select_related("owner", "approved_by")[:100]},
    )


@role_required(*OVERSIGHT)
def report_detail(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    return render(
        request,
        "assistants/report_detail.html",
        {
            "report": report,
            "data": report.data,
            "facts": fact_blocks.read(report.fact_blocks),
            "model": selectors.model_facts(),
            "can_change": report.status == StatusReport.Status.DRAFT
            and request.user.has_role(Role.PROGRAMME_ADMIN),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
def report_edit(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    if report.status != StatusReport.Status.DRAFT:
        messages.error(request, _("This report is approved and can no longer be changed."))
        return redirect("assistants:report-detail", report.pk)
    sections = len(report.data.get("sections", []))
    form = ReportForm(
        request.POST or None, sections=sections, initial=ReportForm.initial_from(report.data)
    )
    if request.method == "POST" and form.is_valid():
        try:
            reports.report_edit(report=report, by=request.user, data=form.cleaned_data["document"])
        except reports.ReportError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your changes to the report are saved."))
        return redirect("assistants:report-detail", report.pk)
    return render(request, "assistants/report_edit.html", {"report": report, "form": form})


@require_POST
@role_required(Role.PROGRAMME_ADMIN)
def report_approve(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    try:
        reports.report_approve(report=report, by=request.user)
    except reports.ReportError as error:
        messages.error(request, str(error))
    else:
        approved = _("The report is approved and can be exported.")
        if report.from_demo_model:
            approved = f"{approved} {DEMO_APPROVED}"
        messages.success(request, approved)
    return redirect("assistants:report-detail", report.pk)


@role_required(*OVERSIGHT)
def report_export(request: AuthenticatedHttpRequest, report_id: int, fmt: str) -> HttpResponse:
    """Download an approved report as Markdown, DOCX or PDF (drafts are not exported)."""
    report = _report(request, report_id)
    if report.status != StatusReport.Status.APPROVED or fmt not in report_exports.FORMATS:
        raise Http404
    content_type, render_document = report_exports.FORMATS[fmt]
    response = HttpResponse(
        render_document(report_exports.report_document(report)), content_type=content_type
    )
    filename = report_exports.report_filename(report, fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
