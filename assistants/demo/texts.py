"""What the demo's assistant results say: three meetings of the demo company's AI rollout
(their transcripts, the answers a model would give, how their owners reviewed them) and
the programme's status report. Written by hand in German; the seeder (assistants/demo/)
stores them as a real run would, and refuses them if a quote is not in its transcript.

People are named by key ("alice", "lead" …); `names` maps each key to a person of the
demo directory, picked by the seeder. Dates are relative to the meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

APPROVED, RETURNED, IN_REVIEW = "approved", "returned", "in_review"


@dataclass(frozen=True)
class Review:
    """What happened to the draft: what its owner assigned and decided, and the outcome."""

    outcome: str  # APPROVED by rita, RETURNED by rita with `comment`, or IN_REVIEW
    assign: dict[int, str] = field(default_factory=dict)  # action item → person key
    accept: dict[str, tuple[int, ...]] = field(default_factory=dict)  # section → indexes
    reject: dict[str, tuple[int, ...]] = field(default_factory=dict)
    comment: str = ""
    done: tuple[int, ...] = ()  # action items their owner has finished since


@dataclass(frozen=True)
class Meeting:
    owner: str  # person key
    title: str
    template: str  # key of a protocol template
    participants: list[str]  # as picked on the form
    # (start, end, speaker, text): seconds into the recording where `recorded`, else 0
    turns: list[tuple[float, float, str, str]]
    answer: dict  # the model's JSON answer
    review: Review
    recorded: bool = False  # from a recording's transcript (speech to text)


def _due(day: date, days: int) -> str:
    return (day + timedelta(days=days)).isoformat()


def jour_fixe(n: dict[str, str], day: date) -> Meeting:
    """Sales' weekly meeting, recorded: offer drafts with the local model. Approved."""
    lead, alice, bob, sales = n["lead"], n["alice"], n["bob"], n["sales"]
    turns = [
        (0.0, 21.4, lead, "Guten Morgen zusammen. Heute geht es vor allem um die "
         "Angebotsentwürfe mit dem lokalen Modell. Alice, du hast das in den letzten zwei "
         "Wochen ausprobiert. Wie ist der Stand?"),
        (23.1, 61.8, alice, "Für Standardangebote funktioniert es gut. Der erste Entwurf für "
         "ein Antriebspaket steht in etwa zehn Minuten statt in einer Stunde. Bei "
         "Sonderanfertigungen fehlen dem Modell aber unsere technischen Daten, da muss ich "
         "noch viel nacharbeiten."),
        (64.0, 101.5, bob, "Das deckt sich mit dem, was wir in der Konstruktion sehen. Ich "
         "schlage vor, dass ich eine Sammlung von Prompt-Bausteinen für Angebote anlege und im "
         "Portal veröffentliche. Das schaffe ich bis Ende nächster Woche."),
        (104.2, 128.9, sales, "Wichtig ist mir, dass in den Beispielen keine Kundendaten "
         "stehen. Als Vorlage sollten wir nur anonymisierte Angebote nehmen."),
        (131.0, 152.7, lead, "Einverstanden. Dann halten wir fest: Für Prompt-Beispiele "
         "nutzen wir nur anonymisierte Angebote, keine echten Kundendaten."),
        (155.3, 184.0, alice, "Ich überarbeite die Angebotsvorlage für Antriebspakete so, "
         "dass die Bausteine direkt hineinpassen. In zwei Wochen ist sie fertig."),
        (187.5, 199.2, sales, "Und wer prüft die Entwürfe fachlich, bevor sie an den Kunden "
         "gehen?"),
        (201.8, 226.4, lead, "Jedes Angebot, das mit KI entworfen wurde, geht wie bisher "
         "durch das Vier-Augen-Prinzip. Daran ändert sich nichts."),
        (229.0, 247.6, bob, "Ich komme in zwei Wochen wieder in euren Jour fixe, dann "
         "schauen wir uns die ersten Ergebnisse gemeinsam an."),
        (250.3, 279.9, lead, "Gut. Offen ist noch, ob wir Angebotsentwürfe für Exportkunden "
         "auch auf Englisch erstellen dürfen. Das kläre ich mit der IT. Danke euch!"),
        (282.0, 296.5, alice, "Eine Frage noch: Wie bekommen wir die technischen Daten für "
         "Sonderanfertigungen sicher in die Entwürfe? Das sollten wir beim nächsten Mal "
         "besprechen."),
    ]  # fmt: skip
    answer = {
        "summary": (
            "Der Vertrieb nutzt das lokale Modell für Angebotsentwürfe: Bei Standardangeboten "
            "steht der erste Entwurf in etwa zehn Minuten statt in einer Stunde, bei "
            "Sonderanfertigungen ist noch viel Nacharbeit nötig. Für Prompt-Beispiele werden "
            f"nur anonymisierte Angebote verwendet. {bob} legt eine Sammlung von "
            f"Prompt-Bausteinen an, {alice} passt die Angebotsvorlage an. Mit KI entworfene "
            "Angebote werden weiterhin nach dem Vier-Augen-Prinzip geprüft."
        ),
        "participants": [lead, alice, bob, sales],
        "agenda_items": [
            {
                "title": "Stand der Angebotsentwürfe mit KI",
                "notes": "Standardangebote: erster Entwurf in etwa zehn Minuten statt einer "
                "Stunde. Sonderanfertigungen: Dem Modell fehlen die technischen Daten, die "
                "Nacharbeit ist groß.",
            },
            {
                "title": "Prompt-Bausteine und Datenschutz",
                "notes": f"{bob} bereitet eine Sammlung von Prompt-Bausteinen vor. Als "
                "Beispiele dienen nur anonymisierte Angebote.",
            },
            {
                "title": "Qualitätssicherung",
                "notes": "Angebote, die mit KI entworfen wurden, gehen wie bisher durch das "
                "Vier-Augen-Prinzip.",
            },
        ],
        "decisions": [
            {
                "text": "Für Prompt-Beispiele werden nur anonymisierte Angebote verwendet, "
                "keine echten Kundendaten.",
                "source_quote": "nur anonymisierte Angebote, keine echten Kundendaten",
            },
            {
                "text": "Mit KI entworfene Angebote durchlaufen weiterhin das Vier-Augen-Prinzip.",
                "source_quote": "geht wie bisher durch das Vier-Augen-Prinzip",
            },
        ],
        "action_items": [
            {
                "task": "Sammlung von Prompt-Bausteinen für Angebote anlegen und im Portal "
                "veröffentlichen",
                "owner": bob,
                "due_date": _due(day, 11),
                "source_quote": "eine Sammlung von Prompt-Bausteinen für Angebote anlege",
            },
            {
                "task": "Angebotsvorlage für Antriebspakete an die Prompt-Bausteine anpassen",
                "owner": alice,
                "due_date": _due(day, 14),
                "source_quote": "Ich überarbeite die Angebotsvorlage für Antriebspakete",
            },
            {
                "task": "Mit der IT klären, ob Angebotsentwürfe für Exportkunden auf Englisch "
                "erstellt werden dürfen",
                "owner": lead,
                "due_date": None,
                "source_quote": "ob wir Angebotsentwürfe für Exportkunden auch auf Englisch "
                "erstellen dürfen",
            },
            {
                "task": "Erste Ergebnisse im Jour fixe gemeinsam ansehen",
                "owner": bob,
                "due_date": _due(day, 14),
                "source_quote": "schauen wir uns die ersten Ergebnisse gemeinsam an",
            },
        ],
        "open_questions": [
            "Wie kommen die technischen Daten für Sonderanfertigungen sicher in die Entwürfe?"
        ],
    }
    return Meeting(
        owner="alice",
        title="Jour fixe Vertrieb: Angebotsentwürfe mit KI",
        template="jour-fixe",
        participants=[lead, alice, bob, sales],
        turns=turns,
        answer=answer,
        recorded=True,
        review=Review(
            outcome=APPROVED,
            assign={0: "bob", 1: "alice", 2: "lead"},
            accept={"decisions": (0, 1), "action_items": (0, 1, 2)},
            # a fixed item of the next meeting's agenda, not a task
            reject={"action_items": (3,)},
            done=(0,),
        ),
    )


