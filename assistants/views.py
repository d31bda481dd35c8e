"""Pages of the AI assistants."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from assistants.selectors import model_facts
from portal.http import AuthenticatedHttpRequest


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show which local model the assistants run on and where the data stays."""
    return render(request, "assistants/index.html", {"model": model_facts()})
