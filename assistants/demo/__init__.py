"""Demo results of the assistants: three meeting protocols at each stage of review, the
transcript of the recording one of them was made from, and an approved status report.

Runs after the demo people and programme (seeders run in INSTALLED_APPS order). Nothing is
generated: the answers are written by hand (texts.py) and go through what a run does with
a model's answer: the same parsing, validation and quote check, the same storage, then the
review services with their audit entries. What only a worker writes comes from runs.py. No
job is queued and no mail is sent, so seed_demo needs no broker. Dates lie a few days back,
inside the retention period. Idempotent: a result whose owner already has one of that
title (a status report: any) is left alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation

from assistants import fact_blocks, prompts, report_schema, schema
from assistants.demo import runs, texts
from assistants.demo.texts import Meeting
from assistants.ingest import clean_pasted_text
from assistants.kinds import PROTOCOL
from assistants.models import (
    ActionItem,
    GenerationJob,
    Protocol,
    ProtocolEdit,
    ProtocolTemplate,
    ProtocolVersion,
    StatusReport,
)
from assistants.services import protocols, reports, review
from assistants.services.action_items import action_item_done
from assistants.speech import turns as speech_turns
from portal.demo import DEMO_DOMAIN
from portal.models import User
from portal.roles import Role


class DemoDataInvalid(Exception):
    """A hand-written demo answer does not pass the checks a model's answer must pass."""


@transaction.atomic
def seed_assistants(write: Callable[[str], None]) -> None:
    people = _people()
    if people is None:
        write("Demo people missing: assistant results skipped.")
        return
    names = {key: person.name for key, person in people.items()}
    created = []
    for days_ago, hour, build in texts.MEETINGS:
        day = runs.workday_before(timezone.localdate() - timedelta(days=days_ago))
        meeting = build(names, day)
        owner = people[meeting.owner]
        if Protocol.objects.filter(owner=owner, title=meeting.title).exists() or (
            meeting.recorded and owner.transcripts.filter(title=meeting.title).exists()
        ):
            continue
        with translation.override(owner.preferred_language):
            _protocol(meeting, day, runs.moment(day, hour), people)
        created.append(meeting.title)
    ada = people["ada"]
    if not StatusReport.objects.filter(owner=ada).exists():
        with translation.override(ada.preferred_language):
            _report(ada)
        created.append("status report")
    if created:
        write(f"Demo assistant results: {len(created)} created ({', '.join(created)}).")
    else:
        write("Demo assistant results already present.")


def _people() -> dict[str, User] | None:
    """The cast, and colleagues the meetings name, picked alike on every run."""
    cast = {
        p.email.split("@")[0]: p
        for p in User.objects.filter(
            email__in=[f"{k}@{DEMO_DOMAIN}" for k in ("alice", "bob", "rita", "ada", "walter")]
        )
    }
    if len(cast) < 5:
        return None
    staff = list(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
        .exclude(pk__in=[p.pk for p in cast.values()])
        .select_related("department")
        .prefetch_related("groups")
        .order_by("pk")
    )
    # A namesake would make "assigned to …" ambiguous on the page: pick unique names only.
    names = Counter(p.name for p in staff)
    unique = [p for p in staff if names[p.name] == 1 and p.department_id]

    def pick(short: str, role: Role | None = None, skip: int = 0) -> User | None:
        fits = [
            p
            for p in unique
            if p.department.short_name == short
            and (role is None or any(g.name == role for g in p.groups.all()))
        ]
        return fits[skip] if len(fits) > skip else None

    colleagues = {
        "lead": pick("VT"),
        "sales": pick("VT", skip=1),
        "m_pl": pick("PL", Role.MULTIPLIER) or pick("PL"),
        "m_ks": pick("KS", Role.MULTIPLIER) or pick("KS"),
        "m_gf": pick("GF", Role.MULTIPLIER) or pick("GF"),
    }
    if None in colleagues.values():
        return None
    return cast | colleagues


def _protocol(meeting: Meeting, day: date, begun: datetime, people: dict[str, User]) -> None:
    """The meeting's protocol job, its result stored as the worker stores it, then reviewed."""
    owner = people[meeting.owner]
    ended = begun + timedelta(seconds=meeting.turns[-1][1] or 50 * 60)
    params = {"participants": meeting.participants}
    if meeting.recorded:
        transcript = runs.transcript_stored(meeting, owner, ended)
        # "Make the protocol from it": its corrected text, its speakers as participants
        text = speech_turns.protocol_text(transcript.turns)
        params = {"participants": transcript.speakers, "transcript_id": transcript.pk}
    else:
        text = "\n\n".join(f"{speaker}: {said}" for _s, _e, speaker, said in meeting.turns)
    template = ProtocolTemplate.objects.get(key=meeting.template, is_current=True)
    job = runs.job_created(
        kind=PROTOCOL,
        owner=owner,
        title=meeting.title,
        day=day,
        template=template,
        source=clean_pasted_text(text),  # as the form stores it
        params=params,
        at=ended + timedelta(minutes=25),
    )
    draft = _checked_protocol(meeting, job)
    messages = prompts.protocol_messages(
        template=template, language=job.output_language, meta=job.params, transcript=job.input_text
    )
    result = runs.result_of(draft.model_dump(mode="json"), messages)
    protocols.protocol_store(job, result, runs.ModelStandIn())
    runs.finish(job, result)
    _review(Protocol.objects.get(job=job), meeting, people)


