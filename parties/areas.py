"""A case's area, from its parties' postcodes (the area reports group by it: reports.districts).

Keeping ``Case.postcode_district`` true: the district (outward code, "ME14") of the case's
first party — the lowest id — that has a postcode; "" when no party has one.

Who calls it: every write that can change the answer — cases.services.case_create (the
referral, and so the public self-referral), parties.services.party_add and party_update (a new
party, a new postcode), and privacy.services when parties are anonymised (retention or a
person's erasure). The district is worked out again from the parties as stored, never copied
from the form, so the rule holds whichever of them ran last.

Erasure: the district is derived data. When one party is erased, their postcode goes and the
case takes the district of the next party with one (that party's own postcode, still held
lawfully until the case's retention ends), or none. When a whole case is anonymised at the end
of its retention, every postcode goes and so does the district: left beside the case's dates,
dispute type and outcome it would narrow down who the case was about (a district of a few
thousand households, one neighbour dispute closed on a given day), which is the
pseudonymous-not-anonymous problem privacy.services gives for removing the equality answers.
Area reports for periods that old show such cases as "No postcode recorded".
"""

from __future__ import annotations

import re

from django.db import connection

# The outward code of a UK postcode: area letters, district digit(s), an optional letter
# (EC1A, W1D). The inward code (digit + two letters) is optional: "ME14" alone is a district.
_OUTWARD = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*(?:[0-9][A-Z]{2})?$")

# Party postcodes are stored normalised ("TN9 1AA": parties.validators.normalise_postcode); the
# pattern keeps anything else (an old row typed before the check) out, as district_of does.
_REFRESH = r"""
WITH found AS (
    SELECT COALESCE((
               SELECT split_part(p.postcode, ' ', 1)
                 FROM parties_party AS p
                WHERE p.case_id = %(case)s
                  AND p.postcode ~ '^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$'
                ORDER BY p.id
                LIMIT 1
           ), '') AS district
)
UPDATE cases_case
   SET postcode_district = found.district
  FROM found
 WHERE cases_case.id = %(case)s
   AND cases_case.postcode_district IS DISTINCT FROM found.district
RETURNING cases_case.postcode_district
"""


def district_of_parties(parties) -> str:
    """The district of the first of ``parties`` (in the order they are, or will be, saved)
    with a postcode: for a case being created with its parties."""
    for party in parties:
        district = district_of(party.postcode)
        if district:
            return district
    return ""


def refresh_case_district(case) -> str:
    """Set the case's district from its parties as stored (one UPDATE, which writes, and so
    makes a history event, only when the district changes). Returns the district, and sets it
    on ``case`` when given a Case."""
    case_id = getattr(case, "pk", case)
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH, {"case": case_id})
        row = cursor.fetchone()
    if row is None:  # unchanged
        if hasattr(case, "postcode_district"):
            return case.postcode_district
        return ""
    if hasattr(case, "postcode_district"):
        case.postcode_district = row[0]
    return row[0]


def district_of(postcode: str) -> str:
    """The district ("ME14") of a postcode ("me14 1xx", "ME141XX", "ME14"); "" when it is not
    a UK postcode (a party abroad, a typing slip): such a party gives the case no area."""
    text = re.sub(r"\s+", " ", (postcode or "").strip().upper())
    if not text:
        return ""
    compact = text.replace(" ", "")
    # "ME141XX": the last three characters are the inward code when there are five or more.
    if " " not in text and len(compact) >= 5:
        text = f"{compact[:-3]} {compact[-3:]}"
    match = _OUTWARD.match(text)
    return match.group(1) if match else ""
