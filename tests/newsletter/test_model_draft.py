"""The local model's draft of the next issue: started, shown, adopted into the editor only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from assistants.forms import ProtocolForm
from assistants.models import GenerationJob, Protocol
from assistants.services.generation import generation_job_run
from newsletter.models import Delivery, Issue
from newsletter.services.message import render_html
from newsletter.services.model_draft import DRAFT, draft_markdown
from rollout.models import FaqCategory, FaqEntry
from tests.newsletter.html import tags

pytestmark = pytest.mark.django_db
NEW = "/newsletter/verwaltung/neu/"
START = "/newsletter/verwaltung/ki-entwurf/"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def model(settings, tiny_chat_model):
    settings.LLM_MODEL_PATH = tiny_chat_model
    settings.LLM_DEMO_MODEL = False
    settings.LLM_N_CTX = 2048
    settings.LLM_N_THREADS = 2
    settings.LLM_MAX_OUTPUT_TOKENS = 512


@pytest.fixture
def activity() -> FaqEntry:
    category = FaqCategory.objects.get_or_create(name_de="Grundlagen")[0]
    return FaqEntry.objects.create(
        question_de="Darf ich Kundendaten in den Chat eingeben?",
        answer_de="Nein.",
        category=category,
        reviewed_on=timezone.localdate(),
    )


def _start(client, capture) -> GenerationJob:
    with capture(execute=False):
        response = client.post(START, **HX)
    assert response.status_code == 200
    job = GenerationJob.objects.get()
    assert f'hx-get="/newsletter/verwaltung/ki-entwurf/{job.pk}/"' in response.content.decode()
    return job


def test_admin_gets_a_draft_from_the_portal_activity_and_adopts_it_into_the_editor(
    client, ada, model, activity, django_capture_on_commit_callbacks
) -> None:
    client.force_login(ada)
    job = _start(client, django_capture_on_commit_callbacks)
    assert job.kind == DRAFT.key and job.owner == ada
    assert job.template.key == "newsletter" and job.output_language == "de"
    assert "Darf ich Kundendaten in den Chat eingeben?" in job.input_text  # the only source

    generation_job_run(job_id=job.pk)  # the llm worker's task body, on real llama.cpp
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert not Protocol.objects.exists()  # a draft to adopt, not a protocol to review
    expected = draft_markdown(job.result)
    assert expected.strip()

    status = client.get(f"{START}{job.pk}/", **HX)
    page = status.content.decode()
    assert status.status_code == 200 and "hx-trigger" not in page  # finished: no more polling
    assert "von niemandem geprüft" in page and "Zum deutschen Text hinzufügen" in page

    adopted = client.post(
        f"{START}{job.pk}/uebernehmen/",
        {"subject_de": "Mai", "body_de": "Liebe Kolleginnen und Kollegen,", "model_job": job.pk},
        **HX,
    )
    body = adopted.context["field"].value()
    assert body == f"Liebe Kolleginnen und Kollegen,\n\n{expected}"
    # Adopting changes the editor only: no issue, no mail until the admin saves and sends.
    assert not Issue.objects.exists() and not Delivery.objects.exists()


def test_without_javascript_the_compose_form_starts_shows_and_adopts(
    client, ada, model, activity, django_capture_on_commit_callbacks
) -> None:
    client.force_login(ada)
    form = {"subject_de": "Mai", "body_de": "Hallo", "audience": "everyone"}
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post(NEW, {**form, "action": "model_draft"})
    job = GenerationJob.objects.get()
    assert started.status_code == 200 and started.context["model_job"] == job
    assert started.context["form"]["body_de"].value() == "Hallo"  # typed text kept
    generation_job_run(job_id=job.pk)
    adopted = client.post(NEW, {**form, "action": "model_draft_adopt", "model_job": job.pk})
    body = adopted.context["form"]["body_de"].value()
    assert body.startswith("Hallo\n\n") and len(body) > len("Hallo\n\n")
    assert not Issue.objects.exists()


def test_nothing_happened_says_so_and_starts_nothing(client, ada, model) -> None:
    client.force_login(ada)
    response = client.post(START, **HX)
    assert response.status_code == 200
    assert "Schreiben Sie den Text selbst" in response.content.decode()
    assert not GenerationJob.objects.exists()


def test_a_draft_job_is_seen_by_its_owner_only(
    client, ada, alice, walter, model, activity, django_capture_on_commit_callbacks
) -> None:
    from portal.roles import Role
    from tests.conftest import _member

    client.force_login(ada)
    job = _start(client, django_capture_on_commit_callbacks)
    other_admin = _member("otto@firma.test", "Otto Berg", "Verwaltung", [Role.PROGRAMME_ADMIN])
    client.force_login(other_admin)
    assert client.get(f"{START}{job.pk}/").status_code == 404
    adopt = client.post(f"{START}{job.pk}/uebernehmen/", {"body_de": "x"})
    assert adopt.status_code == 404
    for person in (alice, walter):
        client.force_login(person)
        assert client.post(START).status_code == 403
        assert client.get(f"{START}{job.pk}/").status_code == 403
    client.force_login(ada)
    protocol_job = GenerationJob.objects.create(owner=ada, kind="protocol")
    assert client.get(f"{START}{protocol_job.pk}/").status_code == 404  # not a draft job
    bad = client.post(NEW, {"subject_de": "x", "action": "model_draft_adopt", "model_job": "x"})
    assert bad.status_code == 404


def test_model_text_cannot_plant_markup() -> None:
    evil = {
        "summary": "<script>alert(1)</script> **fett** ![bild](http://evil.example/p.png)",
        "agenda_items": [
            {"title": "# [Klick](javascript:alert(2))", "notes": '<img src=x onerror="alert(3)">'},
            {"title": "", "notes": ""},
        ],
        "action_items": [{"task": '<a href="http://evil.example" hx-get="/x">los</a>'}],
    }
    html = render_html(draft_markdown(evil))
    found = tags(html)
    assert {tag for tag, _attrs in found} <= {"p", "h3", "ul", "li"}
    assert not any(attrs for _tag, attrs in found)
    assert "evil.example" not in "".join(v for _t, attrs in found for _n, v in attrs)


def test_the_protocol_form_does_not_offer_the_newsletter_template() -> None:
    keys = set(ProtocolForm().fields["template"].queryset.values_list("key", flat=True))
    assert "newsletter" not in keys and "statusbericht" not in keys and keys
