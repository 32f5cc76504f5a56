"""Writes to agreements: drafting, agreeing (rule 7), signing, revising. Conventions as in
cases.services. An agreed or signed version is never edited: revising makes a new draft."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import pluralize
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from parties.consent import consent_state

from . import timeline
from .models import Agreement, AgreementSignature, AgreementTerm, Case

SCAN_NOTE = "Recorded from the scan of the signed agreement."

# The most terms one agreement may have: with the texts bounded by cases.agreement_forms, its PDF
# stays well inside documents.rendering.MAX_PAGES.
MAX_TERMS = 40


def _draft(agreement: Agreement) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("case").get(pk=agreement.pk)
    if not agreement.is_draft:
        raise ValidationError(
            f"Version {agreement.version} is {agreement.get_status_display().lower()}: revise it "
            "to make a new draft."
        )
    return agreement


@transaction.atomic
def agreement_start(*, case: Case, by) -> Agreement:
    """Open a draft: the existing draft if there is one, else a new version copying the latest
    agreed or signed one (its introduction, review date and terms)."""
    Case.objects.select_for_update().get(pk=case.pk)
    existing = case.agreements.filter(status=Agreement.Status.DRAFT).first()
    if existing:
        return existing
    latest = (
        case.agreements.exclude(status=Agreement.Status.SUPERSEDED).order_by("-version").first()
    )
    version = (case.agreements.aggregate(v=Max("version"))["v"] or 0) + 1
    draft = Agreement.objects.create(
        case=case,
        version=version,
        introduction=latest.introduction if latest else "",
        review_on=latest.review_on if latest else None,
        created_by=by,
    )
    if latest:
        AgreementTerm.objects.bulk_create(
            AgreementTerm(
                agreement=draft, position=t.position, who=t.who, what=t.what, by_when=t.by_when
            )
            for t in latest.terms.all()
        )
    record_event(action=AuditEvent.Action.CREATE, actor=by, obj=draft, detail={"version": version})
    return draft


@transaction.atomic
def agreement_update(
    *, agreement: Agreement, by, introduction: str, review_on: datetime.date | None
) -> Agreement:
    """Save the draft's introduction and review date; nothing (no save, no audit event) when
    neither changed — "Add term" sends them each time."""
    agreement = _draft(agreement)
    introduction = introduction.strip()
    if (agreement.introduction, agreement.review_on) == (introduction, review_on):
        return agreement
    if review_on and review_on != agreement.review_on and review_on < timezone.localdate():
        raise ValidationError({"review_on": "The review date cannot be in the past."})
    agreement.introduction = introduction
    agreement.review_on = review_on
    agreement.full_clean()
    agreement.save()
    record_event(action=AuditEvent.Action.CHANGE, actor=by, obj=agreement)
    return agreement


@transaction.atomic
def term_add(*, agreement: Agreement, by, who: str, what: str, by_when: str = "") -> AgreementTerm:
    agreement = _draft(agreement)
    if agreement.terms.count() >= MAX_TERMS:
        raise ValidationError(
            f"An agreement can have at most {MAX_TERMS} terms. Combine some of them, or remove "
            "one first."
        )
    position = (agreement.terms.aggregate(p=Max("position"))["p"] or 0) + 1
    term = AgreementTerm(
        agreement=agreement, position=position, who=who.strip(), what=what.strip(),
        by_when=by_when.strip(),
    )  # fmt: skip
    term.full_clean()
    term.save()
    record_event(action=AuditEvent.Action.CHANGE, actor=by, obj=agreement, detail={"term": "added"})
    return term


@transaction.atomic
def term_update(*, term: AgreementTerm, by, who: str, what: str, by_when: str = ""):
    agreement = _draft(term.agreement)
    term.who, term.what, term.by_when = who.strip(), what.strip(), by_when.strip()
    term.full_clean()
    term.save()
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=agreement, detail={"term": "changed"}
    )
    return term


@transaction.atomic
def term_delete(*, term: AgreementTerm, by) -> None:
    agreement = _draft(term.agreement)
    term.delete()
    for position, remaining in enumerate(agreement.terms.order_by("position", "id"), start=1):
        if remaining.position != position:
            remaining.position = position
            remaining.save(update_fields=["position"])
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=agreement, detail={"term": "removed"}
    )


@transaction.atomic
def term_move(*, term: AgreementTerm, by, up: bool) -> None:
    """Swap a term with the one above (or below) it."""
    agreement = _draft(term.agreement)
    terms = list(agreement.terms.order_by("position", "id"))
    index = next(i for i, t in enumerate(terms) if t.pk == term.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(terms):
        return
    terms[index], terms[other] = terms[other], terms[index]
    for position, each in enumerate(terms, start=1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    record_event(action=AuditEvent.Action.CHANGE, actor=by, obj=agreement, detail={"term": "moved"})


def consent_missing_for_agreement(case: Case) -> list[str]:
    """Rule 7 for agreements: the names of the parties whose consent is missing or withdrawn
    (none: it may be agreed). Asked by the service and, before the question, by the page."""
    state = consent_state(case)
    if state.all_consented and not state.withdrawn:
        return []
    return [party.full_name for party in state.waiting_for] or ["a party"]


@transaction.atomic
def agreement_mark_agreed(*, agreement: Agreement, by) -> Agreement:
    """Every party has agreed to this version (rule 7: not while any consent is missing or
    withdrawn). Earlier agreed or signed versions are superseded."""
    agreement = _draft(agreement)
    if not agreement.terms.exists():
        raise ValidationError("Add at least one term before marking the agreement agreed.")
    missing = consent_missing_for_agreement(agreement.case)
    if missing:
        raise ValidationError(
            "An agreement cannot be agreed while consent is missing or withdrawn "
            f"({', '.join(missing)})."
        )
    agreement.case.agreements.filter(
        status__in=[Agreement.Status.AGREED, Agreement.Status.SIGNED]
    ).update(status=Agreement.Status.SUPERSEDED)
    agreement.status = Agreement.Status.AGREED
    agreement.agreed_at = timezone.now()
    agreement.save(update_fields=["status", "agreed_at"])
    record_event(
        action=AuditEvent.Action.TRANSITION, actor=by, obj=agreement, detail={"to": "agreed"}
    )
    terms = agreement.terms.count()
    timeline.log(
        agreement.case,
        f"Agreement version {agreement.version} agreed by every party ({terms} "
        f"term{pluralize(terms)}).",
        by=by,
    )
    return agreement


@transaction.atomic
def signature_record(
    *,
    agreement: Agreement,
    by,
    signed_on: datetime.date,
    party=None,
    volunteer=None,
    verbal: bool = False,
    note: str = "",
) -> AgreementSignature:
    """Record a signature (or a verbal agreement). When every party has signed or agreed
    verbally, the version becomes signed."""
    agreement = Agreement.objects.select_for_update().select_related("case").get(pk=agreement.pk)
    if agreement.status not in (Agreement.Status.AGREED, Agreement.Status.SIGNED):
        raise ValidationError("Signatures are recorded on an agreed version.")
    if (party is None) == (volunteer is None):
        raise ValidationError("Choose who signed.")
    if party is not None and party.case_id != agreement.case_id:
        raise ValidationError({"party": "Choose a party of this case."})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The date cannot be in the future."})
    if agreement.signatures.filter(party=party, volunteer=volunteer).exists():
        raise ValidationError("This signature is already recorded.")
    signature = AgreementSignature.objects.create(
        agreement=agreement, party=party, volunteer=volunteer, signed_on=signed_on,
        verbal=verbal, note=note.strip(), recorded_by=by,
    )  # fmt: skip
    signed_parties = set(
        agreement.signatures.filter(party__isnull=False).values_list("party", flat=True)
    )
    if agreement.status == Agreement.Status.AGREED and signed_parties >= set(
        agreement.case.parties.values_list("pk", flat=True)
    ):
        agreement.status = Agreement.Status.SIGNED
        agreement.signed_at = timezone.now()
        agreement.save(update_fields=["status", "signed_at"])
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=agreement, detail={"signature": True}
    )
    signer = party.full_name if party else f"{volunteer.full_name} (mediator)"
    timeline.log(
        agreement.case,
        f"{signer} {'agreed verbally to' if verbal else 'signed'} agreement version "
        f"{agreement.version}"
        + ("; every party has now signed." if agreement.status == Agreement.Status.SIGNED else "."),
        by=by,
        party=party,
    )
    return signature


def scan_refusal(agreement: Agreement) -> str:
    """Why ``agreement`` cannot take a signed copy ("" when it can): asked by the service and,
    before reading the form, by the page."""
    if agreement.status == Agreement.Status.DRAFT:
        return (
            f"Version {agreement.version} is a draft: mark it agreed before keeping a signed copy."
        )
    if agreement.status == Agreement.Status.SUPERSEDED:
        return (
            f"Version {agreement.version} has been superseded by a later version: keep the "
            "signed copy on the version in force."
        )
    return ""


@transaction.atomic
def signed_scan_add(*, agreement: Agreement, by, upload, signed_on: datetime.date):
    """Keep a scan of the signed agreement beside the generated PDF (a CaseFile of kind signed
    agreement, with its SHA-256), and mark the version signed.

    The scan is the evidence that the parties signed this version on ``signed_on``, so each
    party not yet recorded as signing (or agreeing verbally) gets a signature dated then, noted
    as taken from the scan, rather than the version becoming signed with parties unsigned:
    ``signature_record``'s invariant — a signed version has a signature (or verbal agreement)
    from every party — holds either way, and the page, the PDF's record and the reports read
    signatures, not the status alone. Mediators' signatures are not assumed from a scan (they
    are not needed for signed, and are recorded as before). An already signed version keeps
    its signatures and takes the scan too (a better copy, or the one the parties kept).
    A draft cannot have been signed, and a superseded version is no longer the agreement."""
    from documents.case_files import RETAINED_NO_MORE, check_all, store
    from documents.models import CaseFile
    from privacy.status import case_anonymised, erased_party_ids

    # The case locked as retention and erasure lock it (documents.case_files.files_add).
    Case.objects.select_for_update().get(pk=agreement.case_id)
    agreement = Agreement.objects.select_for_update().select_related("case").get(pk=agreement.pk)
    refusal = scan_refusal(agreement)
    if refusal:
        raise ValidationError(refusal)
    if case_anonymised(agreement.case):
        raise ValidationError(RETAINED_NO_MORE)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The date cannot be in the future."})
    if agreement.agreed_at and signed_on < timezone.localdate(agreement.agreed_at):
        raise ValidationError(
            {"signed_on": "It cannot have been signed before it was agreed "
             f"({timezone.localdate(agreement.agreed_at):%-d %b %Y})."}
        )  # fmt: skip
    try:
        (checked,) = check_all([upload] if upload else [])
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    case = agreement.case
    signed = set(agreement.signatures.filter(party__isnull=False).values_list("party", flat=True))
    AgreementSignature.objects.bulk_create(
        AgreementSignature(
            agreement=agreement, party=party, signed_on=signed_on, note=SCAN_NOTE, recorded_by=by
        )
        # Nothing new is written about a party whose records were erased.
        for party in case.parties.exclude(pk__in=signed | erased_party_ids(case))
    )
    newly_signed = agreement.status == Agreement.Status.AGREED
    if newly_signed:
        agreement.status = Agreement.Status.SIGNED
        agreement.signed_at = timezone.now()
        agreement.save(update_fields=["status", "signed_at"])
    scan = store(
        case=case, checked=checked, by=by, kind=CaseFile.Kind.SIGNED_AGREEMENT,
        description=f"Signed agreement, version {agreement.version}", agreement=agreement,
    )  # fmt: skip
    record_event(
        action=AuditEvent.Action.TRANSITION if newly_signed else AuditEvent.Action.CHANGE,
        actor=by, obj=agreement,
        detail={"to": "signed", "scan": scan.pk, "sha256": scan.sha256} if newly_signed
        else {"scan": scan.pk, "sha256": scan.sha256},
    )  # fmt: skip
    timeline.log(
        case,
        f"Scan of agreement version {agreement.version} signed on {signed_on:%-d %b %Y} kept "
        f"(SHA-256 {scan.sha256[:12]}…)"
        + (f"; version {agreement.version} is signed by every party." if newly_signed else "."),
        by=by,
    )
    return scan
