"""What the public forms write, through the domain services, with nobody logged in (by=None).

A self-referral becomes a case (cases.services.case_create) with the person as its first party,
their consent to data processing (parties.services.consent_record, "in writing") and a note on the
timeline saying how and when they agreed to be contacted. A volunteer application becomes a
Volunteer with status "applicant" (volunteers.services.volunteer_create) and their availability.

Each tells the person, through the outbox in the same transaction, that what they sent arrived
(notifications.outbox.queue_referral_acknowledgement, queue_application_acknowledgement): a
self-referrer only by email or text and only if that is how they asked to be contacted first;
an agency's referral gets no message (the referrer is not someone the outbox can address).

Each runs in one transaction with the spam defences' record (public.spam.record_submission): a
form that fails is not counted and does not use up its token, and a form over a limit, or sent
again with a used token, saves nothing. Each runs outside the request's audit context
(``acting_in(None)``), so the audit trail records it as done by nobody and keeps no IP address of
a member of the public.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from audit.context import acting_in
from cases.models import Case, ContactLogEntry
from cases.services import case_create, log_entry_add
from notifications.outbox import (
    queue_application_acknowledgement,
    queue_referral_acknowledgement,
)
from parties.models import Consent, Party
from parties.services import consent_record
from volunteers.models import Volunteer
from volunteers.services import availability_set, volunteer_create

from .models import PublicSubmission
from .spam import record_submission


def _local(now: datetime.datetime) -> str:
    return date_format(timezone.localtime(now), "j M Y, H:i")


@transaction.atomic
@acting_in(None)
def referral_submit(
    *,
    case_fields: dict,
    person: dict,
    other_people: str = "",
    agency: bool = False,
    hashed_ip: str,
    token_nonce: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Log a referral sent from the public form. Raises TokenUsed, RateLimited, OverallLimit
    or ValidationError."""
    now = now or timezone.now()
    record_submission(
        form=PublicSubmission.Form.REFERRAL, hashed_ip=hashed_ip, token_nonce=token_nonce
    )
    summary = case_fields["summary"].strip()
    if other_people.strip():
        summary = f"{summary}\n\nWho it is with (as given on the form): {other_people.strip()}"
    case = case_create(
        by=None,
        fields={**case_fields, "summary": summary, "received_on": timezone.localdate(now)},
        parties=[person],
    )
    party = case.parties.get()
    if agency:
        given = (
            f"Confirmed on their behalf by {case.referrer_name} ({case.referrer_organisation}) "
            "on the online referral form: confirm with them at first contact."
        )
    else:
        given = "Given on the online self-referral form."
    consent_record(
        party=party,
        by=None,
        kind=Consent.Kind.DATA_PROCESSING,
        given_at=now,
        method=Consent.Method.WRITTEN,
        notes=given[:300],
    )
    how = Party.ContactMethod(party.preferred_contact).label.lower()
    who = (
        f"Referred online by {case.referrer_name} of {case.referrer_organisation}"
        if agency
        else "Self-referral received through the website"
    )
    log_entry_add(
        case=case,
        by=None,
        kind=ContactLogEntry.Kind.NOTE,
        text=(
            f"{who} on {_local(now)}. Consent to be contacted was given on the form"
            f"{' (confirmed by the referrer)' if agency else ''}: first contact by {how}, "
            f"safe times: {party.preferred_times}."
        ),
        occurred_at=now,
        party=party,
    )
    if not agency:
        queue_referral_acknowledgement(party, reply_days=reply_working_days())
    return case


@transaction.atomic
@acting_in(None)
def application_submit(
    *,
    fields: dict,
    why: str,
    experience: str = "",
    slots: list[tuple[int, str]],
    hashed_ip: str,
    token_nonce: str = "",
    now: datetime.datetime | None = None,
) -> Volunteer:
    """Record a volunteer application from the public form. Raises TokenUsed, RateLimited,
    OverallLimit or ValidationError."""
    now = now or timezone.now()
    record_submission(
        form=PublicSubmission.Form.VOLUNTEER, hashed_ip=hashed_ip, token_nonce=token_nonce
    )
    notes = [
        f"Applied through the website on {_local(now)}.",
        f"Why they would like to volunteer: {why.strip()}",
    ]
    if experience.strip():
        notes.append(f"Anything else: {experience.strip()}")
    notes.append(
        "Agreed on the form to the service keeping and using their details to consider the "
        "application."
    )
    volunteer = volunteer_create(
        by=None,
        fields={**fields, "status": Volunteer.Status.APPLICANT, "notes": "\n".join(notes)},
    )
    availability_set(volunteer=volunteer, by=None, slots=slots)
    queue_application_acknowledgement(volunteer, reply_days=reply_working_days())
    return volunteer


def reply_working_days() -> int:
    return getattr(settings, "PUBLIC_REPLY_WORKING_DAYS", 3)
