"""Making, storing and serving case documents: agreements and letters.

What a document may say follows rule 10 (cases.disclosure): a letter to one party carries only
that party's own details; an agreement names every party but shows a party's contact details
only where they consented to share them; no document carries anyone's private notes.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from cases.disclosure import contact_details_for
from cases.models import CaseAssignment
from parties.models import Party

from .models import GeneratedDocument
from .rendering import render_pdf


def _service() -> dict:
    return {
        "name": settings.SERVICE_NAME,
        "phone": settings.SERVICE_PHONE,
        "address": settings.SERVICE_ADDRESS,
    }


def _store(*, case, kind, pdf: bytes, by, agreement=None, party=None) -> GeneratedDocument:
    """Keep the PDF with its SHA-256; the same bytes as the latest copy are not stored twice."""
    digest = hashlib.sha256(pdf).hexdigest()
    same = GeneratedDocument.objects.filter(
        case=case, kind=kind, agreement=agreement, party=party, sha256=digest
    ).first()
    if same:
        same.case = case  # the caller's, for the download's name
        return same
    document = GeneratedDocument(
        case=case,
        kind=kind,
        agreement=agreement,
        agreement_version=agreement.version if agreement else None,
        party=party,
        sha256=digest,
        size=len(pdf),
        created_by=by,
    )
    document.file.save(f"{case.reference}-{kind}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


def agreement_context(agreement) -> dict:
    case = agreement.case
    parties = list(case.parties.all())
    signers = []
    for party in parties:
        others = [p for p in parties if p.pk != party.pk]
        # Shown to the other parties only if this party consented to share (rule 10).
        details = contact_details_for(party, audience=others[0]) if others else {}
        signers.append({"name": party.full_name, "details": details})
    mediators = [a.volunteer.full_name for a in case.current_assignments()]
    dated = agreement.agreed_at or agreement.created_at
    return {
        "service": _service(),
        "case": case,
        "agreement": agreement,
        "terms": list(agreement.terms.all()),
        "parties": signers,
        "mediators": mediators,
        "dated": timezone.localtime(dated).date(),
        "watermark": {"draft": "DRAFT", "superseded": "SUPERSEDED"}.get(agreement.status, ""),
    }


@transaction.atomic
def agreement_document(*, agreement, by) -> GeneratedDocument:
    """The agreement's PDF, as loaded in this request — pass the agreement a service returned,
    not an object from before it changed (the agreement PDF page's comes with its
    case, parties, consents and assignments already fetched by cases.access.case_for); whatever
    is missing is fetched here, once, so the number of queries does not grow with the parties
    (each party's consents decide whether their details are shown, rule 10)."""
    prefetch_related_objects([agreement], "terms")
    prefetch_related_objects(
        [agreement.case],
        Prefetch("parties", queryset=Party.objects.prefetch_related("consents")),
        Prefetch("assignments", queryset=CaseAssignment.objects.select_related("volunteer")),
    )
    pdf, _html = render_pdf("agreement.html", agreement_context(agreement))
    document = _store(
        case=agreement.case, kind=GeneratedDocument.Kind.AGREEMENT, pdf=pdf, by=by,
        agreement=agreement,
    )  # fmt: skip
    record_event(
        action=AuditEvent.Action.DOWNLOAD, actor=by, obj=document,
        case_reference=agreement.case.reference,
        detail={"agreement_version": agreement.version, "sha256": document.sha256[:16]},
    )  # fmt: skip
    return document


@transaction.atomic
def letter_document(*, case, party, kind: str, by) -> GeneratedDocument:
    """A letter to one party: an invitation to mediation, or the outcome once the case closed."""
    if party.case_id != case.pk:
        raise ValidationError("Choose a party of this case.")
    if kind == GeneratedDocument.Kind.OUTCOME and case.is_open:
        raise ValidationError("An outcome letter is written once the case has closed.")
    if kind not in (GeneratedDocument.Kind.INVITATION, GeneratedDocument.Kind.OUTCOME):
        raise ValidationError("Not a kind of letter.")
    context = {
        "service": _service(),
        "case": case,
        "party": party,
        # The addressee's own address only: never another party's details (rule 10).
        "address": contact_details_for(party, audience=party),
        "dated": timezone.localdate(),
    }
    pdf, _html = render_pdf(f"{kind}_letter.html", context)
    document = _store(case=case, kind=kind, pdf=pdf, by=by, party=party)
    record_event(
        action=AuditEvent.Action.DOWNLOAD, actor=by, obj=document,
        case_reference=case.reference, detail={"letter": kind},
    )  # fmt: skip
    return document
