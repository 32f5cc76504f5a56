from django.db import migrations, models


class Migration(migrations.Migration):
    """The messages retention has still to clear (notifications.retention): a partial index, so
    the daily run reads only those, not every message ever sent."""

    dependencies = [
        ("notifications", "0005_party_replies"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(
                    ("scrubbed_at__isnull", True), ("status__in", ["sent", "failed", "cancelled"])
                ),
                fields=["due_at"],
                name="outbox_retention_idx",
            ),
        ),
    ]
