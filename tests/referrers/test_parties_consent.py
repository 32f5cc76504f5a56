"""``parties_consent`` (one case, read in Python) and ``_parties_consent_q`` (the SQL the outbox
asks of many rows just before sending) are one rule written twice: they must agree."""

import datetime

import pytest
from django.db.models import OuterRef
from django.utils import timezone

from cases.models import Case
from parties.models import Consent
from referrers.updates import _parties_consent_q, parties_consent
from tests.factories import CaseFactory, ConsentFactory, PartyFactory

pytestmark = pytest.mark.django_db

TOLD = Consent.Kind.UPDATE_REFERRER
DATA = Consent.Kind.DATA_PROCESSING
EARLIER = datetime.timedelta(days=3)


def _consent(party, kind, *, withdrawn=False, days_ago=2):
    given = timezone.now() - datetime.timedelta(days=days_ago)
    return ConsentFactory(
        party=party,
        kind=kind,
        given_at=given,
        withdrawn_at=given + EARLIER / 3 if withdrawn else None,
    )


SCENARIOS = {
    "no parties": [],
    "one party who consents": [[(TOLD, False)]],
    "one never asked": [[]],
    "two, one not asked": [[(TOLD, False)], [(DATA, False)]],
    "two who consent": [[(TOLD, False), (DATA, False)], [(TOLD, False)]],
    "consent to be told withdrawn": [[(TOLD, True)]],
    "withdrew from data processing": [[(TOLD, False), (DATA, True)]],
    "withdrew from data processing, then gave it again": [
        [(TOLD, False), (DATA, True), (DATA, False)]
    ],
    "withdrew being told, then gave it again": [[(TOLD, True), (TOLD, False)]],
}


@pytest.mark.parametrize("parties", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_the_two_forms_agree(parties):
    case = CaseFactory()
    for consents in parties:
        party = PartyFactory(case=case)
        for number, (kind, withdrawn) in enumerate(consents):
            _consent(party, kind, withdrawn=withdrawn, days_ago=10 - number)
    in_sql = Case.objects.filter(pk=case.pk).filter(_parties_consent_q(OuterRef("pk"))).exists()
    assert parties_consent(case) is in_sql


def test_the_expected_answers():
    """Not only agreeing: right (the module's docstring)."""
    expected = {
        "no parties": False,
        "one party who consents": True,
        "two, one not asked": False,
        "two who consent": True,
        "withdrew from data processing": False,
        "withdrew from data processing, then gave it again": True,
        "withdrew being told, then gave it again": True,
    }
    for name, answer in expected.items():
        case = CaseFactory()
        for consents in SCENARIOS[name]:
            party = PartyFactory(case=case)
            for number, (kind, withdrawn) in enumerate(consents):
                _consent(party, kind, withdrawn=withdrawn, days_ago=10 - number)
        assert parties_consent(case) is answer, name
