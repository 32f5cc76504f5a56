"""How to reach a person about a session: by a message the service sends (a text or an email),
by a call or a letter a coordinator must make (notifications.manual), or not at all.

A party's route follows their preferred contact method and restrictions (parties.models.Party):

- **text message**: a text, if their number is a mobile and texts are allowed; else an email, if
  allowed; else a coordinator phones (any number) or, with no number, writes;
- **email**: an email, if allowed; else a text to a mobile; else a call or a letter;
- **phone call**: a text if their number is a mobile and texts are allowed — a reminder is the
  kind of thing people who asked for calls still take by text, and the restriction "no text
  messages" is there for those who do not; a landline is never texted, so with one a
  coordinator phones (a call task), without asking them to read email they did not ask for.
  With no number at all: an email, else a letter;
- **letter**: a letter written by a coordinator, never anything electronic.

Nobody whose contact has stopped (parties.consent.contact_stopped: consent withdrawn) gets
anything, by any route. Only numbers ``phonenumbers`` classes as mobile are texted, for parties
and volunteers alike (``is_mobile``): "01732 123456" is a landline and got four texts a session.
"""

from dataclasses import dataclass

import phonenumbers

from parties.consent import contact_stopped
from parties.models import Party

from .models import ManualContact, OutboxMessage


def is_mobile(number: str) -> bool:
    """``number`` (as stored, E.164, or as typed: UK numbers without +44) is a mobile phone
    number, one a text message can reach. Numbers ``phonenumbers`` cannot tell apart (fixed line
    or mobile, as in North America), pagers, VoIP and anything unparseable are not."""
    if not number:
        return False
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


@dataclass(frozen=True)
class Route:
    """Either a message (``channel`` and ``address``, an OutboxMessage.Channel) or a task for a
    coordinator (``method``, a ManualContact.Method, and ``reason``, fixed words that never
    repeat the number or address)."""

    channel: str = ""
    address: str = ""
    method: str = ""
    reason: str = ""

    @property
    def by_hand(self) -> bool:
        return bool(self.method)


def _why_not_electronic(party: Party, *, mobile: bool) -> str:
    reasons = []
    if party.no_text_messages:
        reasons.append("asked for no text messages")
    elif not party.phone:
        reasons.append("no phone number")
    elif not mobile:
        reasons.append("their number is not a mobile")
    if party.no_email:
        reasons.append("asked not to be emailed")
    elif not party.email:
        reasons.append("no email address")
    return " and ".join(reasons)


def party_route(party: Party) -> Route | None:
    """How ``party`` hears of their sessions (see the module docstring), or None: not at all.
    Uses prefetched consents when the caller has them."""
    if contact_stopped(party):
        return None
    mobile = is_mobile(party.phone)
    method = Party.ContactMethod
    preferred = party.preferred_contact
    text = (
        Route(channel=OutboxMessage.Channel.SMS, address=party.phone)
        if mobile and not party.no_text_messages
        else None
    )
    email = (
        Route(channel=OutboxMessage.Channel.EMAIL, address=party.email)
        if party.email and not party.no_email
        else None
    )
    if preferred == method.LETTER:
        return Route(method=ManualContact.Method.LETTER, reason="Prefers letters.")
    if preferred == method.PHONE:
        if not mobile and party.phone:
            reason = "Prefers phone calls; their number is not a mobile."
        else:
            reason = "Prefers phone calls and asked for no text messages."
        call = Route(method=ManualContact.Method.PHONE, reason=reason) if party.phone else None
        order = (text, call, email)
    elif preferred == method.EMAIL:
        order = (email, text)
    else:
        order = (text, email)
    found = next((route for route in order if route is not None), None)
    if found is not None:
        return found
    # Nothing electronic is possible or wanted: a coordinator phones, or writes.
    label = party.get_preferred_contact_display().lower() if preferred else "no method"
    reason = f"Prefers {label}, but {_why_not_electronic(party, mobile=mobile)}."
    if party.phone:
        return Route(method=ManualContact.Method.PHONE, reason=reason[:200])
    return Route(method=ManualContact.Method.LETTER, reason=reason[:200])


def volunteer_route(volunteer) -> Route | None:
    """A mediator hears by email, or by text to a mobile when they have no email; never by a
    task (they see their sessions on their home page and calendar)."""
    if volunteer.email:
        return Route(channel=OutboxMessage.Channel.EMAIL, address=volunteer.email)
    if is_mobile(volunteer.phone):
        return Route(channel=OutboxMessage.Channel.SMS, address=volunteer.phone)
    return None
