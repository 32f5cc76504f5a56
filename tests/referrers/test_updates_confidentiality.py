"""Nothing confidential can reach a referrer (rule 10 and the confidentiality of mediation).

A unique sentinel is planted in every field a model declares personal or contact data
(wkm.personal_data) of everything a case holds: the case itself (summary, risk notes, even the
typed copy of the referrer's name), its parties (names, addresses, numbers, needs,
safeguarding notes), their consents' notes, its contact log (shared and private entries), its
sessions' venues and notes, its pair's override reasons, its agreements, terms and signatures.
The case is then taken through every stage the referrer hears of, and every update written is
rendered in every channel (email subject, text and HTML; text message): no sentinel may appear,
nor the exact closing outcome. The updates' stored context may hold only the keys the message
needs — a new key fails here until it is looked at.
"""

import datetime
import itertools

import pytest
from django.db import models
from django.utils import timezone

from cases import services as case_services
from cases.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Case,
    CaseAssignment,
    ContactLogEntry,
    Outcome,
)
from notifications.messages import render_message
from notifications.models import OutboxMessage
from parties.models import Consent, Party
from referrers import updates
from sessions.models import MediationSession
from tests.factories import held_session, ready_case
from tests.referrers.conftest import consent_to_updates

pytestmark = pytest.mark.django_db

ALLOWED_CONTEXT = {
    "case",
    "reference",
    "organisation",
    "stage",
    "stage_label",
    "stage_sentence",
    "date",
    "category",
}
_numbers = itertools.count(1)


def plant(queryset) -> list[str]:
    """Put a fresh sentinel in every text field of personal or contact data of each row
    (bypassing validation: a phone "number" or postcode is a sentinel too); return them."""
    model = queryset.model
    declared = model.personal_data
    planted = []
    for row in queryset:
        values = {}
        for name in (*declared.contact, *declared.personal):
            field = model._meta.get_field(name)
            if isinstance(field, models.CharField | models.TextField):
                values[name] = f"ZQ{next(_numbers):03d}Q"
        model.objects.filter(pk=row.pk).update(**values)
        planted += values.values()
    assert planted, f"nothing planted in {model.__name__}"
    return planted


def everything_of(case, coordinator) -> list[str]:
    """Give ``case`` one of every confidential thing, then plant sentinels in all of it."""
    alice, bob = case.parties.order_by("pk")
    now = timezone.now()
    for private_to in (None, alice):
        ContactLogEntry.objects.create(
            case=case, kind="phone", text="x", occurred_at=now, author=coordinator,
            party=alice, private_to=private_to,
        )  # fmt: skip
    start = now + datetime.timedelta(days=5)
    session = MediationSession.objects.create(
        case=case, kind="separate", mode="office", venue="x", notes="x",
        starts_at=start, ends_at=start + datetime.timedelta(hours=1),
    )  # fmt: skip
    agreement = Agreement.objects.create(case=case, version=1, introduction="x")
    AgreementTerm.objects.create(agreement=agreement, position=1, who="x", what="x", by_when="x")
    AgreementSignature.objects.create(
        agreement=agreement, party=bob, signed_on=now.date(), note="x"
    )
    Consent.objects.filter(party__case=case).update(notes="x")
    return [
        *plant(Case.objects.filter(pk=case.pk)),
        *plant(Party.objects.filter(case=case)),
        *plant(Consent.objects.filter(party__case=case)),
        *plant(ContactLogEntry.objects.filter(case=case)),
        *plant(MediationSession.objects.filter(pk=session.pk)),
        *plant(Agreement.objects.filter(case=case)),
        *plant(AgreementTerm.objects.filter(agreement__case=case)),
        *plant(AgreementSignature.objects.filter(agreement__case=case)),
    ]


def rendered(update: OutboxMessage) -> dict[str, str]:
    """The update as every channel would send it."""
    out = {}
    for channel in OutboxMessage.Channel.values:
        update.channel = channel
        message = render_message(update)
        out[channel] = "\n".join((message.subject, message.text, message.html))
    return out


def assert_nothing_confidential(sentinels, outcome_labels):
    found = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REFERRER_UPDATE)
    stages = set()
    for update in found.select_related("referrer_contact"):
        stages.add(update.context["stage"])
        assert set(update.context) <= ALLOWED_CONTEXT, "a new key: is it confidential?"
        stored = str(update.context)
        for channel, text in {"context": stored, **rendered(update)}.items():
            leaked = [s for s in sentinels if s in text]
            assert not leaked, f"{update.context['stage']} by {channel} holds {leaked}"
            for label in outcome_labels:
                assert label.lower() not in text.lower(), (update.context["stage"], channel, label)
    return stages


def test_no_confidential_field_reaches_the_referrer_at_any_stage(
    paired, referred_case, coordinator
):
    """``paired`` is ``referred_case``, taken to active (accepted, then mediation started)."""
    case = paired
    sentinels = everything_of(case, coordinator)
    # The case's pair's override reasons too.
    sentinels += plant(CaseAssignment.objects.filter(case=case))
    Case.objects.filter(pk=case.pk).update(status="referred")
    case.refresh_from_db()
    # Stages are told in order: the fixture's "started" goes, to be written after "accepted".
    OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REFERRER_UPDATE).delete()
    case_services.case_transition(case=case, to="contacting", by=coordinator)  # accepted
    Case.objects.filter(pk=case.pk).update(status="ready")
    case_services.case_transition(case=case, to="active", by=coordinator)  # started
    held_session(case)
    case_services.case_close(  # closed, with a category
        case=case, by=coordinator, outcome="partial_agreement", closed_on=timezone.localdate()
    )
    # And a case by the same referrer that closes before mediation began (declined).
    other = ready_case(
        status="referred", referrer=case.referrer, referrer_person=case.referrer_person
    )
    consent_to_updates(other)
    sentinels += everything_of(other, coordinator)
    case_services.case_close(
        case=other, by=coordinator, outcome="unsuitable", closed_on=timezone.localdate()
    )
    # The exact outcomes are the parties' to know; the referrer hears a category.
    outcome_labels = Outcome.labels

    stages = assert_nothing_confidential(sentinels, outcome_labels)

    assert stages == set(updates.Stage.values)


def test_the_check_would_catch_a_leak(paired, coordinator, monkeypatch):
    """The test above can fail: a template that printed the case's summary is caught."""
    case = paired
    sentinels = everything_of(case, coordinator)
    summary = Case.objects.get(pk=case.pk).summary
    update = OutboxMessage.objects.get(kind=OutboxMessage.Kind.REFERRER_UPDATE)
    update.context = {**update.context, "organisation": summary}
    update.save()

    with pytest.raises(AssertionError, match="holds"):
        assert_nothing_confidential(sentinels, [])
