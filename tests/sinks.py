"""Message sinks for integration tests: an email backend and an SMS backend that record every
attempt in Redis, as a provider honouring idempotency keys would.

- ``<prefix>:attempts`` (hash): idempotency key -> number of times it was handed over;
- ``<prefix>:delivered`` (set): the keys delivered, each once, however often it was handed over.

The worker under test is started with EMAIL_BACKEND / SMS_BACKEND pointing here and
WKM_TEST_SINK naming the prefix, so the test process can read what the worker "sent".
"""

import os
import smtplib

import redis
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


def _client():
    return redis.Redis.from_url(settings.REDIS_URL)


def record(key: str) -> None:
    prefix = os.environ.get("WKM_TEST_SINK", "sink")
    pipe = _client().pipeline()
    pipe.hincrby(f"{prefix}:attempts", key, 1)
    pipe.sadd(f"{prefix}:delivered", key)
    pipe.execute()


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            record(message.extra_headers["Message-ID"].strip("<>").split("@")[0])
        return len(email_messages)


class SMTPDown(BaseEmailBackend):
    """A mail server that is down: every send fails as smtplib does when it cannot connect."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "Service not available (test: SMTP is down)")


class SMSBackend:
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        record(idempotency_key)
        return f"sink-{idempotency_key}"


def read(prefix: str) -> tuple[dict[str, int], set[str]]:
    client = _client()
    attempts = {k.decode(): int(v) for k, v in client.hgetall(f"{prefix}:attempts").items()}
    delivered = {k.decode() for k in client.smembers(f"{prefix}:delivered")}
    return attempts, delivered


def clear(prefix: str) -> None:
    _client().delete(f"{prefix}:attempts", f"{prefix}:delivered")
