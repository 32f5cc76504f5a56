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


def accreditations(volunteer: Volunteer) -> set[str]:
    return {a.kind for a in volunteer.accreditations.all()}


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
    for party in parties:
        if volunteer.postcode and party.postcode and volunteer.postcode == party.postcode:
            problems.append(
                Problem(
                    f"{volunteer.full_name} shares a postcode ({party.postcode}) with "
                    f"{party.full_name}.",
                    needs_override=True,
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
