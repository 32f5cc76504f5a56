"""The words of each outbox message, from templates named by convention:
emails/<kind>-subject.txt, emails/<kind>-body.txt, emails/<kind>-body.html and sms/<kind>.txt.

A message to a party says when, where and whom to call — never anything about another party or
the dispute (rule 10). Messages to mediators add the case reference. A party's session reminder
ends with their personal link to confirm, rearrange or cancel (notifications.reply_links).
A text is kept to two parts by shortening a long place (``_fit_text``).
"""

from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from sessions.models import MediationSession

from .models import OutboxMessage
from .reply_links import reply_url

# A text message is at most two parts: 306 characters of the GSM alphabet. (A text with any
# other character, "ł" or an emoji in a venue, has only 134, which a reminder with its link
# cannot keep to: its place is shortened as far as it goes.)
SMS_MAX_PARTS = 2
GSM_CHARS = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€")  # two characters each


@dataclass
class Message:
    subject: str
    text: str
    html: str = ""


def home_visited(session: MediationSession):
    """Whose home a home visit is at. A session names no host: with one party attending, it is
    theirs; with several, the first (by when they were added) with an address on record, or
    None. Uses the session's prefetched parties."""
    parties = sorted(session.parties.all(), key=lambda party: party.pk)
    if len(parties) == 1:
        return parties[0]
    return next((p for p in parties if p.address_line1 or p.postcode), None)


def place_for(session: MediationSession, *, party=None) -> str:
    """Where, in words for the recipient. A home visit is "at your home" only to the party whose
    home it is; another party reads "at Margaret's home" — a first name they know from the
    dispute, never the address or postcode (rule 10); mediators get the postcode."""
    mode = MediationSession.Mode
    if session.mode == mode.HOME_VISIT:
        visited = home_visited(session)
        if party is not None:
            if visited is not None and visited.pk == party.pk:
                return "at your home"
            name = visited.first_name if visited is not None else ""
            # A straight apostrophe: a curly one takes a text message out of the GSM alphabet.
            return f"at {name}'s home" if name else "a home visit"
        return f"home visit, {visited.postcode}" if visited and visited.postcode else "home visit"
    if session.mode in (mode.PHONE, mode.VIDEO):
        label = session.get_mode_display().lower()
        return f"by {label}" + (f" ({session.venue})" if session.venue else "")
    return session.venue or session.get_mode_display()


def context_for(reminder: OutboxMessage) -> dict:
    context = {
        "service_name": settings.SERVICE_NAME,
        "service_phone": settings.SERVICE_PHONE,
        "site_url": settings.SITE_URL,
        **reminder.context,
    }
    person = reminder.party or reminder.volunteer or reminder.user
    if reminder.party:
        context["name"] = reminder.party.first_name
    elif reminder.volunteer:
        context["name"] = reminder.volunteer.first_name
    elif person is not None:
        context["name"] = person.first_name or person.get_username()
    elif reminder.referrer_contact_id:
        # A referrer's contact: their name as they gave it to us, nothing else of theirs.
        context["name"] = reminder.referrer_contact.name
    if reminder.party_id and "invitation" in reminder.context:
        # A survey: the party's personal link to it (surveys.links), made when it is sent.
        from surveys.links import survey_url

        context["survey_url"] = survey_url(reminder.context["invitation"])
    session = reminder.session
    if session is not None:
        start = timezone.localtime(session.starts_at)
        context.update(
            {
                "session_kind": session.get_kind_display().lower(),
                "date": date_format(start, "l j F Y"),
                "time": f"{start:%H:%M}",
                "place": place_for(session, party=reminder.party),
                "reference": "" if reminder.party else session.case.reference,
            }
        )
        if reminder.party_id and reminder.kind == OutboxMessage.Kind.SESSION_REMINDER:
            # Their personal link to confirm, rearrange or cancel (notifications.replies).
            context["reply_url"] = reply_url(party_id=reminder.party_id, session_id=session.pk)
            context["sms_replies"] = bool(getattr(settings, "SMS_INBOUND_TOKEN", ""))
    return context


def _plain(template_name: str, context: dict) -> str:
    """A text template (a text message, an email's subject or plain body) as written. HTML
    escaping is for HTML: in a text it printed "O'Brien" as "O&#x27;Brien" and "&" as "&amp;"."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_message(reminder: OutboxMessage) -> Message:
    context = context_for(reminder)
    kind = reminder.kind
    if reminder.channel == OutboxMessage.Channel.SMS:
        return Message(subject="", text=_fit_text(f"sms/{kind}.txt", context))
    return Message(
        subject=" ".join(_plain(f"emails/{kind}-subject.txt", context).split()),
        text=_plain(f"emails/{kind}-body.txt", context),
        html=render_to_string(f"emails/{kind}-body.html", context),
    )


def _units(text: str) -> tuple[int, int, int]:
    """(length, characters in one text alone, in each part of a longer one)."""
    if all(c in GSM_CHARS or c in GSM_EXTENDED for c in text):
        return len(text) + sum(c in GSM_EXTENDED for c in text), 160, 153
    return len(text), 70, 67


def sms_parts(text: str) -> int:
    """How many parts a text message is sent in: 160 characters alone or 153 a part in the GSM
    alphabet (some characters count two), 70 or 67 when any character is outside it."""
    length, single, part = _units(text)
    return 1 if length <= single else -(-length // part)


def _fit_text(template_name: str, context: dict) -> str:
    """The text message, in at most SMS_MAX_PARTS parts: a place too long to fit (a venue's full
    address and directions) is cut short with "...", the rest kept whole — the link in a
    reminder opens the appointment in full."""
    text = _plain(template_name, context).strip()
    place = context.get("place") or ""
    while sms_parts(text) > SMS_MAX_PARTS and len(place) > 20:
        length, _single, part = _units(text)
        keep = min(len(place) - 4, len(place) - (length - part * SMS_MAX_PARTS) - 3)
        place = place[: max(keep, 17)].rstrip(" ,") + "..."
        context = {**context, "place": place}
        text = _plain(template_name, context).strip()
    return text
