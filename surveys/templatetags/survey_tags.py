"""The case page's survey letters: the party's short link and its QR code, drawn here as an
inline SVG (no request to anyone else), for a coordinator to print or copy into a letter."""

import qrcode
import qrcode.image.svg
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from surveys.links import survey_url
from surveys.services import invitation_id_of_task

register = template.Library()


def qr_svg(url: str, *, label: str) -> str:
    """``url`` as an inline SVG QR code: paths and presentation attributes only, no style
    attribute (the Content-Security-Policy allows no inline style), as accounts.two_factor."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=8,
    )
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", f'<svg class="qr-code" role="img" aria-label="{escape(label)}" ', 1)


@register.inclusion_tag("surveys/_letter_link.html", takes_context=True)
def survey_letter(context, task):
    """The link (and QR code) for the survey letter ``task`` (a notifications.ManualContact)
    on the page of its case (``case`` in the context: no query for the letter's address), and
    the button to download the letter itself (surveys.letters)."""
    invitation_id = invitation_id_of_task(task)
    if invitation_id is None:
        return {"url": ""}
    url = survey_url(invitation_id)
    first_name = task.party.first_name
    return {
        "url": url,
        "qr": mark_safe(qr_svg(url, label=f"QR code of {first_name}'s survey link")),  # noqa: S308
        "task": task,
        "invitation_id": invitation_id,
        "reference": context["case"].reference,
    }
