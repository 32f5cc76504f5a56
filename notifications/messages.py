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


def _place(session: MediationSession, *, for_party: bool) -> str:
    mode = MediationSession.Mode
    if session.mode == mode.HOME_VISIT:
        if for_party:
            return "at your home"
        visited = next((p for p in session.parties.all() if p.postcode), None)
        return f"home visit, {visited.postcode}" if visited else "home visit"
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
                "place": _place(session, for_party=reminder.party is not None),
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
