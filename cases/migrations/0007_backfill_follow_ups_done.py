"""Follow-ups already done before follow_up_done_on existed: a published call, letter, email,
visit or meeting on or after the follow-up date (what cases.services now records as it
happens). The date is the first such contact's, in London time."""

from django.db import migrations

BACKFILL = """
UPDATE cases_case AS c
SET follow_up_done_on = first_contact.day
FROM (
    SELECT e.case_id, MIN((e.occurred_at AT TIME ZONE 'Europe/London')::date) AS day
    FROM cases_contactlogentry AS e
    JOIN cases_case AS closed ON closed.id = e.case_id
    WHERE closed.status = 'closed'
      AND closed.follow_up_on IS NOT NULL
      AND closed.follow_up_done_on IS NULL
      AND NOT e.is_draft
      AND e.kind IN ('call', 'letter', 'email', 'visit', 'meeting')
      AND (e.occurred_at AT TIME ZONE 'Europe/London')::date >= closed.follow_up_on
    GROUP BY e.case_id
) AS first_contact
WHERE c.id = first_contact.case_id
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_search_and_report_indexes")]

    operations = [migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop)]
