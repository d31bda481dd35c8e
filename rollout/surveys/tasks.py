"""Survey tasks: seal closed surveys and recent feedback (see rollout/surveys/seal.py).

Surveys need no task to open or close: their state follows their dates.
"""

from __future__ import annotations

from celery import shared_task

from rollout.surveys.feedback import feedback_seal
from rollout.surveys.seal import surveys_seal_closed


@shared_task(name="rollout.tasks.surveys.anonymity_seal", time_limit=300, soft_time_limit=280)
def anonymity_seal() -> int:
    """Rewrite responses of surveys closed by date, and recent feedback, in random order.

    Idempotent: a sealed survey is not touched again; rewriting feedback again is harmless.
    """
    return surveys_seal_closed() + feedback_seal()
