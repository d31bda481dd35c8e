"""The assistants' card on the home page: the person's recent and running protocols."""

from __future__ import annotations

from assistants.kinds import PROTOCOL
from assistants.selectors import jobs_for
from portal.http import AuthenticatedHttpRequest
from portal.registry import HomeCard


def protocol_cards(request: AuthenticatedHttpRequest) -> list[HomeCard]:
    jobs = list(jobs_for(request.user, PROTOCOL)[:3])
    return [HomeCard("assistants/cards/_protocols.html", {"jobs": jobs}, order=30)]
