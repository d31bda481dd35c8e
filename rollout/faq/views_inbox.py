"""The question inbox of the FAQ team (programme admins): list, answer, publish, close."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from portal.roles import role_required
from rollout.faq.forms import MAX_FAQ_QUESTION, AnswerForm, PublishForm
from rollout.faq.questions import ANSWERABLE, question_answer, question_close, question_publish
from rollout.faq.render import current_answer, localize_categories, render_answer
from rollout.faq.services import FaqError
from rollout.faq.views import FAQ_TEAM
from rollout.models import Question

S = Question.Status
PER_PAGE = 30


@role_required(*FAQ_TEAM)
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", S.OPEN)
    status = status if status in S.values else S.OPEN
    counts = Question.objects.status_counts()
    questions = (
        Question.objects.in_status(status)
        .select_related("asker", "category")
        .order_by("received_on", "pk")
    )
    page = Paginator(questions, PER_PAGE).get_page(request.GET.get("page"))
    localize_categories((q.category for q in page), request.user.preferred_language)
    return render(
        request,
        "rollout/faq/inbox.html",
        {
            "page": page,
            "status": status,
            "statuses": [(value, label, counts.get(value, 0)) for value, label in S.choices],
        },
    )


def _question(question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("asker", "category", "answered_by", "faq_entry"),
        pk=question_id,
    )


def _publish_initial(question: Question) -> dict:
    text = question.text.strip()
    return {
        "category": question.category_id,
        "question_de": text if len(text) <= MAX_FAQ_QUESTION else "",
        "answer_de": question.answer,
    }


def _detail(
    request: AuthenticatedHttpRequest,
    question: Question,
    *,
    answer_form: AnswerForm | None = None,
    publish_form: PublishForm | None = None,
) -> HttpResponse:
    localize_categories([question.category], request.user.preferred_language)
    answerable = question.shown_status in ANSWERABLE
    context = {
        "question": question,
        "answerable": answerable,
        "answer_html": render_answer(current_answer(question, request.user.preferred_language)),
        "answer_form": answer_form or AnswerForm(initial={"answer": question.answer}),
        "publish_form": publish_form or PublishForm(initial=_publish_initial(question)),
        "too_long": len(question.text.strip()) > MAX_FAQ_QUESTION,
        "max_question": MAX_FAQ_QUESTION,
    }
    return render(request, "rollout/faq/question.html", context)


@role_required(*FAQ_TEAM)
def question_detail(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    """Show a question; POST answers it (a named asker gets the answer by mail)."""
    question = _question(question_id)
    if request.method != "POST":
        return _detail(request, question)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            question_answer(question=question, answer=form.cleaned_data["answer"], by=request.user)
        except FaqError as e:
            form.add_error("answer", str(e))
        else:
            if question.asker_id:
                messages.success(request, _("Answer saved and mailed to the asker."))
            else:
                messages.success(
                    request, _("Answer saved. The anonymous asker reads it under their link.")
                )
            return redirect("rollout:faq-question", question.pk)
    return _detail(request, _question(question_id), answer_form=form)


@require_POST
@role_required(*FAQ_TEAM)
def question_publish_view(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    question = _question(question_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            entry = question_publish(question=question, by=request.user, **form.cleaned_data)
        except FaqError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The question is now an FAQ entry."))
            return redirect("rollout:faq-entry", entry.pk)
    return _detail(request, _question(question_id), publish_form=form)


@require_POST
@role_required(*FAQ_TEAM)
def question_close_view(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    question = _question(question_id)
    try:
        question_close(question=question, by=request.user)
    except FaqError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Question closed."))
    return redirect("rollout:faq-question", question.pk)
