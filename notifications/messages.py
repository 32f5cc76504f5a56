"""The words of each outbox message, from templates named by convention:
emails/<kind>-subject.txt, emails/<kind>-body.txt, emails/<kind>-body.html and sms/<kind>.txt.

A message to a party says when, where and whom to call — never anything about another party or
the dispute (rule 10). Messages to mediators add the case reference.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from sessions.models import MediationSession

from .models import OutboxMessage


@dataclass
class Message:
    subject: str
    text: str
    html: str = ""


def _first_name(full_name: str) -> str:
    return full_name.split()[0] if full_name.strip() else ""


def home_visited(session: MediationSession):
    """Whose home a home visit is at. A session names no host: with one party attending, it is
    theirs; with several, the first (by when they were added) with an address on record, or
    None. Uses the session's prefetched parties."""
    parties = sorted(session.parties.all(), key=lambda party: party.pk)
    if len(parties) == 1:
        return parties[0]
    return next((p for p in parties if p.address_line1 or p.postcode), None)


def _place(session: MediationSession, *, party=None) -> str:
    """Where, in words for the recipient. A home visit is "at your home" only to the party whose
    home it is; another party reads "at Margaret's home" — a first name they know from the
    dispute, never the address or postcode (rule 10); mediators get the postcode."""
    mode = MediationSession.Mode
    if session.mode == mode.HOME_VISIT:
        visited = home_visited(session)
        if party is not None:
            if visited is not None and visited.pk == party.pk:
                return "at your home"
            name = _first_name(visited.full_name) if visited is not None else ""
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
        context["name"] = _first_name(reminder.party.full_name)
    elif reminder.volunteer:
        context["name"] = reminder.volunteer.first_name
    elif person is not None:
        context["name"] = person.first_name or person.get_username()
    session = reminder.session
    if session is not None:
        start = timezone.localtime(session.starts_at)
        context.update(
            {
                "session_kind": session.get_kind_display().lower(),
                "date": date_format(start, "l j F Y"),
                "time": f"{start:%H:%M}",
                "place": _place(session, party=reminder.party),
                "reference": "" if reminder.party else session.case.reference,
            }
        )
    return context


def _plain(template_name: str, context: dict) -> str:
    """A text template (a text message, an email's subject or plain body) as written. HTML
    escaping is for HTML: in a text it printed "O'Brien" as "O&#x27;Brien" and "&" as "&amp;"."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_message(reminder: OutboxMessage) -> Message:
    context = context_for(reminder)
    kind = reminder.kind
    if reminder.channel == OutboxMessage.Channel.SMS:
        return Message(subject="", text=_plain(f"sms/{kind}.txt", context).strip())
    return Message(
        subject=" ".join(_plain(f"emails/{kind}-subject.txt", context).split()),
        text=_plain(f"emails/{kind}-body.txt", context),
        html=render_to_string(f"emails/{kind}-body.html", context),
    )
