"""seed_scale makes realistic, valid data: the ratios the performance issue asks for, references
that intake continues, relations that keep the domain's rules, and it refuses a second run."""

import io
import re
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.utils import timezone

from cases.models import Case, CaseAssignment, ContactLogEntry, ReferenceCounter
from cases.references import allocate_reference
from notifications.models import OutboxMessage
from parties.consent import consent_state
from parties.models import Party
from rules.checker import find_breaches
from sessions.models import MediationSession
from volunteers.eligibility import COMMUNITY_DISPUTES, EXTRA_ACCREDITATION, pair_standing
from volunteers.models import TraineeCase, Volunteer

pytestmark = pytest.mark.django_db

CASES = 300
PASSWORD = "a scale benchmark password"


@pytest.fixture
def seeded():
    out = io.StringIO()
    call_command("seed_scale", cases=CASES, seed=7, password=PASSWORD, stdout=out)
    return out.getvalue()


def test_counts_and_ratios(seeded):
    assert Case.objects.count() == CASES
    assert 2.2 <= Party.objects.count() / CASES <= 2.8
    assert 3.3 <= MediationSession.objects.count() / CASES <= 4.7
    assert 2.5 <= ContactLogEntry.objects.count() / CASES <= 3.8
    assert Volunteer.objects.count() == 20  # max(20, N / 50)
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses["closed"] > CASES * 0.7  # six years of referrals: most are closed
    assert len(statuses) >= 4
    assert "Loaded" in seeded


def test_references_are_dense_per_year_and_intake_continues(seeded):
    by_year = defaultdict(list)
    for reference, received_on in Case.objects.values_list("reference", "received_on"):
        match = re.fullmatch(r"WKM-(\d{4})-(\d{4,})", reference)
        assert match, reference
        assert int(match[1]) == received_on.year
        by_year[received_on.year].append(int(match[2]))
    assert len(by_year) >= 6
    for year, numbers in by_year.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert ReferenceCounter.objects.get(year=year).last_number == len(numbers)
    year = timezone.localdate().year
    assert allocate_reference(year) == f"WKM-{year}-{len(by_year[year]) + 1:04d}"


def test_pairs_consent_and_sessions_keep_the_rules(seeded):
    mediated = Case.objects.filter(
        Q(status="active") | Q(status="closed", status_before_close="active")
    ).prefetch_related("assignments__volunteer__accreditations", "parties__consents")
    assert mediated.exists()
    for case in mediated:
        current = [a for a in case.assignments.all() if a.ended_on is None]
        assert len(current) == 2, case  # rule 1
        volunteers = [a.volunteer for a in current]
        trainees = [a for a in current if a.role == "trainee"]
        if trainees:  # rule 2
            assert len(trainees) == 1 and case.dispute_type in COMMUNITY_DISPUTES
            assert TraineeCase.objects.filter(case=case, trainee=trainees[0].volunteer).exists()
        extra = EXTRA_ACCREDITATION.get(case.dispute_type)
        if extra:  # rule 3
            for volunteer in volunteers:
                assert extra in {a.kind for a in volunteer.accreditations.all()}
        if case.status == "active":  # rule 7
            assert consent_state(case).all_consented, case
    # Sessions are attended by the case's current pair, and only mediated cases have them.
    pairs = defaultdict(set)
    for case_id, volunteer_id in CaseAssignment.objects.filter(ended_on__isnull=True).values_list(
        "case_id", "volunteer_id"
    ):
        pairs[case_id].add(volunteer_id)
    attended = defaultdict(set)
    for session_id, case_id, volunteer_id in MediationSession.mediators.through.objects.values_list(
        "mediationsession_id", "mediationsession__case_id", "volunteer_id"
    ):
        attended[(session_id, case_id)].add(volunteer_id)
    assert attended
    for (_session, case_id), volunteers in attended.items():
        assert volunteers == pairs[case_id]
    assert (
        not MediationSession.objects.filter(starts_at__gte=timezone.now())
        .exclude(case__status="active")
        .exists()
    )
    # The outbox: nothing pending is already due, and every reminder has one recipient.
    assert not OutboxMessage.objects.filter(status="pending", due_at__lte=timezone.now()).exists()
    assert OutboxMessage.objects.filter(status="sent").exists()


def test_every_active_pair_may_work_today_by_the_eligibility_rules(seeded):
    """What booking a session or starting mediation would ask (volunteers.eligibility): rules
    1-5 and 8 hold for the pair of every active case, less the conflicts a coordinator accepted."""
    active = Case.objects.filter(status="active")
    assert active.count() >= 10
    for case in active:
        assert case.assignments.current().count() == 2, case
        assert pair_standing(case) == [], case


def test_the_invariant_checker_finds_nothing_broken(seeded):
    """What `manage.py check_rules` asks of every open case and volunteer (rules 1-9)."""
    assert find_breaches() == []


def test_demo_logins_have_realistic_pages(seeded):
    User = get_user_model()
    for username in ("coordinator", "mediator", "trainee", "supervisor", "admin"):
        assert User.objects.get(username=username).check_password(PASSWORD)
    coordinator = User.objects.get(username="coordinator")
    mediator = User.objects.get(username="mediator")
    supervisor = User.objects.get(username="supervisor")
    assert Case.objects.visible_to(coordinator).count() == CASES
    assert 30 <= Case.objects.visible_to(mediator).count() <= 50
    assert Case.objects.visible_to(mediator).exclude(status="closed").exists()
    trainees = Volunteer.objects.filter(supervisor=supervisor, status="trainee")
    assert trainees.count() >= 2
    assert TraineeCase.objects.filter(trainee__in=trainees).exists()
    # Every working volunteer can log in; each trainee has a supervisor.
    working = Volunteer.objects.filter(status__in=["trainee", "mediator"])
    assert not working.filter(user__isnull=True).exists()
    assert not working.filter(status="trainee", supervisor__isnull=True).exists()
    assert (
        not Volunteer.objects.annotate(n=Count("dbs_checks"))
        .filter(status="mediator", n=0)
        .exists()
    )


def test_history_triggers_were_skipped_for_the_load(seeded):
    from django.apps import apps

    for label in (
        "cases.CaseEvent",
        "parties.PartyEvent",
        "mediation_sessions.MediationSessionEvent",
    ):
        assert not apps.get_model(label).objects.exists()


def test_refuses_a_second_run(seeded):
    with pytest.raises(CommandError, match="already has cases"):
        call_command("seed_scale", cases=10, stdout=io.StringIO())
    assert Case.objects.count() == CASES
