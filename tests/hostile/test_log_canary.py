"""Confidential notes never reach the logs: a canary typed into a case summary, a contact log
entry, a party's safeguarding notes, a session's notes and an agreement is created, viewed,
edited, searched for, exported and printed, with every logger at DEBUG, and no log record
carries it (message, arguments or traceback)."""

import logging

import pytest

from cases.models import Case, ContactLogEntry
from sessions.models import MediationSession

from .conftest import form_time, local, verified_login

pytestmark = pytest.mark.django_db

CANARY = "Zq7canary4f1e9b"


@pytest.fixture
def all_logs(caplog):
    """Every logger at DEBUG, propagating to the root where caplog listens."""
    manager = logging.root.manager
    names = [name for name, obj in manager.loggerDict.items() if isinstance(obj, logging.Logger)]
    saved = {}
    for name in names:
        logger = logging.getLogger(name)
        saved[name] = (logger.propagate, logger.disabled)
        logger.propagate, logger.disabled = True, False
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, (propagate, disabled) in saved.items():
        logger = logging.getLogger(name)
        logger.propagate, logger.disabled = propagate, disabled


def leaks(caplog) -> list[str]:
    found = []
    for record in caplog.records:
        parts = [str(record.msg), repr(record.args), record.exc_text or "", record.stack_info or ""]
        try:
            parts.append(record.getMessage())
        except Exception as error:  # noqa: BLE001 - a broken record is a finding, not a crash
            parts.append(repr(error))
        if any(CANARY in part for part in parts):
            found.append(f"{record.name}:{record.levelname}: {record.getMessage()[:200]}")
    if CANARY in caplog.text:
        found.append("caplog.text")
    return found


def test_notes_never_reach_the_logs(all_logs, staff, active_case, coordinator, mediator):
    client, case = staff, active_case
    ref = case.reference
    party = case.parties.order_by("id").first()

    # Created: a referral, a timeline note (a draft, then published), safeguarding notes.
    response = client.post(
        "/cases/new/",
        {
            "dispute_type": "neighbour", "referral_source": "self", "received_on": "2026-11-02",
            "summary": f"Summary {CANARY}", "risk_notes": f"Risk {CANARY}",
            "parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0",
            "parties-0-full_name": "Alice Carter", "parties-0-role": "first_party",
            "parties-0-postcode": "TN9 1AA", "parties-0-preferred_contact": "letter",
            "parties-0-safeguarding_notes": f"Safeguarding {CANARY}",
        },
    )  # fmt: skip
    assert response.status_code == 302
    new_case = Case.objects.get(summary__contains=CANARY)
    response = client.post(
        f"/cases/{ref}/log/",
        {"kind": "call", "occurred_at": form_time(local(-1)), "party": party.pk,
         "text": f"Private {CANARY}", "private_to": party.pk, "is_draft": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    entry = ContactLogEntry.objects.get(text__contains=CANARY, case=case)
    response = client.post(
        f"/cases/{ref}/parties/{party.pk}/edit/",
        {"full_name": party.full_name, "role": party.role, "postcode": party.postcode,
         "preferred_contact": "letter", "safeguarding_notes": f"Edited {CANARY}"},
    )  # fmt: skip
    assert response.status_code == 302

    # A session booked with notes, then its outcome recorded with new notes.
    response = client.post(
        f"/cases/{ref}/sessions/new/",
        {"kind": "separate", "mode": "office", "venue": "The office",
         "starts_at": form_time(local(-2, 10)), "ends_at": form_time(local(-2, 11)),
         "parties": [p.pk for p in case.parties.all()], "held": "on",
         "notes": f"Session {CANARY}"},
    )  # fmt: skip
    assert response.status_code == 302
    session = MediationSession.objects.get(notes__contains=CANARY)
    response = client.post(
        f"/cases/{ref}/sessions/{session.pk}/outcome/",
        {"status": "held", "notes": f"Outcome {CANARY}"},
    )
    assert response.status_code == 302

    # Edited: the draft published.
    response = client.post(
        f"/cases/{ref}/log/{entry.pk}/edit/",
        {"kind": "call", "occurred_at": form_time(local(-1)), "party": party.pk,
         "text": f"Published {CANARY}", "private_to": party.pk},
    )  # fmt: skip
    assert response.status_code == 302

    # An agreement with the canary in its words, printed.
    client.post(f"/cases/{ref}/agreements/new/")
    draft = case.agreements.get()
    client.post(f"/cases/{ref}/agreements/{draft.pk}/", {"introduction": f"Intro {CANARY}"})
    client.post(
        f"/cases/{ref}/agreements/{draft.pk}/",
        {
            "introduction": f"Intro {CANARY}",
            "action": "add_term",
            "term-who": "Both",
            "term-what": f"term {CANARY}",
            "term-by_when": "",
        },  # fmt: skip
    )

    # Refused forms carry it back to the page, not to the log.
    response = client.post(f"/cases/{ref}/log/", {"kind": "call", "text": f"{CANARY}\x00"})
    assert response.status_code == 200

    # Viewed, searched for, exported, printed.
    for url in (
        f"/cases/{ref}/",
        f"/cases/{new_case.reference}/",
        f"/cases/{ref}/parties/{party.pk}/",
        f"/cases/{ref}/sessions/{session.pk}/",
        f"/cases/{ref}/sessions/{session.pk}/ics/",
        f"/cases/{ref}/agreements/{draft.pk}/",
        f"/cases/?q={CANARY}",
        f"/cases/export.csv?q={CANARY}",
        f"/cases/{ref}/agreements/{draft.pk}/pdf/",
        f"/cases/{ref}/parties/{party.pk}/letters/invitation.pdf",
        f"/cases/{ref}/audit/",
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    assert CANARY in client.get(f"/cases/{ref}/").content.decode()  # it is there to be leaked
    # Exported through the worker (exports), searched for with it.
    from tests.exports.conftest import build_queued

    assert client.post(f"/cases/export.csv?q={CANARY}").status_code == 302
    assert client.post("/reports/summary.pdf").status_code == 302
    assert [export.status for export in build_queued()] == ["ready", "ready"]

    # The case's mediator sees it too; an outsider's guess at the case is a 404.
    from tests.factories import assign

    assign(case, mediator, role="co_mediator")
    other = verified_login(type(client)(), mediator)
    assert other.get(f"/cases/{ref}/").status_code == 200

    records = [r for r in all_logs.records if r.name == "documents.rendering"]
    assert records, "the capture saw nothing: is logging wired to caplog?"
    assert leaks(all_logs) == []


def test_the_capture_would_see_a_leak(all_logs):
    """The check itself: a DEBUG record from a logger the settings quieten (WeasyPrint's), with
    the canary only in its arguments, is caught."""
    logging.getLogger("weasyprint").debug("laid out %s", f"a note: {CANARY}")
    logging.getLogger("notifications.sms").info("sent %r", {"body": CANARY})

    assert len(leaks(all_logs)) >= 2
