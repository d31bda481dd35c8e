"""Demo newsletter: two sent issues in the archive (with their deliveries) and one draft.

Idempotent: keyed by the first issue's subject. Writes rows directly (no service: no mails,
no audit entries); the deliveries are bulk-inserted as already sent to the demo people.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from newsletter.models import Delivery, Issue
from portal.demo import DEMO_DOMAIN
from portal.models import User

FIRST_SUBJECT = "KI-Newsletter Nr. 1: Kickoff-Rückblick und die ersten Multiplikator:innen"

FIRST_BODY = """Liebe Kolleginnen und Kollegen,

140 von Ihnen waren beim Kickoff dabei – vor Ort oder online. Danke für die vielen Fragen!
Die wichtigsten Antworten haben wir in der FAQ gesammelt.

## Was wir beim Kickoff gelernt haben

- KI soll uns von wiederkehrenden Aufgaben entlasten: Protokolle, Entwürfe, Zusammenfassungen.
- **Niemand wird gedrängt.** Wir setzen auf gute Erfahrungen im Team, nicht auf Druck.
- Unser Sprachmodell läuft auf dem eigenen Server. Unternehmensdaten verlassen das Haus nicht.

## Die ersten Multiplikator:innen

In den Workshops für Early Adopter haben sich die ersten Kolleginnen und Kollegen aus
Vertrieb, Konstruktion und Kundenservice zu Multiplikator:innen ausbilden lassen. Sie haben
bewusst Zeit bekommen, um frei zu experimentieren – und geben ihre Erfahrungen an ihre Teams
weiter. Sprechen Sie sie an!

## Wie geht es weiter?

Jetzt sammeln die Teams konkrete Use Cases – die ersten sind schon eingereicht. Interne
Fachkräfte prüfen die Ergebnisse, bevor sie in den Arbeitsalltag übernommen werden.

Fragen? Stellen Sie sie über die FAQ-Anlaufstelle im Portal – wir antworten allen.

Ihr KI-Programmteam
"""

FIRST_SUBJECT_EN = "AI newsletter no. 1: kickoff review and our first multipliers"
FIRST_BODY_EN = """Dear colleagues,

140 of you joined the kickoff, on site or online. Thank you for all the questions!
The most important answers are now in the FAQ.

## The first multipliers

After the early-adopter workshops, the first colleagues from sales, engineering and customer
service are now multipliers. Talk to them!

Your AI programme team
"""

SECOND_SUBJECT = "KI-Newsletter Nr. 2: Erste Use Cases aus den Teams und neue Community-Runden"

SECOND_BODY = """Liebe Kolleginnen und Kollegen,

die Phase „Use Cases in den Teams“ läuft – und die ersten Ergebnisse können sich sehen lassen.

## Neue Use Cases

- **Angebotsentwürfe im Vertrieb:** Der erste Entwurf entsteht in Minuten statt in einer Stunde.
- **Zusammenfassungen von Kundenanfragen:** Der Kundenservice antwortet schneller.
- **Dokumentation in der Konstruktion:** Änderungsnotizen werden automatisch vorformuliert.

Alle Use Cases werden von internen Fachkräften validiert, bevor sie ausgerollt werden.

## Austausch: die Community-Runden

Ab sofort treffen sich alle zwei Wochen Interessierte zur Community-Runde: Erfahrungen teilen,
Prompts vergleichen, Fragen stellen. Anmeldung unter „Termine“ im Portal.

## Aus der Sprechstunde

Die häufigste Frage: „Darf ich Kundendaten eingeben?“ Die Antwort steht jetzt in der FAQ –
kurz gesagt: nur in die Assistenten des Portals, die auf unserem eigenen Server laufen.

Ihr KI-Programmteam
"""

DRAFT_SUBJECT = "KI-Newsletter Nr. 3: Der Protokollgenerator kommt"
DRAFT_BODY = """Liebe Kolleginnen und Kollegen,

in der fünften Phase führen wir schrittweise die ersten KI-Assistenten ein. Den Anfang macht
der Protokollgenerator: Aus Ihren Notizen wird ein Protokollentwurf, den Sie prüfen und
freigeben.

## Entwurf – bitte ergänzen

- Termine der Einführungsschulungen
- Stimmen der Pilotteams
"""


def _deliveries(issue: Issue, people: list[User]) -> list[Delivery]:
    return [
        Delivery(
            issue=issue,
            user=person,
            email=person.email,
            language=person.preferred_language,
            status=Delivery.Status.SENT,
            attempts=1,
            sent_at=issue.sent_at,
        )
        for person in people
    ]


@transaction.atomic
def seed_newsletter(write: Callable[[str], None]) -> None:
    if Issue.objects.filter(subject_de=FIRST_SUBJECT).exists():
        write("Demo newsletter already present.")
        return
    now = timezone.now()
    admin = User.objects.filter(email=f"ada@{DEMO_DOMAIN}").first()
    people = list(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True).only(
            "pk", "email", "preferred_language"
        )
    )
    sent = []
    for subject, body, subject_en, body_en, days_ago in (
        (FIRST_SUBJECT, FIRST_BODY, FIRST_SUBJECT_EN, FIRST_BODY_EN, 120),
        (SECOND_SUBJECT, SECOND_BODY, "", "", 28),
    ):
        when = now - timedelta(days=days_ago)
        sent.append(
            Issue.objects.create(
                subject_de=subject,
                body_de=body,
                subject_en=subject_en,
                body_en=body_en,
                status=Issue.Status.SENT,
                started_at=when,
                sent_at=when + timedelta(minutes=3),
                created_by=admin,
            )
        )
    Delivery.objects.bulk_create([d for issue in sent for d in _deliveries(issue, people)])
    Issue.objects.create(subject_de=DRAFT_SUBJECT, body_de=DRAFT_BODY, created_by=admin)
    write(f"Demo newsletter: 2 sent issues to {len(people)} people, 1 draft.")
