"""The invariant checker: every open case and volunteer breaking a rule of DESIGN.md right now.

The services keep the rules when data changes (they refuse, or act and flag); this module is the
other half: it reads what is stored, however it got there (a service, the admin, a raw SQL data
fix), and lists what is wrong, each with a plain-English reason and where to put it right. The
coordinator's home ("Cases that need attention"), each case page, the daily digest to
coordinators and ``manage.py check_rules`` all ask ``find_breaches``.

It asks in SQL, a fixed number of queries however many cases there are, what the services ask in
Python of one pair (volunteers.eligibility): the property test in tests/rules checks that
whatever ``pair_standing`` finds wrong with a stored pair, this finds too.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Concat, Lower, StrIndex
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cases import lists
from cases.models import Case, CaseAssignment, Status
from cases.querysets import WORKING_STATUSES
from cases.selectors import OPEN_STATUSES
from notifications.models import OutboxMessage
from notifications.outbox import may_still_go_q
from parties.consent import CONTACT_STOPPING_KINDS, REQUIRED_KINDS
from parties.models import Consent, Party
from sessions.models import MediationSession
from sessions.services import home_visits_to_reschedule
from volunteers.eligibility import COMMUNITY_DISPUTES, EXTRA_ACCREDITATION, connection_problems
from volunteers.models import (
    Accreditation,
    AccreditationKind,
    DBSCheck,
    DeclaredConnection,
    TraineeCase,
    TrainingRecord,
    Volunteer,
)

User = get_user_model()


@dataclass(frozen=True)
class Breach:
    """One thing wrong now. ``rule`` is the rule's number in DESIGN.md section 4 (for
    developers and the command line; pages show ``topic``)."""

    rule: int
    topic: str
    reason: str
    action: str
    url: str
    case_reference: str = ""
    volunteer_id: int | None = None

    @property
    def case_url(self) -> str:
        return reverse("cases:detail", args=[self.case_reference]) if self.case_reference else ""


def _day(moment) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "D j M Y")


def _assign_url(reference: str) -> str:
    return reverse("volunteers:assign", args=[reference])


def _case_filter(queryset, case_ids, path="case"):
    return queryset if case_ids is None else queryset.filter(**{f"{path}__in": case_ids})


def _open_cases(case_ids=None):
    """Open cases (by the status index), all of them or those of ``case_ids``."""
    return _case_filter(Case.objects.filter(status__in=OPEN_STATUSES), case_ids, "pk")


def _on_open_cases(queryset, case_ids=None, path="case"):
    """Rows of ``queryset`` whose case (at ``path``) is open, and one of ``case_ids`` if given."""
    return _case_filter(queryset.filter(**{f"{path}__status__in": OPEN_STATUSES}), case_ids, path)


def _future_scheduled():
    return MediationSession.objects.filter(
        status=MediationSession.Status.SCHEDULED, starts_at__gte=timezone.now()
    )


# --- Rule 1: a pair, exactly -------------------------------------------------------------------


def pair_size(case_ids=None) -> list[Breach]:
    """Open cases with one mediator, more than two, or none while active or with sessions
    booked (a volunteer who stopped working, an assignment ended and never replaced)."""
    current = Q(
        assignments__ended_on__isnull=True, assignments__volunteer__status__in=WORKING_STATUSES
    )
    names = (
        CaseAssignment.objects.current()
        .filter(case=OuterRef("pk"))
        .order_by("started_on", "id")
        .values(name=Concat("volunteer__first_name", Value(" "), "volunteer__last_name"))
    )
    cases = (
        _open_cases(case_ids)
        .annotate(pair=Count("assignments", filter=current))
        .filter(
            Q(pair=1)
            | Q(pair__gt=2)
            | Q(pair=0)
            & (Q(status=Status.ACTIVE) | Q(Exists(_future_scheduled().filter(case=OuterRef("pk")))))
        )
        .annotate(names=ArraySubquery(names))
        .only("reference", "status")
        .order_by("reference")
    )
    found = []
    for case in cases:
        if case.pair == 1:
            reason = f"Needs a new mediator: only {case.names[0]} is on the case now."
        elif case.pair > 2:
            listed = ", ".join(case.names)
            reason = f"{case.pair} mediators are on the case ({listed}): mediators work in pairs."
        elif case.status == Status.ACTIVE:
            reason = "The case is active, but no mediators are on it."
        else:
            reason = "Sessions are booked, but no mediators are on the case."
        found.append(
            Breach(1, "Pair", reason, "Assign a pair", _assign_url(case.reference), case.reference)
        )
    return found


# --- Rules 2-6: each mediator of each open case, as they stand ---------------------------------


@dataclass
class _Standing:
    """What rules 2-6 ask of one current mediator of one open case, read in bulk."""

    reference: str
    dispute_type: str
    volunteer_id: int
    name: str
    status: str
    supervisor_id: int | None
    dbs_until: datetime.date | None = None
    course_hours: Decimal = Decimal(0)
    held: frozenset = frozenset()
    last_session: datetime.date | None = None
    with_trainee: bool = False
    trainee_case: bool = False


def assignment_standing(case_ids=None, today=None) -> list[Breach]:
    """Each current mediator of an open case who may not work on it now, or on the day of a
    session booked for it: DBS (4), training (5), accreditation (3, 6), trainees (2). Read in
    a few set-wise queries (each volunteer's facts once, not once per case), then judged here."""
    today = today or timezone.localdate()
    assignments = _on_open_cases(CaseAssignment.objects.current(), case_ids)
    rows = [
        _Standing(ref, dispute, volunteer, f"{first} {last}", status, supervisor)
        for ref, dispute, volunteer, first, last, status, supervisor in assignments.values_list(
            "case__reference",
            "case__dispute_type",
            "volunteer_id",
            "volunteer__first_name",
            "volunteer__last_name",
            "volunteer__status",
            "volunteer__supervisor_id",
        ).order_by("case__reference", "id")
    ]
    if not rows:
        return []
    volunteers = {row.volunteer_id for row in rows}
    dbs_until = dict(
        DBSCheck.objects.filter(volunteer__in=volunteers)
        .values("volunteer_id")
        .annotate(until=Max("current_until"))
        .values_list("volunteer_id", "until")
    )
    hours = dict(
        TrainingRecord.objects.filter(
            volunteer__in=volunteers,
            course=TrainingRecord.Course.COMMUNITY,
            completed_on__isnull=False,
        )
        .values("volunteer_id")
        .annotate(total=Sum("hours"))
        .values_list("volunteer_id", "total")
    )
    held: dict[int, set] = {}
    for volunteer_id, kind in (
        Accreditation.objects.held()
        .filter(volunteer__in=volunteers)
        .values_list("volunteer_id", "kind")
    ):
        held.setdefault(volunteer_id, set()).add(kind)
    last_session = {
        reference: timezone.localtime(last).date()
        for reference, last in _on_open_cases(_future_scheduled(), case_ids)
        .values("case__reference")
        .annotate(last=Max("starts_at"))
        .values_list("case__reference", "last")
    }
    trainees = {r.volunteer_id for r in rows if r.status == Volunteer.Status.TRAINEE}
    trainee_cases = set(
        TraineeCase.objects.filter(trainee__in=trainees)
        .exclude(status=TraineeCase.Status.ENDED)
        .values_list("trainee_id", "case__reference")
    )
    trainees_on = {}
    for row in rows:
        if row.status == Volunteer.Status.TRAINEE:
            trainees_on[row.reference] = trainees_on.get(row.reference, 0) + 1
    found = []
    for row in rows:
        row.dbs_until = dbs_until.get(row.volunteer_id)
        row.course_hours = hours.get(row.volunteer_id) or Decimal(0)
        row.held = frozenset(held.get(row.volunteer_id, ()))
        row.last_session = last_session.get(row.reference)
        others = trainees_on.get(row.reference, 0) - (row.status == Volunteer.Status.TRAINEE)
        row.with_trainee = others > 0
        row.trainee_case = (row.volunteer_id, row.reference) in trainee_cases
        found.extend(_standing_of(row, today))
    return found


def _standing_of(row: _Standing, today) -> Iterable[Breach]:
    name, reference = row.name, row.reference
    change, person = "change", "person"

    def breach(rule, topic, reason, link):
        if link == change:
            action, url = "Change the pair", _assign_url(reference)
        else:
            action, url = "See their record", reverse("volunteers:detail", args=[row.volunteer_id])
        return Breach(rule, topic, reason, action, url, reference, row.volunteer_id)

    if row.dbs_until is None or row.dbs_until < today:
        lapsed = f"lapsed on {_day(row.dbs_until)}" if row.dbs_until else "is missing"
        yield breach(4, "DBS", f"{name}'s enhanced DBS check {lapsed}.", person)
    elif row.last_session and row.dbs_until < row.last_session:
        yield breach(
            4,
            "DBS",
            f"{name}'s DBS check stops being current on {_day(row.dbs_until)}, before the "
            f"session booked on {_day(row.last_session)}.",
            person,
        )
    if row.course_hours < settings.COMMUNITY_COURSE_HOURS:
        yield breach(
            5,
            "Training",
            f"{name} has {row.course_hours.normalize():f} of {settings.COMMUNITY_COURSE_HOURS} "
            "hours of the community mediation course on record.",
            person,
        )
    extra = EXTRA_ACCREDITATION.get(row.dispute_type)
    if extra and extra not in row.held:
        yield breach(
            3,
            "Accreditation",
            f"{name} is not accredited for {AccreditationKind(extra).label.lower()}, which a "
            f"{lists.label(lists.DISPUTE_TYPE, row.dispute_type).lower()} case needs.",
            change,
        )
    if row.status == Volunteer.Status.MEDIATOR and AccreditationKind.COMMUNITY not in row.held:
        yield breach(6, "Accreditation", f"{name} no longer holds community accreditation.", change)
    if row.status != Volunteer.Status.TRAINEE:
        return
    if row.dispute_type not in COMMUNITY_DISPUTES:
        yield breach(
            2,
            "Trainee",
            f"{name} is a trainee: trainees only work on community cases, not "
            f"{lists.label(lists.DISPUTE_TYPE, row.dispute_type).lower()} cases.",
            change,
        )
    if row.with_trainee:
        yield breach(2, "Trainee", f"{name} is a trainee paired with another trainee.", change)
    if row.supervisor_id is None:
        yield breach(6, "Trainee", f"{name} is a trainee with no supervisor.", person)
    if not row.trainee_case:
        yield breach(
            2,
            "Trainee",
            f"{name} is a trainee, but the case is not one of their supervised trainee cases: "
            "assign the same pair again on the pair page to make it one.",
            change,
        )


# --- Rule 8: conflicts of interest that nobody accepted ----------------------------------------


def conflicts(case_ids=None) -> list[Breach]:
    """A current mediator who shares a postcode with a party, or declared a connection with one,
    that no coordinator accepted (a connection declared, a party added or moved since the pair
    was assigned). Judged by the same function as assigning (eligibility.connection_problems),
    for the few mediators SQL finds could match (``_could_conflict``)."""
    candidates = (
        _on_open_cases(CaseAssignment.objects.current(), case_ids)
        .filter(_could_conflict())
        .select_related("case", "volunteer")
        .prefetch_related(
            "volunteer__connections",
            Prefetch("case__parties", queryset=Party.objects.order_by("id")),
        )
        .order_by("case__reference", "id")
    )
    found = []
    for assignment in candidates:
        accepted = set(assignment.overridden_conflicts)
        for problem in connection_problems(assignment.volunteer, assignment.case.parties.all()):
            if problem.key not in accepted:
                found.append(
                    Breach(
                        8,
                        "Impartiality",
                        f"{problem.message} Nobody has recorded why they may stay on the case.",
                        "Change the pair, or record why",
                        _assign_url(assignment.case.reference),
                        assignment.case.reference,
                        assignment.volunteer_id,
                    )
                )
    return found


def _regexp_replace(expression, pattern: str, replacement: str = ""):
    return Func(
        expression, Value(pattern), Value(replacement), Value("g"), function="regexp_replace"
    )


def _squashed(expression):
    """Lower-case, with no whitespace: so that "Bob  Dunn\t" and "bob dunn", or "tn91aa" and
    "TN9 1AA", compare equal here whatever connection_problems then makes of them."""
    return _regexp_replace(Lower(expression), r"\s")


def _could_conflict() -> Q:
    """For a CaseAssignment row: a party of its case lives in the volunteer's postcode, or
    matches one of the volunteer's declared connections by name, street or postcode — the
    tests of connection_problems, made looser (case and whitespace ignored), to find every row
    worth asking it about, and few others."""
    parties = Party.objects.filter(case=OuterRef("case_id"))
    shared_postcode = parties.annotate(squashed=_squashed("postcode")).filter(
        squashed=_squashed(OuterRef("volunteer__postcode")), squashed__gt=""
    )
    address = Lower(Concat(OuterRef("address_line1"), Value(" "), OuterRef("address_line2")))
    connections = (
        DeclaredConnection.objects.filter(volunteer=OuterRef(OuterRef("volunteer_id")))
        .annotate(
            name=_squashed("person_name"),
            place=_squashed("postcode"),
            street_at=StrIndex(address, Lower(_regexp_replace("street", r"^\s+|\s+$"))),
        )
        .filter(
            Q(name__gt="", name=_squashed(OuterRef("full_name")))
            | Q(street__regex=r"\S", street_at__gt=0)
            | Q(place__gt="", place=_squashed(OuterRef("postcode")))
        )
    )
    return Q(Exists(shared_postcode)) | Q(Exists(parties.filter(Exists(connections))))


# --- Rule 7: consent ------------------------------------------------------------------------


def consent(case_ids=None) -> list[Breach]:
    """Parties who withdrew (the case should close as withdrawn, or their consent be recorded
    again; nothing is sent to them meanwhile); parties without consent on a case that is ready
    or active, and joint work booked before every party consented (a party added later)."""
    withdrawals = (
        _on_open_cases(
            Consent.objects.filter(withdrawn_at__isnull=False, kind__in=CONTACT_STOPPING_KINDS),
            case_ids,
            "party__case",
        )
        .exclude(
            Exists(
                Consent.objects.filter(
                    party=OuterRef("party_id"), kind=OuterRef("kind"), withdrawn_at__isnull=True
                )
            )
        )
        .values_list("party_id", "kind")
    )
    withdrew: dict[int, set] = {}
    for party_id, kind in withdrawals:
        withdrew.setdefault(party_id, set()).add(kind)
    # Parties without both consents rule 7 asks for: counted, not asked one by one.
    unconsented = (
        _on_open_cases(Party.objects.all(), case_ids)
        .annotate(
            consents_held=Count(
                "consents",
                filter=Q(consents__withdrawn_at__isnull=True, consents__kind__in=REQUIRED_KINDS),
            )
        )
        .filter(Q(consents_held__lt=len(REQUIRED_KINDS)) | Q(pk__in=list(withdrew)))
        .values_list("pk", "full_name", "case_id", "case__reference", "case__status")
        .order_by("case__reference", "pk")
    )
    found, waiting = [], {}
    for pk, name, case_id, reference, status in unconsented:
        waiting.setdefault(case_id, []).append(name)
        kinds = withdrew.get(pk, set())
        if kinds or status in (Status.READY, Status.ACTIVE):
            close = (
                "Close the case as withdrawn",
                reverse("cases:close", args=[reference]) + "?outcome=withdrawn",
            )
        if Consent.Kind.MEDIATE in kinds:
            reason = (
                f"{name} withdrew from mediation: close the case as withdrawn, or record their "
                "consent again if they change their mind."
            )
        elif Consent.Kind.DATA_PROCESSING in kinds:
            reason = (
                f"{name} withdrew consent to the use of their personal data: nothing is sent to "
                "them, and the case cannot go on with them as it is."
            )
        elif status in (Status.READY, Status.ACTIVE):
            reason = f"{name} has not consented, but the case is “{Status(status).label}”."
            close = ("Record consent", reverse("cases:consent_add", args=[reference, pk]))
        else:
            continue
        found.append(Breach(7, "Consent", reason, *close, reference))
    joint = (
        _future_scheduled()
        .filter(kind__in=MediationSession.JOINT_KINDS, case_id__in=list(waiting))
        .select_related("case")
        .order_by("starts_at", "id")
    )
    for s in joint:
        names = waiting[s.case_id]
        found.append(
            Breach(
                7,
                "Consent",
                f"The {s.get_kind_display().lower()} on {_day(s.starts_at)} is booked, but "
                f"{', '.join(names)} {'has' if len(names) == 1 else 'have'} not consented: "
                "record their consent, or cancel it.",
                "See the session",
                reverse("cases:session_detail", args=[s.case.reference, s.pk]),
                s.case.reference,
            )
        )
    return found


# --- Rule 9 and the sessions still to come ------------------------------------------------------


def sessions_to_move(case_ids=None) -> list[Breach]:
    """Home visits booked while home visits are suspended (rule 9); sessions booked with a
    mediator no longer on the case; sessions still booked on a closed case."""
    found = [
        Breach(
            9,
            "Home visits",
            f"The home visit on {_day(s.starts_at)} falls while home visits are suspended: move "
            "it to the office, a neutral venue, a phone or a video call.",
            "Reschedule it",
            reverse("cases:session_reschedule", args=[s.case.reference, s.pk]),
            s.case.reference,
        )
        for s in _case_filter(home_visits_to_reschedule(), case_ids)
    ]
    # The session's case, from inside the subquery over its mediators.
    current = CaseAssignment.objects.current().filter(case=OuterRef(OuterRef("case_id")))
    former = MediationSession.mediators.through.objects.filter(
        mediationsession_id=OuterRef("pk")
    ).exclude(volunteer_id__in=current.values("volunteer_id"))
    stale = (
        _case_filter(_future_scheduled(), case_ids)
        .filter(Q(case__status=Status.CLOSED) | Q(Exists(former)))
        .select_related("case")
        .order_by("starts_at", "id")
    )
    for s in stale:
        what = f"The {s.get_kind_display().lower()} on {_day(s.starts_at)}"
        reference = s.case.reference
        if s.case.status == Status.CLOSED:
            found.append(
                Breach(
                    1,
                    "Sessions",
                    f"{what} is still booked, but the case is closed: cancel it.",
                    "See the session",
                    reverse("cases:session_detail", args=[reference, s.pk]),
                    reference,
                )
            )
        else:
            found.append(
                Breach(
                    1,
                    "Sessions",
                    f"{what} is booked with a mediator who is no longer on the case: assign a "
                    "new pair (the session moves to it), or cancel it.",
                    "Assign a pair",
                    _assign_url(reference),
                    reference,
                )
            )
    return found


# --- Rules 2, 6 and 11: trainee cases ----------------------------------------------------------


def trainee_cases(case_ids=None) -> list[Breach]:
    """Trainee cases on their way to sign-off that no longer match the case: the supervisor is
    not the trainee's supervisor, or the trainee or co-mediator has left the pair."""
    current = CaseAssignment.objects.current().filter(case=OuterRef("case_id"))
    rows = (
        _case_filter(TraineeCase.objects.filter(status__in=TraineeCase.OPEN_STATUSES), case_ids)
        .annotate(
            trainee_on=Exists(current.filter(volunteer=OuterRef("trainee_id"))),
            co_mediator_on=Exists(current.filter(volunteer=OuterRef("co_mediator_id"))),
        )
        .filter(
            ~Q(supervisor_id=F("trainee__supervisor_id"))
            | Q(supervisor__isnull=True, trainee__supervisor__isnull=False)
            | Q(supervisor__isnull=False, trainee__supervisor__isnull=True)
            | (~Q(case__status=Status.CLOSED) & (Q(trainee_on=False) | Q(co_mediator_on=False)))
        )
        .select_related("case", "trainee", "co_mediator")
        .order_by("case__reference", "id")
    )
    found = []
    for tc in rows:
        url = reverse("volunteers:trainee_case", args=[tc.pk])
        name = tc.trainee.full_name
        if tc.supervisor_id != tc.trainee.supervisor_id:
            reason = f"{name}'s trainee case is not with their supervisor."
        elif not tc.trainee_on:
            reason = f"{name} is no longer on the case, but their trainee case is still open."
        else:
            reason = (
                f"{name}'s trainee case names {tc.co_mediator.full_name} as co-mediator, who is "
                "no longer on the case."
            )
        found.append(
            Breach(
                11,
                "Supervision",
                reason,
                "See the trainee case",
                url,
                tc.case.reference,
                tc.trainee_id,
            )
        )
    return found


# --- Messages that must not go -----------------------------------------------------------------


def messages_to_stop(case_ids=None) -> list[Breach]:
    """Messages waiting to be sent that may not go (notifications.outbox.may_still_go_q): to someone
    who withdrew consent or stopped volunteering, or about a session that is off. The
    dispatcher will not send them; they are listed because something left them waiting. Found
    from the few people and sessions that could have such messages, not by asking every one."""
    withdrew = Consent.objects.filter(withdrawn_at__isnull=False, kind__in=CONTACT_STOPPING_KINDS)
    # The sessions whose reminders may still go: scheduled, on an open case.
    on = MediationSession.objects.filter(
        status=MediationSession.Status.SCHEDULED, case__status__in=OPEN_STATUSES
    )
    waiting = _case_filter(
        OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
        ),
        case_ids,
        "session__case",
    )
    could_be_stopped = waiting.filter(
        Q(party__in=withdrew.values("party_id"))
        | Q(volunteer__in=Volunteer.objects.exclude(status__in=WORKING_STATUSES))
        | Q(user__in=User.objects.filter(is_active=False))
        | Q(kind=OutboxMessage.Kind.SESSION_REMINDER) & ~Q(session__in=on)
        # a mediator taken off a case (their assignment ended) may still have some waiting
        | Q(volunteer__isnull=False)
        & Q(
            session__in=MediationSession.objects.filter(
                case__in=CaseAssignment.objects.filter(ended_on__isnull=False).values("case_id")
            )
        )
        # a notice of an assignment that has ended since
        | Q(
            kind=OutboxMessage.Kind.ASSIGNED,
            volunteer__in=CaseAssignment.objects.filter(ended_on__isnull=False).values(
                "volunteer_id"
            ),
        )
    ).values_list("pk", flat=True)
    # Then the exact test, of the few.
    rows = (
        OutboxMessage.objects.filter(pk__in=list(could_be_stopped))
        .exclude(may_still_go_q())
        .select_related("session__case")
        .order_by("due_at", "id")
    )
    return [
        Breach(
            7,
            "Messages",
            f"A message ({r.get_kind_display().lower()}, {r.get_channel_display().lower()}) "
            "is waiting to go to someone who may no longer be contacted, or about a session "
            "that is off; it will not be sent.",
            "See the session" if r.session_id else "",
            reverse("cases:session_detail", args=[r.session.case.reference, r.session_id])
            if r.session_id
            else "",
            r.session.case.reference if r.session_id else str(r.context.get("reference", "")),
        )
        for r in rows
    ]