def steering_committee(n: dict[str, str], day: date) -> Meeting:
    """The AI steering committee before the assistants' phase. Returned for corrections."""
    ada, bob, rita, walter, alice = n["ada"], n["bob"], n["rita"], n["walter"], n["alice"]
    turns = [
        (ada, "Willkommen zum Lenkungskreis. Drei Punkte heute: der Stand der Use Cases, die "
         "Betriebsvereinbarung und der Start des Protokollgenerators."),
        (bob, "Die Teams reichen weiter fleißig Use Cases ein. Der Engpass ist die "
         "Validierung: Mehrere Use Cases warten seit Wochen auf die Prüfung durch die "
         "Fachkräfte."),
        (rita, "Wir können die Prüfung beschleunigen, wenn wir eine feste Prüfrunde einplanen. "
         "Ich übernehme die Organisation."),
        (ada, "Das machen wir so: Ab sofort gibt es jeden zweiten Donnerstag eine feste "
         "Prüfrunde für Use Cases."),
        (walter, "Zur Betriebsvereinbarung: Der Entwurf ist mit dem Betriebsrat abgestimmt. "
         "Wichtig bleibt uns, dass KI-Ergebnisse nicht zur Leistungs- und Verhaltenskontrolle "
         "genutzt werden und Transkripte nach 30 Tagen gelöscht werden."),
        (ada, "Dann unterschreiben wir die Betriebsvereinbarung in der nächsten Woche. Walter, "
         "bereitest du die Unterschrift vor?"),
        (walter, "Ja, ich bereite die Unterschrift mit der Personalabteilung vor."),
        (rita, "Der GPU-Server läuft stabil. Sorgen machen mir die Lastspitzen am "
         "Montagmorgen, wenn alle Pilotteams gleichzeitig Protokolle erzeugen. Ich hole ein "
         "Angebot für einen zweiten Server ein."),
        (ada, "Beschluss: Der Protokollgenerator startet mit drei Pilotteams, sobald die "
         "Betriebsvereinbarung unterschrieben ist."),
        (alice, "Der Vertrieb ist als Pilotteam bereit, unseren letzten Jour fixe haben wir "
         "probeweise schon damit protokolliert. Sollen wir die Pilotteams noch im Newsletter "
         "vorstellen?"),
        (ada, "Gute Idee, das nehme ich mit. Offen ist noch, wie wir die Produktion einbinden, "
         "wo viele keinen Bildschirmarbeitsplatz haben."),
    ]  # fmt: skip
    answer = {
        "summary": (
            "Der Lenkungskreis hat den Stand der Use Cases, die Betriebsvereinbarung KI und den "
            "Start des Protokollgenerators besprochen. Weil viele Use Cases auf ihre Prüfung "
            "warten, gibt es künftig eine feste Prüfrunde. Die Betriebsvereinbarung wird in der "
            "nächsten Woche unterschrieben; danach startet der Protokollgenerator mit drei "
            "Pilotteams."
        ),
        "participants": [ada, rita, walter, bob, alice],
        "agenda_items": [
            {
                "title": "Stand der Use Cases",
                "notes": "Engpass ist die Validierung durch die Fachkräfte.",
            },
            {
                "title": "Betriebsvereinbarung KI",
                "notes": "Der Entwurf ist mit dem Betriebsrat abgestimmt.",
            },
            {
                "title": "Start des Protokollgenerators",
                "notes": "Der GPU-Server läuft stabil; "
                "Lastspitzen am Montagmorgen sind ein Risiko.",
            },
        ],
        "decisions": [
            {
                "text": "Für die Prüfung von Use Cases gibt es jeden zweiten Donnerstag eine "
                "feste Prüfrunde.",
                "source_quote": "jeden zweiten Donnerstag eine feste Prüfrunde für Use Cases",
            },
            {
                "text": "Die Betriebsvereinbarung KI wird in der nächsten Woche unterschrieben.",
                "source_quote": "unterschreiben wir die Betriebsvereinbarung in der nächsten Woche",
            },
            {
                "text": "Der Protokollgenerator startet mit drei Pilotteams, sobald die "
                "Betriebsvereinbarung unterschrieben ist.",
                "source_quote": "Der Protokollgenerator startet mit drei Pilotteams",
            },
        ],
        "action_items": [
            {
                "task": "Feste Prüfrunde für Use Cases organisieren",
                "owner": rita,
                "due_date": _due(day, 7),
                "source_quote": "Ich übernehme die Organisation",
            },
            {
                "task": "Unterschrift der Betriebsvereinbarung mit der Personalabteilung "
                "vorbereiten",
                "owner": walter,
                "due_date": _due(day, 5),
                "source_quote": "ich bereite die Unterschrift mit der Personalabteilung vor",
            },
            {
                "task": "Angebot für einen zweiten GPU-Server einholen",
                "owner": rita,
                "due_date": None,
                "source_quote": "Ich hole ein Angebot für einen zweiten Server ein",
            },
            {
                "task": "Pilotteams im Newsletter vorstellen",
                "owner": ada,
                "due_date": None,
                "source_quote": "Sollen wir die Pilotteams noch im Newsletter vorstellen",
            },
        ],
        "open_questions": [
            "Wie wird die Produktion eingebunden, wo viele keinen Bildschirmarbeitsplatz haben?"
        ],
    }
    return Meeting(
        owner="alice",
        title="KI-Lenkungskreis: Betriebsvereinbarung und Start der Assistenten",
        template="ergebnisprotokoll",
        participants=[ada, rita, walter, bob, alice],
        turns=[(0.0, 0.0, speaker, text) for speaker, text in turns],
        answer=answer,
        review=Review(
            outcome=RETURNED,
            assign={0: "rita", 1: "walter", 2: "rita"},  # the newsletter item: nobody yet
            accept={"decisions": (0, 1, 2), "action_items": (0, 1, 2, 3)},
            comment=(
                f"Bitte ergänzen: {walter} hat die Bedingungen des Betriebsrats genannt (keine "
                "Leistungs- und Verhaltenskontrolle, Transkripte nach 30 Tagen löschen); sie "
                "gehören in den Beschluss zur Betriebsvereinbarung. Die Aufgabe „Pilotteams im "
                "Newsletter vorstellen“ ist noch niemandem zugeordnet, und beim zweiten "
                "GPU-Server fehlt ein Termin."
            ),
        ),
    )


