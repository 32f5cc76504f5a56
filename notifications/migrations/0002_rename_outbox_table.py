from django.db import migrations


class Migration(migrations.Migration):
    """The outbox table gets its app's name: a rename, so every row stays."""

    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="outboxmessage", table=None),
    ]
