"""The FAQ: pages for everyone, asking a question, the inbox and management of the FAQ team."""

from __future__ import annotations

from django.urls import path, re_path

from rollout.faq import views as faq
from rollout.faq import views_admin as faq_admin
from rollout.faq import views_inbox as faq_inbox
from rollout.faq import views_questions as faq_questions

E = "faq/<int:entry_id>/"
Q = "faq/eingang/<int:question_id>/"

urlpatterns = [
    path("faq/", faq.faq_overview, name="faq"),
    path(E, faq.faq_entry, name="faq-entry"),
    path(f"{E}hilfreich/", faq.faq_vote, name="faq-vote"),
    path("faq/fragen/", faq_questions.my_questions, name="faq-my-questions"),
    path("faq/fragen/neu/", faq_questions.question_new, name="faq-ask"),
    path("faq/fragen/vorschlaege/", faq_questions.question_suggestions, name="faq-suggestions"),
    # The receipt of an anonymous question travels in the fragment (#…), which browsers never
    # send: the page reads it and posts it. Nothing secret in an address a server logs.
    path("faq/fragen/beleg/", faq_questions.question_receipt_open, name="faq-receipt-open"),
    path("faq/fragen/meine/<int:question_id>/", faq_questions.my_question, name="faq-my-question"),
    # Links handed out before (secrets.token_urlsafe(24) in the path) keep working.
    re_path(
        r"^faq/fragen/(?P<receipt>[A-Za-z0-9_-]{32})/$",
        faq_questions.question_receipt,
        name="faq-receipt",
    ),
    path("faq/eingang/", faq_inbox.inbox, name="faq-inbox"),
    path(Q, faq_inbox.question_detail, name="faq-question"),
    path(f"{Q}veroeffentlichen/", faq_inbox.question_publish_view, name="faq-question-publish"),
    path(f"{Q}schliessen/", faq_inbox.question_close_view, name="faq-question-close"),
    path("faq/verwaltung/", faq_admin.manage, name="faq-manage"),
    path("faq/verwaltung/neu/", faq_admin.entry_new, name="faq-entry-new"),
    path("faq/verwaltung/veraltet/", faq_admin.stale, name="faq-stale"),
    path(f"{E}bearbeiten/", faq_admin.entry_edit, name="faq-entry-edit"),
    path(f"{E}geprueft/", faq_admin.entry_reviewed, name="faq-entry-reviewed"),
    path(f"{E}veroeffentlichung/", faq_admin.entry_published, name="faq-entry-published"),
    path("faq/kategorien/", faq_admin.categories, name="faq-categories"),
    path("faq/kategorien/<int:category_id>/", faq_admin.category_edit, name="faq-category-edit"),
]
