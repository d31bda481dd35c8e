"""A draft of the next issue written by the local model, through the assistants' job machinery.

The model's only input is the suggested sections (the portal's own activity since the last
issue), so it has nothing to invent from. Its result is a protocol-shaped JSON document
(summary, topics, next steps), kept on the job, not a protocol to review (`DRAFT` has no
`store` of its own); `draft_markdown` turns it into Markdown with every model string escaped, so the
model cannot plant links, images or HTML. Nothing reaches anybody
from here: the admin adopts the draft into the editor, edits it, saves, previews and
test-sends like any other text.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistants.kinds import JobKind
from assistants.models import GenerationJob, ProtocolTemplate
from assistants.services.jobs import generation_job_create
from assistants.services.protocols import protocol_generate
from newsletter.services.issues import IssueError
from newsletter.services.suggestions import markdown_text, suggested_sections
from portal.models import User

TEMPLATE_KEY = "newsletter"
# The newsletter's own kind of generation job, registered in NewsletterConfig.ready().
# Not reviewed as a protocol: the admin adopts it into the editor and edits it there.
# It is written like a protocol (summary, topics, next steps) from the portal's activity.
DRAFT = JobKind(
    "newsletter",
    gettext_lazy("Newsletter draft"),
    generate=protocol_generate,
    templates=(TEMPLATE_KEY,),
)


def model_draft_start(*, by: User) -> GenerationJob:
    """Queue a draft of the next issue on the local model; IssueError if there is nothing."""
    facts = suggested_sections()
    if not facts.strip():
        raise IssueError(
            _(
                "Nothing happened in the portal since the last issue that the model could "
                "write about. Write the text yourself."
            )
        )
    template = ProtocolTemplate.objects.filter(key=TEMPLATE_KEY, is_current=True).first()
    if template is None:  # removed by hand in the Django admin
        raise IssueError(_("The template for newsletter drafts is missing."))
    today = timezone.localdate()
    with translation.override("de"):
        title = _("Newsletter draft of %(date)s") % {"date": today.strftime("%d.%m.%Y")}
    return generation_job_create(
        kind=DRAFT.key,
        owner=by,
        title=title,
        day=today,
        template=template,
        output_language="de",
        source=facts,
    )


def model_draft_job(*, job_id: int, owner: User) -> GenerationJob | None:
    """Return `owner`'s newsletter-draft job `job_id`, or None (nobody sees another's)."""
    return GenerationJob.objects.filter(pk=job_id, owner=owner, kind=DRAFT.key).first()


def model_draft_text(job: GenerationJob) -> str:
    """Return the finished draft as Markdown ("" while it runs or when it failed)."""
    if job.status != GenerationJob.Status.DONE or not job.result:
        return ""
    with translation.override("de"):  # it goes into the German text
        return draft_markdown(job.result)


def draft_markdown(data: dict) -> str:
    """Turn the model's document into the issue's Markdown; every value is escaped text."""
    parts = []
    if summary := markdown_text(data.get("summary", "")):
        parts.append(summary)
    for item in data.get("agenda_items", []):
        title = markdown_text(item.get("title", ""))
        notes = markdown_text(item.get("notes", ""))
        if title or notes:
            parts.append("\n\n".join(p for p in (f"## {title}" if title else "", notes) if p))
    steps = [markdown_text(item.get("task", "")) for item in data.get("action_items", [])]
    if steps := [step for step in steps if step]:
        heading = _("What you can do")
        parts.append(f"## {heading}\n\n" + "\n".join(f"- {step}" for step in steps))
    return "\n\n".join(parts)
