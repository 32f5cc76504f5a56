"""Agreement pages on a case. Anyone who can see the case can read its agreements and download
them; the case's mediators and coordinators draft, agree and record signatures."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from audit.models import AuditEvent
from audit.services import record_event
from documents.forms import SignedScanForm
from documents.models import CaseFile, GeneratedDocument
from documents.services import agreement_document, letter_document
from documents.uploads import accepts_files, too_large_refusals
from wkm.forms import add_service_errors
from wkm.views import submit_form

from . import agreements as services
from .access import case_for
from .agreement_forms import AgreementForm, SignatureForm, TermForm
from .models import AgreementTerm


def _agreement(case, pk):
    return get_object_or_404(
        case.agreements.prefetch_related(
            "terms",
            "signatures",
            Prefetch(
                "scans",
                queryset=CaseFile.objects.present().select_related("uploaded_by"),
                to_attr="kept_scans",
            ),
        ),
        pk=pk,
    )


def _require_record(access):
    if not access.can_record:
        raise PermissionDenied


def _errors_to_messages(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


@require_safe
def agreement_list(request, reference):
    case, access = case_for(request, reference)
    # Which agreements a case has, and when each was agreed, is a look at the case (rule 12).
    record_event(
        action=AuditEvent.Action.VIEW,
        case_reference=case.reference,
        object_repr="Agreements (list)",
    )
    return render(
        request,
        "cases/agreements.html",
        {"case": case, "access": access, "agreements": case.agreements.all()},
    )


@require_POST
def agreement_start(request, reference):
    case, access = case_for(request, reference)
    _require_record(access)
    draft = services.agreement_start(case=case, by=request.user)
    return redirect(draft)


def agreement_detail(request, reference, pk):
    case, access = case_for(request, reference)
    agreement = _agreement(case, pk)
    if request.method == "POST":
        return _edit_draft(request, case, access, agreement)
    record_event(action=AuditEvent.Action.VIEW, obj=agreement)
    return _render_detail(request, case, access, agreement)


def _render_detail(
    request, case, access, agreement, *, form=None, term_form=None, sign_form=None, scan_form=None
):
    editable = access.can_record and agreement.is_draft
    # Signatures and a signed copy go on an agreed or signed version (not a draft, not one
    # superseded): the service's own test.
    signable = access.can_record and not services.scan_refusal(agreement)
    if editable and term_form is None:
        term_form = TermForm(prefix="term", form_id="draft-form")
    return render(
        request,
        "cases/agreement_detail.html",
        {
            "case": case,
            "access": access,
            "agreement": agreement,
            "editable": editable,
            "form": form or (AgreementForm(instance=agreement) if editable else None),
            "term_form": term_form
            or (TermForm(prefix="term", form_id="draft-form") if editable else None),
            "sign_form": sign_form
            or (
                SignatureForm(case=case, initial={"signed_on": timezone.localdate()})
                if signable
                else None
            ),
            "scan_form": scan_form
            or (SignedScanForm(initial={"signed_on": timezone.localdate()}) if signable else None),
        },
    )


def _edit_draft(request, case, access, agreement):
    """The draft's introduction, review date and a new term, in one form: pressing "Add term"
    also saves the introduction and date typed above it, and "Save draft" also adds a term typed
    below, so nothing typed is lost whichever button is pressed."""
    _require_record(access)
    form = AgreementForm(request.POST, instance=agreement)
    term_form = TermForm(request.POST, prefix="term", form_id="draft-form")
    adding = request.POST.get("action") == "add_term" or any(
        request.POST.get(f"term-{name}", "").strip() for name in TermForm.Meta.fields
    )
    if form.is_valid() and (not adding or term_form.is_valid()):
        try:
            with transaction.atomic():
                services.agreement_update(agreement=agreement, by=request.user, **form.cleaned_data)
                if adding:
                    services.term_add(
                        agreement=agreement,
                        by=request.user,
                        **term_form.cleaned_data,
                    )
        except ValidationError as error:
            add_service_errors(term_form if adding else form, error)
        else:
            messages.success(request, "Term added; draft saved." if adding else "Draft saved.")
            return redirect(agreement.get_absolute_url() + ("#add-term" if adding else ""))
    if not adding:
        term_form = TermForm(prefix="term", form_id="draft-form")
    agreement.refresh_from_db()
    return _render_detail(request, case, access, agreement, form=form, term_form=term_form)


@require_POST
def term_change(request, reference, pk):
    """Edit, remove, or move a term up or down (the button pressed says which)."""
    case, access = case_for(request, reference)
    _require_record(access)
    term = get_object_or_404(
        AgreementTerm.objects.select_related("agreement"), pk=pk, agreement__case=case
    )
    action = request.POST.get("action")
    try:
        if action == "delete":
            services.term_delete(term=term, by=request.user)
        elif action in ("up", "down"):
            services.term_move(term=term, by=request.user, up=action == "up")
        else:
            form = TermForm(request.POST, instance=AgreementTerm(agreement=term.agreement))
            if not form.is_valid():
                for field, errors in form.errors.items():
                    messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
                return redirect(term.agreement)
            services.term_update(term=term, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect(term.agreement)


def agreement_agree(request, reference, pk):
    """Mark a draft agreed — after a page that shows the terms and says what follows, since it
    cannot be undone (a change then needs a new version)."""
    case, access = case_for(request, reference)
    _require_record(access)
    agreement = _agreement(case, pk)
    if not agreement.is_draft:
        messages.error(request, "Only a draft can be marked agreed.")
        return redirect(agreement)
    if request.method == "POST":
        try:
            services.agreement_mark_agreed(agreement=agreement, by=request.user)
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, f"Version {agreement.version} is agreed by every party.")
        return redirect(agreement)
    superseded = case.agreements.filter(status__in=["agreed", "signed"]).first()
    return render(
        request,
        "cases/agreement_agree.html",
        {
            "case": case,
            "agreement": agreement,
            "superseded": superseded,
            # Said before the question, not after the answer (agreement_mark_agreed refuses).
            "missing_consent": services.consent_missing_for_agreement(case),
        },
    )


@require_POST
def signature_add(request, reference, pk):
    case, access = case_for(request, reference)
    _require_record(access)
    agreement = _agreement(case, pk)
    form = SignatureForm(request.POST, case=case)

    def record(data):
        party, volunteer = form.chosen_signer(case)
        return services.signature_record(
            agreement=agreement, by=request.user, party=party, volunteer=volunteer,
            signed_on=data["signed_on"], verbal=data["verbal"], note=data["note"],
        )  # fmt: skip

    if done := submit_form(request, form, record, success="Signature recorded.", then=agreement):
        return done
    return _render_detail(request, case, access, agreement, sign_form=form)


@accepts_files
@require_POST
def signed_scan_add(request, reference, pk):
    """Keep a scan of the signed agreement; it marks the version signed (cases.agreements)."""
    case, access = case_for(request, reference)
    _require_record(access)
    agreement = _agreement(case, pk)
    refusal = services.scan_refusal(agreement)
    if refusal:  # a draft or superseded version: said on its page, which has no such form
        messages.error(request, refusal)
        return redirect(agreement)
    form = SignedScanForm(request.POST, request.FILES)
    if refused := too_large_refusals(request):
        form.add_error("file", refused)
    elif done := submit_form(
        request,
        form,
        lambda data: services.signed_scan_add(
            agreement=agreement,
            by=request.user,
            upload=data["file"],
            signed_on=data["signed_on"],
        ),
        success=lambda scan: (
            f"Signed copy kept ({scan.name}); version {agreement.version} is signed."
        ),
        then=agreement,
    ):
        return done
    return _render_detail(request, case, access, agreement, scan_form=form)


def _pdf_response(document: GeneratedDocument) -> HttpResponse:
    """The stored PDF as a download named after the case (never a person), never cached."""
    with document.file.open("rb") as file:
        response = HttpResponse(file.read(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.download_name
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def agreement_pdf(request, reference, pk):
    case, _access = case_for(request, reference)
    agreement = get_object_or_404(case.agreements.prefetch_related("terms"), pk=pk)
    try:
        document = agreement_document(agreement=agreement, by=request.user)
    except ValidationError as error:  # documents.rendering.DocumentTooLarge: too long to print
        _errors_to_messages(request, error)
        return redirect(agreement)
    return _pdf_response(document)


@require_safe
def letter_pdf(request, reference, pk, kind):
    case, access = case_for(request, reference)
    _require_record(access)
    party = next((p for p in case.parties.all() if p.pk == pk), None)
    if party is None or kind not in ("invitation", "outcome"):
        raise Http404
    try:
        document = letter_document(case=case, party=party, kind=kind, by=request.user)  # fmt: skip
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect(party)
    return _pdf_response(document)