# --- Volunteers ---------------------------------------------------------------------------------


def volunteers() -> list[Breach]:
    """Volunteer records that break a rule whatever their cases: a "mediator" without community
    accreditation (rule 6), a trainee without a supervisor, or whose supervisor has stopped
    volunteering (rule 6). The first two, when already listed against an open case the
    volunteer works on (assignment_standing), are not listed twice."""
    on_open_cases = Exists(
        _on_open_cases(CaseAssignment.objects.current()).filter(volunteer=OuterRef("pk"))
    )
    no_community = ~Q(
        Exists(
            Accreditation.objects.held().filter(
                volunteer=OuterRef("pk"), kind=AccreditationKind.COMMUNITY
            )
        )
    )
    supervisor_stopped = Exists(
        Volunteer.objects.filter(user=OuterRef("supervisor_id")).exclude(
            status__in=WORKING_STATUSES
        )
    )
    rows = (
        Volunteer.objects.filter(
            (Q(status=Volunteer.Status.MEDIATOR) & no_community & ~Q(on_open_cases))
            | Q(status=Volunteer.Status.TRAINEE, supervisor__isnull=True) & ~Q(on_open_cases)
            | Q(status=Volunteer.Status.TRAINEE) & Q(supervisor_stopped)
        )
        .select_related("supervisor")
        .order_by("last_name", "first_name", "pk")
    )
    found = []
    for volunteer in rows:
        url = reverse("volunteers:detail", args=[volunteer.pk])
        if volunteer.status == Volunteer.Status.MEDIATOR:
            reason = (
                f"{volunteer.full_name} is listed as a mediator but holds no community "
                "accreditation: record it, or make them a trainee."
            )
        elif volunteer.supervisor is None:
            reason = f"{volunteer.full_name} is a trainee with no supervisor: give them one."
        else:
            supervisor = volunteer.supervisor.get_full_name() or volunteer.supervisor.username
            reason = (
                f"{volunteer.full_name}'s supervisor, {supervisor}, no longer volunteers: give "
                "them another supervisor."
            )
        found.append(Breach(6, "Volunteer", reason, "See their record", url, "", volunteer.pk))
    return found


CASE_CHECKS = (
    pair_size,
    assignment_standing,
    conflicts,
    consent,
    sessions_to_move,
    trainee_cases,
    messages_to_stop,
)


def find_breaches(*, case_ids=None, with_volunteers: bool = True) -> list[Breach]:
    """Everything wrong now: on the cases ``case_ids`` (every open case when None), and with
    volunteers' records (unless a page asks about one case). A fixed number of queries."""
    found = [breach for check in CASE_CHECKS for breach in check(case_ids)]
    if with_volunteers:
        found.extend(volunteers())
    return found
