"""Rule 7 of DESIGN.md: nothing joint happens until every party has consented.

A party "has consented" when they currently hold consent to take part in mediation and to the
processing of their data (consent to share contact details is separate: see cases.disclosure).
A withdrawal stops joint work: the case page then prompts the coordinator to close as withdrawn.
"""

from dataclasses import dataclass, field

from .models import Consent, Party

REQUIRED_KINDS = (Consent.Kind.MEDIATE, Consent.Kind.DATA_PROCESSING)


def current_kinds(party: Party) -> set[str]:
    """The consents ``party`` holds now. Uses prefetched consents when the caller has them."""
    return {c.kind for c in party.consents.all() if c.withdrawn_at is None}


def has_consented(party: Party) -> bool:
    return set(REQUIRED_KINDS) <= current_kinds(party)


def withdrew_from_mediation(party: Party) -> bool:
    consents = [c for c in party.consents.all() if c.kind == Consent.Kind.MEDIATE]
    return bool(consents) and all(c.withdrawn_at is not None for c in consents)


@dataclass
class ConsentState:
    parties: list[Party]
    waiting_for: list[Party] = field(default_factory=list)
    withdrawn: list[Party] = field(default_factory=list)

    @property
    def all_consented(self) -> bool:
        return bool(self.parties) and not self.waiting_for


def consent_state(case) -> ConsentState:
    """Who the case is waiting for, and who has withdrawn. Prefetch parties__consents to keep
    this to no extra queries on a page."""
    parties = list(case.parties.all())
    return ConsentState(
        parties=parties,
        waiting_for=[p for p in parties if not has_consented(p)],
        withdrawn=[p for p in parties if withdrew_from_mediation(p)],
    )
