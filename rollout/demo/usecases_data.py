"""The demo use cases: what the teams of the demo company log, and what became of it.

Dates are days before today. Owner: a cast member ("bob") or a department's n-th
multiplier ("VT1"). Data: p = personal, c = customer, x = confidential data. Risk: the
answers to the three questions of the intake questionnaire.
"""

from __future__ import annotations

from typing import NamedTuple

from rollout.models import UseCase

S = UseCase.Status
P, A = UseCase.Assistant.PROTOCOL, UseCase.Assistant.REPORT
# answers to the three questions (prohibited, high risk, transparency)
RISK = {"min": (0, 0, 0), "tr": (0, 0, 1), "high": (0, 1, 0), "pro": (1, 0, 0)}


class Demo(NamedTuple):
    title: str
    department: str
    owner: str
    risk: str
    assistant: str = ""
    tool: str = ""
    data: str = ""
    estimate: str = ""
    measured: str = ""
    logged: int = 0
    path: tuple[tuple[str, int, str], ...] | list = ()
    problem: str = ""
    solution: str = ""


USE_CASES = [
    Demo(
        "Angebotsentwürfe aus Kundenanfragen vorformulieren",
        "VT",
        "VT1",
        "tr",
        tool="Lokales Sprachmodell",
        data="c",
        estimate="4",
        measured="3.5",
        logged=120,
        path=[
            (S.IN_REVIEW, 95, ""),
            (S.PILOT, 80, "Pilot mit drei Vertriebsteams"),
            (S.VALIDATED, 45, "Entwürfe werden vor dem Versand immer geprüft."),
            (S.ROLLED_OUT, 20, "Für den ganzen Vertrieb freigeschaltet"),
        ],
        problem=(
            "Jede Anfrage braucht ein individuelles Angebot; das Anschreiben "
            "kostet pro Angebot 20 Minuten."
        ),
        solution=(
            "Das Modell formuliert aus der Anfrage und den Produktdaten einen "
            "Entwurf, den der Vertrieb anpasst und prüft."
        ),
    ),
    Demo(
        "Gesprächsnotizen aus Kundenterminen strukturieren",
        "VT",
        "VT2",
        "min",
        assistant=P,
        data="pc",
        estimate="3",
        logged=50,
        path=[(S.IN_REVIEW, 35, "")],  # the protocol generator's pilot starts with phase 5
        problem=(
            "Nach Kundenterminen liegen handschriftliche Notizen vor; das "
            "Nachtragen ins CRM dauert."
        ),
        solution=(
            "Der Protokollgenerator macht aus den Notizen eine strukturierte "
            "Gesprächsnotiz mit Aufgaben."
        ),
    ),
    Demo(
        "Gesprächsprotokolle aus Kundenterminen automatisch erstellen",
        "KS",
        "KS1",
        "min",
        assistant=P,
        data="pc",
        estimate="2",
        logged=12,
        problem=(
            "Notizen aus Kundenterminen werden von Hand ins CRM übertragen; vieles geht "
            "dabei verloren."
        ),
        solution=(
            "Der Protokollgenerator macht aus den Notizen zum Kundentermin ein "
            "Gesprächsprotokoll mit Aufgaben."
        ),
    ),
    Demo(
        "Reklamationen zusammenfassen",
        "KS",
        "KS2",
        "min",
        tool="Lokales Sprachmodell",
        data="pc",
        estimate="5",
        logged=75,
        path=[(S.IN_REVIEW, 60, ""), (S.PILOT, 25, "Pilot im Team Reklamationen")],
        problem=(
            "Lange Reklamationsmails mit Anhängen zu lesen kostet viel Zeit, "
            "bevor klar ist, worum es geht."
        ),
        solution=(
            "Das Modell fasst jede Reklamation in drei Sätzen zusammen: "
            "Produkt, Mangel, Forderung des Kunden."
        ),
    ),
    Demo(
        "Kundenbeschwerden automatisch zusammenfassen lassen",
        "VT",
        "VT3",
        "min",
        data="c",
        estimate="3",
        logged=9,
        path=[(S.IN_REVIEW, 4, "")],
        problem=("Beschwerden von Kunden kommen per Mail und Telefon; eine Übersicht fehlt."),
        solution=(
            "Eine KI fasst Beschwerden zusammen und ordnet sie nach Produkt und Dringlichkeit."
        ),
    ),
    Demo(
        "Antwortvorschläge für Standardanfragen im Kundenservice",
        "KS",
        "KS3",
        "tr",
        tool="Lokales Sprachmodell",
        data="pc",  # the requests name the customer's staff: data protection signed it off
        estimate="6",
        measured="7.5",
        logged=130,
        path=[
            (S.IN_REVIEW, 115, ""),
            (S.PILOT, 100, ""),
            (S.VALIDATED, 50, "Freigabe durch das Ethikboard liegt vor."),
            (S.ROLLED_OUT, 30, ""),
        ],
        problem=(
            "Viele Anfragen (Lieferstatus, Rechnungskopie, Ersatzteile) werden "
            "immer wieder gleich beantwortet."
        ),
        solution=(
            "Das Modell schlägt eine Antwort vor; die Mitarbeitenden prüfen und"
            " passen sie an, bevor sie rausgeht."
        ),
    ),
    Demo(
        "Protokollgenerator für Teambesprechungen",
        "KE",
        "bob",
        "min",
        assistant=P,
        data="p",
        estimate="3",
        logged=70,
        path=[(S.IN_REVIEW, 40, "")],  # reviewed by the ethics board; pilot with phase 5
        problem=(
            "Protokolle der wöchentlichen Teambesprechungen schreibt reihum "
            "jemand – oft Tage später."
        ),
        solution=(
            "Der Protokollgenerator erstellt aus den Stichpunkten ein "
            "Ergebnisprotokoll mit Beschlüssen und Aufgaben."
        ),
    ),
    Demo(
        "Monatsbericht Produktion mit dem Berichtsgenerator",
        "PL",
        "PL1",
        "min",
        assistant=A,
        data="x",
        estimate="4",
        logged=60,
        path=[(S.IN_REVIEW, 45, "")],  # waits for the ethics board (phase 5)
        problem=(
            "Der Monatsbericht der Produktion wird aus fünf Tabellen von Hand zusammengeschrieben."
        ),
        solution=(
            "Der Berichtsgenerator schreibt aus den Kennzahlen einen "
            "Berichtsentwurf mit Abweichungen und Ursachen."
        ),
    ),
    Demo(
        "Schichtübergabe-Notizen zusammenfassen",
        "PL",
        "PL2",
        "min",
        estimate="1.5",
        logged=6,
        problem=(
            "Bei der Schichtübergabe gehen Hinweise verloren, weil die Notizen "
            "unübersichtlich sind."
        ),
        solution=(
            "Die KI fasst die Notizen der Schicht zu einer kurzen Übergabe mit "
            "offenen Punkten zusammen."
        ),
    ),
    Demo(
        "Arbeitsanweisungen in einfacher Sprache",
        "PL",
        "PL3",
        "tr",
        tool="Lokales Sprachmodell",
        estimate="2.5",
        logged=70,
        path=[(S.IN_REVIEW, 50, ""), (S.PILOT, 30, "")],
        problem=(
            "Arbeitsanweisungen sind lang und schwer verständlich, besonders für neue Kolleg:innen."
        ),
        solution=(
            "Das Modell formuliert Anweisungen in einfache Sprache um; die "
            "Meister:innen prüfen jede Fassung."
        ),
    ),
    Demo(
        "Störungsberichte strukturiert erfassen",
        "PL",
        "PL1",
        "min",
        estimate="2",
        logged=30,
        path=[(S.IN_REVIEW, 14, "")],
        problem=(
            "Störungen an Maschinen werden unterschiedlich beschrieben; "
            "Auswertungen sind kaum möglich."
        ),
        solution=(
            "Aus der freien Beschreibung erstellt die KI einen Bericht mit "
            "Maschine, Symptom, Ursache, Maßnahme."
        ),
    ),
    Demo(
        "Lastenhefte gegen Normen prüfen",
        "KE",
        "KE1",
        "min",
        tool="Lokales Sprachmodell mit Retrieval",
        data="x",
        estimate="3",
        logged=80,
        path=[(S.IN_REVIEW, 65, ""), (S.PILOT, 35, "")],
        problem=(
            "Lastenhefte müssen gegen mehrere Normen geprüft werden; das kostet Tage pro Projekt."
        ),
        solution=(
            "Das Modell findet die einschlägigen Normabschnitte und markiert "
            "Anforderungen, die fehlen könnten."
        ),
    ),
    Demo(
        "Technische Dokumentation verständlich umformulieren",
        "KE",
        "bob",
        "tr",
        tool="Lokales Sprachmodell",
        data="x",
        estimate="3",
        measured="3.5",
        logged=100,
        path=[(S.IN_REVIEW, 85, ""), (S.PILOT, 72, ""), (S.VALIDATED, 15, "")],
        problem="Technische Dokumentation ist für Kund:innen oft zu fachlich.",
        solution=(
            "Das Modell formuliert Abschnitte für Anwender:innen um; die "
            "Konstruktion gibt jede Fassung frei."
        ),
    ),
    Demo(
        "Änderungsanträge zusammenfassen",
        "KE",
        "KE2",
        "min",
        data="x",
        estimate="1",
        logged=90,
        path=[(S.IN_REVIEW, 70, ""), (S.PARKED, 40, "Wartet auf die Anbindung an das PLM-System.")],
        problem=(
            "Änderungsanträge sind lang; die Entscheider:innen brauchen eine kurze Übersicht."
        ),
        solution=(
            "Die KI fasst jeden Antrag mit Begründung, betroffenen Teilen und Kosten zusammen."
        ),
    ),
    Demo(
        "Vorauswahl von Bewerbungen",
        "GF",
        "GF1",
        "high",
        tool="Lokales Sprachmodell",
        data="p",
        estimate="5",
        logged=50,
        path=[
            (
                S.PARKED,
                35,
                (
                    "Hochrisiko-Anwendung (Anhang III, Beschäftigung): wartet auf das "
                    "Ethikboard und die Betriebsvereinbarung."
                ),
            )
        ],
        problem=(
            "Auf eine Ausschreibung kommen bis zu 200 Bewerbungen; die erste Sichtung dauert Tage."
        ),
        solution=("Die KI sortiert Bewerbungen nach Passung zum Anforderungsprofil vor."),
    ),
    Demo(
        "Automatische Auswertung von Mitarbeitergesprächen",
        "GF",
        "GF1",
        "high",
        data="p",
        estimate="2",
        logged=95,
        path=[
            (S.IN_REVIEW, 85, ""),
            (
                S.REJECTED,
                70,
                ("Das Ethikboard hat abgelehnt: wäre eine Leistungs- und Verhaltenskontrolle."),
            ),
        ],
        problem=("Die Dokumentation der Jahresgespräche ist aufwendig und uneinheitlich."),
        solution=(
            "Die KI wertet die Gesprächsnotizen aus und schlägt eine Einschätzung der Leistung vor."
        ),
    ),
    Demo(
        "Stimmungserkennung in Kundentelefonaten",
        "KS",
        "charlie",
        "pro",
        data="pc",
        estimate="1",
        logged=40,
        path=[
            (
                S.REJECTED,
                38,
                ("Verbotene Praxis nach Art. 5 KI-Verordnung: Emotionserkennung am Arbeitsplatz."),
            )
        ],
        problem=("Schwierige Telefonate fallen erst auf, wenn sich Kunden beschweren."),
        solution=(
            "Eine KI erkennt die Stimmung von Kunden und Mitarbeitenden im "
            "Gespräch und warnt die Teamleitung."
        ),
    ),
    Demo(
        "Entwürfe für Rundschreiben und Richtlinien",
        "GF",
        "GF1",
        "tr",
        tool="Lokales Sprachmodell",
        estimate="2",
        measured="1.5",
        logged=105,
        path=[(S.IN_REVIEW, 88, ""), (S.PILOT, 75, ""), (S.VALIDATED, 58, "")],
        problem=(
            "Rundschreiben und Richtlinien entstehen unter Zeitdruck und klingen oft sperrig."
        ),
        solution=(
            "Das Modell schreibt einen ersten Entwurf aus Stichpunkten; die "
            "Geschäftsführung überarbeitet ihn."
        ),
    ),
    Demo(
        "Bestellanalyse im Einkauf",
        "GF",
        "GF1",
        "min",
        tool="Lokales Sprachmodell",
        data="x",
        estimate="2.5",
        logged=65,
        path=[(S.IN_REVIEW, 48, ""), (S.PILOT, 22, "")],
        problem=(
            "Die monatliche Auswertung der Bestellungen nach Lieferanten ist Handarbeit in Excel."
        ),
        solution=(
            "Das lokale Sprachmodell schreibt aus dem Export einen kurzen Bericht"
            " mit Auffälligkeiten."
        ),
    ),
    Demo(
        "Marktrecherche und Wettbewerbsvergleich",
        "VT",
        "alice",
        "min",
        tool="Lokales Sprachmodell",
        estimate="2",
        logged=5,
        problem=("Für Angebote in neuen Märkten fehlt ein schneller Überblick über Wettbewerber."),
        solution=(
            "Die KI fasst öffentlich zugängliche Informationen und eigene "
            "Notizen zu einem Vergleich zusammen."
        ),
    ),
    Demo(
        "FAQ-Artikel aus Support-Tickets erstellen",
        "KS",
        "KS1",
        "tr",
        tool="Lokales Sprachmodell",
        data="c",
        estimate="3",
        logged=25,
        path=[(S.IN_REVIEW, 10, "")],
        problem=(
            "Dieselben Fragen tauchen in Tickets immer wieder auf, die "
            "Wissensdatenbank ist veraltet."
        ),
        solution=(
            "Aus gelösten Tickets erstellt das Modell FAQ-Entwürfe ohne "
            "Kundendaten, die das Team freigibt."
        ),
    ),
    Demo(
        "Lieferantenanfragen auf Englisch formulieren",
        "PL",
        "PL2",
        "tr",
        tool="Lokales Sprachmodell",
        estimate="1.5",
        measured="2",
        logged=115,
        path=[
            (S.IN_REVIEW, 100, ""),
            (S.PILOT, 90, ""),
            (S.VALIDATED, 65, ""),
            (S.ROLLED_OUT, 52, ""),
        ],
        problem=(
            "Anfragen an ausländische Lieferanten kosten Zeit, weil das Englisch sitzen muss."
        ),
        solution=(
            "Das Modell übersetzt und formuliert Anfragen; die Logistik prüft Mengen und Termine."
        ),
    ),
    Demo(
        "Passwort-Zurücksetzen per Chatbot",
        "IT",
        "IT1",
        "tr",
        tool="Chatbot im Intranet",
        data="p",
        estimate="4",
        logged=15,
        problem="Ein Drittel der Tickets beim IT-Support sind Fragen zum Passwort.",
        solution=("Ein Chatbot im Intranet erklärt die Schritte und öffnet bei Bedarf ein Ticket."),
    ),
    Demo(
        "Interne Stellenausschreibungen formulieren",
        "GF",
        "GF2",
        "tr",
        estimate="1",
        logged=85,
        path=[(S.PARKED, 60, "Die Personalabteilung priorisiert zunächst andere Themen.")],
        problem="Ausschreibungen für interne Stellen sind uneinheitlich.",
        solution=(
            "Die KI formuliert aus dem Anforderungsprofil eine Ausschreibung im Stil des Hauses."
        ),
    ),
    Demo(
        "Quellenrecherche im Intranet mit Retrieval",
        "IT",
        "IT1",
        "min",
        tool="Lokales Sprachmodell mit Retrieval",
        data="x",
        estimate="3",
        logged=55,
        path=[
            (S.IN_REVIEW, 40, ""),
            (S.REJECTED, 33, "Doppelt: wird im Projekt Wissenssuche umgesetzt."),
        ],
        problem="Dokumente im Intranet sind schwer zu finden.",
        solution=("Eine KI beantwortet Fragen mit Verweisen auf die passenden Dokumente."),
    ),
]

