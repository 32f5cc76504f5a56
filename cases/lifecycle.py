"""The case lifecycle as an explicit state machine.

    referred -> contacting parties -> awaiting consent -> ready to assign -> active -> closed

A case can be closed from any open state (withdrawn, unsuitable, not contactable are the usual
early exits; the mediated outcomes need mediation to have taken place: a session held, or an
agreement made), and a coordinator can reopen a closed case, with a reason, to the furthest state
its consents and pair allow (cases.services.case_reopen).
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

# What a case at each stage is waiting for, in a few words (the case list's cards on a phone).
WAITING_FOR = {
    Status.REFERRED: "Contact the parties",
    Status.CONTACTING: "Reach every party",
    Status.AWAITING_CONSENT: "Record the parties' consent",
    Status.READY: "Assign a pair of mediators",
    Status.ACTIVE: "Mediation: sessions and agreement",
    Status.CLOSED: "Closed",
}

# Outcomes that only make sense after mediation took place (cases.services.mediation_took_place).
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


# The order of the stages, to say which of two is further along.
ORDER = (
    Status.REFERRED,
    Status.CONTACTING,
    Status.AWAITING_CONSENT,
    Status.READY,
    Status.ACTIVE,
)
