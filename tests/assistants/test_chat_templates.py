"""The GGUF's own chat template writes every prompt; a base model is refused, clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from assistants import chat_templates
from assistants.gguf_models import CHATML_TEMPLATE, write_chat_model
from assistants.llm import LlmError, get_backend
from assistants.models import GenerationJob
from assistants.services.generation import generation_job_run

# Gemma's template, shortened: no system role, and it says so by raising.
GEMMA = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
    "{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for message in messages %}{% if message['role'] == 'assistant' %}{% set role = 'model' %}"
    "{% else %}{% set role = message['role'] %}{% endif %}"
    "{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)
# A template that silently leaves system messages out.
USER_ONLY = (
    "{% for message in messages %}{% if message['role'] != 'system' %}"
    "{{ '### ' + message['role'] + ':\n' + message['content'] + '\n' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '### assistant:\n' }}{% endif %}"
)
MESSAGES = [
    {"role": "system", "content": "Schreibe ein Protokoll als JSON."},
    {"role": "user", "content": "Anna: Wir starten den Pilot."},
]


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    return {
        name: write_chat_model(folder / f"{name}.gguf", chat_template=template)
        for name, template in (
            ("chatml", CHATML_TEMPLATE),
            ("gemma", GEMMA),
            ("user-only", USER_ONLY),
            ("base", None),
        )
    }


def _use(settings, path: Path) -> None:
    settings.LLM_BACKEND = "llama_cpp"
    settings.LLM_MODEL_PATH = path
    settings.LLM_DEMO_MODEL = False


@pytest.mark.parametrize(
    ("template", "has_system"), [(CHATML_TEMPLATE, True), (GEMMA, False), (USER_ONLY, False)]
)
def test_the_system_role_is_found_by_rendering_the_template(template, has_system) -> None:
    chat_formatter = chat_templates.formatter(template, bos_token="<s>", eos_token="</s>")
    assert chat_templates.takes_system_role(chat_formatter) is has_system


@pytest.mark.parametrize("template", [GEMMA, USER_ONLY])
def test_without_a_system_role_the_instructions_open_the_first_user_message(template) -> None:
    chat_formatter = chat_templates.formatter(template, bos_token="<s>", eos_token="</s>")
    prompt = chat_formatter(messages=chat_templates.fold_system(MESSAGES)).prompt
    assert "Schreibe ein Protokoll als JSON.\n\nAnna: Wir starten den Pilot." in prompt


def test_a_thinking_switch_in_the_template_is_turned_off() -> None:
    # The end of Qwen3's template: an empty thinking block when thinking is switched off.
    qwen3_like = (
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
        "{% endfor %}<|im_start|>assistant\n"
        "{% if enable_thinking is defined and enable_thinking is false %}"
        "<think>\n\n</think>\n\n{% endif %}"
    )
    chat_formatter = chat_templates.formatter(qwen3_like, bos_token="<s>", eos_token="</s>")
    prompt = chat_formatter(messages=MESSAGES).prompt
    assert prompt.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")


@pytest.mark.parametrize("name", ["chatml", "gemma", "user-only"])
def test_every_template_generates_through_llama_cpp(settings, models, name) -> None:
    _use(settings, models[name])
    backend = get_backend()
    assert backend.takes_system_role is (name == "chatml")
    generation = backend.chat(MESSAGES, max_tokens=8)
    assert generation.completion_tokens > 0 and generation.prompt_tokens > 0


def test_a_base_model_is_refused_with_a_clear_message(settings, models) -> None:
    _use(settings, models["base"])
    with pytest.raises(LlmError, match=r"keine Chat-Vorlage.*Basismodell"):
        get_backend()


@pytest.mark.django_db
def test_a_job_on_a_base_model_fails_and_says_what_to_use(settings, models, alice) -> None:
    _use(settings, models["base"])
    job = GenerationJob.objects.create(owner=alice, input_text="Anna: Pilot.", params={})
    generation_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert "base.gguf" in job.error and "Instruct" in job.error


def test_manage_py_check_refuses_a_base_model(settings, models) -> None:
    _use(settings, models["base"])
    with pytest.raises(SystemCheckError, match=r"assistants\.E001"):
        call_command("check")
    _use(settings, models["chatml"])
    call_command("check")


@pytest.mark.django_db
def test_the_model_status_page_names_the_template(client, ada, settings, models) -> None:
    client.force_login(ada)
    _use(settings, models["base"])
    page = client.get("/assistenten/modell/").content.decode()
    assert "keine Chat-Vorlage" in page and "keine (ein Basismodell)" in page
    _use(settings, models["gemma"])
    page = client.get("/assistenten/modell/").content.decode()
    assert "keine Systemrolle" in page and "keine Chat-Vorlage" not in page
