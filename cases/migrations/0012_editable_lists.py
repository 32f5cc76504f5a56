"""Editable lists (issue 19): referral sources, dispute types and closing outcomes become rows
administrators rename, reorder and (referral sources) add and retire (cases.lists).

- ListEntry, with its history, seeded with the values, labels and order the TextChoices in
  cases.models had when this was written (frozen here, as a migration's data should be).
- Case.referral_source loses its fixed choices (new sources are new codes), and takes codes as
  long as a referrer's "usually referred as" (30).
- The Administrator group may view, add and change list entries (never delete: entries are
  retired). As accounts/migrations/0004 does, permissions are made first: post_migrate, which
  normally makes them, has not run yet on a fresh database.
"""

from django.contrib.auth.management import create_permissions
import django.db.models.deletion
import django.db.models.functions.text
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


ADMINISTRATOR = "Administrator"
PERMISSIONS = ("view_listentry", "add_listentry", "change_listentry")

# (list, code, label) in the order each list had.
SEED = {
    "referral_source": (
        ("self", "Self-referral"),
        ("housing", "Housing provider"),
        ("police", "Police"),
        ("council", "Council/ASB team"),
        ("school", "School"),
        ("health", "Health"),
        ("other_agency", "Other agency"),
    ),
    "dispute_type": (
        ("neighbour", "Neighbour"),
        ("family", "Family"),
        ("parent_teen", "Parent/teen"),
        ("restorative", "Restorative conferencing"),
        ("community", "Community/group"),
        ("workplace", "Workplace"),
        ("other", "Other"),
    ),
    "outcome": (
        ("full_agreement", "Full agreement"),
        ("partial_agreement", "Partial agreement"),
        ("no_agreement", "No agreement"),
        ("improved_communication", "Improved communication"),
        ("withdrawn", "Withdrawn"),
        ("unsuitable", "Unsuitable for mediation"),
        ("not_contactable", "Not contactable"),
    ),
}


def seed(apps, schema_editor=None):
    """The lists as the code had them, numbered in tens (room to place one between two)."""
    ListEntry = apps.get_model("cases", "ListEntry")
    ListEntry.objects.bulk_create(
        [
            ListEntry(list=name, code=code, label=label, position=(i + 1) * 10)
            for name, values in SEED.items()
            for i, (code, label) in enumerate(values)
        ],
        ignore_conflicts=True,
    )


def grant(apps, schema_editor=None):
    """Add the list-entry permissions to the Administrator group (made if need be). Also
    called by the tests after a flush emptied the tables (tests.conftest)."""
    cases = apps.get_app_config("cases")
    module = getattr(cases, "models_module", None)
    cases.models_module = module or True  # create_permissions skips it unset (migration state)
    try:
        create_permissions(cases, apps=apps, verbosity=0)
    finally:
        cases.models_module = module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.get_or_create(name=ADMINISTRATOR)[0]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="cases", codename__in=PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=ADMINISTRATOR):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="cases", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_referrer_records_and_area"),
        ("pghistory", "0007_auto_20250421_0444"),
        ("accounts", "0004_administrator_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListEntryEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                (
                    "list",
                    models.CharField(
                        choices=[
                            ("referral_source", "Referral sources"),
                            ("dispute_type", "Dispute types"),
                            ("outcome", "Closing outcomes"),
                        ],
                        max_length=20,
                    ),
                ),
                ("code", models.CharField(editable=False, max_length=30)),
                (
                    "label",
                    models.CharField(
                        help_text="As it is shown on every page, form, export and report.",
                        max_length=100,
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Where it comes in the list: lower numbers first. The lists are numbered in tens, so an entry can go between two others (15 goes between 10 and 20).",
                    ),
                ),
                (
                    "retired_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="retired"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AlterField(
            model_name="case",
            name="referral_source",
            field=models.CharField(max_length=30),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="referral_source",
            field=models.CharField(max_length=30),
        ),
        migrations.CreateModel(
            name="ListEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "list",
                    models.CharField(
                        choices=[
                            ("referral_source", "Referral sources"),
                            ("dispute_type", "Dispute types"),
                            ("outcome", "Closing outcomes"),
                        ],
                        max_length=20,
                    ),
                ),
                ("code", models.CharField(editable=False, max_length=30)),
                (
                    "label",
                    models.CharField(
                        help_text="As it is shown on every page, form, export and report.",
                        max_length=100,
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Where it comes in the list: lower numbers first. The lists are numbered in tens, so an entry can go between two others (15 goes between 10 and 20).",
                    ),
                ),
                (
                    "retired_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="retired"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "list entry",
                "verbose_name_plural": "list entries",
                "ordering": ["list", "position", "label"],
                "constraints": [
                    models.UniqueConstraint(fields=("list", "code"), name="list_entry_code_once"),
                    models.UniqueConstraint(
                        models.F("list"),
                        django.db.models.functions.text.Upper("label"),
                        name="list_entry_label_once",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("retired_at__isnull", True),
                            models.Q(
                                ("list", "referral_source"),
                                models.Q(("code__in", ("self", "other_agency")), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="list_entry_retires_only_free_sources",
                    ),
                ],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="listentry",
            trigger=pgtrigger.compiler.Trigger(
                name="list_entry_never_deleted",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;",
                    hash="95d6163b8520528f049d6bce60beaa9356daa264",
                    operation="DELETE",
                    pgid="pgtrigger_list_entry_never_deleted_7d33f",
                    table="cases_listentry",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="listentry",
            trigger=pgtrigger.compiler.Trigger(
                name="list_entry_code_fixed",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."code" IS DISTINCT FROM (NEW."code") OR OLD."list" IS DISTINCT FROM (NEW."list"))',
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;",
                    hash="3ff76014f04f56e50689a071656ef33241955d98",
                    operation="UPDATE",
                    pgid="pgtrigger_list_entry_code_fixed_c6c01",
                    table="cases_listentry",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="listentry",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_listentryevent" ("code", "created_at", "id", "label", "list", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "position", "retired_at", "updated_at") VALUES (NEW."code", NEW."created_at", NEW."id", NEW."label", NEW."list", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."position", NEW."retired_at", NEW."updated_at"); RETURN NULL;',
                    hash="40885ddba702743c67b943b122f6186fac0f15e0",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_1471a",
                    table="cases_listentry",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="listentry",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "cases_listentryevent" ("code", "created_at", "id", "label", "list", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "position", "retired_at", "updated_at") VALUES (NEW."code", NEW."created_at", NEW."id", NEW."label", NEW."list", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."position", NEW."retired_at", NEW."updated_at"); RETURN NULL;',
                    hash="ae1afe9e9df72c38eb9b7287242f687a3089bd9b",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_7b27e",
                    table="cases_listentry",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddField(
            model_name="listentryevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="listentryevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="cases.listentry",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="listentryevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="30913a87176507d783a53fda24d2bf8421ffba54",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_2dc14",
                    table="cases_listentryevent",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
