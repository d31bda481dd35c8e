from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantsConfig(AppConfig):
    name = "assistants"
    verbose_name = _("AI assistants")

    def ready(self) -> None:
        from celery.signals import celeryd_after_setup, worker_process_init

        from assistants import cards, checks, demo, setup, worker  # noqa: F401 (checks registers)
        from assistants.inbox import protocol_inbox
        from assistants.kinds import register_job_kind
        from assistants.services import protocols, reports
        from assistants.speech import services as speech
        from portal.audit import register_action_labels
        from portal.registry import (
            NavItem,
            register_demo_seeder,
            register_home_cards,
            register_inbox,
            register_nav,
            register_report_facts,
            register_stack_preparer,
        )

        register_nav(
            NavItem(_("Assistants"), "assistants:index", order=40),
            NavItem(_("My action items"), "assistants:action-items", order=45),
        )
        register_demo_seeder(demo.seed_assistants)
        register_stack_preparer(setup.prepare_demo_model)
        register_stack_preparer(setup.prepare_speech_model)
        register_home_cards(cards.protocol_cards)
        register_inbox(protocol_inbox)
        register_report_facts(reports.assistant_facts)
        register_job_kind(protocols.PROTOCOL_KIND)
        register_job_kind(reports.REPORT)
        register_job_kind(speech.TRANSCRIPT_KIND)
        celeryd_after_setup.connect(worker.remember_queues, weak=False)
        worker_process_init.connect(worker.preload_model, weak=False)
        register_action_labels(
            {
                "assistant.job_created": _("Generation requested"),
                "assistant.protocol_generated": _("AI result generated"),
                "assistant.generation_failed": _("Generation failed"),
                "assistant.job_cancelled": _("Generation cancelled"),
                "assistant.template_revised": _("Protocol template revised"),
                "protocol.submit": _("Protocol submitted for review"),
                "protocol.approve": _("Protocol approved"),
                "protocol.return": _("Protocol returned"),
                "protocol.new_version": _("New protocol version started"),
                "action_item.done": _("Action item done"),
                "retention.purged": _("Old transcripts and drafts deleted"),
                "assistant.transcription_requested": _("Recording uploaded for transcription"),
                "assistant.transcribed": _("Recording transcribed"),
                "assistant.transcript_edited": _("Transcript corrected"),
                "assistant.transcript_deleted": _("Transcript deleted"),
                "report.edited": _("Status report edited"),
                "report.approved": _("Status report approved"),
            }
        )
