"""Asking the FAQ team: the form, "my questions" and the receipt page.

After an anonymous question the person gets its receipt link, the only key to the answer:
it is shown once, with the answer to the POST that sent the question, and stored nowhere
with the person (not in the session either, which is tied to the account). The secret is
the link's fragment (`/faq/fragen/beleg/#…`): browsers never send a fragment, so it
reaches no server or proxy log; the page posts it to open the question.
"""

from __future__ import annotations

import re

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
RECEIPT = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)
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
                # Shown in the answer to this POST, not behind a redirect: the secret stays
                # out of Location headers, too.
                return _question_page(request, question, new=True)
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
def question_receipt_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The receipt page: GET is a form (receipt.js fills it from the fragment and posts it),
    POST shows the anonymous question whose receipt was posted."""
    if request.method != "POST":
        return render(request, "rollout/faq/receipt_open.html", {"status": None})
    receipt = request.POST.get("receipt", "").strip().rpartition("#")[2]  # a pasted link too
    question = (
        Question.objects.filter(receipt=receipt, asker__isnull=True)
        .select_related("category", "faq_entry")
        .first()
        if RECEIPT.fullmatch(receipt)
        else None
    )
    if question is None:
        return render(request, "rollout/faq/receipt_open.html", {"status": "unknown"}, status=404)
    return _question_page(request, question)


@login_required
def my_question(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    """A question the person asked under their name; others get 404."""
    question = (
        Question.objects.filter(pk=question_id, asker=request.user)
        .select_related("category", "faq_entry")
        .first()
    )
    if question is None:
        raise Http404
    return _question_page(request, question)


@login_required
def question_receipt(request: AuthenticatedHttpRequest, receipt: str) -> HttpResponse:
    """An old receipt link (the secret in the path): still shown, with the new link."""
    question = (
        Question.objects.filter(receipt=receipt)
        .filter(Q(asker__isnull=True) | Q(asker=request.user))
        .select_related("category", "faq_entry")
        .first()
    )
    if question is None:
        raise Http404
    return _question_page(request, question, moved=question.asker_id is None)


def _question_page(
    request: AuthenticatedHttpRequest, question: Question, *, new: bool = False, moved: bool = False
) -> HttpResponse:
    language = request.user.preferred_language
    localize_categories([question.category], language)
    # An unpublished entry is being revised: the page says so instead of its answer.
    shown = question.shown_status == Question.Status.ANSWERED or (
        question.faq_entry is not None and question.faq_entry.published
    )
    answer = render_answer(current_answer(question, language)) if shown else ""
    link = settings.SITE_URL + reverse("rollout:faq-receipt-open") + "#" + question.receipt
    return render(
        request,
        "rollout/faq/receipt.html",
        {
            "question": question,
            "answer": answer,
            "new": new,
            "moved": moved,
            "link": link if question.asker_id is None else "",
        },
    )
