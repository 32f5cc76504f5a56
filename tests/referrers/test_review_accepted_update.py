"""Review of issue 19: the referrer's "referral accepted" update is asked for at the one moment
(referred -> contacting parties) when, in the office's real order of work, the parties have not
yet been spoken to, so none holds the consent "to the referrer being told": the update is never
written, and nothing writes it once they have all consented. Mediation's lifecycle (DESIGN.md):
a referral is logged, the coordinator starts contacting the parties, and records their consents
then. In the browser (WKM-2026-0010): log a referral from a person on record, "Start contacting
parties", record the party's consents including the referrer being told -> no update, ever; and
the coordinator is not told why (cases.views.case_transition does not show wkm.consequences'
messages). Fails on main at b4c6e10."""

import pytest
from django.utils import timezone

from cases import services as case_services
from notifications.models import OutboxMessage
from parties import services as party_services
from parties.models import Consent

pytestmark = pytest.mark.django_db


def test_the_referral_accepted_is_told_once_every_party_has_consented(referred_case, coordinator):
    # The fixture's parties consented while "referred": undo that, as in real work.
    Consent.objects.filter(party__case=referred_case, kind=Consent.Kind.UPDATE_REFERRER).delete()
    case_services.case_transition(case=referred_case, to="contacting", by=coordinator)
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REFERRER_UPDATE).exists()

    for party in referred_case.parties.all():
        party_services.consent_record(
            party=party,
            by=coordinator,
            kind=Consent.Kind.UPDATE_REFERRER,
            given_at=timezone.now(),
            method="verbal",
        )

    update = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REFERRER_UPDATE).first()
    assert update is not None and update.context["stage"] == "accepted"
