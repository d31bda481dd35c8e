"""What the FAQ plugs into the portal (called from AppConfig.ready()): its navigation entry,
the home card (`faq_cards`) and the audit log's names for its actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.registry import NavItem

AUDIT_LABELS = {
    "faq.entry_created": _("FAQ entry created"),
    "faq.entry_updated": _("FAQ entry changed"),
    "faq.entry_reviewed": _("FAQ entry marked as reviewed"),
    "faq.entry_published": _("FAQ entry published"),
    "faq.entry_unpublished": _("FAQ entry unpublished"),
    "faq.category_created": _("FAQ category added"),
    "faq.category_updated": _("FAQ category changed"),
    "faq.question_asked": _("Question sent to the FAQ team"),
    "faq.question_answered": _("Question answered"),
    "faq.question_published": _("Question published as FAQ entry"),
    "faq.question_closed": _("Question closed"),
}


def register() -> None:
    from portal.audit import register_action_labels
    from portal.registry import register_home_cards, register_inbox, register_nav
    from rollout.faq.cards import faq_cards
    from rollout.faq.inbox import question_inbox
    from rollout.faq.search import faq_source
    from rollout.search.sources import register_search_source

    register_nav(NavItem(_("FAQ"), "rollout:faq", order=15, active_prefix="/faq/"))
    register_home_cards(faq_cards)
    register_inbox(question_inbox)
    register_action_labels(AUDIT_LABELS)
    register_search_source("FAQ entries", faq_source)
