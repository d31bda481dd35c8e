"""Reads of the base that join, filter or aggregate."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from portal.models import AuditEntry, Invitation, User


def audit_entries(*, action: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor")
    return entries.filter(action=action) if action else entries


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def people(*, department_id: str = "", role: str = "", query: str = "") -> QuerySet[User]:
    from django.contrib.auth.models import Group

    users = (
        User.objects.filter(is_active=True)
        .select_related("department")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
    )
    if department_id.isdigit():
        users = users.filter(department_id=int(department_id))
    if role:
        users = users.filter(groups__name=role)
    if query:
        users = users.filter(Q(name__icontains=query) | Q(email__icontains=query))
    return users.order_by("name")


def role_counts() -> dict[str, int]:
    rows = User.objects.filter(is_active=True).values("groups__name").annotate(n=Count("id"))
    return {row["groups__name"]: row["n"] for row in rows if row["groups__name"]}


def open_invitations_count() -> int:
    return Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).count()


def recent_audit_count(days: int = 30) -> int:
    return AuditEntry.objects.filter(created_at__gte=timezone.now() - timedelta(days=days)).count()


# The embedding backends installed with the portal, named for people.
BUNDLED_EMBEDDING_MODELS = {
    "e5-use": "multilingual-e5-small + Universal Sentence Encoder (multilingual)",
    "e5": "multilingual-e5-small",
}


def embedding_model_label() -> str:
    """Name the configured embedding model for people (privacy page, commands), or ""."""
    if settings.EMBEDDING_BACKEND in BUNDLED_EMBEDDING_MODELS:
        return BUNDLED_EMBEDDING_MODELS[settings.EMBEDDING_BACKEND]
    path = settings.EMBEDDING_MODEL_PATH
    return path.name if settings.EMBEDDING_BACKEND == "gguf" and path else ""


def privacy_facts() -> dict:
    """Return what the privacy page states: where data lives, which model, which rules."""
    db = settings.DATABASES["default"]
    model_path = settings.LLM_MODEL_PATH
    return {
        "embedded_database": settings.EMBEDDED_DATABASE,
        "database_host": db.get("HOST") if not settings.EMBEDDED_DATABASE else "",
        "embedded_redis": settings.EMBEDDED_REDIS,
        "llm_backend": settings.LLM_BACKEND,
        "llm_model_name": model_path.name if model_path else "",
        "llm_demo_model": settings.LLM_DEMO_MODEL,
        "embedding_model_name": embedding_model_label(),
        # As assistants.speech.engine.model_name(), which this lower layer cannot import.
        "speech_model_name": settings.STT_MODEL_PATH.name
        if settings.STT_MODEL_PATH
        else "whisper-base",
        "transcript_retention_days": settings.TRANSCRIPT_RETENTION_DAYS,
        "survey_min_group_size": settings.SURVEY_MIN_GROUP_SIZE,
        "audit_retention_days": settings.AUDIT_RETENTION_DAYS,
        "sso_enabled": bool(settings.OIDC_SERVER_URL),
    }
