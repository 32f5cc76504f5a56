"""The district → local authority table seeded for Kent and Medway, and every case's district
worked out from its parties (set-based: one UPDATE).

The backfill skips the cases' history trigger (django-pghistory): the district is derived from
what the parties already say, not a change anyone made, and a history event per case would copy
100,000 cases' summaries into the history table for nothing (with it the UPDATE took 66 s at
100,000 cases on a loaded machine, without it a few seconds)."""

import pgtrigger
from django.db import migrations

# The same rule as parties.areas (first party by id with a UK postcode, its outward code),
# in SQL. Party postcodes are stored normalised ("TN9 1AA", parties.validators).
BACKFILL = r"""
UPDATE cases_case AS c
   SET postcode_district = d.district
  FROM (
        SELECT cs.id AS case_id,
               COALESCE((
                   SELECT split_part(p.postcode, ' ', 1)
                     FROM parties_party AS p
                    WHERE p.case_id = cs.id
                      AND p.postcode ~ '^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$'
                    ORDER BY p.id
                    LIMIT 1
               ), '') AS district
          FROM cases_case AS cs
       ) AS d
 WHERE d.case_id = c.id
   AND c.postcode_district IS DISTINCT FROM d.district
"""


def backfill(apps, schema_editor):
    with pgtrigger.ignore("cases.Case:update_update"), schema_editor.connection.cursor() as c:
        c.execute(BACKFILL)


def seed(apps, schema_editor):
    from reports.districts import KENT_AND_MEDWAY

    PostcodeDistrict = apps.get_model("reports", "PostcodeDistrict")
    PostcodeDistrict.objects.bulk_create(
        [PostcodeDistrict(district=d, local_authority=a) for d, a in KENT_AND_MEDWAY.items()],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    from reports.districts import KENT_AND_MEDWAY

    apps.get_model("reports", "PostcodeDistrict").objects.filter(
        district__in=list(KENT_AND_MEDWAY)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("cases", "0011_referrer_records_and_area"),
        ("parties", "0007_search_indexes"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
