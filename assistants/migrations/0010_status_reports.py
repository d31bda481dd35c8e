"""Status reports get their own document, `StatusReport`, instead of a meeting protocol.

Every report protocol becomes a status report: its summary stays the summary, agenda items
become sections, recommendations (decisions) one more section, open questions the risks,
action items the next steps; an approved one stays approved (its last approved version, by
whom, when). A report protocol with tracked action items stays a protocol, like the
newsletter drafts in 0009: people work on those items. The report template gets a second
version worded for the new document, unless an admin has already revised it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REPORT_INSTRUCTIONS = (
    "Summary: where the programme stands, in three to five plain sentences, with the figures "
    "that matter most. Sections: one per topic of the facts (phases and milestones, use "
    "cases, participation and events, FAQ and office hours, surveys, the assistants), each "
    "with its state and its figures. Risks: overdue milestones, low participation and open "
    "points that the facts show. Next steps: what the facts say comes next. Never invent "
    "figures."
)


def _texts(values) -> list:
    return [v for v in (values or []) if isinstance(v, str) and v.strip()]


def _document(data: dict) -> dict:
    sections = [
        {"title": str(item.get("title", ""))[:150], "text": str(item.get("notes", ""))[:3000]}
        for item in data.get("agenda_items") or []
        if isinstance(item, dict) and item.get("title")
    ]
    decisions = [d.get("text", "") for d in data.get("decisions") or [] if isinstance(d, dict)]
    if recommendations := _texts(decisions):
        sections.append({"title": "Empfehlungen", "text": "\n".join(recommendations)[:3000]})
    steps = [a.get("task", "") for a in data.get("action_items") or [] if isinstance(a, dict)]
    return {
        "summary": str(data.get("summary", ""))[:2000],
        "sections": sections[:12],
        "risks": [v[:400] for v in _texts(data.get("open_questions"))][:12],
        "next_steps": [v[:400] for v in _texts(steps)][:12],
        "notes": _texts(data.get("notes")),
    }


def reports_to_their_own_table(apps, schema_editor) -> None:
    Protocol = apps.get_model("assistants", "Protocol")
    StatusReport = apps.get_model("assistants", "StatusReport")
    reports = Protocol.objects.filter(job__kind="report", action_items__isnull=True).distinct()
    for protocol in reports.select_related("job"):
        approved = protocol.versions.order_by("-number").first()
        StatusReport.objects.create(
            job=protocol.job,
            owner_id=protocol.owner_id,
            title=protocol.title,
            report_date=protocol.meeting_date,
            output_language=protocol.output_language,
            facts=protocol.job.input_text,
            data=_document(approved.data if approved else protocol.data),
            model_name=protocol.model_name,
            prompt_version=protocol.prompt_version,
            status="approved" if approved else "draft",
            approved_by_id=approved.approved_by_id if approved else None,
            approved_at=approved.approved_at if approved else None,
        )
        StatusReport.objects.filter(job=protocol.job).update(created_at=protocol.created_at)
        protocol.delete()


def report_template_v2(apps, schema_editor) -> None:
    Template = apps.get_model("assistants", "ProtocolTemplate")
    current = Template.objects.filter(key="statusbericht", is_current=True).first()
    if current is None or current.version != 1:
        return  # missing, or revised by an admin: theirs stays
    current.is_current = False
    current.save(update_fields=["is_current"])
    Template.objects.create(
        key="statusbericht",
        version=2,
        name=current.name,
        description=current.description,
        sections=["Zusammenfassung", "Themen", "Risiken", "Nächste Schritte"],
        instructions=REPORT_INSTRUCTIONS,
        is_current=True,
    )



class Migration(migrations.Migration):

    dependencies = [
        ('assistants', '0009_job_result'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='StatusReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('report_date', models.DateField(verbose_name='as of')),
                ('output_language', models.CharField(max_length=5, verbose_name='language')),
                ('facts', models.TextField(verbose_name='facts it was written from')),
                ('schema_version', models.PositiveSmallIntegerField(default=1)),
                ('data', models.JSONField()),
                ('model_name', models.CharField(max_length=200, verbose_name='model')),
                ('prompt_version', models.CharField(blank=True, max_length=20, verbose_name='prompt version')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('status', models.CharField(choices=[('draft', 'draft'), ('approved', 'approved')], db_index=True, default='draft', max_length=10, verbose_name='status')),
                ('edited_at', models.DateTimeField(blank=True, null=True, verbose_name='last edited')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('edited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='last edited by')),
                ('job', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='status_report', to='assistants.generationjob')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'status report',
                'verbose_name_plural': 'status reports',
                'ordering': ['-report_date', '-created_at'],
            },
        ),
        migrations.RunPython(reports_to_their_own_table, migrations.RunPython.noop),
        migrations.RunPython(report_template_v2, migrations.RunPython.noop),
    ]
