"""Rows of the role × URL matrix (tests/portal/test_access.py) for this area.

MATRIX: url name → (path with {placeholders}, expected for anonymous, expected per cast member).
extra_ids(cast, ids) returns more placeholders (objects this area's paths need).
"""

from __future__ import annotations

from tests.matrix import ADMIN_ONLY, CAST, EVERYONE, LOGIN, OVERSIGHT  # noqa: F401

# The FAQ team is the programme admins; reading and asking is for everyone signed in.
MATRIX: dict[str, tuple[str, int | str, dict[str, int]]] = {
    "rollout:faq": ("/faq/", LOGIN, EVERYONE),
    "rollout:faq-entry": ("/faq/{faq_entry}/", LOGIN, EVERYONE),
    "rollout:faq-ask": ("/faq/fragen/neu/", LOGIN, EVERYONE),
    "rollout:faq-my-questions": ("/faq/fragen/", LOGIN, EVERYONE),
    # An anonymous question: whoever holds the receipt link reads it.
    "rollout:faq-receipt": ("/faq/fragen/{faq_receipt}/", LOGIN, EVERYONE),
    "rollout:faq-receipt-open": ("/faq/fragen/beleg/", LOGIN, EVERYONE),
    "rollout:faq-inbox": ("/faq/eingang/", LOGIN, ADMIN_ONLY),
    "rollout:faq-question": ("/faq/eingang/{faq_question}/", LOGIN, ADMIN_ONLY),
    "rollout:faq-manage": ("/faq/verwaltung/", LOGIN, ADMIN_ONLY),
    "rollout:faq-entry-new": ("/faq/verwaltung/neu/", LOGIN, ADMIN_ONLY),
    "rollout:faq-stale": ("/faq/verwaltung/veraltet/", LOGIN, ADMIN_ONLY),
    "rollout:faq-entry-edit": ("/faq/{faq_entry}/bearbeiten/", LOGIN, ADMIN_ONLY),
    "rollout:faq-categories": ("/faq/kategorien/", LOGIN, ADMIN_ONLY),
    "rollout:faq-category-edit": ("/faq/kategorien/{faq_category}/", LOGIN, ADMIN_ONLY),
}
# POST-only steps, tested in tests/rollout/test_faq.py and test_faq_inbox.py.
SEPARATELY_TESTED: set[str] = {
    "rollout:faq-vote",
    "rollout:faq-question-publish",
    "rollout:faq-question-close",
    "rollout:faq-entry-reviewed",
    "rollout:faq-entry-published",
    "rollout:faq-suggestions",
    "rollout:faq-my-question",  # its asker's only: test_faq_inbox.py
}


def extra_ids(cast: dict, ids: dict[str, int]) -> dict[str, int]:
    from datetime import date

    from rollout.models import FaqCategory, FaqEntry, Question

    category = FaqCategory.objects.create(name_de="Datenschutz", name_en="Data protection")
    entry = FaqEntry.objects.create(
        category=category,
        question_de="Verlassen Daten das Haus?",
        answer_de="Nein, das Modell läuft lokal.",
        reviewed_on=date(2026, 1, 5),
    )
    question = Question.objects.create(text="Wer sieht meine Frage?", received_on=date.today())
    return {
        "faq_category": category.pk,
        "faq_entry": entry.pk,
        "faq_question": question.pk,
        "faq_receipt": question.receipt,
    }
