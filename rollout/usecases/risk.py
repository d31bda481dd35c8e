"""The EU AI Act risk check at intake: three questions, a class, and routing to the board.

The questions follow the Act's tiers, asked from the most severe down; the first "yes"
decides the class:

1. Prohibited practices (Art. 5): manipulating behaviour, social scoring, recognising
   emotions at the workplace, biometric categorisation.
2. High-risk area (Annex III, employment and essential services): recruitment, selection,
   promotion, termination, task allocation by behaviour or traits, performance monitoring,
   access to essential services or critical infrastructure.
3. Transparency duty (Art. 50): generated or altered text and images people might take as
   human-made, or a system that talks to people directly (chatbot).

Otherwise the risk is minimal. A prohibited use case stays an idea: no step beyond it is
allowed (`rollout.usecases.workflow`); it is not rejected automatically, because a
questionnaire answered by mistake can be corrected at intake, and a reviewer rejects it
with a reason. A high-risk one gets a pending ethics-board review at once, and cannot be
validated before the board approves (with or without conditions).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.services import audit_record
from rollout.models import EthicsReview, UseCase

Risk = UseCase.Risk
QUESTIONNAIRE_VERSION = 1

# key in risk_answers, the class a "yes" leads to, the question, what it covers
QUESTIONS = (
    (
        "prohibited",
        Risk.PROHIBITED,
        _(
            "Does it influence people's behaviour in ways they do not notice, score people "
            "socially, recognise emotions at the workplace or sort people by biometric data?"
        ),
        _(
            "For example: detecting the mood of staff from voice or camera, rating colleagues' "
            "trustworthiness, nudging customers without their knowledge."
        ),
    ),
    (
        "high_risk",
        Risk.HIGH,
        _(
            "Is it used to recruit, select, promote or dismiss people, to allocate tasks by "
            "behaviour or personal traits, to monitor performance, or to decide about access "
            "to essential services or critical infrastructure?"
        ),
        _(
            "For example: pre-selecting applications, evaluating appraisal interviews, "
            "assigning shifts by a performance score."
        ),
    ),
    (
        "transparency",
        Risk.TRANSPARENCY,
        _(
            "Does it produce or alter text or images that people may take as written or made "
            "by a person, or does it talk to people directly (a chatbot)?"
        ),
        _(
            "For example: reply drafts sent to customers, a chatbot on the website, generated "
            "images in a brochure."
        ),
    ),
)

EXPLANATIONS = {
    Risk.UNCLASSIFIED: _("The risk questionnaire has not been answered yet."),
    Risk.PROHIBITED: _(
        "A prohibited practice under the EU AI Act (Art. 5). It must not be used: the use case "
        "cannot go beyond the idea stage."
    ),
    Risk.HIGH: _(
        "A high-risk use under the EU AI Act (Annex III, e.g. employment). The ethics board "
        "reviews it; it can only be validated once the board has approved it."
    ),
    Risk.TRANSPARENCY: _(
        "A transparency duty under the EU AI Act (Art. 50): people must be told that the text "
        "or image was generated, or that they are talking to an AI."
    ),
    Risk.MINIMAL: _("Minimal risk under the EU AI Act: no duties beyond the company's rules."),
}


def risk_classify(answers: dict) -> str:
    """Return the class the answers lead to: the most severe "yes" wins."""
    if not all(key in answers for key, *_rest in QUESTIONS):
        return Risk.UNCLASSIFIED
    for key, risk, *_rest in QUESTIONS:
        if answers[key]:
            return risk
    return Risk.MINIMAL


def questionnaire_answers(**answers: bool) -> dict:
    """Return the answers as stored: one bool per question, and the questionnaire version."""
    return {key: bool(answers[key]) for key, *_rest in QUESTIONS} | {
        "version": QUESTIONNAIRE_VERSION
    }


def route_to_ethics(use_case: UseCase, *, by: User) -> EthicsReview | None:
    """Open a pending ethics-board review of the use case, unless one exists already.

    Without a programme there is no board to route to; the validation gate then still
    waits for a review (an admin records it by hand).
    """
    from rollout.programme import selectors

    if use_case.ethics_reviews.exists():
        return None
    programme = selectors.current_programme()
    if programme is None:
        return None
    review = EthicsReview.objects.create(
        programme=programme,
        subject=use_case.title[:300],
        use_case=use_case,
        outcome=EthicsReview.Outcome.PENDING,
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action="ethics.created",
        target=review,
        details={"outcome": review.outcome, "use_case": use_case.pk, "routed": True},
    )
    return review