def multiplier_round(n: dict[str, str], day: date) -> Meeting:
    """The multipliers' round preparing the protocol generator's pilot. Waits for review."""
    bob, rita = n["bob"], n["rita"]
    production, service, office = n["m_pl"], n["m_ks"], n["m_gf"]
    turns = [
        (bob, "Hallo zusammen, schön, dass ihr da seid. Wir starten mit einer kurzen Runde: "
         "Was hat sich in euren Bereichen seit dem letzten Treffen getan?"),
        (production, "In der Produktion nutzen wir die KI für Schichtübergaben. Die "
         "Zusammenfassungen sparen Zeit, aber in der Halle fehlt oft ein Bildschirm, um sie zu "
         "lesen."),
        (service, "Im Kundenservice laufen die Antwortvorschläge gut. Die offene Sprechstunde "
         "am Dienstag ist voll, die meisten Fragen drehen sich um den Datenschutz."),
        (office, "In der Verwaltung testen wir Entwürfe für Rundschreiben. Viele Kolleginnen "
         "und Kollegen wissen aber nicht, wo sie anfangen sollen."),
        (bob, "Dann zum Protokollgenerator: Er startet bald in drei Pilotteams. Rita, kannst "
         "du kurz sagen, was mit den Daten passiert?"),
        (rita, "Der Protokollgenerator läuft auf unserem eigenen Server, es verlässt nichts das "
         "Haus. Jedes Protokoll wird geprüft, bevor es gilt, und Transkripte werden nach 30 "
         "Tagen gelöscht."),
        (bob, "Danke. Ich schlage vor, dass jedes Pilotteam eine feste Ansprechperson für den "
         "Protokollgenerator benennt. Seid ihr einverstanden?"),
        (service, "Ja, das hilft. Dann wissen alle, wen sie fragen können."),
        (bob, "Gut, dann ist das beschlossen. Ich erstelle bis zum Pilotstart eine Kurzanleitung "
         "zum Protokollgenerator mit Beispielen."),
        (production, "Für die Frühschicht sollten wir die Einsteiger-Runde zusätzlich um halb "
         "sieben anbieten. Ich organisiere einen Termin."),
        (rita, "Ich schreibe für die FAQ eine kurze Erklärung, wie lange Transkripte und "
         "Protokolle aufbewahrt werden."),
        (office, "Offen bleibt für mich, wie wir Kolleginnen und Kollegen ohne eigenen "
         "Bildschirmarbeitsplatz erreichen."),
    ]  # fmt: skip
    answer = {
        "summary": (
            "Die Multiplikator:innen haben Erfahrungen aus Produktion, Kundenservice und "
            "Verwaltung ausgetauscht und den Pilot des Protokollgenerators vorbereitet. Jedes "
            "Pilotteam benennt eine feste Ansprechperson. Für die Frühschicht soll es eine "
            "zusätzliche Einsteiger-Runde geben."
        ),
        "participants": [bob, production, service, office, rita],
        "agenda_items": [
            {
                "title": "Rückblick aus den Bereichen",
                "notes": f"Produktion ({production}): KI-Zusammenfassungen für "
                "Schichtübergaben sparen Zeit, in der Halle fehlen Bildschirme. Kundenservice "
                f"({service}): Die Antwortvorschläge laufen gut, die Sprechstunde am Dienstag "
                f"ist voll, meist mit Fragen zum Datenschutz. Verwaltung ({office}): Entwürfe "
                "für Rundschreiben im Test, vielen fehlt der Einstieg.",
            },
            {
                "title": "Pilot des Protokollgenerators",
                "notes": f"{rita} erklärt: Das Modell läuft auf dem eigenen Server, jedes "
                "Protokoll wird vor der Übernahme geprüft, Transkripte werden nach 30 Tagen "
                "gelöscht.",
            },
            {
                "title": "Angebote für Einsteiger",
                "notes": "Vorschlag: eine zusätzliche Einsteiger-Runde für die Frühschicht.",
            },
        ],
        "decisions": [
            {
                "text": "Jedes Pilotteam benennt eine feste Ansprechperson für den "
                "Protokollgenerator.",
                "source_quote": "jedes Pilotteam eine feste Ansprechperson für den "
                "Protokollgenerator benennt",
            },
            {
                "text": "Die Einsteiger-Runde wird zusätzlich für die Frühschicht angeboten.",
                "source_quote": "die Einsteiger-Runde zusätzlich um halb sieben anbieten",
            },
        ],
        "action_items": [
            {
                "task": "Kurzanleitung zum Protokollgenerator mit Beispielen erstellen",
                "owner": bob,
                "due_date": None,
                "source_quote": "Ich erstelle bis zum Pilotstart eine Kurzanleitung",
            },
            {
                "task": "Termin für eine Einsteiger-Runde in der Frühschicht organisieren",
                "owner": production,
                "due_date": None,
                "source_quote": "Ich organisiere einen Termin",
            },
            {
                "task": "In der FAQ erklären, wie lange Transkripte und Protokolle aufbewahrt "
                "werden",
                "owner": rita,
                "due_date": None,
                "source_quote": "Ich schreibe für die FAQ eine kurze Erklärung",
            },
        ],
        "open_questions": [
            "Wie erreichen wir Kolleginnen und Kollegen ohne eigenen Bildschirmarbeitsplatz?"
        ],
    }
    return Meeting(
        owner="bob",
        title="Multiplikator:innen-Runde: Vorbereitung des Protokollgenerator-Piloten",
        template="verlaufsprotokoll",
        participants=[bob, production, service, office, rita],
        turns=[(0.0, 0.0, speaker, text) for speaker, text in turns],
        answer=answer,
        # the rest is for the reviewer to decide
        review=Review(
            outcome=IN_REVIEW,
            assign={0: "bob", 1: "m_pl", 2: "rita"},
            accept={"decisions": (0,), "action_items": (0,)},
        ),
    )


