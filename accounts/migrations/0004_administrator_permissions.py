"""The Administrator role's Django permissions: exactly what its jobs in the admin need.

The jobs (DESIGN.md §2, issue 17): users and their roles, service settings, the retention
schedule, volunteers' records, helping someone locked out, and reading the audit trail.

- Users: view, add, change. Not delete: an account is made inactive (which ends its sessions
  and keeps who did what); a superuser can still delete. The user admin (accounts.admin) also
  keeps a non-superuser from making anyone a superuser, giving single permissions, or changing
  a superuser's account (break-glass stays break-glass).
- Groups: view only. The groups *are* the four roles, known to the code by name: a new group
  is no role, a renamed one stops working, and whoever may change a group's permissions can give
  their own role anything. Roles are given on the user's page.
- Service settings (home visits): view, change. Retention periods are settings of the
  deployment (RETENTION_* environment variables), not rows; the daily retention run is a
  periodic task: view and change periodic tasks (on/off, time), view their schedules.
- Volunteers: view, add, change the volunteer record; view DBS checks, training, accreditations,
  trainee cases and hours (recorded on the volunteer pages, through their rules).
- Lockouts and second factors: view and delete access attempts (lifts a lockout), view and
  delete TOTP and backup-code devices (resets someone's second factor).
- The audit trail: view.

Nothing of cases, parties, consents, notes, sessions or reminders: the case-data admins ask for
the Coordinator role in code (cases.admin.ScopedAdmin) whatever permissions a group holds.

Permissions are made by post_migrate, after every migration has run, so on a fresh database
they do not exist yet here: ``create_permissions`` makes them first (idempotent). The list is
frozen here, as a migration's data should be; a later change of the role's job is a new
migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Administrator"

PERMISSIONS = {
    "auth": {"user": ("view", "add", "change"), "group": ("view",)},
    "mediation_sessions": {"servicesettings": ("view", "change")},
    "django_celery_beat": {
        "periodictask": ("view", "change"),
        "crontabschedule": ("view",),
        "intervalschedule": ("view",),
        "clockedschedule": ("view",),
        "solarschedule": ("view",),
    },
    "volunteers": {
        "volunteer": ("view", "add", "change"),
        "dbscheck": ("view",),
        "trainingrecord": ("view",),
        "accreditation": ("view",),
        "traineecase": ("view",),
        "volunteerhours": ("view",),
    },
    "axes": {"accessattempt": ("view", "delete")},
    "otp_totp": {"totpdevice": ("view", "delete")},
    "otp_static": {"staticdevice": ("view", "delete")},
    "audit": {"auditevent": ("view",)},
}


def _wanted(apps):
    Permission = apps.get_model("auth", "Permission")
    wanted = []
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                wanted.append(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )
    return wanted


def grant(apps, schema_editor=None):
    """Give the Administrator group exactly PERMISSIONS (creating the group if need be).
    Also called by the tests, with the live app registry, after a flush emptied the tables."""
    for app_config in apps.get_app_configs():
        # create_permissions skips apps whose models module is unset (as in migration states).
        module = getattr(app_config, "models_module", None)
        app_config.models_module = module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = module
    Group = apps.get_model("auth", "Group")
    group = Group.objects.get_or_create(name=ADMINISTRATOR)[0]
    group.permissions.set(_wanted(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=ADMINISTRATOR):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_enrolment_link"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("audit", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("mediation_sessions", "0005_reminder_rule_digest"),
        ("otp_static", "0003_add_timestamps"),
        ("otp_totp", "0003_add_timestamps"),
        ("volunteers", "0005_training_and_connections_history"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
