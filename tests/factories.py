"""factory_boy factories shared by all tests."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

TEST_PASSWORD = "correct horse battery staple"


def plain(kind: str):
    """A Faker name without an apostrophe: tests compare names with pages, which escape
    "O'Neill" as "O&#x27;Neill" (names with apostrophes are tested on purpose, in
    tests/hostile); random ones made a test fail one run in twenty."""
    return factory.LazyFunction(
        lambda: factory.Faker._get_faker(locale="en_GB").format(kind).replace("'", "")
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = plain("first_name")
    last_name = plain("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: transactional tests flush the groups the migration made.
            self.groups.set([Group.objects.get_or_create(name=name)[0] for name in extracted])


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Volunteer"

    first_name = plain("first_name")
    last_name = plain("last_name")
    email = factory.LazyAttribute(lambda v: f"{v.first_name.lower()}@example.org")
    postcode = "TN9 2AB"
    status = "mediator"


class CaseFactory(factory.django.DjangoModelFactory):
    """A case as intake leaves it; reference allocated like the service does."""

    class Meta:
        model = "cases.Case"

    dispute_type = "neighbour"
    referral_source = "housing"
    referrer_name = "Pat Jones"
    referrer_organisation = "Town and Country Housing"
    received_on = factory.LazyFunction(lambda: datetime.date(2026, 11, 2))
    summary = "Noise from a shared wall late at night; both households want it to stop."
    status = "referred"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from cases.references import allocate_reference

        kwargs.setdefault("reference", allocate_reference(kwargs["received_on"].year))
        return super()._create(model_class, *args, **kwargs)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "parties.Party"

    case = factory.SubFactory(CaseFactory)
    full_name = plain("name")
    role = "first_party"
    address_line1 = factory.Sequence(lambda n: f"{n + 1} Quarry Hill Road")
    town = "Tonbridge"
    postcode = "TN9 1AA"
    phone = "+441732123456"
    email = factory.Sequence(lambda n: f"party{n}@example.org")
    preferred_contact = "phone"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "parties.Consent"

    party = factory.SubFactory(PartyFactory)
    kind = "mediate"
    method = "verbal"
    given_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CaseAssignment"

    case = factory.SubFactory(CaseFactory)
    volunteer = factory.SubFactory(VolunteerFactory)
    role = "lead"
    started_on = factory.LazyFunction(lambda: datetime.date(2026, 11, 10))


def consent_all(party):
    """Give ``party`` the consents rule 7 needs (to mediate, to data processing)."""
    for kind in ("mediate", "data_processing"):
        ConsentFactory(party=party, kind=kind)


def assign(case, user, role="lead"):
    """Make ``user`` a current mediator of ``case`` (through a volunteer record)."""
    from volunteers.models import Volunteer

    volunteer = Volunteer.objects.filter(user=user).first() or VolunteerFactory(
        user=user, first_name=user.first_name, last_name=user.last_name
    )
    return AssignmentFactory(case=case, volunteer=volunteer, role=role)


class DBSCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.DBSCheck"

    volunteer = factory.SubFactory(VolunteerFactory)
    certificate_number = factory.Sequence(lambda n: f"{1000_0000_0000 + n}")
    enhanced = True
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from volunteers.dbs import current_until

        check = model_class(*args, **kwargs)
        check.current_until = current_until(check)
        check.save()
        return check


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.TrainingRecord"

    volunteer = factory.SubFactory(VolunteerFactory)
    course = "community"
    hours = 40
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=300))


class AccreditationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Accreditation"

    volunteer = factory.SubFactory(VolunteerFactory)
    kind = "community"
    granted_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=250))


def eligible_volunteer(user=None, *, status="mediator", accredited=("community",), **fields):
    """A volunteer who passes every rule: current enhanced DBS, 40 hours' training and (for a
    mediator) community accreditation, plus any extra accreditations asked for."""
    from volunteers.models import Volunteer

    volunteer = Volunteer.objects.filter(user=user).first() if user else None
    if volunteer is None and status == "trainee" and "supervisor" not in fields:
        fields["supervisor"] = UserFactory(roles=["Supervisor", "Mediator"])
    if volunteer is None:
        names = {"first_name": user.first_name, "last_name": user.last_name} if user else {}
        volunteer = VolunteerFactory(user=user, status=status, **names, **fields)
    DBSCheckFactory(volunteer=volunteer)
    TrainingFactory(volunteer=volunteer)
    for kind in accredited if status == "mediator" else ():
        AccreditationFactory(volunteer=volunteer, kind=kind)
    return volunteer


def forget_assignment_notices():
    """Delete the assignment notices queued so far: for fixtures that start from a case already
    being worked on. Those notices are tests/notifications/test_assignment_notices.py's subject;
    in tests of sessions and rules they would only add to what the outbox holds and sends."""
    from notifications.models import OutboxMessage

    OutboxMessage.objects.filter(kind=OutboxMessage.Kind.ASSIGNED).delete()


# A mobile number (07911 123456, the example the phone field gives): parties with one are
# texted, a landline never is (notifications.channels).
MOBILE = "+447911123456"


def ready_case(**fields):
    """A case whose parties have all consented, ready to assign a pair. They prefer phone calls
    on a mobile, so their reminders are texts (on a landline, a coordinator would phone)."""
    case = CaseFactory(**{"status": "ready", **fields})
    for name, postcode in (("Alice Carter", "TN9 1AA"), ("Bob Dunn", "TN9 1AB")):
        consent_all(PartyFactory(case=case, full_name=name, postcode=postcode, phone=MOBILE))
    return case


class DeclaredConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.DeclaredConnection"

    volunteer = factory.SubFactory(VolunteerFactory)


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Availability"

    volunteer = factory.SubFactory(VolunteerFactory)
    weekday = 0
    part_of_day = "evening"


def held_session(case, *, days_ago: int = 2, kind: str = "joint"):
    """A session of ``case`` recorded as held (mediation took place: the mediated outcomes need
    one), attended by the case's current pair and parties."""
    from sessions.models import MediationSession

    start = timezone.now() - datetime.timedelta(days=days_ago)
    session = MediationSession.objects.create(
        case=case,
        kind=kind,
        mode="office",
        venue="WKM office",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        status="held",
    )
    session.mediators.set([a.volunteer for a in case.assignments.current()])
    session.parties.set(case.parties.all())
    return session


