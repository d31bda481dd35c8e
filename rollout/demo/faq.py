"""Demo FAQ: seven categories, thirty entries (half with English), a few inbox questions.

Idempotent: keyed by the first category's German name. Writes rows directly (no service:
no mails, no audit entries, no embedding tasks; `search_reindex` embeds later). Two entries
are reviewed longer ago than PORTAL_FAQ_STALE_DAYS, so the stale list has something to show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.demo import DEMO_DOMAIN
from portal.models import User
from rollout.models import FaqCategory, FaqEntry, Question

# key: (German name, English name)
CATEGORIES = {
    "start": ("Grundlagen und Fahrplan", "Basics and roadmap"),
    "daten": ("Datenschutz und lokales Modell", "Data protection and the local model"),
    "assist": ("Protokoll- und Berichtsgenerator", "Protocol and report generator"),
    "prompt": ("Prompting und gute Ergebnisse", "Prompting and good results"),
    "br": (
        "Betriebsrat, Arbeitsplatz und Mitbestimmung",
        "Works council, jobs and co-determination",
    ),
    "uc": ("Use Cases und Multiplikatoren", "Use cases and multipliers"),
    "hilfe": ("Sprechstunden, Schulungen und Austausch", "Office hours, training and exchange"),
}
STALE = "stale"  # reviewed before the stale limit
# (category, question de, answer de, question en, answer en, reviewed days ago or STALE)
ENTRIES = [
    ("start", "Warum führen wir KI überhaupt ein?",
     "KI soll uns von wiederkehrenden, zeitintensiven Aufgaben entlasten – Protokolle, "
     "Entwürfe, Zusammenfassungen – und die Qualität in Dokumentation und "
     "Kundenkommunikation verbessern.\n\nEs geht nicht um ein IT-Projekt, sondern um "
     "einen gemeinsamen Lernprozess: klein anfangen, Erfahrungen teilen, Schritt für "
     "Schritt wachsen.",
     "Why are we introducing AI at all?",
     "AI should take repetitive, time-consuming work off our hands – minutes, drafts, "
     "summaries – and improve the quality of documentation and customer communication.\n\n"
     "It is not an IT project but a shared learning process: start small, share "
     "experience, grow step by step.", 20),
    ("start", "Wie läuft die Einführung ab?",
     "In fünf Phasen:\n\n1. **Kickoff** mit Basiswissen für alle\n2. **Workshops** für "
     "Early Adopter, die Multiplikatoren werden\n3. **Use Cases** in den Teams\n"
     "4. **Austauschformate** wie Community-Runden\n5. **KI-Assistenten** wie der "
     "Protokollgenerator\n\nDen aktuellen Stand zeigt der [Fahrplan](/fahrplan/).",
     "How does the rollout work?",
     "In five phases: a kickoff for everyone, workshops for early adopters, use cases in "
     "the teams, exchange formats, and finally AI assistants such as the protocol "
     "generator. The [roadmap](/fahrplan/) shows where we are.", 35),
    ("start", "Muss ich KI nutzen?",
     "Nein. Niemand wird gedrängt. Wir setzen auf gute Erfahrungen im Team und auf "
     "Multiplikatoren, die zeigen, was funktioniert. Wer mag, probiert es aus – wer "
     "Bedenken hat, kann sie in der Sprechstunde oder anonym loswerden.",
     "Do I have to use AI?",
     "No. Nobody is pushed. We rely on good experiences in the team and on multipliers "
     "who show what works. Concerns can be raised in office hours or anonymously.", 60),
    ("start", "Wo finde ich Termine für Kickoff und Workshops?",
     "Alle Veranstaltungen stehen unter [Termine](/termine/). Dort meldest du dich an; "
     "ist eine Veranstaltung voll, kommst du auf die Warteliste und rückst automatisch "
     "nach.", "", "", 90),
    ("daten", "Verlassen unsere Daten das Unternehmen?",
     "Nein. Das Sprachmodell läuft auf unserem eigenen Server in einer abgeschirmten "
     "Umgebung. Texte, die du eingibst, werden nicht an externe Dienste oder "
     "Cloud-Anbieter geschickt.",
     "Does our data leave the company?",
     "No. The language model runs on our own server in a shielded environment. Texts you "
     "enter are not sent to external services or cloud providers.", 15),
    ("daten", "Darf ich Kundendaten in den Assistenten eingeben?",
     "Ja, im Rahmen der üblichen Regeln: Das Modell läuft lokal, die Daten bleiben im "
     "Haus. Gib aber nur ein, was für die Aufgabe nötig ist, und prüfe das Ergebnis, "
     "bevor es an Kunden geht.",
     "May I enter customer data into the assistant?",
     "Yes, within the usual rules: the model runs locally and the data stays in the "
     "company. Enter only what the task needs and check the result before it goes to a "
     "customer.", 40),
    ("daten", "Warum nutzen wir kein öffentliches ChatGPT?",
     "Weil Unternehmensdaten nicht auf externen Servern verarbeitet werden sollen. Ein "
     "lokales Modell braucht mehr eigene Infrastruktur, gibt uns aber volle Kontrolle "
     "über sensible Daten.", "", "", 55),
    ("daten", "Wie lange werden meine Eingaben gespeichert?",
     "Transkripte und Entwürfe werden nach der eingestellten Aufbewahrungsfrist "
     "automatisch gelöscht. Die Fristen legen Datenschutz und Betriebsrat fest; sie "
     "stehen auf der Seite [Datenschutz](/datenschutz/).",
     "How long are my inputs stored?",
     "Transcripts and drafts are deleted automatically after the retention period set by "
     "data protection and the works council; see the [privacy page](/datenschutz/).", 70),
    ("daten", "Welches Sprachmodell verwenden wir?",
     "Ein offenes Sprachmodell, das auf unserem eigenen Server läuft. Es ist kleiner als "
     "die großen Cloud-Modelle, für Protokolle, Zusammenfassungen und Entwürfe aber gut "
     "geeignet.", "", "", STALE),
    ("assist", "Was macht der Protokollgenerator?",
     "Du fügst Notizen oder ein Transkript einer Besprechung ein, der Assistent erstellt "
     "daraus einen Protokollentwurf mit Teilnehmenden, Entscheidungen und Aufgaben. Du "
     "prüfst und korrigierst ihn, erst dann wird er freigegeben.",
     "What does the protocol generator do?",
     "You paste notes or a transcript of a meeting; the assistant drafts minutes with "
     "participants, decisions and action items. You check and correct them before they "
     "are approved.", 10),
    ("assist", "Kann ich dem Entwurf blind vertrauen?",
     "Nein. KI-Ergebnisse sind Entwürfe. Prüfe Namen, Zahlen und Entscheidungen immer "
     "gegen deine Notizen – genau dafür gibt es den Prüfschritt vor der Freigabe.",
     "Can I trust the draft blindly?",
     "No. AI output is a draft. Always check names, figures and decisions against your "
     "notes – that is what the review step before approval is for.", 25),
    ("assist", "Wie lang darf ein Transkript sein?",
     "Sehr lange Transkripte werden abgelehnt, mit einer Meldung, wie viel zu lang ist. "
     "Teile lange Besprechungen dann in Abschnitte oder kürze Wiederholungen.",
     "", "", 45),
    ("assist", "Wann kommt der Berichtsgenerator?",
     "Der Berichtsgenerator folgt in Phase 5, nachdem sich der Protokollgenerator "
     "bewährt hat. Den Zeitplan zeigt der [Fahrplan](/fahrplan/).", "", "", 80),
    ("assist", "Warum dauert die Erstellung manchmal länger?",
     "Das Modell läuft auf unserem eigenen Server und bearbeitet Aufträge nacheinander. "
     "Wenn viele gleichzeitig Protokolle erstellen, wartet dein Auftrag kurz; der "
     "Fortschritt wird angezeigt.",
     "Why does generation sometimes take longer?",
     "The model runs on our own server and handles jobs one after another. When many "
     "people generate at once, your job waits briefly; the progress is shown.", 30),
    ("prompt", "Was ist ein Prompt?",
     "Die Anweisung, die du der KI gibst. Je klarer du Aufgabe, Zielgruppe und "
     "gewünschtes Format beschreibst, desto besser wird das Ergebnis.",
     "What is a prompt?",
     "The instruction you give the AI. The clearer you describe the task, the audience "
     "and the format you want, the better the result.", 50),
    ("prompt", "Wie schreibe ich einen guten Prompt?",
     "Bewährt hat sich:\n\n- **Rolle** nennen („Du bist Assistenz im Vertrieb“)\n- "
     "**Aufgabe** klar formulieren\n- **Kontext** mitgeben (Stichpunkte, Beispiele)\n- "
     "**Format** vorgeben (Liste, E-Mail, höchstens 100 Wörter)\n\nUnd dann: Ergebnis "
     "prüfen und nachschärfen.",
     "How do I write a good prompt?",
     "Name a role, state the task clearly, give context (notes, examples) and ask for a "
     "format (list, email, at most 100 words). Then check the result and refine.", 50),
    ("prompt", "Die Antwort ist falsch oder erfunden – was tun?",
     "Sprachmodelle können Fakten erfinden („halluzinieren“). Prüfe Zahlen und Namen, "
     "gib die nötigen Fakten im Prompt mit und frage nach, wenn etwas unplausibel wirkt. "
     "Verwende nie ungeprüfte Ergebnisse.", "", "", 65),
    ("prompt", "Gibt es Vorlagen für häufige Aufgaben?",
     "Ja: Die Multiplikatoren sammeln bewährte Prompts für Angebote, "
     "Gesprächsnotizen und Zusammenfassungen. Frag in deinem Team nach oder in der "
     "nächsten Community-Runde.", "", "", STALE),
    ("br", "Ist der Betriebsrat eingebunden?",
     "Ja, von Anfang an. Betriebsrat und Datenschutz beleuchten die Auswirkungen auf den "
     "Arbeitsalltag und die rechtlichen Rahmenbedingungen und sehen nur zusammengefasste "
     "Zahlen, nie einzelne Antworten.",
     "Is the works council involved?",
     "Yes, from the start. The works council and data protection look at the effects on "
     "daily work and the legal framework, and see aggregates only, never individual "
     "answers.", 20),
    ("br", "Wird meine Arbeit mit KI überwacht oder bewertet?",
     "Nein. Das Portal wertet nicht aus, wer wie viel KI nutzt, um Leistung zu bewerten. "
     "Kennzahlen werden nur zusammengefasst berichtet; Umfragen sind anonym.",
     "Is my work with AI monitored or assessed?",
     "No. The portal does not evaluate who uses AI how much to assess performance. "
     "Figures are reported as aggregates only; surveys are anonymous.", 20),
    ("br", "Ersetzt KI meinen Arbeitsplatz?",
     "Ziel ist, Routinearbeit abzugeben und Zeit für anspruchsvollere Aufgaben zu "
     "gewinnen – nicht, Stellen abzubauen. Sorgen dazu sind berechtigt: sprich sie an, "
     "gern auch anonym über das Feedback oder diese FAQ.",
     "Will AI replace my job?",
     "The aim is to hand off routine work and gain time for more demanding tasks – not to "
     "cut jobs. Worries about this are legitimate: raise them, anonymously if you like.",
     35),
    ("br", "Wie anonym sind die Umfragen wirklich?",
     "Antworten werden ohne Verbindung zur Person gespeichert. Ergebnisse erscheinen erst "
     "ab einer Mindestzahl von Antworten, auch bei Filtern nach Abteilung.", "", "", 40),
    ("uc", "Was ist ein Use Case?",
     "Ein konkreter Anwendungsfall aus deinem Arbeitsalltag, bei dem KI hilft – zum "
     "Beispiel Angebotsentwürfe vorformulieren oder Wartungsberichte zusammenfassen. "
     "Klein und klar abgegrenzt ist ideal.",
     "What is a use case?",
     "A concrete situation from your daily work where AI helps – for example drafting "
     "offers or summarising maintenance reports. Small and clearly scoped is ideal.", 30),
    ("uc", "Wie reiche ich einen Use Case ein?",
     "Unter [Use Cases](/anwendungsfaelle/neu/) beschreibst du Problem und Idee. Das "
     "Portal zeigt ähnliche Use Cases, damit du dich anschließen kannst, statt neu "
     "anzufangen. Danach prüfen Fachleute die Idee und begleiten einen Pilot.",
     "How do I submit a use case?",
     "Describe the problem and your idea under [use cases](/anwendungsfaelle/neu/). The "
     "portal shows similar use cases so you can join one. Experts then review it and "
     "accompany a pilot.", 30),
    ("uc", "Was machen Multiplikatoren?",
     "Multiplikatoren sind engagierte Kolleginnen und Kollegen, die in Workshops vertieft "
     "geschult wurden. Sie helfen ihrem Team beim Einstieg, sammeln Use Cases und bieten "
     "Sprechstunden an.",
     "What do multipliers do?",
     "Multipliers are committed colleagues trained in depth in workshops. They help their "
     "team get started, collect use cases and offer office hours.", 75),
    ("uc", "Wie werde ich Multiplikatorin oder Multiplikator?",
     "Nimm an einem Workshop für Early Adopter teil. Wer dort mitmacht und Lust hat, "
     "anderen zu helfen, wird vom Programmteam als Multiplikator bestätigt.", "", "", 85),
    ("hilfe", "Was sind die offenen Sprechstunden?",
     "Feste Zeitfenster, in denen Multiplikatoren und Fachleute Fragen beantworten – "
     "online oder vor Ort. Du buchst einen Termin mit einem kurzen Thema.",
     "What are the open office hours?",
     "Fixed time slots in which multipliers and experts answer questions, online or on "
     "site. You book a slot with a short topic.", 12),
    ("hilfe", "Kann ich einen Sprechstundentermin absagen?",
     "Ja, jederzeit vor Beginn. Der Platz wird sofort für andere frei.", "", "", 12),
    ("hilfe", "Was sind Community-Runden?",
     "Regelmäßige Treffen, in denen Teams zeigen, was bei ihnen funktioniert – und was "
     "nicht. Sie bauen ein internes Wissensnetzwerk auf.", "", "", 100),
    ("hilfe", "Ich habe eine Frage, die hier nicht beantwortet wird.",
     "Stell sie über „Frage stellen“ – mit Namen oder anonym. Das FAQ-Team antwortet und "
     "nimmt häufige Fragen in diese FAQ auf.",
     "My question is not answered here.",
     "Ask it via “Ask a question” – by name or anonymously. The FAQ team answers and adds "
     "frequent questions to this FAQ.", 5),
]  # fmt: skip
OPEN_QUESTIONS = [
    ("alice", "Kann der Protokollgenerator auch englische Besprechungen zusammenfassen?"),
    ("charlie", "Gibt es eine Schulung speziell für den Kundenservice?"),
    (None, "Was passiert, wenn meine Abteilung durch KI weniger Arbeit hat? Ich mache mir "
     "Sorgen um meine Stelle."),
]  # fmt: skip


def _stale_days() -> int:
    return settings.FAQ_STALE_DAYS + 40


@transaction.atomic
def seed_faq(write: Callable[[str], None]) -> None:
    """Create the demo FAQ and inbox once."""
    first = next(iter(CATEGORIES.values()))[0]
    if FaqCategory.objects.filter(name_de=first).exists():
        write("Demo FAQ already present.")
        return
    people = {
        u.email.split("@")[0]: u
        for u in User.objects.filter(
            email__in=[f"{n}@{DEMO_DOMAIN}" for n in ("alice", "charlie", "ada")]
        )
    }
    ada = people.get("ada")
    categories = {
        key: FaqCategory.objects.create(name_de=de, name_en=en, order=10 * (n + 1))
        for n, (key, (de, en)) in enumerate(CATEGORIES.items())
    }
    today = timezone.localdate()
    entries = FaqEntry.objects.bulk_create(
        FaqEntry(
            category=categories[key],
            question_de=q_de,
            answer_de=a_de,
            question_en=q_en,
            answer_en=a_en,
            reviewed_on=today - timedelta(days=_stale_days() if days == STALE else days),
            reviewed_by=ada,
            helpful_yes=(len(q_de) * 7) % 23,
            helpful_no=len(q_de) % 4,
        )
        for key, q_de, a_de, q_en, a_en, days in ENTRIES
    )
    _inbox(people, categories, entries, today)
    write(f"Demo FAQ: {len(categories)} categories, {len(entries)} entries, 6 questions.")


def _inbox(people: dict, categories: dict, entries: list[FaqEntry], today) -> None:
    for n, (who, text) in enumerate(OPEN_QUESTIONS):
        Question.objects.create(
            asker=people.get(who) if who else None,
            text=text,
            category=categories["assist"] if n == 0 else None,
            received_on=today - timedelta(days=3 - n),
        )
    ada, now = people.get("ada"), timezone.now()
    Question.objects.create(
        asker=people.get("alice"),
        text="Darf ich den Protokollgenerator auch für Betriebsratssitzungen nutzen?",
        category=categories["br"],
        status=Question.Status.ANSWERED,
        answer="Ja, die Daten bleiben auf unserem Server. Sprich die Nutzung aber vorher "
        "im Gremium ab und gib das Protokoll erst nach eurer Prüfung frei.",
        answered_by=ada,
        answered_at=now - timedelta(days=2),
        received_on=today - timedelta(days=6),
    )
    published = next(e for e in entries if e.question_de.startswith("Ersetzt KI"))
    Question.objects.create(
        asker=None,
        text="Wird durch die KI mein Arbeitsplatz ersetzt?",
        category=categories["br"],
        status=Question.Status.ANSWERED,  # published: the entry holds the answer
        answered_by=ada,
        answered_at=now - timedelta(days=35),
        faq_entry=published,
        received_on=today - timedelta(days=38),
    )
    Question.objects.create(
        asker=people.get("charlie"),
        text="Wo finde ich die Folien vom Kickoff?",
        status=Question.Status.CLOSED,
        received_on=today - timedelta(days=20),
    )
