"""The five protocol templates staff start with; admins edit them later (new versions)."""

from __future__ import annotations

from django.db import migrations

TEMPLATES = [
    ("ergebnisprotokoll", "Ergebnisprotokoll",
     "Nur Ergebnisse: Beschlüsse, Aufgaben, offene Fragen.",
     ["Zusammenfassung", "Beschlüsse", "Aufgaben", "Offene Fragen"],
     "Record results only, not the course of the discussion. Keep the summary to three to "
     "five sentences. Every decision as one clear sentence. Every action item with a task, "
     "an owner from the participants and a due date if one was named."),
    ("verlaufsprotokoll", "Verlaufsprotokoll",
     "Der Verlauf je Tagesordnungspunkt, mit Ergebnissen.",
     ["Zusammenfassung", "Tagesordnung mit Verlauf", "Beschlüsse", "Aufgaben", "Offene Fragen"],
     "Follow the course of the meeting: one agenda item per topic discussed, in order, with "
     "the main arguments and who made them in the notes. Then decisions and action items."),
    ("kundengespraech", "Kundengespräch",
     "Anliegen des Kunden, Zusagen, nächste Schritte.",
     ["Zusammenfassung", "Anliegen", "Zusagen", "Nächste Schritte", "Offene Fragen"],
     "This was a conversation with a customer. Agenda items are the customer's concerns. "
     "Decisions are commitments made by either side. Action items are the next steps, with "
     "the responsible person on our side. Do not include prices or personal data that were "
     "not needed for the next steps."),
    ("workshop", "Workshop",
     "Ideen, Bewertungen, vereinbarte Experimente.",
     ["Zusammenfassung", "Themen und Ideen", "Entscheidungen", "Experimente und Aufgaben",
      "Offene Fragen"],
     "This was a workshop. Agenda items are the topics or ideas worked on, with the outcome "
     "of any prioritisation in the notes. Decisions include which ideas are pursued. Action "
     "items are the agreed experiments or follow-ups."),
    ("jour-fixe", "Daily / Jour fixe",
     "Kurz: Stand, Hindernisse, Aufgaben bis zum nächsten Termin.",
     ["Stand", "Hindernisse", "Aufgaben"],
     "This was a short recurring meeting. Keep everything brief. Agenda items are the status "
     "updates per person or topic; open questions are blockers. Action items until the next "
     "meeting."),
]


def create(apps, schema_editor) -> None:
    Template = apps.get_model("assistants", "ProtocolTemplate")
    for key, name, description, sections, instructions in TEMPLATES:
        Template.objects.get_or_create(key=key, version=1, defaults={
            "name": name, "description": description, "sections": sections,
            "instructions": instructions, "is_current": True,
        })


class Migration(migrations.Migration):
    dependencies = [("assistants", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