# use case → subject of an existing demo ethics review; new: a review made at intake
REVIEWS = {
    "Antwortvorschläge für Standardanfragen im Kundenservice": "Antwortvorschläge im Kundenservice",
    "Protokollgenerator für Teambesprechungen": "Protokollgenerator für Besprechungen",
    "Monatsbericht Produktion mit dem Berichtsgenerator": (
        "Berichtsgenerator für Monatsberichte der Produktion"
    ),
    "Automatische Auswertung von Mitarbeitergesprächen": (
        "Automatische Auswertung von Mitarbeitergesprächen"
    ),
}
DECISIONS = {
    "Freigabe Protokollgenerator für Pilotteams": [
        "Protokollgenerator für Teambesprechungen",
        "Gesprächsnotizen aus Kundenterminen strukturieren",
    ],
}
# pilots with a checklist already: complete (only the sign-off missing, or ready) or not
CHECKLISTS = {
    "Reklamationen zusammenfassen": True,
    "Bestellanalyse im Einkauf": True,
    "Lastenhefte gegen Normen prüfen": False,
}
COMMENTS = {
    "Reklamationen zusammenfassen": [
        ("KS2", 20, "Im Pilot spart das pro Reklamation etwa fünf Minuten."),
        ("VT1", 8, "Das würden wir im Vertrieb auch gern nutzen – siehe Kundenbeschwerden."),
    ],
    "Angebotsentwürfe aus Kundenanfragen vorformulieren": [
        ("alice", 40, "Die Entwürfe sind gut, aber die Preise prüfe ich immer selbst."),
    ],
    "Vorauswahl von Bewerbungen": [
        ("walter", 34, "Bitte erst nach der Betriebsvereinbarung weiterverfolgen."),
    ],
    "Protokollgenerator für Teambesprechungen": [
        ("rita", 18, "Die Auflagen des Ethikboards stehen; der Pilot startet mit Phase 5."),
        ("charlie", 5, "Können wir das auch für die Schichtbesprechungen nutzen?"),
    ],
}
