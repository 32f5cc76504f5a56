"""The rules hold over time, whatever order things happen in: a stateful property test.

Hypothesis drives random sequences of the services a coordinator, a mediator and time itself
call — intake, consent given and withdrawn, a pair assigned, sessions booked, moved, cancelled
and held, cases closed and reopened, volunteers made inactive or trainees, accreditations revoked
and granted, DBS checks lapsing as the (frozen) clock moves on, connections declared, parties
moving and joining, a trainee's supervisor changing — on real PostgreSQL. After every step:

(a) no pending message is addressed to a party who withdrew, to a volunteer who no longer works,
    or is a reminder of a session of a closed case (a notice that a session is off may still
    go to those who had been told of it);
(b) no session still to come is booked on a closed case;
(c) whatever breaks a rule — judged by the services' own Python (volunteers.eligibility,
    parties.consent) — the invariant checker (rules.checker, in SQL) reports;
(d) each user sees exactly the cases their current assignments and supervisees give them.

Each example runs in a transaction rolled back at its end. The suite runs 10 examples of up to
15 steps (profile "wkm", tests/conftest.py: about 130 steps, new ones each run), each example
starting from two cases in mediation;
``pytest --hypothesis-profile=rules-long tests/rules/test_state_machine.py -s`` runs 400 of up
to 50 and prints how many steps it took.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from accounts.roles import COORDINATOR, MEDIATOR, SUPERVISOR
from cases import services as case_services
from cases.models import Case, CaseAssignment, Status
from cases.querysets import WORKING_STATUSES
from notifications.models import OutboxMessage
from parties import services as party_services
from parties.consent import consent_state, contact_stopped
from rules.checker import find_breaches
from sessions import services as session_services
from sessions.models import MediationSession
from tests.factories import (
    AccreditationFactory,
    DBSCheckFactory,
    TrainingFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers import services as volunteer_services
from volunteers.eligibility import pair_standing
from volunteers.models import Accreditation, TraineeCase

pytestmark = pytest.mark.django_db(transaction=False)

DAY = datetime.timedelta(days=1)
PAIR_TOPICS = {"Pair", "DBS", "Training", "Accreditation", "Trainee", "Impartiality", "Sessions"}
NAMES = ("Alice Carter", "Bob Dunn", "Carol Evans", "Dev Patel")
POSTCODES = ("TN9 1AA", "TN9 1AB", "ME15 6RT", "TN4 9LH")  # the last two: mediators live there

STEPS = {"count": 0}


def quietly(call, *args, **kwargs):
    """Call a service; a refusal is part of the game (the state must stay valid either way)."""
    try:
        with transaction.atomic():
            return call(*args, **kwargs)
    except ValidationError:
        return None


class RulesOverTime(RuleBasedStateMachine):
    @initialize()
    def world(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clock = time_machine.travel(timezone.now(), tick=False)
        self.traveller = self.clock.start()
        today = timezone.localdate()
        self.coordinator = UserFactory(username="sm_coordinator", roles=[COORDINATOR])
        self.supervisors = [
            UserFactory(username=f"sm_supervisor{n}", roles=[SUPERVISOR, MEDIATOR]) for n in (1, 2)
        ]
        self.volunteers = []
        for n, (status, postcode, dbs_days, extra) in enumerate(
            (
                ("mediator", "ME15 6RT", 400, ("parent_teen",)),
                ("mediator", "TN4 9LH", 12, ()),
                ("mediator", "TN10 3AB", 400, ()),
                ("trainee", "TN11 8QP", 400, ()),
            )
        ):
            user = UserFactory(username=f"sm_volunteer{n}", roles=[MEDIATOR]) if n != 2 else None
            volunteer = VolunteerFactory(
                user=user,
                first_name=f"Vol{n}",
                last_name="Unteer",
                status=status,
                postcode=postcode,
                supervisor=self.supervisors[0] if status == "trainee" else None,
            )
            check = DBSCheckFactory(volunteer=volunteer)
            type(check).objects.filter(pk=check.pk).update(current_until=today + dbs_days * DAY)
            TrainingFactory(volunteer=volunteer)
            if status == "mediator":
                for kind in ("community", *extra):
                    AccreditationFactory(volunteer=volunteer, kind=kind)
            self.volunteers.append(volunteer)
        # Two cases under way, so that every sequence starts where things can go wrong: one with
        # a pair of mediators, the other with a trainee beside an accredited mediator; each with
        # both parties consented and sessions booked.
        self.cases = []
        for lead, co in ((0, 1), (2, 3)):
            self._intake("neighbour", "TN9 1AA")
            case = self.cases[-1]
            for to in (Status.CONTACTING, Status.AWAITING_CONSENT):
                case_services.case_transition(case=case, to=to, by=self.coordinator)
            for party in case.parties.all():
                for kind in ("mediate", "data_processing"):
                    party_services.consent_record(
                        party=party, by=self.coordinator, kind=kind, method="verbal",
                        given_at=timezone.now() - DAY,
                    )  # fmt: skip
            case_services.case_transition(case=case, to=Status.READY, by=self.coordinator)
            volunteer_services.assign_pair(
                case=case, lead=self.volunteers[lead], co_mediator=self.volunteers[co],
                by=self.coordinator,
            )  # fmt: skip
            for kind, days in (("separate", 3), ("joint", 9)):
                self._book(case, kind, days, everyone=kind == "joint")
        self.steps = 0

    def teardown(self):
        STEPS["count"] += getattr(self, "steps", 0)
        if hasattr(self, "clock"):
            self.clock.stop()
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def step(self):
        self.steps += 1

    def case(self, index):
        case = self.cases[index % len(self.cases)]
        case.refresh_from_db()
        return case

    def volunteer(self, index):
        volunteer = self.volunteers[index % len(self.volunteers)]
        volunteer.refresh_from_db()
        return volunteer

    # --- Intake and the lifecycle ----------------------------------------------------------------

    @precondition(lambda self: len(self.cases) < 4)
    @rule(
        dispute=st.sampled_from(["neighbour", "neighbour", "parent_teen"]),
        postcodes=st.sampled_from(POSTCODES[:2]),
    )
    def intake(self, dispute, postcodes):
        self.step()
        self._intake(dispute, postcodes)

    def _intake(self, dispute, postcodes):
        parties = [
            {
                "full_name": name,
                "role": "first_party" if n == 0 else "other_party",
                "address_line1": f"{n + 1} Quarry Hill Road",
                "postcode": postcodes,
                "phone": "01732 123456",
                "email": f"party{n}@example.org",
                "preferred_contact": "email" if n else "phone",
            }
            for n, name in enumerate(NAMES[:2])
        ]
        self.cases.append(
            case_services.case_create(
                by=self.coordinator,
                fields={
                    "dispute_type": dispute,
                    "referral_source": "self",
                    "received_on": timezone.localdate() - 10 * DAY,
                    "summary": "A dispute.",
                },
                parties=parties,
            )
        )

    @precondition(lambda self: self.cases)
    @rule(index=st.integers(0, 3))
    def move_forward(self, index):
        self.step()
        case = self.case(index)
        from cases.lifecycle import next_steps

        for to, _label in next_steps(case.status)[:1]:
            quietly(case_services.case_transition, case=case, to=to, by=self.coordinator)

    @precondition(lambda self: self.cases)
    @rule(index=st.integers(0, 3), outcome=st.sampled_from(["withdrawn", "full_agreement"]))
    def close(self, index, outcome):
        self.step()
        quietly(
            case_services.case_close,
            case=self.case(index),
            by=self.coordinator,
            outcome=outcome,
            closed_on=timezone.localdate(),
        )

    @precondition(lambda self: self.cases)
    @rule(index=st.integers(0, 3))
    def reopen(self, index):
        self.step()
        quietly(
            case_services.case_reopen, case=self.case(index), by=self.coordinator, reason="Back"
        )

    # --- Parties and consent ---------------------------------------------------------------------

    @precondition(lambda self: self.cases)
    @rule(
        index=st.integers(0, 3),
        who=st.integers(0, 3),
        kind=st.sampled_from(["mediate", "data_processing"]),
    )
    def give_consent(self, index, who, kind):
        self.step()
        parties = list(self.case(index).parties.all())
        quietly(
            party_services.consent_record,
            party=parties[who % len(parties)],
            by=self.coordinator,
            kind=kind,
            method="verbal",
            given_at=timezone.now() - datetime.timedelta(minutes=1),
        )

    @precondition(lambda self: self.cases)
    @rule(
        index=st.integers(0, 3),
        who=st.integers(0, 3),
        kind=st.sampled_from(["mediate", "data_processing"]),
    )
    def withdraw_consent(self, index, who, kind):
        self.step()
        parties = list(self.case(index).parties.all())
        consent = parties[who % len(parties)].consents.filter(kind=kind, withdrawn_at__isnull=True)
        if consent.exists():
            quietly(
                party_services.consent_withdraw,
                consent=consent.get(),
                by=self.coordinator,
                method="verbal",
            )

    @precondition(lambda self: self.cases)
    @rule(index=st.integers(0, 3), postcode=st.sampled_from(POSTCODES))
    def add_party(self, index, postcode):
        self.step()
        case = self.case(index)
        if case.parties.count() < 4:
            quietly(
                party_services.party_add,
                case=case,
                by=self.coordinator,
                fields={
                    "full_name": NAMES[case.parties.count()],
                    "role": "family_member",
                    "postcode": postcode,
                    "email": "joined@example.org",
                    "preferred_contact": "email",
                },
            )

    @precondition(lambda self: self.cases)
    @rule(index=st.integers(0, 3), who=st.integers(0, 3), postcode=st.sampled_from(POSTCODES))
    def party_moves(self, index, who, postcode):
        self.step()
        parties = list(self.case(index).parties.all())
        quietly(
            party_services.party_update,
            party=parties[who % len(parties)],
            by=self.coordinator,
            fields={"postcode": postcode},
        )

    # --- Pairs and sessions -----------------------------------------------------------------------

    @precondition(lambda self: self.cases)
    @rule(
        index=st.integers(0, 3),
        lead=st.integers(0, 3),
        co=st.integers(0, 3),
        override=st.booleans(),
    )
    def assign(self, index, lead, co, override):
        self.step()
        quietly(
            volunteer_services.assign_pair,
            case=self.case(index),
            lead=self.volunteer(lead),
            co_mediator=self.volunteer(co),
            by=self.coordinator,
            override_reason="Known slightly; both parties agree." if override else "",
        )

    @precondition(lambda self: self.cases)
    @rule(
        index=st.integers(0, 3),
        kind=st.sampled_from(["separate", "joint", "intake", "shuttle"]),
        days=st.integers(1, 40),
        everyone=st.booleans(),
    )
    def book(self, index, kind, days, everyone):
        self.step()
        self._book(self.case(index), kind, days, everyone)

    def _book(self, case, kind, days, everyone):
        parties = list(case.parties.all())
        start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        start += days * DAY
        quietly(
            session_services.session_book,
            case=case,
            by=self.coordinator,
            kind=kind,
            mode="office",
            venue="WKM office",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            parties=parties if everyone else parties[:1],
        )

    def a_session(self, index, **filters):
        return (
            MediationSession.objects.filter(**filters)
            .order_by("pk")[index % 3 : index % 3 + 1]
            .first()
        )

    @rule(index=st.integers(0, 3), days=st.integers(1, 30))
    def reschedule(self, index, days):
        self.step()
        session = self.a_session(index, status="scheduled")
        if session is not None:
            start = session.starts_at + days * DAY
            quietly(
                session_services.session_reschedule,
                session=session,
                by=self.coordinator,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
            )

    @rule(index=st.integers(0, 3))
    def cancel(self, index):
        self.step()
        session = self.a_session(index, status="scheduled")
        if session is not None:
            quietly(session_services.session_cancel, session=session, by=self.coordinator)

    @rule(index=st.integers(0, 3))
    def record_held(self, index):
        self.step()
        session = self.a_session(index, status="scheduled", starts_at__lte=timezone.now())
        if session is not None:
            quietly(
                session_services.session_record_outcome,
                session=session,
                by=self.coordinator,
                status="held",
            )

    # --- Volunteers ------------------------------------------------------------------------------

    @rule(
        who=st.integers(0, 3),
        status=st.sampled_from(["inactive", "trainee", "mediator", "in_training"]),
    )
    def volunteer_status(self, who, status):
        self.step()
        volunteer = self.volunteer(who)
        fields = {"status": status}
        if status == "trainee" and volunteer.supervisor_id is None:
            fields["supervisor"] = self.supervisors[0]
        quietly(
            volunteer_services.volunteer_update,
            volunteer=volunteer,
            by=self.coordinator,
            fields=fields,
        )

    @rule(who=st.integers(0, 3), kind=st.sampled_from(["community", "parent_teen"]))
    def revoke(self, who, kind):
        self.step()
        held = Accreditation.objects.held().filter(volunteer=self.volunteer(who), kind=kind).first()
        if held is not None:
            quietly(
                volunteer_services.accreditation_revoke,
                accreditation=held,
                by=self.coordinator,
                reason="Lapsed",
            )

    @rule(who=st.integers(0, 3))
    def grant_prior_accreditation(self, who):
        self.step()
        quietly(
            volunteer_services.accreditation_grant,
            volunteer=self.volunteer(who),
            kind="community",
            by=self.coordinator,
            prior_evidence="Certificate seen",
        )

    @rule(who=st.integers(0, 3), supervisor=st.integers(0, 1))
    def change_supervisor(self, who, supervisor):
        self.step()
        quietly(
            volunteer_services.volunteer_update,
            volunteer=self.volunteer(who),
            by=self.coordinator,
            fields={"supervisor": self.supervisors[supervisor]},
        )

    @precondition(lambda self: self.cases)
    @rule(
        who=st.integers(0, 3),
        index=st.integers(0, 3),
        party=st.integers(0, 3),
        by=st.sampled_from(["name", "street", "postcode"]),
    )
    def declare_connection(self, who, index, party, by):
        """A connection with a party of a case, by name, by street or by postcode (one that
        may be stored as typed, in lower case and without its space)."""
        self.step()
        parties = list(self.case(index).parties.all())
        known = parties[party % len(parties)]
        fields = {
            "name": {"person_name": known.full_name.upper()},
            "street": {"street": "Quarry Hill Road"},
            "postcode": {"postcode": known.postcode.lower().replace(" ", "")},
        }[by]
        quietly(
            volunteer_services.connection_add,
            volunteer=self.volunteer(who),
            by=self.coordinator,
            fields=fields,
        )

    # --- Time ----------------------------------------------------------------------------------

    @rule(days=st.integers(1, 20))
    def time_passes(self, days):
        self.step()
        self.traveller.shift(days * DAY)

    # --- After every step ----------------------------------------------------------------------

    @invariant()
    def nobody_out_of_reach_is_sent_anything(self):
        """(a)"""
        pending = OutboxMessage.objects.filter(status__in=["pending", "sending"]).select_related(
            "volunteer", "session__case", "party"
        )
        prefetch_related_objects([r.party for r in pending if r.party_id], "consents")
        for reminder in pending:
            if reminder.party_id:
                party = reminder.party
                assert not contact_stopped(party), f"a message waits for {party}, who withdrew"
            if reminder.volunteer_id:
                assert reminder.volunteer.status in WORKING_STATUSES, "a message to an ex-volunteer"
            if reminder.kind == "session_reminder":
                assert reminder.session.status == "scheduled"
                assert reminder.session.case.status != Status.CLOSED, "a reminder on a closed case"

    @invariant()
    def no_session_to_come_on_a_closed_case(self):
        """(b)"""
        assert not MediationSession.objects.filter(
            status="scheduled", starts_at__gte=timezone.now(), case__status=Status.CLOSED
        ).exists()

    @invariant()
    def every_breach_is_reported(self):
        """(c): the services' own Python, case by case, against the checker's SQL."""
        reported = {}
        for breach in find_breaches():
            reported.setdefault(breach.case_reference, set()).add(breach.topic)
        for case in Case.objects.exclude(status=Status.CLOSED):
            topics = reported.get(case.reference, set())
            pair = list(case.assignments.current())
            future = MediationSession.objects.filter(
                case=case, status="scheduled", starts_at__gte=timezone.now()
            )
            if len(pair) == 2:
                # On the day of the last session booked (or today): whatever stands in the way
                # today, or on any session's day (a DBS check lapsing), stands in the way then.
                last = future.order_by("-starts_at").first()
                day = timezone.localtime(last.starts_at).date() if last else None
                problems = pair_standing(case, on=day)
                if problems:
                    assert topics & PAIR_TOPICS, f"{case}: {problems[0].message} not reported"
                for problem in problems:
                    if problem.key:  # a conflict of interest, which only "Impartiality" names
                        assert "Impartiality" in topics, f"{case}: {problem.message} not reported"
            elif len(pair) == 1 or len(pair) > 2 or case.status == Status.ACTIVE or future.exists():
                assert "Pair" in topics, f"{case}: a pair of {len(pair)} not reported"
            state = consent_state(
                Case.objects.prefetch_related("parties__consents").get(pk=case.pk)
            )
            if state.withdrawn or any(contact_stopped(p) for p in state.parties):
                assert "Consent" in topics, f"{case}: a withdrawal not reported"
            if not state.all_consented and (
                case.status in (Status.READY, Status.ACTIVE)
                or future.filter(kind__in=MediationSession.JOINT_KINDS).exists()
            ):
                assert "Consent" in topics, f"{case}: missing consent not reported"

    @invariant()
    def each_user_sees_what_their_assignments_and_supervisees_give_them(self):
        """(d)"""
        assignments = list(CaseAssignment.objects.select_related("volunteer"))
        trainee_cases = list(TraineeCase.objects.select_related("trainee"))
        users = [v.user for v in self.volunteers if v.user is not None]
        for user in users + self.supervisors:
            expected = {
                a.case_id
                for a in assignments
                if a.volunteer.user_id == user.pk
                and a.ended_on is None
                and a.volunteer.status in WORKING_STATUSES
            }
            if user in self.supervisors:
                expected |= {
                    tc.case_id
                    for tc in trainee_cases
                    if tc.trainee.supervisor_id == user.pk and tc.status != "ended"
                }
            seen = set(Case.objects.visible_to(user).values_list("pk", flat=True))
            assert seen == expected, f"{user} sees {seen}, should see {expected}"


def test_the_rules_hold_whatever_happens(db):
    STEPS["count"] = 0
    RulesOverTime.TestCase().runTest()
    print(f"\nRulesOverTime: {STEPS['count']} steps")  # noqa: T201 - shown with pytest -s
    assert STEPS["count"] > 0
