"""Multipliers, stakeholder groups and governance."""

from __future__ import annotations

from django.urls import path

from rollout.people import views as multipliers
from rollout.people import views_governance as governance
from rollout.people import views_stakeholders as stakeholders

urlpatterns = [
    path("multiplikatoren/", multipliers.multiplier_list, name="multiplier-list"),
    path(
        "multiplikatoren/mein-schwerpunkt/", multipliers.multiplier_focus, name="multiplier-focus"
    ),
    path("multiplikatoren/verwalten/", multipliers.multiplier_admin, name="multiplier-admin"),
    path(
        "multiplikatoren/verwalten/hinzufuegen/",
        multipliers.multiplier_add,
        name="multiplier-add",
    ),
    path(
        "multiplikatoren/verwalten/<int:user_id>/bestaetigen/",
        multipliers.multiplier_confirm,
        name="multiplier-confirm",
    ),
    path(
        "multiplikatoren/verwalten/<int:user_id>/verwerfen/",
        multipliers.multiplier_dismiss,
        name="multiplier-dismiss",
    ),
    path(
        "multiplikatoren/verwalten/<int:user_id>/beenden/",
        multipliers.multiplier_end,
        name="multiplier-end",
    ),
    path("gremien/", governance.governance, name="governance"),
    path("gremien/entscheidungen/", governance.decision_list, name="decision-list"),
    path("gremien/entscheidungen/neu/", governance.decision_new, name="decision-new"),
    path(
        "gremien/entscheidungen/<int:decision_id>/",
        governance.decision_detail,
        name="decision-detail",
    ),
    path(
        "gremien/entscheidungen/<int:decision_id>/bearbeiten/",
        governance.decision_edit,
        name="decision-edit",
    ),
    path("gremien/ethik/", governance.ethics_list, name="ethics-list"),
    path("gremien/ethik/neu/", governance.ethics_new, name="ethics-new"),
    path("gremien/ethik/<int:review_id>/", governance.ethics_detail, name="ethics-detail"),
    path("gremien/ethik/<int:review_id>/bearbeiten/", governance.ethics_edit, name="ethics-edit"),
    path("gremien/stakeholder/", stakeholders.stakeholder_list, name="stakeholder-list"),
    path("gremien/stakeholder/neu/", stakeholders.stakeholder_new, name="stakeholder-new"),
    path(
        "gremien/stakeholder/<int:group_id>/bearbeiten/",
        stakeholders.stakeholder_edit,
        name="stakeholder-edit",
    ),
    path(
        "gremien/stakeholder/<int:group_id>/loeschen/",
        stakeholders.stakeholder_delete,
        name="stakeholder-delete",
    ),
    path(
        "gremien/stakeholder/<int:group_id>/phasen/<int:phase_id>/",
        stakeholders.stakeholder_status,
        name="stakeholder-status",
    ),
]
