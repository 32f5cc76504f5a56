"""The case lifecycle as an explicit state machine.

    referred -> contacting parties -> awaiting consent -> ready to assign -> active -> closed

A case can be closed from any open state (withdrawn, unsuitable, not contactable are the usual
early exits; the agreement outcomes need the case to have been active), and a coordinator can
reopen a closed case, with a reason, to the state it was closed from.
"""

from .models import Outcome, Status

# (from, to) -> the label of the button that makes the move.
FORWARD = {
    (Status.REFERRED, Status.CONTACTING): "Start contacting parties",
    (Status.CONTACTING, Status.AWAITING_CONSENT): "Parties contacted: await consent",
    (Status.AWAITING_CONSENT, Status.READY): "All consents in: ready to assign",
    (Status.READY, Status.AWAITING_CONSENT): "Back to awaiting consent",
    (Status.READY, Status.ACTIVE): "Start mediation",
    (Status.ACTIVE, Status.AWAITING_CONSENT): "Pause: consent to re-confirm",
}

# Outcomes that only make sense after mediation took place.
MEDIATED_OUTCOMES = {
    Outcome.FULL_AGREEMENT,
    Outcome.PARTIAL_AGREEMENT,
    Outcome.NO_AGREEMENT,
    Outcome.IMPROVED_COMMUNICATION,
}


def next_steps(status: str) -> list[tuple[str, str]]:
    """The states a case in ``status`` can move to by a plain transition, with button labels."""
    return [(to, label) for (frm, to), label in FORWARD.items() if frm == status]


def can_move(frm: str, to: str) -> bool:
    return (frm, to) in FORWARD


def outcomes_allowed(status: str, *, was_active: bool) -> list[str]:
    """Closing outcomes open to a case: agreement outcomes only once mediation has begun."""
    if status == Status.CLOSED:
        return []
    return [o for o in Outcome if was_active or o not in MEDIATED_OUTCOMES]