# (days before today, the hour it began, the meeting): oldest first, all well inside the
# retention period of transcripts and drafts.
MEETINGS: list[tuple[int, int, Callable[[dict[str, str], date], Meeting]]] = [
    (15, 13, multiplier_round),  # waits long enough to be near the top of rita's inbox
    (9, 9, jour_fixe),
    (6, 14, steering_committee),
]

# The status report, as a model would write it from the portal's facts. No figures: the
# facts change with the programme's data, and a figure not in them would be flagged.
REPORT_ANSWER = {
    "summary": (
        "Das Programm „KI im Büroalltag“ kommt voran. Kickoff und Workshops für Early Adopter "
        "sind abgeschlossen, die Use Cases in den Teams und die Austauschformate laufen. Die "
        "Teams reichen stetig neue Use Cases ein; bei den validierten Use Cases und der "
        "eingesparten Zeit liegt das Programm noch hinter dem Ziel. Die Betriebsvereinbarung "
        "KI steht kurz vor der Unterzeichnung, danach startet der Protokollgenerator in den "
        "Pilotteams."
    ),
    "sections": [
        {
            "title": "Phasen und Meilensteine",
            "text": "Kickoff und Workshops sind abgeschlossen. Use Cases und Austauschformate "
            "laufen parallel; die User Group Vertrieb ist gestartet. Als Nächstes stehen die "
            "Unterzeichnung der Betriebsvereinbarung KI und der Start des "
            "Protokollgenerator-Piloten in drei Teams an.",
        },
        {
            "title": "Use Cases",
            "text": "Die Zahl der eingereichten Use Cases liegt im Plan. Bei der Validierung "
            "gibt es einen Engpass: Mehrere Use Cases warten auf die Prüfung durch die "
            "Fachkräfte. Die größte Zeitersparnis meldet bisher der Kundenservice.",
        },
        {
            "title": "Beteiligung und Austausch",
            "text": "Es sind mehr Multiplikator:innen ausgebildet als geplant. Die "
            "Community-Runden finden regelmäßig statt, die Teilnahme pro Runde liegt noch unter "
            "dem Ziel. Die Sicherheit im Umgang mit KI wächst laut Pulsbefragung, hat das Ziel "
            "aber noch nicht erreicht. Die Sprechstunden werden gut angenommen.",
        },
        {
            "title": "KI-Assistenten",
            "text": "Der Protokollgenerator läuft auf dem eigenen Server. Das Ethikboard hat "
            "ihn unter Auflagen freigegeben: keine Leistungs- und Verhaltenskontrolle, "
            "Protokolle nur mit Zustimmung der Teilnehmenden, Transkripte werden gelöscht. "
            "Jedes Protokoll wird vor der Übernahme von Prüfer:innen geprüft.",
        },
    ],
    "risks": [
        "Produktion & Logistik: Viele Use Cases passen nicht zur Arbeit in der Halle, und im "
        "Schichtbetrieb fehlt Zeit für Schulungen.",
        "Betriebsrat & Datenschutz: Die Assistenten werden erst nach Unterzeichnung der "
        "Betriebsvereinbarung breit eingesetzt.",
        "IT & Informationssicherheit: Lastspitzen am Montagmorgen könnten einen zweiten "
        "GPU-Server nötig machen.",
        "Validierung: Die Prüfkapazität der internen Fachkräfte ist knapp.",
    ],
    "next_steps": [
        "Betriebsvereinbarung KI unterzeichnen.",
        "Pilot des Protokollgenerators in drei Teams starten und begleiten.",
        "Feste Prüfrunde für die wartenden Use Cases einführen.",
        "Einsteiger-Angebote für die Produktion im Schichtbetrieb planen.",
    ],
}
