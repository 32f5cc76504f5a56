"""Public answers to reminders: the page a party's personal link opens, and the webhook the SMS
provider forwards texts to. Neither needs a login; both are thin: the rules are in
notifications.replies."""

import hmac
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from audit.context import acting_in
from audit.models import AuditEvent
from audit.services import record_event
from wkm.forms import add_service_errors

from . import replies
from .forms import ReplyForm
from .link_pages import render_link_page, throttle
from .models import PartyReply
from .replies import LinkState

logger = logging.getLogger(__name__)

TOO_MANY_REPLIES = (
    "We already have several answers from you about this appointment. To change it again, "
    "please phone us on {phone}."
)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reply(request, token):
    """A party's own appointment and three answers. Anything but a live link of theirs answers
    404 and tells nothing; a session that is off, or a party we may no longer contact, gets a
    page asking them to phone."""
    hashed_ip, too_many = throttle(request)
    if too_many:
        return too_many
    link = replies.open_link(token)
    if link.state is LinkState.WRONG:
        replies.record_miss(hashed_ip)
        raise Http404
    if link.state is LinkState.EXPIRED:
        raise Http404
    if link.state is LinkState.CLOSED:
        return render_link_page(request, "notifications/reply_closed.html")
    party, session = link.party, link.session
    form = ReplyForm(
        request.POST if request.method == "POST" else None,
        initial={"shown_start": session.starts_at.isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            replies.reply_record(
                party=party,
                session=session,
                answer=form.cleaned_data["answer"],
                reason=form.cleaned_data["reason"],
                channel=PartyReply.Channel.WEB,
                hashed_ip=hashed_ip,
                about=form.cleaned_data["shown_start"],
            )
        except replies.ReplyRefused:
            return render_link_page(request, "notifications/reply_closed.html")
        except replies.TooManyReplies:
            form.add_error(None, TOO_MANY_REPLIES.format(phone=settings.SERVICE_PHONE))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(f"{request.path}?sent=1")
    if request.method != "POST":
        # A member of the public: the trail keeps no address (as for the public forms).
        with acting_in(None):
            record_event(
                action=AuditEvent.Action.VIEW,
                obj=session,
                object_repr="Reply page of a party",
                case_reference=session.case.reference,
                detail={"reply_page": "viewed", "party": party.pk},
            )
    return render_link_page(
        request,
        "notifications/reply.html",
        {
            "appointment": replies.appointment(session, party=party),
            "latest": replies.latest_reply(party, session),
            "sent": request.GET.get("sent") == "1",
            "form": form,
            "form_list": [form],
        },
    )


def _authorised(request) -> bool:
    """The provider sends ``Authorization: Bearer <SMS_INBOUND_TOKEN>``, compared in constant
    time."""
    sent = request.headers.get("Authorization", "")
    scheme, _, token = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), settings.SMS_INBOUND_TOKEN.encode()
    )


@login_not_required
@csrf_exempt
@require_POST
def sms_inbound(request):
    """A text sent back to the service, as JSON ``{"from", "body", "id"}``. Off (404) unless
    SMS_INBOUND_TOKEN is set; 403 without it. Every text from a known or unknown number gets
    the same 200: the answer tells nothing about who is on the service's books."""
    if not settings.SMS_INBOUND_TOKEN:
        raise Http404
    if not _authorised(request):
        return HttpResponseForbidden()
    try:
        data = json.loads(request.body)
        sender, body, message_id = data["from"], data.get("body", ""), data["id"]
    except (RequestDataTooBig, ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    if not all(isinstance(v, str) for v in (sender, body, message_id)) or not message_id:
        return HttpResponseBadRequest()
    outcome = replies.text_received(sender=sender, body=body, message_id=message_id[:200])
    logger.info("Inbound text %s: %s", message_id[:40], outcome)
    return JsonResponse({"ok": True})
