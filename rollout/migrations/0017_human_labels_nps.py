"""Human names for the models people may meet (the audit log names the object by its type),
and the recommendation question (NPS) as a kind of its own.

Existing 0–10 questions keyed "nps" (as in the demo surveys) were recommendation
questions all along: they become that kind, and their results show the NPS.
"""

from django.db import migrations, models


def _nps_questions(apps, schema_editor) -> None:
    SurveyQuestion = apps.get_model("rollout", "SurveyQuestion")
    SurveyQuestion.objects.filter(kind="scale", key="nps").update(kind="nps")


def _scale_questions(apps, schema_editor) -> None:
    SurveyQuestion = apps.get_model("rollout", "SurveyQuestion")
    SurveyQuestion.objects.filter(kind="nps").update(kind="scale")


class Migration(migrations.Migration):
    dependencies = [
        ("rollout", "0016_survey_fixed_groups"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="booking",
            options={
                "ordering": ["slot__starts_at"],
                "verbose_name": "office hour booking",
                "verbose_name_plural": "office hour bookings",
            },
        ),
        migrations.AlterModelOptions(
            name="calendartoken",
            options={"verbose_name": "calendar link", "verbose_name_plural": "calendar links"},
        ),
        migrations.AlterModelOptions(
            name="candidatedismissal",
            options={
                "verbose_name": "dismissed multiplier suggestion",
                "verbose_name_plural": "dismissed multiplier suggestions",
            },
        ),
        migrations.AlterModelOptions(
            name="dataprotectionsignoff",
            options={
                "ordering": ["-created_at", "-pk"],
                "verbose_name": "data protection sign-off",
                "verbose_name_plural": "data protection sign-offs",
            },
        ),
        migrations.AlterModelOptions(
            name="faqembedding",
            options={
                "verbose_name": "FAQ search vector",
                "verbose_name_plural": "FAQ search vectors",
            },
        ),
        migrations.AlterModelOptions(
            name="feedbackmessage",
            options={
                "verbose_name": "feedback message",
                "verbose_name_plural": "feedback messages",
            },
        ),
        migrations.AlterModelOptions(
            name="officehourslot",
            options={
                "ordering": ["starts_at"],
                "verbose_name": "office hour slot",
                "verbose_name_plural": "office hour slots",
            },
        ),
        migrations.AlterModelOptions(
            name="registration",
            options={
                "ordering": ["created_at", "pk"],
                "verbose_name": "registration",
                "verbose_name_plural": "registrations",
            },
        ),
        migrations.AlterModelOptions(
            name="searchword",
            options={"verbose_name": "search word", "verbose_name_plural": "search words"},
        ),
        migrations.AlterModelOptions(
            name="searchwordkey",
            options={"verbose_name": "search word key", "verbose_name_plural": "search word keys"},
        ),
        migrations.AlterModelOptions(
            name="surveyanswer",
            options={"verbose_name": "survey answer", "verbose_name_plural": "survey answers"},
        ),
        migrations.AlterModelOptions(
            name="surveyparticipation",
            options={
                "verbose_name": "survey participation",
                "verbose_name_plural": "survey participations",
            },
        ),
        migrations.AlterModelOptions(
            name="surveyquestion",
            options={
                "ordering": ["survey", "order", "pk"],
                "verbose_name": "survey question",
                "verbose_name_plural": "survey questions",
            },
        ),
        migrations.AlterModelOptions(
            name="surveyresponse",
            options={"verbose_name": "survey response", "verbose_name_plural": "survey responses"},
        ),
        migrations.AlterModelOptions(
            name="usecaseattachment",
            options={
                "ordering": ["added_at", "pk"],
                "verbose_name": "use case file",
                "verbose_name_plural": "use case files",
            },
        ),
        migrations.AlterModelOptions(
            name="usecasecomment",
            options={
                "ordering": ["created_at", "pk"],
                "verbose_name": "use case comment",
                "verbose_name_plural": "use case comments",
            },
        ),
        migrations.AlterModelOptions(
            name="usecaseembedding",
            options={
                "verbose_name": "use case search vector",
                "verbose_name_plural": "use case search vectors",
            },
        ),
        migrations.AlterModelOptions(
            name="usecasefollow",
            options={
                "verbose_name": "use case follower",
                "verbose_name_plural": "use case followers",
            },
        ),
        migrations.AlterModelOptions(
            name="usecasetransition",
            options={
                "ordering": ["at", "pk"],
                "verbose_name": "use case status change",
                "verbose_name_plural": "use case status changes",
            },
        ),
        migrations.AlterModelOptions(
            name="usecasevalidation",
            options={
                "ordering": ["-created_at", "-pk"],
                "verbose_name": "use case validation",
                "verbose_name_plural": "use case validations",
            },
        ),
        migrations.AlterModelOptions(
            name="usecasevote",
            options={"verbose_name": "use case vote", "verbose_name_plural": "use case votes"},
        ),
        migrations.AlterField(
            model_name="surveyquestion",
            name="kind",
            field=models.CharField(
                choices=[
                    ("likert", "agreement scale (1–5)"),
                    ("scale", "scale 0–10"),
                    ("nps", "recommendation 0–10 (NPS)"),
                    ("choice", "single choice"),
                    ("text", "free text"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(_nps_questions, _scale_questions),
    ]
