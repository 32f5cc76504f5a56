"""Sending text messages: a small interface with two backends, chosen by SMS_BACKEND.

A backend's ``send(to, body, idempotency_key)`` returns the provider's message id, or raises
SMSError. The idempotency key is the same for every attempt at one reminder, so a provider that
honours it never delivers a retried message twice.
"""

import json
import logging
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SMSError(Exception):
    pass


class LoggingBackend:
    """The default: records the message in the log (number partly masked) and sends nothing."""

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        message_id = f"log-{uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key)}"
        logger.info("SMS to …%s (%d characters) id=%s", to[-3:], len(body), message_id)
        return message_id


class HttpBackend:
    """A JSON-over-HTTPS provider: POST {to, from, body} with a bearer token and an
    Idempotency-Key header to SMS_HTTP_URL; the answer's "id" is the provider's message id."""

    timeout = 10

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        if not settings.SMS_HTTP_URL.startswith("https://"):
            raise SMSError("SMS_HTTP_URL must be an https:// address")
        request = urllib.request.Request(  # noqa: S310 - https only, checked above
            settings.SMS_HTTP_URL,
            data=json.dumps({"to": to, "from": settings.SMS_SENDER, "body": body}).encode(),
            headers={
                "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key,
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SMSError(f"SMS provider: {error}") from error
        if not answer.get("id"):
            raise SMSError("SMS provider answered without a message id")
        return str(answer["id"])


def get_backend():
    return import_string(settings.SMS_BACKEND)()
