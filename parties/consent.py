"""Rule 7 of DESIGN.md: nothing joint happens until every party has consented, and nobody is
contacted after withdrawing.

A party "has consented" when they currently hold consent to take part in mediation and to the
processing of their data (consent to share contact details is separate: see cases.disclosure).
A withdrawal stops joint work: the case page then prompts the coordinator to close as withdrawn.

A party's **contact has stopped** when they withdrew either of those consents and have not given
it again: no message of any kind is written to them, and none already written is sent
(notifications.outbox, notifications.dispatch).
A party who has not been asked yet (an intake visit comes
before consent) may still be reminded of their appointments.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, prefetch_related_objects

from .models import Consent, Party

REQUIRED_KINDS = (Consent.Kind.MEDIATE, Consent.Kind.DATA_PROCESSING)
# Withdrawing one of these stops every message to the party.
CONTACT_STOPPING_KINDS = REQUIRED_KINDS


def kinds_held(consents) -> set[str]:
    """The kinds of ``consents`` (one party's: anything with ``kind`` and ``withdrawn_at``, a
    Consent or a row of values) still held."""
    return {c.kind for c in consents if c.withdrawn_at is None}


def withdrew_from(consents, kind: str) -> bool:
    """Among one party's ``consents``, one of ``kind`` was given, and each was withdrawn."""
    of_kind = [c for c in consents if c.kind == kind]
    return bool(of_kind) and all(c.withdrawn_at is not None for c in of_kind)


def current_kinds(party: Party) -> set[str]:
    """The consents ``party`` holds now. Uses prefetched consents when the caller has them."""
    return kinds_held(party.consents.all())


def has_consented(party: Party) -> bool:
    return set(REQUIRED_KINDS) <= current_kinds(party)


def withdrew(party: Party, kind: str) -> bool:
    """``party`` gave consent of ``kind`` and has withdrawn it, without giving it again."""
    return withdrew_from(party.consents.all(), kind)


def withdrew_from_mediation(party: Party) -> bool:
    return withdrew(party, Consent.Kind.MEDIATE)


def contact_stopped(party: Party) -> bool:
    """No message may go to ``party`` (see the module's docstring). Uses prefetched consents."""
    return any(withdrew(party, kind) for kind in CONTACT_STOPPING_KINDS)


def withdrew_q(kind: str, party=None) -> Q:
    """``withdrew`` in SQL, for the party ``party`` points at (an OuterRef to a party's id;
    by default the outer query's own row)."""
    party = OuterRef("pk") if party is None else party
    consents = Consent.objects.filter(party=party, kind=kind)
    return Q(Exists(consents.filter(withdrawn_at__isnull=False))) & ~Q(
        Exists(consents.filter(withdrawn_at__isnull=True))
    )


def contact_stopped_q(party=None) -> Q:
    """``contact_stopped`` in SQL, for the party ``party`` points at."""
    return withdrew_q(Consent.Kind.MEDIATE, party) | withdrew_q(Consent.Kind.DATA_PROCESSING, party)


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
    prefetch_related_objects(parties, "consents")  # nothing more if the caller prefetched them
    return ConsentState(
        parties=parties,
        waiting_for=[p for p in parties if not has_consented(p)],
        withdrawn=[p for p in parties if withdrew_from_mediation(p)],
    )
