"""Each answer records the session start it was about; answers already given are taken to be
about their session's time now (nothing kept says otherwise)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    PartyReply = apps.get_model("notifications", "PartyReply")
    MediationSession = apps.get_model("mediation_sessions", "MediationSession")
    PartyReply.objects.update(
        for_starts_at=Subquery(
            MediationSession.objects.filter(pk=OuterRef("session_id")).values("starts_at")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_retention_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="partyreply",
            name="for_starts_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="partyreply",
            name="for_starts_at",
            field=models.DateTimeField(),
        ),
    ]
