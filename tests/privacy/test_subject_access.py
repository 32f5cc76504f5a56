"""Subject access: coordinators find a person, open a request with a one-month deadline, and
download everything held about them — never another party's private notes or details."""

import datetime
import io
import json

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from documents.models import CaseFile
from notifications.models import PartyReply
from parties.models import Consent, Party
from parties.validators import display_phone
from privacy import services
from privacy.models import SubjectAccessRequest, due_date
from sessions.models import MediationSession
from tests.factories import AccreditationFactory, TrainingFactory, VolunteerFactory
from tests.privacy.planted import plant
from volunteers.models import Accreditation, Volunteer

pytestmark = pytest.mark.django_db

# What Carol must never be given: the other parties' private notes, their contact details, and
# the notes of the joint meeting (which record what they said).
NEVER = (
    "in debt and drinks", "expecting a baby", "dan.fowler@example.org", "erin.green@example.org",
    "07700 900456", "07700 900789", "+447700900456", "TN9 2RL", "TN9 2SA", "16 Quarry Hill",
    "2 Lodge Oak", "works nights", "exaggerating", "Dan Fowler can only come",
    "Dan Fowler: the mediators", "Erin Green: the mediators",
)  # fmt: skip


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def sar(world, coordinator):
    """Carol asked three days ago, identity checked, naming no volunteers."""
    return services.request_open(
        by=coordinator,
        fields={
            "subject_name": "Carol Evans",
            "requester": "Carol herself, by email; identity checked by phone",
            "requested_on": timezone.localdate() - datetime.timedelta(days=3),
        },
        parties=[world.old.carol, world.recent.carol],
        volunteers=[],
    )


URLS = [
    "/privacy/",
    "/privacy/subject-access/?q=Carol",
    "/privacy/requests/new/",
    "/privacy/requests/{pk}/",
    "/privacy/requests/{pk}/export.pdf",
    "/privacy/requests/{pk}/export.json",
    "/privacy/requests/{pk}/export.zip",
    "/privacy/requests/{pk}/erase/",
]


@pytest.mark.parametrize("url", URLS)
def test_only_coordinators_reach_the_pages(
    url, sar, client, login, mediator, supervisor, administrator
):
    url = url.format(pk=sar.pk)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (mediator, supervisor, administrator):
        assert login(user).get(url).status_code == 403
    client.logout()


@pytest.mark.parametrize("url", URLS)
def test_a_coordinator_gets_200(url, sar, login, coordinator):
    assert login(coordinator).get(url.format(pk=sar.pk)).status_code == 200


@pytest.mark.parametrize(
    "text", ["carol", "CAROL.EVANS@example.org", "07700 900123", "tn92rj", "TN9"]
)
def test_search_finds_the_person_by_name_email_phone_or_postcode(text, world, login, coordinator):
    response = login(coordinator).get("/privacy/subject-access/", {"q": text})

    page = response.content.decode()
    assert world.old.case.reference in page and world.recent.case.reference in page
    assert f'name="party" value="{world.old.carol.pk}"' in page
    assert f'name="party" value="{world.recent.carol.pk}"' in page
    event = AuditEvent.objects.filter(object_repr="Subject access search").latest("at")
    assert text.lower() not in json.dumps(event.detail).lower()


def test_search_finds_volunteers_and_only_those_who_match(world, login, coordinator):
    page = login(coordinator).get("/privacy/subject-access/", {"q": "grace obi"}).content.decode()
    assert f'name="volunteer" value="{world.pair[1].pk}"' in page
    assert f'name="volunteer" value="{world.pair[0].pk}"' not in page
    assert 'name="party"' not in page


def test_opening_a_request_from_the_search(world, login, coordinator):
    client = login(coordinator)
    ids = {"party": [world.old.carol.pk, world.recent.carol.pk], "volunteer": []}
    form = client.get("/privacy/requests/new/", ids).content.decode()
    assert form.count("Carol Evans, party in") == 2

    response = client.post(
        "/privacy/requests/new/",
        {**ids, "subject_name": "Carol Evans", "requester": "Carol, by letter",
         "requested_on": "2026-01-31"},
    )  # fmt: skip

    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/privacy/requests/{sar.pk}/"
    assert sar.due_on == datetime.date(2026, 2, 28)  # one calendar month, kept in February
    assert set(sar.parties.all()) == {world.old.carol, world.recent.carol}
    event = AuditEvent.objects.get(object_type="privacy.subjectaccessrequest", action="create")
    assert "Carol" not in json.dumps([event.object_repr, event.detail])


