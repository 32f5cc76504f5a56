"""Who may mediate which case, with whom: rules 1-5 and 8 of DESIGN.md, in one place.

``pair_problems`` answers with every reason a pair may not take a case (empty when it may);
``assign_pair`` in volunteers.services refuses to assign while any remain, and the suggestion
list uses the same function, so pages, admin, commands and tasks all agree.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from cases.models import DisputeType
from parties.validators import normalise_postcode

from .dbs import dbs_is_current
from .models import AccreditationKind, TrainingRecord, Volunteer

# Trainees co-mediate only community cases (rule 2): disputes between neighbours, in a community
# or group, and other everyday disputes — not family, parent/teen, restorative or workplace work.
COMMUNITY_DISPUTES = {DisputeType.NEIGHBOUR, DisputeType.COMMUNITY, DisputeType.OTHER}

# Rule 3: these dispute types need both mediators to hold the matching accreditation.
EXTRA_ACCREDITATION = {
    DisputeType.PARENT_TEEN: AccreditationKind.PARENT_TEEN,
    DisputeType.RESTORATIVE: AccreditationKind.RESTORATIVE,
}


@dataclass(frozen=True)
class Problem:
    """A reason a volunteer or a pair may not take a case. ``needs_override`` problems (rule 8)
    can be accepted by a coordinator with a written reason; the others cannot."""

    message: str
    needs_override: bool = False
    # Names a conflict of interest (rule 8) for good, so that an override covers the conflicts
    # it was given for and not one that arises later (CaseAssignment.overridden_conflicts).
    key: str = ""


def accreditations(volunteer: Volunteer) -> set[str]:
    """The kinds of accreditation ``volunteer`` holds now (not revoked); uses prefetched ones."""
    return {a.kind for a in volunteer.accreditations.all() if a.revoked_on is None}


def community_course_hours(volunteer: Volunteer) -> Decimal:
    """Completed hours of the community course (uses prefetched training if present)."""
    if "training" in getattr(volunteer, "_prefetched_objects_cache", {}):
        return sum(
            (
                t.hours
                for t in volunteer.training.all()
                if t.course == TrainingRecord.Course.COMMUNITY and t.completed_on
            ),
            Decimal(0),
        )
    total = volunteer.training.filter(
        course=TrainingRecord.Course.COMMUNITY, completed_on__isnull=False
    ).aggregate(total=Sum("hours"))["total"]
    return total or Decimal(0)


def _normalised(postcode: str) -> str:
    try:
        return normalise_postcode(postcode)
    except Exception:  # noqa: BLE001 - a malformed stored postcode simply does not match
        return ""


def connection_problems(volunteer: Volunteer, parties) -> list[Problem]:
    """Rule 8: a declared connection with a party, or the same postcode as a party."""
    problems = []
    # Compared in their normal form: a postcode stored by an import or a data fix may not be.
    home = _normalised(volunteer.postcode)
    for party in parties:
        if home and home == _normalised(party.postcode):
            problems.append(
                Problem(
                    f"{volunteer.full_name} shares a postcode ({home}) with {party.full_name}.",
                    needs_override=True,
                    key=f"postcode:{volunteer.pk}:{party.pk}:{home}",
                )
            )
        for connection in volunteer.connections.all():
            name = connection.person_name.strip().lower()
            street = connection.street.strip().lower()
            address = f"{party.address_line1} {party.address_line2}".lower()
            if (
                (name and name == party.full_name.strip().lower())
                or (street and street in address)
                or (connection.postcode and connection.postcode == _normalised(party.postcode))
            ):
                problems.append(
                    Problem(
                        f"{volunteer.full_name} declared a connection with {party.full_name} "
                        f"({connection}).",
                        needs_override=True,
                        key=f"connection:{connection.pk}:{party.pk}",
                    )
                )
    return problems


def volunteer_problems(volunteer: Volunteer, case, on=None) -> list[Problem]:
    """Why ``volunteer`` alone may not take ``case`` (rules 2-5 and 8); empty if they may."""
    on = on or timezone.localdate()
    name = volunteer.full_name
    problems = []
    if volunteer.status not in (Volunteer.Status.MEDIATOR, Volunteer.Status.TRAINEE):
        problems.append(
            Problem(f"{name} is {volunteer.get_status_display().lower()}, not a mediator.")
        )
    if not dbs_is_current(volunteer, on):
        problems.append(Problem(f"{name} has no current enhanced DBS check."))
    if community_course_hours(volunteer) < settings.COMMUNITY_COURSE_HOURS:
        problems.append(
            Problem(
                f"{name} has not completed {settings.COMMUNITY_COURSE_HOURS} hours of the "
                "community mediation course."
            )
        )
    held = accreditations(volunteer)
    if volunteer.is_trainee and volunteer.supervisor_id is None:
        problems.append(Problem(f"{name} is a trainee with no supervisor: give them one first."))
    if volunteer.is_trainee:
        if case.dispute_type not in COMMUNITY_DISPUTES:
            problems.append(
                Problem(
                    f"{name} is a trainee: trainees only work on community cases, not "
                    f"{case.get_dispute_type_display().lower()} cases."
                )
            )
    elif AccreditationKind.COMMUNITY not in held and volunteer.status == Volunteer.Status.MEDIATOR:
        problems.append(Problem(f"{name} is not accredited for community mediation."))
    extra = EXTRA_ACCREDITATION.get(case.dispute_type)
    if extra and extra not in held:
        problems.append(
            Problem(f"{name} is not accredited for {AccreditationKind(extra).label.lower()}.")
        )
    problems.extend(connection_problems(volunteer, case.parties.all()))
    return problems


def pair_problems(case, lead: Volunteer, co: Volunteer, on=None) -> list[Problem]:
    """Why the pair may not take the case (rules 1-5 and 8); empty when they may."""
    if lead is None or co is None or lead.pk == co.pk:
        return [Problem("Choose two different mediators: mediators always work in pairs.")]
    problems = []
    if lead.is_trainee and co.is_trainee:
        problems.append(Problem("Two trainees cannot work together."))
    for trainee, partner in ((lead, co), (co, lead)):
        partner_accredited = AccreditationKind.COMMUNITY in accreditations(partner)
        if trainee.is_trainee and not partner.is_trainee and not partner_accredited:
            problems.append(
                Problem(
                    f"{trainee.full_name} is a trainee and must work with an accredited "
                    f"mediator; {partner.full_name} is not accredited."
                )
            )
    problems.extend(volunteer_problems(lead, case, on))
    problems.extend(volunteer_problems(co, case, on))
    return problems


def pair_standing(case, on=None) -> list[Problem]:
    """Why the case's current pair (CaseAssignmentQuerySet.current) may not go on working on it
    today, or on ``on`` (a session's day): what ``pair_problems`` finds now, less the conflicts
    of interest a coordinator accepted (CaseAssignment.overridden_conflicts). Empty when the
    pair may work, or when there is no pair of two (the callers say that in their own words).

    Assigning checks a pair once; this is asked again whenever the pair is relied on (booking a
    session, starting mediation, reopening), so a DBS check that lapsed, an accreditation
    revoked or a connection declared since stops work until the pair is fixed."""
    current = list(case.assignments.current().select_related("volunteer"))
    if len(current) != 2:
        return []
    accepted = {key for assignment in current for key in assignment.overridden_conflicts}
    lead, co = (assignment.volunteer for assignment in current)
    return [
        problem
        for problem in pair_problems(case, lead, co, on)
        if not (problem.needs_override and problem.key in accepted)
    ]


def unaccepted_conflicts(case) -> list[Problem]:
    """The conflicts of interest (rule 8) between the case's current pair and its parties that
    no coordinator has accepted: asked again when a connection is declared, a party added or a
    party's address changed."""
    return [problem for problem in pair_standing(case) if problem.needs_override]


def tell_unaccepted_conflicts(cases) -> None:
    """Say which of ``cases`` (open ones) now have a conflict of interest nobody accepted."""
    from wkm.consequences import tell

    for case in cases:
        # Read afresh: a page's case may carry its parties from before the change.
        case = type(case).objects.get(pk=case.pk)
        conflicts = unaccepted_conflicts(case)
        if conflicts:
            tell(
                f"{case.reference} now has a conflict of interest: "
                f"{' '.join(p.message for p in conflicts)} Change the pair, or keep it and "
                "record why on the pair page; no session can be booked until then."
            )
