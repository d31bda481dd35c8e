"""FAQ entries and categories: writing, reviewing, publishing, "was this helpful?".

The FAQ team is the programme admins (views check the role; services trust their caller).
Every change is audited with ids only, never question or answer text. Helpful votes are
not audited at all: an audit entry names its actor, and a vote must stay unlinked.
Each change of an entry's text schedules its embedding after the commit.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from rollout.faq.search import faq_entry_changed
from rollout.models import FaqCategory, FaqEntry

TEXT_FIELDS = ("question_de", "answer_de", "question_en", "answer_en")
MAX_QUESTION = FaqEntry._meta.get_field("question_de").max_length
MAX_ANSWER = FaqEntry._meta.get_field("answer_de").max_length
OFFICE_HOURS_CATEGORY = "Aus den Sprechstunden"
# How the audit log names the FAQ's actions (registered in rollout/apps.py).


class FaqError(Exception):
    """A write that cannot be done; the message is for the person who tried."""


def _clean(value: str | None) -> str:
    # Windows line breaks from a textarea; blanks around the text mean nothing.
    return (value or "").replace("\r\n", "\n").strip()


def _texts(**fields: str | None) -> dict[str, str]:
    texts = {name: _clean(fields.get(name)) for name in TEXT_FIELDS}
    if not texts["question_de"] or not texts["answer_de"]:
        raise FaqError(_("A German question and answer are required."))
    if bool(texts["question_en"]) != bool(texts["answer_en"]):
        raise FaqError(_("Give the English question and answer together, or neither."))
    for name in ("question_de", "question_en"):
        if len(texts[name]) > MAX_QUESTION:
            raise FaqError(_("A question may have at most %(n)d characters.") % {"n": MAX_QUESTION})
    for name in ("answer_de", "answer_en"):
        if len(texts[name]) > MAX_ANSWER:
            raise FaqError(_("An answer may have at most %(n)d characters.") % {"n": MAX_ANSWER})
    return texts


@transaction.atomic
def faq_entry_create(
    *,
    category: FaqCategory,
    question_de: str,
    answer_de: str,
    question_en: str = "",
    answer_en: str = "",
    published: bool = True,
    by: User,
    source: str = "manual",
) -> FaqEntry:
    """Create an entry, reviewed today by its author; `source` goes into the audit entry."""
    texts = _texts(
        question_de=question_de, answer_de=answer_de, question_en=question_en, answer_en=answer_en
    )
    entry = FaqEntry.objects.create(
        category=category,
        published=published,
        reviewed_on=timezone.localdate(),
        reviewed_by=by,
        **texts,
    )
    audit_record(
        actor=by,
        action="faq.entry_created",
        target=entry,
        details={"category": category.pk, "published": published, "source": source},
    )
    faq_entry_changed(entry.pk)
    return entry


@transaction.atomic
def faq_entry_update(
    *,
    entry: FaqEntry,
    category: FaqCategory,
    question_de: str,
    answer_de: str,
    question_en: str = "",
    answer_en: str = "",
    reviewed: bool = False,
    by: User,
) -> FaqEntry:
    """Change an entry's texts and category; `reviewed` also marks it reviewed today."""
    texts = _texts(
        question_de=question_de, answer_de=answer_de, question_en=question_en, answer_en=answer_en
    )
    text_changed = any(getattr(entry, name) != value for name, value in texts.items())
    for name, value in texts.items():
        setattr(entry, name, value)
    entry.category = category
    if reviewed:
        entry.reviewed_on, entry.reviewed_by = timezone.localdate(), by
    entry.save()
    audit_record(
        actor=by,
        action="faq.entry_updated",
        target=entry,
        details={"category": category.pk, "text_changed": text_changed, "reviewed": reviewed},
    )
    if text_changed:
        faq_entry_changed(entry.pk)
    return entry


@transaction.atomic
def faq_entry_mark_reviewed(*, entry: FaqEntry, by: User) -> FaqEntry:
    """Record that `by` checked the entry today (it leaves the stale list)."""
    entry.reviewed_on, entry.reviewed_by = timezone.localdate(), by
    entry.save(update_fields=["reviewed_on", "reviewed_by", "updated_at"])
    audit_record(actor=by, action="faq.entry_reviewed", target=entry)
    return entry


@transaction.atomic
def faq_entry_set_published(*, entry: FaqEntry, published: bool, by: User) -> FaqEntry:
    """Publish or unpublish an entry (unpublished ones are seen by the FAQ team only)."""
    if entry.published == published:
        return entry
    entry.published = published
    entry.save(update_fields=["published", "updated_at"])
    action = "faq.entry_published" if published else "faq.entry_unpublished"
    audit_record(actor=by, action=action, target=entry)
    return entry


def faq_entry_vote(*, entry_id: int, helpful: bool) -> bool:
    """Count one "was this helpful?" answer; False if the entry is gone or unpublished.

    A single UPDATE with F(): concurrent votes never overwrite each other. Who voted is
    not stored (the view keeps the voted ids in the session, only to count once).
    """
    field = "helpful_yes" if helpful else "helpful_no"
    return bool(
        FaqEntry.objects.filter(pk=entry_id, published=True).update(**{field: F(field) + 1})
    )


@transaction.atomic
def faq_category_create(
    *, name_de: str, name_en: str = "", order: int = 0, by: User
) -> FaqCategory:
    name_de, name_en = _clean(name_de), _clean(name_en)
    if not name_de:
        raise FaqError(_("A category needs a German name."))
    category = FaqCategory.objects.create(name_de=name_de, name_en=name_en, order=order)
    audit_record(actor=by, action="faq.category_created", target=category)
    return category


@transaction.atomic
def faq_category_update(
    *, category: FaqCategory, name_de: str, name_en: str = "", order: int = 0, by: User
) -> FaqCategory:
    name_de, name_en = _clean(name_de), _clean(name_en)
    if not name_de:
        raise FaqError(_("A category needs a German name."))
    category.name_de, category.name_en, category.order = name_de, name_en, order
    category.save()
    audit_record(actor=by, action="faq.category_updated", target=category)
    return category


def faq_entry_from_office_hour(
    *, question: str, answer: str, category: FaqCategory | None, by: User
) -> FaqEntry:
    """Turn a question raised in office hours into a published FAQ entry (German).

    Called by the office-hours host page; the caller decides who may (hosts). Without a
    category the entry goes into "Aus den Sprechstunden" (created on first use).
    Raises FaqError for an empty or over-long question or answer.
    """
    with transaction.atomic():
        if category is None:
            category, _created = FaqCategory.objects.get_or_create(
                name_de=OFFICE_HOURS_CATEGORY,
                defaults={"name_en": "From office hours", "order": 90},
            )
        return faq_entry_create(
            category=category,
            question_de=question,
            answer_de=answer,
            by=by,
            source="office_hour",
        )
