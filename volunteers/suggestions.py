"""Suggest a pair for a case: every eligible pair, ranked, each with the reasons for its place.

Ranking, in order: accreditations that fit the case, shared availability, current caseload
(fewest active cases first), and how near they live (postcode district, then area). Pairs are
checked with the same eligibility.pair_problems that assigning uses, so a suggestion can always
be assigned (pairs needing a rule 8 override are left out).
"""

import itertools
import re
from dataclasses import dataclass, field

from parties.validators import postcode_district

from .eligibility import EXTRA_ACCREDITATION, accreditations, pair_problems, volunteer_problems
from .models import AccreditationKind, Volunteer
from .selectors import with_caseload

# Individuals considered for pairing, after those who cannot take the case are removed.
MAX_CANDIDATES = 40


@dataclass
class Suggestion:
    lead: Volunteer
    co_mediator: Volunteer
    reasons: list[str] = field(default_factory=list)
    sort_key: tuple = ()


def _area(district: str) -> str:
    match = re.match(r"[A-Z]+", district)
    return match.group(0) if match else ""


def _proximity(volunteer: Volunteer, district: str) -> int:
    """2: same postcode district as the case; 1: same postcode area; 0: further."""
    theirs = postcode_district(volunteer.postcode)
    if not theirs or not district:
        return 0
    if theirs == district:
        return 2
    return 1 if _area(theirs) == _area(district) else 0


def _slots(volunteer: Volunteer) -> set[tuple[int, str]]:
    return {(a.weekday, a.part_of_day) for a in volunteer.availability.all()}


def candidates(case):
    queryset = with_caseload(
        Volunteer.objects.filter(status__in=[Volunteer.Status.MEDIATOR, Volunteer.Status.TRAINEE])
    ).prefetch_related(
        "dbs_checks",
        "training",
        "accreditations",
        "connections",
        "availability",
    )
    eligible = [v for v in queryset if not volunteer_problems(v, case)]
    eligible.sort(key=lambda v: (v.active_cases, v.last_name))
    return eligible[:MAX_CANDIDATES]


def suggest_pairs(case, limit: int = 8) -> list[Suggestion]:
    parties = list(case.parties.all())
    district = next((postcode_district(p.postcode) for p in parties if p.postcode), "")
    wanted = {EXTRA_ACCREDITATION.get(case.dispute_type, AccreditationKind.COMMUNITY)}
    wanted_label = " and ".join(AccreditationKind(k).label.lower() for k in wanted)
    suggestions = []
    for first, second in itertools.combinations(candidates(case), 2):
        if pair_problems(case, first, second):
            continue
        # The more experienced (accredited, fewer cases) leads; a trainee never leads.
        lead, co = sorted(
            (first, second), key=lambda v: (v.is_trainee, v.active_cases, v.last_name)
        )
        fit = sum(len(wanted & accreditations(v)) for v in (lead, co))
        shared = len(_slots(lead) & _slots(co))
        caseload = lead.active_cases + co.active_cases
        near = _proximity(lead, district) + _proximity(co, district)
        reasons = [
            f"{fit} of 2 hold the {wanted_label} accreditation",
            f"{shared} shared availability slot{'s' if shared != 1 else ''} a week",
            f"{caseload} active case{'s' if caseload != 1 else ''} between them",
            {4: "both live in the case's postcode district", 3: "one lives in the district"}.get(
                near, f"{near} of 4 for nearness (postcode district or area)"
            ),
        ]
        if lead.is_trainee or co.is_trainee:
            reasons.append("a trainee case: a supervised case towards accreditation")
        suggestions.append(Suggestion(lead, co, reasons, sort_key=(-fit, -shared, caseload, -near)))
    suggestions.sort(key=lambda s: (s.sort_key, s.lead.last_name, s.co_mediator.last_name))
    return suggestions[:limit]
