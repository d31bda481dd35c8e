"""Limits known before the job starts: the form counts and splits as the worker will, shows a
preview (speakers to rename, parts, time), refuses what cannot run with advice, keeps the
text; long transcripts are combined in rounds (real llama.cpp, tiny random model)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assistants.llm import get_backend
from assistants.models import GenerationJob, ProtocolTemplate
from assistants.services import drafting, protocols
from assistants.services.generation import generation_job_run

pytestmark = pytest.mark.django_db
CAPTIONS = Path(__file__).resolve().parents[1] / "data" / "captions"
URL = "/assistenten/protokoll/neu/"
LONG = "\n".join(
    f"{'Anna Müller' if i % 2 else 'Bernd Schulz'}: Punkt {i}: Wir besprechen das Lager, "
    f"die Schichtpläne und die Schulung der Teams im Werk {i}."
    for i in range(400)
)


@pytest.fixture
def model(settings, tiny_chat_model):
    settings.LLM_MODEL_PATH = tiny_chat_model
    settings.LLM_DEMO_MODEL = False
    settings.LLM_N_CTX = 2048
    settings.LLM_N_THREADS = 2
    settings.LLM_MAX_OUTPUT_TOKENS = 256
    return tiny_chat_model


def _form(**overrides) -> dict:
    data = {
        "title": "Lagerrunde",
        "meeting_date": "2026-11-20",
        "output_language": "de",
        "template": ProtocolTemplate.objects.get(key="ergebnisprotokoll").pk,
        "transcript": LONG,
    }
    data.update(overrides)
    return data


def _plan(text: str) -> protocols.TranscriptPlan:
    template = ProtocolTemplate.objects.get(key="ergebnisprotokoll")
    meta = {"title": "Lagerrunde", "meeting_date": "2026-11-20", "participants": []}
    return protocols.protocol_plan(text, template=template, language="de", meta=meta)


def test_a_text_needing_too_many_parts_is_refused_with_advice_and_kept(
    client, alice, model, settings
) -> None:
    settings.TRANSCRIPT_MAX_PARTS = 2
    plan = _plan(LONG)
    assert plan.parts > 2 and plan.tokenizer == "tiny-chat.gguf"  # the model's own count
    client.force_login(alice)

    page = client.post(URL, _form()).content.decode()

    assert GenerationJob.objects.count() == 0
    assert f"braucht mit diesem Modell {plan.parts} Teile" in page
    cut = f"{plan.characters_to_cut:,}".replace(",", ".")
    assert f"Kürzen Sie ihn um etwa {cut} Zeichen" in page
    assert "Punkt 399: Wir besprechen das Lager" in page  # the text is still in the form
    # Cutting as advised is enough.
    shorter = LONG[: len(LONG) - plan.characters_to_cut]
    assert _plan(shorter).fits
    assert client.post(URL, _form(transcript=shorter)).status_code == 302


def test_the_form_and_the_worker_agree_on_the_parts(
    client, alice, model, settings, django_capture_on_commit_callbacks
) -> None:
    text = LONG[:5000]
    plan = _plan(text)
    assert 2 <= plan.parts <= 6
    settings.TRANSCRIPT_MAX_PARTS = plan.parts  # exactly enough: accepted, and it runs
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(URL, _form(transcript=text)).status_code == 302
    job = GenerationJob.objects.get()

    generation_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE, job.error
    assert job.parts_total == plan.parts


def test_the_preview_shows_what_was_read_and_keeps_the_upload_as_text(client, alice, model) -> None:
    client.force_login(alice)
    upload = SimpleUploadedFile("teams.vtt", (CAPTIONS / "voice_ids.vtt").read_bytes())

    response = client.post(URL, _form(transcript="", upload=upload, action="preview"))

    page = response.content.decode()
    assert response.status_code == 200 and GenerationJob.objects.count() == 0
    assert "Vorschau" in page and "Redebeiträge" in page
    assert 'name="speaker_from_0" value="Sprecher 1"' in page
    assert 'name="speaker_to_2" value="Sprecher 3"' in page
    assert "Sprecher 1 (2 Beiträge)" in page
    assert "Sprecher 2: Hallo, hier ist die Technik." in page  # now in the text box
    assert "gezählt mit tiny-chat.gguf" in page


def test_renamed_speakers_reach_the_job(
    client, alice, model, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice)
    text = "Sprecher 1: Wir starten.\nSprecher 2: Gut.\nSprecher 1: Dann los."
    renames = {
        "speaker_from_0": "Sprecher 1",
        "speaker_to_0": "Anna Müller",
        "speaker_from_1": "Sprecher 2",
        "speaker_to_1": "Sprecher 2",
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(URL, _form(transcript=text, action="start", **renames))
    assert response.status_code == 302
    assert GenerationJob.objects.get().input_text == (
        "Anna Müller: Wir starten.\nSprecher 2: Gut.\nAnna Müller: Dann los."
    )


@pytest.mark.parametrize("bad", ["Anna: Müller", "A" * 61])
def test_a_bad_new_name_is_refused_and_nothing_starts(client, alice, model, bad) -> None:
    client.force_login(alice)
    text = "Sprecher 1: Wir starten.\nSprecher 1: Dann los."
    form = _form(transcript=text, speaker_from_0="Sprecher 1", speaker_to_0=bad)
    page = client.post(URL, form).content.decode()
    assert "Der neue Name für Sprecher 1 geht nicht" in page
    assert GenerationJob.objects.count() == 0


def test_the_estimate_comes_from_this_models_last_protocols(alice, model) -> None:
    from tests.factories import protocol_for

    assert _plan(LONG).seconds is None  # no history: said so, no number made up
    _, done = protocol_for(alice)
    now = timezone.now()
    GenerationJob.objects.filter(pk=done.job.pk).update(
        status=GenerationJob.Status.DONE,
        model_name="tiny-chat.gguf",
        started_at=now - timedelta(seconds=90),
        finished_at=now,
        parts_total=2,  # 90 s for 2 parts + 1 combining request: 30 s a request
    )
    plan = _plan(LONG)
    assert plan.seconds == pytest.approx(30 * (plan.parts + 1))


def test_a_failed_job_starts_again_with_its_text_for_its_owner_only(client, alice, bob) -> None:
    from tests.factories import protocol_for

    _, done = protocol_for(alice)
    GenerationJob.objects.filter(pk=done.job.pk).update(input_text="Anna: Bitte nicht verlieren.")
    client.force_login(alice)
    page = client.get(f"{URL}?erneut={done.job.pk}").content.decode()
    assert "Anna: Bitte nicht verlieren." in page
    client.force_login(bob)
    assert "Bitte nicht verlieren" not in client.get(f"{URL}?erneut={done.job.pk}").content.decode()
    assert client.get(f"{URL}?erneut=abc").status_code == 200


class Recording:
    """The real backend, with each request's prompt size written down."""

    def __init__(self, backend) -> None:
        self.backend, self.prompts = backend, []

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def chat(self, messages, **kwargs):
        from assistants.llm import prompt_tokens

        self.prompts.append(prompt_tokens(self.backend, messages))
        return self.backend.chat(messages, **kwargs)


def test_many_summaries_are_combined_in_rounds_within_the_context(model) -> None:
    backend = Recording(get_backend())
    summaries = [f"Teil {i}: " + "Das Lager wird umgebaut und geschult. " * 12 for i in range(40)]
    notes = []

    class Progress:
        def __call__(self, text: str) -> bool:
            return True

        def step(self, note: str, part: int | None = None) -> bool:
            notes.append(note)
            return True

    figures = {"prompt_tokens": 0, "completion_tokens": 0}
    summary = drafting.reduced_summary(
        backend,
        lambda group: protocols.prompts.summary_messages(language="de", part_summaries=group),
        summaries,
        Progress(),
        figures,
    )

    assert summary
    one = backend.count_tokens(summaries[0])
    assert one * len(summaries) > backend.context_length()  # would never fit one request
    assert len(backend.prompts) > 2 and max(backend.prompts) <= backend.context_length()
    assert any("Runde 2" in note for note in notes)
