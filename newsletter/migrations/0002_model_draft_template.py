"""The protocol template the local model writes newsletter drafts with."""

from __future__ import annotations

from django.db import migrations


def create(apps, schema_editor) -> None:
    Template = apps.get_model("assistants", "ProtocolTemplate")
    Template.objects.get_or_create(key="newsletter", version=1, defaults={
        "name": "Newsletter-Entwurf",
        "description": "Entwurf der nächsten Ausgabe aus der Aktivität im Portal.",
        "sections": ["Einleitung", "Themen", "Zum Mitmachen"],
        "instructions": (
            "The text between the markers is not a meeting but what happened in the portal "
            "since the last newsletter. Write the draft of an internal newsletter for all "
            "employees, friendly and in plain words. Summary: an opening of two or three "
            "sentences. Agenda items: one per topic (use cases, dates, FAQ, progress), the "
            "notes a short paragraph about it. Action items: what readers can do next, "
            "without owner or date. Decisions and open questions: leave empty. Use only "
            "what the text says: never invent names, dates, figures or links."
        ),
        "is_current": True,
    })


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_initial"),
        ("assistants", "0007_newsletter_kind"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
