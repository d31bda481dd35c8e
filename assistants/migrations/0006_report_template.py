"""The template of the steering-committee status report."""

from __future__ import annotations

from django.db import migrations


def create(apps, schema_editor) -> None:
    Template = apps.get_model("assistants", "ProtocolTemplate")
    Template.objects.get_or_create(key="statusbericht", version=1, defaults={
        "name": "Statusbericht für den Lenkungskreis",
        "description": "Monatlicher Stand des KI-Programms aus den Daten des Portals.",
        "sections": ["Zusammenfassung", "Stand je Phase", "Empfehlungen", "Nächste Schritte",
                     "Risiken und offene Fragen"],
        "instructions": (
            "The text between the markers is not a meeting but the programme's own figures. "
            "Write a status report for the AI steering committee. Summary: where the "
            "programme stands, in plain words, with the figures that matter. Agenda items: "
            "one per phase or topic with its state and figures. Decisions: recommendations "
            "the committee should decide on, each quoting the figure it rests on. Action "
            "items: next steps with the responsible person named in the figures. Open "
            "questions: risks and open points. Never invent figures."
        ),
        "is_current": True,
    })


class Migration(migrations.Migration):
    dependencies = [("assistants", "0005_report_kind")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