class ReferrerFactory(factory.django.DjangoModelFactory):
    """A referring organisation (referrers)."""

    class Meta:
        model = "referrers.Referrer"

    name = factory.Sequence(lambda n: f"Referring Organisation {n}")
    kind = "housing"


class ReferrerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "referrers.ReferrerContact"

    referrer = factory.SubFactory(ReferrerFactory)
    name = plain("name")
    email = factory.Sequence(lambda n: f"referrer{n}@example.org")


def case_sheet_row(number: int, case_id: str = "C-1", **values):
    """A row of the open-cases sheet (imports.cases_sheet): a valid referred case received a
    month ago, with one party; ``values`` add or replace columns (None removes one)."""
    from imports.sheets import Row

    received = timezone.localdate() - datetime.timedelta(days=30)
    row = {
        "case_id": case_id,
        "received_on": received.strftime("%d/%m/%Y"),
        "dispute_type": "Neighbour",
        "referral_source": "Housing provider",
        "summary": "Noise from a shared wall late at night.",
        "status": "Referred",
        "party_name": "Alice Carter",
        "party_role": "First party",
        "party_postcode": "TN9 1AA",
        "party_phone": "01732 123456",
        "party_preferred_contact": "Phone call",
    }
    row.update(values)
    return Row(number=number, values={k: v for k, v in row.items() if v is not None})
