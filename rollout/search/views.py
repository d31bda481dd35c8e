"""The glossary page: a programme admin keeps the company's own search synonyms."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.http import AuthenticatedHttpRequest
from portal.roles import Role, role_required
from rollout.search import fulltext, lexicon, synonyms
from rollout.search.forms import GlossaryForm
from rollout.search.models import SearchGlossary
from rollout.search.services import glossary_set

MAX_PROBE = 200
GERMAN = "german"  # the text search config of every German source


@role_required(Role.PROGRAMME_ADMIN)
def glossary(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Edit the company's rules; `?probe=` shows what a search for those words also finds."""
    row = SearchGlossary.objects.filter(pk=1).first()
    if request.method == "POST":
        form = GlossaryForm(request.POST)
        if form.is_valid():
            glossary_set(
                actor=request.user,
                text=form.cleaned_data["text"],
                use_built_in=form.cleaned_data["use_built_in"],
            )
            messages.success(request, _("The synonyms are saved. The next search uses them."))
            return redirect("rollout:search-glossary")
    else:
        form = GlossaryForm(
            initial={
                "text": row.text if row else "",
                "use_built_in": row.use_built_in if row else True,
            }
        )
    probe = request.GET.get("probe", "")[:MAX_PROBE].strip()
    context = {
        "form": form,
        "row": row,
        "built_in": synonyms.built_in_rules(),
        "probe": probe,
        "probed": _probed(probe) if probe else None,
    }
    return render(request, "rollout/search/glossary.html", context)


def _probed(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each typed word with the terms the German search also looks for (as saved now)."""
    tokens = fulltext.query_tokens(text)
    found = lexicon.synonyms_of(GERMAN, tokens, lexicon.stems(tokens, GERMAN))
    return [(token, f.targets if f else ()) for token, f in zip(tokens, found, strict=True)]
