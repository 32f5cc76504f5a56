"""The main journeys, in a real browser: the coordinator's (from a self-referral to a closed case),
the mediator's, the supervisor's, and the public forms. Every page visited is scanned with
axe-core (see conftest.scan)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, ContactLogEntry
from notifications import dispatch
from notifications.models import OutboxMessage
from parties.models import Consent
from sessions.models import MediationSession
from sessions.services import session_book
from tests.e2e.conftest import scan
from tests.factories import UserFactory, eligible_volunteer, held_session, ready_case
from volunteers import services as volunteer_services
from volunteers.models import TraineeCase, Volunteer

pytestmark = pytest.mark.django_db(transaction=True)


def starts(text: str) -> re.Pattern:
    """A label that starts with ``text`` (required fields' labels end with an asterisk)."""
    return re.compile(r"^\s*" + re.escape(text))


def london(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def fill_self_referral(page, *, postcode="TN9 1AA"):
    """The public form, as a person who wants help fills it in."""
    page.get_by_label("I am one of the people in the disagreement").check()
    page.get_by_label("With a neighbour").check()
    page.get_by_label("What is happening?").fill(
        "Loud music from next door most nights until 2am. We have asked twice."
    )
    page.get_by_label("Who is it with? (optional)").fill("Bob Dunn at number 14")
    page.get_by_label(starts("Full name")).fill("Alice Carter")
    page.get_by_label("Phone call").check()
    page.get_by_label(starts("Phone number")).fill("01732 123456")
    page.get_by_label("Address line 1").fill("12 Quarry Hill Road")
    page.get_by_label("Town or city").fill("Tonbridge")
    page.get_by_label(starts("Postcode")).fill(postcode)
    page.get_by_label("When is it safe to contact you?").fill("Weekday mornings")
    page.get_by_label("I agree to be contacted about this").check()
    page.get_by_label("I agree to West Kent Mediation keeping").check()


def test_the_coordinator_takes_a_self_referral_to_a_closed_case(open_page, coordinator):
    lead = eligible_volunteer(first_name="Martin", last_name="Lead", postcode="ME15 6RT")
    co = eligible_volunteer(first_name="Grace", last_name="Co", postcode="TN4 9LH")

    # A member of the public asks for help.
    public = open_page()
    public.goto("/help/")
    scan(public, "public home")
    public.get_by_role("link", name="Ask for help").first.click()
    scan(public, "self-referral form")
    fill_self_referral(public)
    public.get_by_role("button", name="Send my request for help").click()
    expect(public.get_by_role("heading", level=1)).to_contain_text("we have your request")
    expect(public.locator("main")).to_contain_text("by phone call, at the times given")
    scan(public, "referral confirmation")
    case = Case.objects.get()
    assert (case.referral_source, case.created_by) == ("self", None)

    # The coordinator sees it on their home page, and opens it from the case list.
    page = open_page(coordinator)
    page.goto("/")
    expect(page.locator("section[aria-labelledby=by-status]")).to_contain_text("Referred")
    scan(page, "coordinator home")
    page.goto("/volunteers/")
    scan(page, "volunteer list")
    page.goto("/cases/")
    scan(page, "case list (coordinator)")
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    scan(page, "case page (referred)")
    page.get_by_role("button", name="Start contacting parties").click()
    expect(page.locator(".badge").first).to_have_text("Contacting parties")

    # A call goes on the timeline.
    page.locator("summary", has_text="Add a call, letter, visit or note").click()
    page.locator("#id_kind").select_option("call")
    page.locator("#id_text").fill("Called Alice: she is happy for us to write to Bob.")
    page.get_by_role("button", name="Add to timeline").click()
    expect(page.get_by_text("Added to the case timeline.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Called Alice: she is happy")

    # The other party is added, then everyone's consent is recorded.
    page.get_by_role("link", name="Add a party").click()
    scan(page, "add a party")
    page.locator("#id_full_name").fill("Bob Dunn")
    page.locator("#id_role").select_option("other_party")
    page.locator("#id_address_line1").fill("14 Quarry Hill Road")
    page.locator("#id_postcode").fill("tn9 1ab")
    page.locator("#id_preferred_contact").select_option("letter")
    page.get_by_role("button", name="Add party").click()
    page.goto(f"/cases/{case.reference}/")
    page.get_by_role("button", name="Parties contacted: await consent").click()
    expect(page.get_by_text("Waiting for consent from")).to_be_visible()
    needed = {"Alice Carter": ["mediate"], "Bob Dunn": ["mediate", "data_processing"]}
    labels = {"mediate": "To take part in mediation", "data_processing": "To the processing"}
    for name, kinds in needed.items():
        # Every consent a party gives, in one submit.
        page.get_by_role("link", name=f"Record consent for {name}").click()
        if name == "Bob Dunn":
            scan(page, "record consent")
        for kind in kinds:
            page.get_by_label(labels[kind]).check()
        page.get_by_label("Verbally").check()
        page.get_by_role("button", name="Record consent").click()
        expect(page.get_by_text(f"Consent recorded for {name}:")).to_be_visible()
    expect(page.get_by_text("Every party has consented to mediation.")).to_be_visible()
    page.get_by_role("button", name="All consents in: ready to assign").click()
    expect(page.locator(".badge").first).to_have_text("Ready to assign")

    # A pair is assigned from the suggestions.
    page.get_by_role("link", name="Assign a pair").click()
    scan(page, "assign a pair")
    page.get_by_role("button", name=re.compile(r"^Assign (Martin|Grace) ")).first.click()
    expect(page.locator(".badge").first).to_have_text("Active")
    assert case.assignments.filter(ended_on__isnull=True).count() == 2
    scan(page, "case page (active)")

    # A session is booked three days ahead; its 48-hour reminders go out.
    page.get_by_role("link", name="Book a session").click()
    scan(page, "book a session")
    page.locator("#id_kind").select_option("separate")
    page.locator("#id_mode").select_option("office")
    page.locator("#id_venue").fill("WKM office, 1 High Street, Tonbridge")
    page.locator("#id_starts_at").fill(london(3, 10).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_ends_at").fill(london(3, 11, 30).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Book the session").click()
    expect(page.get_by_text("Session booked")).to_be_visible()
    session = MediationSession.objects.get(case=case)
    assert set(session.mediators.all()) == {lead, co}
    day_before = OutboxMessage.objects.filter(session=session, lead_minutes=48 * 60)
    assert day_before.exists()
    day_before.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    # The pair's assignment notices go in the same run.
    notices = OutboxMessage.objects.filter(kind="assigned", status="pending").count()
    assert dispatch.dispatch_due(max_seconds=10) == day_before.count() + notices
    assert {r.status for r in day_before.all()} == {"sent"}
    page.reload()
    expect(page.locator("main")).to_contain_text("Session reminder: sent")
    scan(page, "session page")

    # An agreement is drafted, agreed and downloaded.
    page.goto(f"/cases/{case.reference}/")
    page.get_by_role("link", name="Agreement versions and PDFs").click()
    scan(page, "agreements list")
    page.get_by_role("button", name="Start drafting an agreement").click()
    # The introduction typed first is kept when a term is added below it.
    page.get_by_label("Introduction").fill("We want to get on as neighbours.")
    page.locator("#id_term-who").fill("Alice Carter and Bob Dunn")
    page.locator("#id_term-what").fill("Keep music down after 11pm on weeknights")
    page.locator("#id_term-by_when").fill("from 1 December")
    page.get_by_role("button", name="Add term").click()
    expect(page.locator("main")).to_contain_text("will keep music down after 11pm")
    expect(page.get_by_label("Introduction")).to_have_value("We want to get on as neighbours.")
    scan(page, "agreement draft")
    page.get_by_role("link", name="Every party agrees: mark as agreed").click()
    scan(page, "agreement: confirm agreed")
    page.get_by_role("button", name="Yes, every party agrees: mark as agreed").click()
    expect(page.locator("h1 .badge")).to_have_text("Agreed")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith(case.reference)
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # The case is closed with an outcome.
    page.goto(f"/cases/{case.reference}/")
    page.get_by_role("link", name="Close case").click()
    scan(page, "close the case")
    page.locator("#id_outcome").select_option("full_agreement")
    page.get_by_role("button", name="Close case").click()
    expect(page.locator(".badge").first).to_have_text("Closed")
    expect(page.locator("main")).to_contain_text("Full agreement")
    scan(page, "case page (closed, follow-up due)")
    # The follow-up is done another way (a chat at the door): marked from the case page.
    page.get_by_role("button", name="Mark the follow-up as done").click()
    expect(page.locator("main")).to_contain_text("Followed up on")
    case.refresh_from_db()
    assert case.follow_up_done_on is not None
    assert (case.status, case.outcome) == ("closed", "full_agreement")
    assert ContactLogEntry.objects.filter(case=case, text__startswith="Called Alice").exists()
    assert Consent.objects.filter(party__case=case, withdrawn_at__isnull=True).count() == 4


def test_a_mediator_sees_only_their_cases_and_records_a_session(open_page, mediator, coordinator):
    mine = ready_case()
    me = eligible_volunteer(mediator, postcode="ME15 6RT")
    partner = eligible_volunteer(first_name="Grace", postcode="TN4 9LH")
    volunteer_services.assign_pair(case=mine, lead=me, co_mediator=partner, by=coordinator)
    theirs = ready_case()
    volunteer_services.assign_pair(
        case=theirs,
        lead=eligible_volunteer(first_name="Olu", postcode="ME16 8AA"),
        co_mediator=eligible_volunteer(first_name="Ruth", postcode="ME16 8AB"),
        by=coordinator,
    )
    session = session_book(
        case=mine,
        by=coordinator,
        kind="separate",
        mode="office",
        venue="WKM office",
        starts_at=london(3, 10),
        ends_at=london(3, 11),
        parties=list(mine.parties.all()),
    )
    # It has since taken place.
    MediationSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=2),
    )

    page = open_page(mediator)
    page.goto("/cases/")
    scan(page, "case list (mediator)")
    expect(page.get_by_role("link", name=mine.reference)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(theirs.reference)
    assert page.goto(f"/cases/{theirs.reference}/").status == 404
    page.goto("/cases/")
    page.get_by_role("link", name=mine.reference).click()
    scan(page, "case page (mediator)")
    page.locator("section[aria-labelledby=sessions-heading]").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Separate meeting")
    scan(page, "session page (mediator)")
    page.get_by_role("link", name="Record the outcome").click()
    scan(page, "record a session outcome")
    page.get_by_label("It was held").check()
    page.locator("#id_notes").fill("Both calmer. Alice wants a joint meeting next.")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text("Outcome recorded: Held.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Both calmer. Alice wants a joint meeting next.")
    session.refresh_from_db()
    assert session.status == "held" and session.notes.startswith("Both calmer")


def test_a_supervisor_signs_off_a_trainee_case(open_page, coordinator, supervisor, mediator):
    from accounts.roles import MEDIATOR

    trainee_user = UserFactory(
        username="trainee", first_name="Tess", last_name="Trainee", roles=[MEDIATOR]
    )
    trainee = eligible_volunteer(trainee_user, status="trainee", supervisor=supervisor)
    lead = eligible_volunteer(mediator)
    case = ready_case(received_on=timezone.localdate() - datetime.timedelta(days=20))
    volunteer_services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)
    from cases.services import case_close

    held_session(case)
    case_close(case=case, by=coordinator, outcome="full_agreement", closed_on=timezone.localdate())
    tc = TraineeCase.objects.get(case=case, trainee=trainee)
    volunteer_services.reflection_submit(
        trainee_case=tc, by=trainee_user, text="I listened more than I spoke."
    )
    volunteer_services.feedback_submit(trainee_case=tc, by=mediator, text="Calm and fair.")

    page = open_page(supervisor)
    page.goto("/supervision/")
    scan(page, "supervision")
    page.get_by_role("link", name=f"Review {case.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    scan(page, "trainee case (ready for sign-off)")
    page.locator("#id_comments").fill("Well handled; good summarising.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_role("status")).to_contain_text(f"{case.reference} is signed off")
    page.get_by_role("link", name=case.reference).first.click()
    expect(page.locator("h1 .badge")).to_have_text("Signed off")
    tc.refresh_from_db()
    assert (tc.status, tc.signed_by) == ("signed_off", supervisor)


def test_the_public_forms_keep_what_was_typed_when_something_is_wrong(open_page, coordinator):
    page = open_page()

    # A self-referral with a mistake, then corrected.
    page.goto("/help/refer/")
    fill_self_referral(page, postcode="TN99")
    page.get_by_label("I agree to West Kent Mediation keeping").uncheck()
    page.get_by_role("button", name="Send my request for help").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Enter a UK postcode, for example TN9 1AA.")
    expect(summary).to_contain_text("Tick this box so that we can keep your details.")
    scan(page, "self-referral form with errors")
    expect(page.get_by_label(starts("Full name"))).to_have_value("Alice Carter")
    expect(page.get_by_label("What is happening?")).to_have_value(
        "Loud music from next door most nights until 2am. We have asked twice."
    )
    expect(page.get_by_label(starts("Postcode"))).to_have_value("TN99")
    expect(page.get_by_label("With a neighbour")).to_be_checked()
    expect(page.get_by_label("Phone call")).to_be_checked()
    expect(page.get_by_label("I agree to be contacted about this")).to_be_checked()
    summary.get_by_role("link", name="Enter a UK postcode, for example TN9 1AA.").click()
    expect(page.get_by_label(starts("Postcode"))).to_be_focused()
    page.get_by_label(starts("Postcode")).fill("TN9 1AA")
    page.get_by_label("I agree to West Kent Mediation keeping").check()
    page.get_by_role("button", name="Send my request for help").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("we have your request")
    assert Case.objects.get().parties.get().postcode == "TN9 1AA"

    # A volunteer application with a mistake, then corrected.
    page.goto("/help/")
    page.get_by_role("link", name="Volunteer with us").click()
    scan(page, "volunteer application form")
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Email address").fill("priya@example.org")
    page.get_by_label(starts("Postcode")).fill("not a postcode")
    page.get_by_label("Languages you speak (optional)").fill("English, Gujarati")
    page.get_by_label("Monday evening").check()
    page.get_by_label("Saturday morning").check()
    page.get_by_label("Why would you like to volunteer as a mediator?").fill(
        "I chair a residents' group and want to help neighbours talk."
    )
    page.get_by_label("I agree to West Kent Mediation keeping").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("#error-summary")).to_contain_text("Enter a UK postcode")
    scan(page, "volunteer application form with errors")
    expect(page.get_by_label("First name")).to_have_value("Priya")
    expect(page.get_by_label("Monday evening")).to_be_checked()
    expect(page.get_by_label("Saturday morning")).to_be_checked()
    expect(page.get_by_label("Sunday morning")).not_to_be_checked()
    expect(page.get_by_label("Why would you like to volunteer as a mediator?")).to_have_value(
        "I chair a residents' group and want to help neighbours talk."
    )
    page.get_by_label(starts("Postcode")).fill("ME14 2LP")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you for applying")
    scan(page, "volunteer confirmation")
    applicant = Volunteer.objects.get()
    assert applicant.status == "applicant" and applicant.availability.count() == 2

    # The service status page, and the way in for staff.
    page.get_by_role("link", name="Service status").click()
    expect(page.locator("#home-visits-status")).to_contain_text("running as normal")
    scan(page, "service status")
    page.get_by_role("link", name="Staff and volunteer login").click()
    scan(page, "login")
    expect(page.get_by_role("link", name=re.compile("Find out about mediation"))).to_be_visible()

    # The coordinator finds the applicant and moves them into training.
    staff = open_page(coordinator)
    staff.goto("/volunteers/?status=applicant")
    scan(staff, "volunteer list (applicants)")
    staff.get_by_role("link", name=re.compile("Shah")).first.click()
    expect(staff.locator("main")).to_contain_text("I chair a residents")
    scan(staff, "volunteer page (applicant)")
    staff.get_by_role("link", name=re.compile("^Edit")).first.click()
    scan(staff, "edit volunteer")
    staff.locator("#id_status").select_option("in_training")
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_text("Volunteer details saved.")).to_be_visible()
    applicant.refresh_from_db()
    assert applicant.status == "in_training"
