"""Indexes for what the funders' reports filter on that had none: the outcome follow-up is
counted by the day the party was asked (surveys invitations by kind and created_at). The
feedback survey is reached from the cases closed in the period (case_closed_on_idx) and each
case's invitations (survey_case_idx); referrers and districts by case_referrer_idx and
case_district_idx (cases 0011); the district table by its primary key.

Raw SQL because the table belongs to the surveys app (its models do not declare it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_kent_and_medway_and_case_districts"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS reports_survey_kind_created_idx "
            "ON surveys_surveyinvitation (kind, created_at)",
            "DROP INDEX IF EXISTS reports_survey_kind_created_idx",
        ),
    ]
