from django.db import migrations


class Migration(migrations.Migration):
    """The outbox (Reminder) moves to the notifications app as OutboxMessage. Only Django's idea
    of the models changes here; the table, and every row in it, stays (notifications 0001 takes
    it over, 0002 renames it)."""

    dependencies = [
        ("mediation_sessions", "0005_reminder_rule_digest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Reminder")],
            database_operations=[],
        ),
    ]
