"""Whether a case or a party has been anonymised (the retention policy, or an erasure request):
asked wherever something more would be written about them. One query each."""

from django.db.models import Q

from .models import Anonymisation


def case_anonymised(case) -> bool:
    """The whole case was anonymised at the end of its retention period: retention never comes
    back to it, so nothing more is filed on it."""
    return Anonymisation.objects.filter(case=case, party__isnull=True, volunteer=None).exists()


def party_erased(party) -> bool:
    """The party's records were anonymised: their erasure, or their case's retention."""
    return Anonymisation.objects.filter(
        Q(party=party) | Q(case_id=party.case_id, party__isnull=True)
    ).exists()


def erased_party_ids(case) -> set[int]:
    """The parties of ``case`` whose records were anonymised (each one erased, or every one
    with the case's retention)."""
    rows = Anonymisation.objects.filter(
        Q(party__case=case) | Q(case=case, party__isnull=True)
    ).values_list("party_id", flat=True)
    erased = set(rows)
    if None in erased:  # the whole case
        return {party.pk for party in case.parties.all()}
    return erased
