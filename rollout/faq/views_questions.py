"""Asking the FAQ team: the form, "my questions" and the receipt page.

After an anonymous question the person is sent to its receipt page, whose address is the
only key to the answer: it is shown there, once, and stored nowhere with the person (not
in the session either, which is tied to the account).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedHttpRequest
from rollout.faq.forms import MAX_QUESTION_TEXT, QuestionForm
from rollout.faq.questions import question_ask
from rollout.faq.render import current_answer, localize_categories, render_answer
from rollout.faq.search import faq_search
from rollout.faq.services import FaqError
from rollout.models import Question
from rollout.search import hybrid

MY_QUESTIONS = 100
SUGGESTIONS = 3


@login_required
def question_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = question_ask(
                text=data["text"],
                category=data["category"],
                asker=request.user,
                anonymous=data["anonymous"],
            )
        except FaqError as e:
            form.add_error("text", str(e))
        else:
            if question.asker_id is None:
                return redirect(reverse("rollout:faq-receipt", args=[question.receipt]) + "?neu=1")
            messages.success(
                request, _("Your question was sent. You will get a mail when it is answered.")
            )
            return redirect("rollout:faq-my-questions")
    # The limit comes from here: a template cannot read it off the validator, which it would
    # call (validators are callables) and so render as nothing.
    return render(request, "rollout/faq/ask.html", {"form": form, "max_text": MAX_QUESTION_TEXT})


@login_required
@require_POST
def question_suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return up to three published entries that may answer the question being typed.

    POST, not GET: what someone types into the question form must not land in the address
    and so in server or proxy logs.
    """
    text = hybrid.clean_text(request.POST.get("text"), hybrid.MAX_QUERY_LENGTH)
    hits = faq_search(text, language=request.LANGUAGE_CODE)[:SUGGESTIONS]
    return render(request, "rollout/faq/_suggestions.html", {"hits": hits})


@login_required
def my_questions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return the questions the person asked under their name (anonymous ones are not theirs)."""
    questions = list(
        Question.objects.filter(asker=request.user)
        .select_related("category")
        .order_by("-received_on", "-pk")[:MY_QUESTIONS]
    )
    localize_categories((q.category for q in questions), request.user.preferred_language)
    return render(request, "rollout/faq/my_questions.html", {"questions": questions})


@login_required
def question_receipt(request: AuthenticatedHttpRequest, receipt: str) -> HttpResponse:
    """Show a question and its answer to whoever holds the receipt (anonymous questions),
    or to the named asker; everyone else gets 404."""
    question = (
        Question.objects.filter(receipt=receipt)
        .filter(Q(asker__isnull=True) | Q(asker=request.user))
        .select_related("category", "faq_entry")
        .first()
    )
    if question is None:
        raise Http404
    language = request.user.preferred_language
    localize_categories([question.category], language)
    # An unpublished entry is being revised: the page says so instead of its answer.
    shown = question.shown_status == Question.Status.ANSWERED or (
        question.faq_entry is not None and question.faq_entry.published
    )
    answer = render_answer(current_answer(question, language)) if shown else ""
    return render(
        request,
        "rollout/faq/receipt.html",
        {
            "question": question,
            "answer": answer,
            "new": request.GET.get("neu") == "1" and question.asker_id is None,
            "link": settings.SITE_URL + request.path,
        },
    )
