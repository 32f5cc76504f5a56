"""What the reply tests share: a party's link, requests from a party's address, a reminder."""

import datetime

from django.utils import timezone

from notifications.models import OutboxMessage, PartyReply
from notifications.reply_links import reply_token

ADDRESS = "203.0.113.7"


def url_for(party, session):
    return f"/r/{reply_token(party_id=party.pk, session_id=session.pk)}/"


def get(client, url, address=ADDRESS):
    return client.get(url, REMOTE_ADDR=address)


def post(client, url, address=ADDRESS, **data):
    return client.post(url, data, REMOTE_ADDR=address)


def reminder(session, party, channel):
    return OutboxMessage(
        kind="session_reminder", channel=channel, session=session, party=party,
        address="x", due_at=timezone.now(), context={},
    )  # fmt: skip


def reply(party, session, answer, reason="", minutes_ago=0, for_starts_at=None):
    return PartyReply.objects.create(
        party=party, session=session, answer=answer, reason=reason, channel="web",
        received_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        for_starts_at=for_starts_at or session.starts_at,
    )  # fmt: skip
