"""Admins edit protocol templates; every edit is a new version, old protocols keep theirs."""

from __future__ import annotations

import pytest

from assistants.models import ProtocolTemplate
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_admin_edit_creates_a_new_current_version(client, ada) -> None:
    from tests.factories import protocol_for

    _, protocol = protocol_for(ada)
    v1 = ProtocolTemplate.objects.get(key="ergebnisprotokoll", is_current=True)
    client.force_login(ada)
    url = f"/admin/assistants/protocoltemplate/{v1.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Ergebnisprotokoll",
            "description": v1.description,
            "sections": '["Zusammenfassung", "Beschlüsse", "Aufgaben"]',
            "instructions": "Nur Ergebnisse, höchstens drei Sätze Zusammenfassung.",
        },
    )
    assert response.status_code == 302
    versions = ProtocolTemplate.objects.filter(key="ergebnisprotokoll").order_by("version")
    assert [(t.version, t.is_current) for t in versions] == [(1, False), (2, True)]
    assert versions[1].instructions.startswith("Nur Ergebnisse")
    assert versions[0].instructions == v1.instructions  # untouched
    protocol.refresh_from_db()
    assert protocol.template_id == v1.pk  # the finished protocol keeps its version
    assert AuditEntry.objects.filter(action="assistant.template_revised").exists()
    # Old versions are read-only; the form offers only current templates.
    assert client.post(url, {"name": "x", "sections": "[]", "instructions": "x"}).status_code == 403


def test_employees_cannot_edit_templates(client, alice) -> None:
    v1 = ProtocolTemplate.objects.get(key="ergebnisprotokoll", is_current=True)
    client.force_login(alice)
    response = client.get(f"/admin/assistants/protocoltemplate/{v1.pk}/change/", follow=True)
    assert response.status_code == 403
