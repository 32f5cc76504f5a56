from functools import reduce
from operator import or_

from django.db.models import Q
from django.db.models.functions import Lower

from .models import Party


def possible_duplicates(parties) -> list[tuple[Party, list[Party]]]:
    """Parties of other cases with the same name (ignoring case) and postcode, in one query.

    Returns [(party, [matches…]), …] for the parties that have any. Only coordinators are shown
    this (it reaches across cases).
    """
    parties = [p for p in parties if p.postcode and p.full_name.strip()]
    if not parties:
        return []
    condition = reduce(
        or_,
        (Q(name_lower=p.full_name.strip().lower(), postcode=p.postcode) for p in parties),
    )
    case_ids = {p.case_id for p in parties}
    matches = (
        Party.objects.annotate(name_lower=Lower("full_name"))
        .filter(condition)
        .exclude(case_id__in=case_ids)
        .select_related("case")
        .order_by("-case__received_on")[:50]
    )
    found: dict[tuple[str, str], list[Party]] = {}
    for match in matches:
        found.setdefault((match.name_lower.strip(), match.postcode), []).append(match)
    result = []
    for party in parties:
        others = found.get((party.full_name.strip().lower(), party.postcode))
        if others:
            result.append((party, others))
    return result