def _checked_protocol(meeting: Meeting, job: GenerationJob) -> schema.ProtocolDraft:
    """The answer as the worker takes a model's: parsed, verified against the transcript,
    checked against the meeting. Refused unless everything passes untouched."""
    try:
        draft = schema.parse_protocol(json.dumps(meeting.answer), transcript=job.input_text)
    except schema.ProtocolInvalid as error:
        raise DemoDataInvalid(f"{meeting.title}: {error}") from error
    schema.check_against_meeting(
        draft,
        meeting_date=date.fromisoformat(job.params["meeting_date"]),
        participants=job.params["participants"],
    )
    items = [*draft.decisions, *draft.action_items]
    problems = [
        *draft.notes,
        *(f"quote not in the transcript: {i.source_quote!r}" for i in items if not i.verified),
        *(f"owner not a participant: {a.owner!r}" for a in draft.action_items if a.owner_unknown),
    ]
    if problems:
        raise DemoDataInvalid(f"{meeting.title}: {'; '.join(problems)}")
    return draft


def _review(protocol: Protocol, meeting: Meeting, people: dict[str, User]) -> None:
    """Its owner assigns and decides items and submits it; rita approves or returns it."""
    plan, owner, rita = meeting.review, protocol.owner, people["rita"]
    reviewed = runs.later(protocol.created_at, 0, 15, 30)
    for index, key in plan.assign.items():
        item = protocol.data["action_items"][index]
        review.protocol_item_edit(
            protocol=protocol,
            section="action_items",
            index=index,
            values={
                "task": item["task"],
                "owner": item["owner"],
                "due_date": item["due_date"] or "",
                "person": people[key],
            },
            by=owner,
        )
    for decisions, accept in ((plan.accept, True), (plan.reject, False)):
        for section, indexes in decisions.items():
            for index in indexes:
                review.protocol_item_decide(
                    protocol=protocol, section=section, index=index, accept=accept, by=owner
                )
    ProtocolEdit.objects.filter(protocol=protocol).update(at=reviewed)
    review.protocol_submit(protocol=protocol, by=owner)
    runs.date_audit(runs.last_audit(protocol, "protocol.submit"), reviewed + timedelta(minutes=8))
    decided = runs.later(reviewed, 1, 9, 40)
    if plan.outcome == texts.RETURNED:
        review.protocol_return(protocol=protocol, by=rita, comment=plan.comment)
        runs.date_audit(runs.last_audit(protocol, "protocol.return"), decided)
    elif plan.outcome == texts.APPROVED:
        review.protocol_approve(protocol=protocol, by=rita, notify=False)
        runs.date_audit(runs.last_audit(protocol, "protocol.approve"), decided)
        Protocol.objects.filter(pk=protocol.pk).update(approved_at=decided)
        ProtocolVersion.objects.filter(protocol=protocol).update(approved_at=decided)
        ActionItem.objects.filter(protocol=protocol).update(created_at=decided)
        _mark_items_done(protocol, plan.done, runs.later(decided, 3, 16, 10))


def _mark_items_done(protocol: Protocol, indexes: tuple[int, ...], when: datetime) -> None:
    """Their owners tick finished items off under "My action items"."""
    tasks = [protocol.data["action_items"][i]["task"] for i in indexes]
    for item in ActionItem.objects.filter(protocol=protocol, task__in=tasks, owner__isnull=False):
        action_item_done(item=item, by=item.owner)
        ActionItem.objects.filter(pk=item.pk).update(done_at=when)
        runs.date_audit(runs.last_audit(item, "action_item.done"), when)


def _report(ada: User) -> None:
    """This month's status report, from the portal's facts as they are now; approved by ada."""
    today = timezone.localdate()
    blocks = fact_blocks.gather()  # as report_job_create: the text and the stored blocks agree
    facts = fact_blocks.as_text(blocks, today)
    template = ProtocolTemplate.objects.filter(key=reports.REPORT_TEMPLATE, is_current=True).first()
    job = runs.job_created(
        kind=reports.REPORT.key,
        owner=ada,
        title=reports.report_title(today),
        day=today,
        template=template,
        source=facts,
        params={"fact_blocks": blocks},
        at=timezone.now() - timedelta(minutes=4),
    )
    try:
        draft = report_schema.parse_report(json.dumps(texts.REPORT_ANSWER), facts=facts)
    except report_schema.ReportInvalid as error:
        raise DemoDataInvalid(f"status report: {error}") from error
    if draft.notes:
        raise DemoDataInvalid(f"status report: {'; '.join(draft.notes)}")
    messages = prompts.report_messages(
        template=template, language=job.output_language, title=job.params["title"], facts=facts
    )
    result = runs.result_of(draft.model_dump(mode="json"), messages)
    reports.report_store(job, result, runs.ModelStandIn())
    runs.finish(job, result)
    reports.report_approve(report=StatusReport.objects.get(job=job), by=ada)
