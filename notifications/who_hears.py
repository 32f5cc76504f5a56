"""Who will be reminded of a session, and how, in words for the coordinator who booked it: the
page says what will really happen — who gets a text or an email, and who needs a call or a
letter from the office (notifications.manual) — instead of promising everyone a reminder."""

from django.utils.text import get_text_list

from .models import ManualContact, OutboxMessage


def _names(people) -> str:
    return get_text_list(sorted(people), "and")


def reminder_summary(session) -> str:
    """E.g. "Reminders will go to Alice Carter by text message, and to Martin Hughes and Grace
    Obi by email. Bob Dunn needs a phone call (see To phone or write on the case page)." Two
    queries."""
    by_channel: dict[str, set[str]] = {}
    pending = session.reminders.filter(
        kind=OutboxMessage.Kind.SESSION_REMINDER, status=OutboxMessage.Status.PENDING
    ).values_list("channel", "party__full_name", "volunteer__first_name", "volunteer__last_name")
    for channel, party, first, last in pending:
        by_channel.setdefault(channel, set()).add(party or f"{first} {last}".strip())
    by_hand: dict[str, set[str]] = {}
    tasks = session.manual_contacts.filter(
        kind=ManualContact.Kind.SESSION_REMINDER, status=ManualContact.Status.OPEN
    ).values_list("method", "party__full_name")
    for method, party in tasks:
        by_hand.setdefault(method, set()).add(party)
    if not by_channel and not by_hand:
        return "No reminders: it is too soon, or nobody attending can be reminded."
    words = []
    if by_channel:
        labels = dict(OutboxMessage.Channel.choices)
        parts = [
            f"{_names(people)} by {labels[channel].lower()}"
            for channel, people in sorted(by_channel.items())
        ]
        words.append(f"Reminders will go to {'; to '.join(parts)}.")
    if by_hand:
        needs = {
            ManualContact.Method.PHONE: "a phone call",
            ManualContact.Method.LETTER: "a letter",
        }
        parts = [
            f"{_names(people)} {'needs' if len(people) == 1 else 'need'} {needs[method]}"
            for method, people in sorted(by_hand.items())
        ]
        words.append(
            f"{get_text_list(parts, 'and')} from the office (To phone or write, on the case page)."
        )
    return " ".join(words)