def test_a_future_date_is_refused_next_to_its_field(world, login, coordinator):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(coordinator).post(
        "/privacy/requests/new/",
        {"party": [world.old.carol.pk], "subject_name": "Carol Evans", "requester": "Carol",
         "requested_on": tomorrow.isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert 'value="Carol Evans"' in response.content.decode()  # nothing typed is lost
    assert not SubjectAccessRequest.objects.exists()


def test_due_dates_are_one_calendar_month():
    assert due_date(datetime.date(2026, 3, 15)) == datetime.date(2026, 4, 15)
    assert due_date(datetime.date(2028, 1, 31)) == datetime.date(2028, 2, 29)
    assert due_date(datetime.date(2026, 12, 20)) == datetime.date(2027, 1, 20)


def test_the_list_shows_deadlines_and_flags_the_overdue(sar, coordinator, login):
    late = services.request_open(
        by=coordinator,
        fields={"subject_name": "Someone Else", "requester": "Their solicitor",
                "requested_on": timezone.localdate() - relativedelta(months=1, days=2)},
    )  # fmt: skip
    page = login(coordinator).get("/privacy/").content.decode()
    rows = page.split("<tr>")
    late_row = next(r for r in rows if f"#{late.pk} " in r)
    on_time_row = next(r for r in rows if f"#{sar.pk} " in r)
    assert "Overdue" in late_row and "Overdue" not in on_time_row
    assert f"{sar.due_on:%-d} {sar.due_on:%b %Y}" in on_time_row
    assert late.overdue and not sar.overdue


def test_the_pdf_holds_both_cases_and_nothing_of_the_other_parties(sar, world, login, coordinator):
    response = login(coordinator).get(f"/privacy/requests/{sar.pk}/export.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="subject-access-request-{sar.pk}.pdf"'
    text = pdf_text(response.content)
    assert world.old.case.reference in text and world.recent.case.reference in text
    for mine in ("Carol Evans", "14 Quarry Hill Road", "carol.evans@example.org",
                 "worried about her tenancy", "Tuesday evenings", "repair the fence panel",
                 "Carol talked about the fence", "Letters sent",
                 "Your answers to our surveys", "Carol: the music started again"):  # fmt: skip
        assert mine in text, mine
    for secret in NEVER:
        assert secret not in text, secret
    assert "son is frightened" not in text  # safeguarding notes only when asked for
    event = AuditEvent.objects.get(action="export", object_id=str(sar.pk))
    assert event.detail == {"format": "pdf", "cases": 2, "volunteer_records": 0,
                            "safeguarding_notes": False}  # fmt: skip


def test_the_json_holds_the_same_data(sar, world, login, coordinator):
    # Even where the other party consented to share their details with Carol for the mediation.
    response = login(coordinator).get(f"/privacy/requests/{sar.pk}/export.json")

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].endswith(f'"subject-access-request-{sar.pk}.json"')
    raw = response.content.decode()
    data = json.loads(raw)
    assert [c["case"]["reference"] for c in data["cases"]] == [
        world.old.case.reference, world.recent.case.reference,
    ]  # fmt: skip
    old = data["cases"][0]
    details = {row["field"]: row["value"] for row in old["your_details"]}
    assert details["full_name"] == "Carol Evans" and details["postcode"] == "TN9 2RJ"
    assert details["ethnicity"] == "White"
    assert [e["what"] for e in old["timeline"]] == [
        "Letters sent to both households.",
        "Called Carol: she can meet on Tuesday evenings.",
        "Carol privately: she is worried about her tenancy.",
        # The services' updates about her (not those about the other household).
        "Carol Evans signed agreement version 1.",
    ]
    assert [e["private_to_you"] for e in old["timeline"]] == [False, False, True, False]
    assert [s["notes"] for s in old["sessions"]] == [
        "Carol talked about the fence and her son.",
        None,
    ]
    assert old["other_people_in_the_case"] == ["Dan Fowler"]
    # Her own answer to a reminder, in her words; never the other party's (NEVER).
    assert [a["reason"] for a in old["answers_to_reminders"]] == [
        "Carol Evans can only come in the evening"
    ]
    # Her answers to the surveys, in her words; never the other party's (NEVER).
    surveys = old["survey_answers"]
    assert [s["survey"] for s in surveys] == ["Feedback after closing", "Outcome follow-up"]
    assert surveys[0]["answers"][0] == {"question": "I felt listened to", "answer": "Agree"}
    assert surveys[0]["answers"][-1]["answer"].startswith("Carol Evans: the mediators were kind")
    assert {"question": "Contacted the police about it since", "answer": "Yes"} in surveys[1][
        "answers"
    ]
    assert old["agreements"][0]["your_signature"]["note"].startswith("Signed at the Angel")
    assert len(old["consents"]) == 3 and old["letters"][0]["letter"] == "Outcome letter"
    assert old["messages"][0]["to"] == "07700 900123"
    for secret in NEVER:
        assert secret not in raw, secret
    assert AuditEvent.objects.filter(action="export", detail__format="json").count() == 1


def test_safeguarding_notes_only_when_the_coordinator_includes_them(sar, login, coordinator):
    client = login(coordinator)
    without = json.loads(client.get(f"/privacy/requests/{sar.pk}/export.json").content)
    assert "Safeguarding notes are not included" in " ".join(without["not_included"])

    with_notes = client.get(
        f"/privacy/requests/{sar.pk}/export.json", {"include_safeguarding": "on"}
    ).content.decode()
    assert "son is frightened" in with_notes
    assert AuditEvent.objects.filter(action="export", detail__safeguarding_notes=True).exists()


def test_after_retention_the_export_still_lists_both_cases(
    sar, world, login, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_retention()

    data = json.loads(login(coordinator).get(f"/privacy/requests/{sar.pk}/export.json").content)

    old, recent = data["cases"]
    assert old["case"]["reference"] == world.old.case.reference and old["anonymised"] is True
    assert {r["field"]: r["value"] for r in old["your_details"]}["full_name"] == (
        "Party 1 (anonymised)"
    )
    assert recent["anonymised"] is False and "Carol Evans" in json.dumps(recent)


def test_a_volunteers_copy(world, coordinator, login):
    volunteer = world.pair[0]
    TrainingFactory(volunteer=volunteer, course="parent_teen", hours=12, notes="Evening course")
    sar = services.request_open(
        by=coordinator,
        fields={"subject_name": "Martin Hale", "requester": "Martin, in person",
                "requested_on": timezone.localdate()},
        volunteers=[volunteer],
    )  # fmt: skip

    client = login(coordinator)
    data = json.loads(client.get(f"/privacy/requests/{sar.pk}/export.json").content)
    text = pdf_text(client.get(f"/privacy/requests/{sar.pk}/export.pdf").content)

    record = data["volunteer_records"][0]
    assert {r["field"]: r["value"] for r in record["record"]}["email"] == "martin@example.org"
    assert len(record["dbs_checks"]) == 1 and len(record["training"]) == 2
    assert record["accreditations"][0]["accreditation"] == "Community mediation"
    assert {a["case"] for a in record["assignments"]} == {
        world.old.case.reference, world.recent.case.reference,
    }  # fmt: skip
    assert data["cases"] == []
    assert "Martin" in text and "DBS checks" in text and world.old.case.reference in text
    assert "Carol" not in text  # the cases they mediated, by reference only


def test_the_copy_holds_every_field_declared_about_the_person(world, coordinator):
    """A value planted in every contact and personal field that a party, their consents, a
    volunteer and their accreditations declare (wkm.personal_data) is in the person's copy: a
    field added and declared is given to them
    without anyone remembering to list it in the export."""
    applicant = VolunteerFactory(status="applicant")
    AccreditationFactory(volunteer=applicant)
    carol = world.old.carol
    start = timezone.now() - datetime.timedelta(days=30)
    session = MediationSession.objects.create(
        case=carol.case, kind="separate", mode="office", starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )  # fmt: skip
    PartyReply.objects.create(
        party=carol, session=session, answer="rearrange", channel="web",
        received_at=start - datetime.timedelta(days=2), for_starts_at=start,
    )  # fmt: skip
    planted = plant(
        {
            Party: Party.objects.filter(pk=carol.pk),
            Consent: Consent.objects.filter(party=carol),
            PartyReply: PartyReply.objects.filter(party=carol),
            Volunteer: Volunteer.objects.filter(pk=applicant.pk),
            Accreditation: Accreditation.objects.filter(volunteer=applicant),
            CaseFile: CaseFile.objects.filter(party=carol),
        }
    )
    # A salted hash of the address an answer came from: a guard against abuse, meaningless
    # to them, and not given (as the audit trail's addresses are not).
    planted = {k: v for k, v in planted.items() if k[:3:2] != (PartyReply, "ip_hash")}
    sar = services.request_open(
        by=coordinator,
        fields={"subject_name": "Carol Evans", "requester": "Carol",
                "requested_on": timezone.localdate()},
        parties=[world.old.carol], volunteers=[applicant],
    )  # fmt: skip

    copy = services.request_export(sar=sar, by=coordinator, fmt="json", include_safeguarding=True)

    text = copy.decode()
    missing = [
        f"{model.__name__}.{name}"
        for (model, _, name), value in planted.items()
        # (a phone number is shown as it is dialled)
        if value not in text and display_phone(value) not in text
    ]
    assert missing == []


def test_closing_a_request(sar, login, coordinator):
    client = login(coordinator)
    refused = client.post(
        f"/privacy/requests/{sar.pk}/status/",
        {"status": "refused", "completed_on": timezone.localdate().isoformat(), "notes": ""},
    )
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()

    client.post(
        f"/privacy/requests/{sar.pk}/status/",
        {"status": "completed", "completed_on": timezone.localdate().isoformat()},
    )
    sar.refresh_from_db()
    assert sar.status == "completed" and sar.completed_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="transition", object_id=str(sar.pk)).exists()
