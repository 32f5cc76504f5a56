"""factory_boy factories shared by all tests."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
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

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
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
    full_name = factory.Faker("name", locale="en_GB")
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
