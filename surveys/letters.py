"""The survey letter: for a party who asked for letters, the feedback survey or the outcome
follow-up on paper — their short link and its QR code, the gist of the questions, and the
office's number to answer by phone — made as a PDF by the documents machinery (our fonts and
static files only), for a coordinator to print and post.

Addressed to that party only, with their own address and nothing of anyone else (rule 10), and
nothing of the dispute or its outcome, as the survey's email and text. Coordinators only, as
the rest of the surveys (the answers are about the mediators).

Unlike the invitation and outcome letters, the PDF is not kept: it carries the party's live
personal link, and a stored copy would be one more key to their survey lying in the media
folder. Each download is in the audit trail with the PDF's SHA-256, so a copy produced later can
still be checked against what was printed."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.safestring import mark_safe

from audit.models import AuditEvent
from audit.services import record_event
from cases.disclosure import contact_details_for
from documents.rendering import render_pdf

from . import services
from .forms import survey_form
from .links import survey_url
from .models import SurveyInvitation
from .services import LinkState


def why_no_letter(invitation: SurveyInvitation) -> str:
    """Why no letter can be made for ``invitation`` now ("" if it can): a letter must carry a
    link that works, to someone we may write to, at an address we hold."""
    party = invitation.party
    state = services.state_of(invitation)
    if state is LinkState.ANSWERED:
        return f"{party.full_name} has already answered this survey."
    if state is LinkState.CLOSED:
        return services.why_not_asked(party) or "This survey is not open while the case is open."
    if state is LinkState.EXPIRED:
        return (
            "The link for this letter has expired: record their answers by phone, or ask "
            "again once the survey is sent anew."
        )
    if not (party.address_line1 and party.postcode):
        return f"There is no postal address on record for {party.full_name}."
    return ""


def _questions(invitation: SurveyInvitation) -> list[str]:
    """The survey's questions as the party's page asks them (the follow-up of a self-referral
    leaves out the referrer), without the free-text box."""
    form = survey_form(invitation.kind, invitation.case)
    return [str(field.label) for name, field in form.fields.items() if name != "comments"]


def survey_letter(*, invitation: SurveyInvitation, by) -> tuple[bytes, str]:
    """The letter's PDF and its file name (the case reference, never a person's name).
    ``invitation`` comes with its case and its party (consents prefetched). Raises
    ValidationError with the reason when no letter can be made (``why_no_letter``)."""
    from .templatetags.survey_tags import qr_svg

    why = why_no_letter(invitation)
    if why:
        raise ValidationError(why)
    case, party = invitation.case, invitation.party
    url = survey_url(invitation.pk)
    context = {
        "service": {
            "name": settings.SERVICE_NAME,
            "phone": settings.SERVICE_PHONE,
            "address": settings.SERVICE_ADDRESS,
        },
        "case": case,
        "party": party,
        # The addressee's own address only (rule 10).
        "address": contact_details_for(party, audience=party),
        "dated": timezone.localdate(),
        "kind": invitation.kind,
        "closed_on": case.closed_on,
        "url": url,
        "qr": mark_safe(qr_svg(url, label="QR code of your survey link")),  # noqa: S308
        "questions": _questions(invitation),
        "expires_at": invitation.expires_at,
    }
    pdf, _html = render_pdf("survey_letter.html", context)
    digest = hashlib.sha256(pdf).hexdigest()
    record_event(
        action=AuditEvent.Action.DOWNLOAD,
        actor=by,
        obj=invitation,
        object_repr="Survey letter to a party",
        case_reference=case.reference,
        detail={"letter": "survey", "survey": invitation.kind, "party": party.pk, "sha256": digest},
    )
    return pdf, f"{case.reference}-{invitation.kind.replace('_', '-')}-survey-letter.pdf"
