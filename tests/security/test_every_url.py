"""Permissions audit: every URL pattern of the project, requested by every kind of user.

The patterns are enumerated from the resolver (``get_resolver().url_patterns``, recursively), so
a new page cannot escape: ``test_the_table_knows_every_url_pattern`` fails until ``EXPECTED``
says what each of these users must get from it. The users, around one active neighbour case
whose pair is an accredited mediator and a trainee:

- ``anonymous``: nobody logged in;
- ``other_mediator``: a mediator of another case, with no business in this one;
- ``trainee``: the trainee mediator on this case;
- ``supervisor``: the trainee's supervisor (reads this case, signs off the trainee);
- ``coordinator``: staff, sees every case;
- ``administrator``: staff, runs the service and the Django admin, but no casework.

Each logged-in user is fully logged in (password and, where needed, two-factor) by the
``login`` fixture. Beyond the table, two rules hold for every pattern, known or not: a URL that
names a case answers 404 to anyone out of the case's scope (rule 11 of DESIGN.md), and nobody
out of its scope ever sees a party's name or the case summary, whatever the status.
Everything under /admin/ follows simpler rules instead of the table, asked with a GET and an
empty POST naming the world's own rows: it sends everyone but a (verified) administrator to the
admin's login page; an administrator never gets a 500 there, and gets 403 on case data unless
also a coordinator (``admin_coordinator``), who gets no 500 either.

``test_the_audit_catches_an_unscoped_view`` shows the audit doing its job: against a URLconf
with a deliberately unscoped view (``leaky_case_summary``, defined only here), it reports it.
"""

import datetime
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone

import cases.urls  # noqa: F401 - registers the <ref:…> converter the leak's pattern uses
from accounts.roles import MEDIATOR
from cases.models import Agreement, AgreementTerm, Case, ContactLogEntry
from documents.case_files import files_add
from exports.models import Export
from imports.models import ImportBatch
from notifications.models import ManualContact
from notifications.reply_links import reply_token
from parties.models import Consent
from privacy.models import SubjectAccessRequest
from sessions.models import CalendarFeed, MediationSession
from surveys.links import survey_token
from surveys.models import SurveyInvitation
from tests.factories import (
    AccreditationFactory,
    AssignmentFactory,
    CaseFactory,
    PartyFactory,
    ReferrerContactFactory,
    UserFactory,
    eligible_volunteer,
    ready_case,
)
from volunteers.models import DBSCheck, TraineeCase

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other_mediator", "trainee", "supervisor", "coordinator", "administrator")
# Nobody of these may see anything of the case (rule 11).
OUT_OF_SCOPE = ("anonymous", "other_mediator", "administrator")

# What a status in the table can be besides a number.
LOGIN = "login"  # 302 to /accounts/login/?next=<the URL>
REDIRECT = 302  # a redirect somewhere else (back to a page, with a message)
UP_OR_DOWN = (200, 503)  # /health/: 503 while no Celery worker answers (none runs here)

# Per URL name: the method the audit sends (GET, or an empty POST for views that only take
# POST), then what each of ROLES gets, in ROLES' order:
#                             anonymous  other_med  trainee  supervisor  coordinator  admin
EXPECTED = {
    # -- home, health, accounts -------------------------------------------------------------
    "home": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "health": ("GET", *[UP_OR_DOWN] * 6),
    "login": ("GET", 200, 302, 302, 302, 302, 302),
    "logout": ("GET", LOGIN, 405, 405, 405, 405, 405),
    "password_change": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "password_change_done": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "logout_everywhere": ("POST", LOGIN, 302, 302, 302, 302, 302),
    "two_factor:start": ("GET", LOGIN, 302, 302, 302, 302, 302),
    "two_factor:verify": ("GET", LOGIN, 302, 302, 302, 302, 302),
    "two_factor:enrol": ("GET", LOGIN, 200, 200, 200, 200, 200),
    # A set-up link (accounts.enrolment) needs no login; one that does not exist is 404 to all.
    "two_factor:link": ("GET", 404, 404, 404, 404, 404, 404),
    # Administrators issue set-up links.
    "enrolment_links": ("GET", LOGIN, 403, 403, 403, 403, 200),
    # Mediators have not turned two-factor on: they are sent to set it up first.
    "two_factor:backup_codes": ("GET", LOGIN, 302, 302, 200, 200, 200),
    "two_factor:backup_codes_new": ("POST", LOGIN, 302, 302, 302, 302, 302),
    "two_factor:turn_off": ("POST", LOGIN, 302, 302, 302, 302, 302),
    # -- the audit trail: administrators search everything -----------------------------------
    "audit:search": ("GET", LOGIN, 403, 403, 403, 403, 200),
    # -- cases: the case itself, in scope or 404 ----------------------------------------------
    "cases:list": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "cases:new": ("GET", LOGIN, 403, 403, 403, 200, 403),
    # Everything that breaks a rule now (rules.checker): for coordinators.
    "rules:attention": ("GET", LOGIN, 403, 403, 403, 200, 403),
    # The list as CSV, scoped like the list: a mediator's own cases, none for administrators.
    "cases:export": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "cases:detail": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:edit": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:transition": ("POST", LOGIN, 404, 403, 403, REDIRECT, 404),
    "cases:close": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:reopen": ("GET", LOGIN, 404, 403, 403, REDIRECT, 404),
    "cases:follow_up_done": ("POST", LOGIN, 404, 403, 403, REDIRECT, 404),
    # Calls and letters in place of messages are the office's to make, not the mediators'.
    "cases:manual_contact_done": ("POST", LOGIN, 404, 403, 403, REDIRECT, 404),
    "cases:log_add": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # A draft note is seen by its author only (here the lead); supervisors only read the case.
    "cases:log_edit": ("GET", LOGIN, 404, 404, 403, 404, 404),
    "cases:audit": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:assign": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:agreements": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:agreement_start": ("POST", LOGIN, 404, REDIRECT, 403, REDIRECT, 404),
    "cases:agreement_detail": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:agreement_agree": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:agreement_signature": ("POST", LOGIN, 404, 200, 403, 200, 404),
    "cases:agreement_pdf": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:agreement_term": ("POST", LOGIN, 404, REDIRECT, 403, REDIRECT, 404),
    "cases:letter_pdf": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # A signed copy is kept by those who record on the case (here the version is a draft:
    # back to it, with why not).
    "cases:agreement_scan": ("POST", LOGIN, 404, REDIRECT, 403, REDIRECT, 404),
    # Case files: added and deleted by those who record on the case (the coordinator's file is
    # refused to the trainee before its form: only a coordinator or its uploader deletes it),
    # downloaded by whoever sees the case.
    "cases:files_upload": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:file_download": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:file_delete": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:party_add": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:party_detail": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "cases:party_edit": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:consent_add": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # A withdrawal is confirmed on its own page first (what it stops, when and how).
    "cases:consent_withdraw": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:session_new": ("GET", LOGIN, 404, 403, 403, 200, 404),
    # Supervisors read the case, but its sessions and letters are for the pair and the office.
    "cases:session_detail": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:session_reschedule": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "cases:session_cancel": ("POST", LOGIN, 404, 403, 403, REDIRECT, 404),
    "cases:session_outcome": ("GET", LOGIN, 404, 200, 403, 200, 404),
    "cases:session_ics": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # -- reports: coordinators and administrators ---------------------------------------------
    "reports:index": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:referrals": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:outcomes": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:timeliness": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:sessions": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:volunteers": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:equality": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:summary_pdf": ("GET", LOGIN, 403, 403, 403, 200, 200),
    # -- exports: each its requester's alone (here the coordinator's trustees' summary) ------
    # Everything the service holds: administrators only, like their other pages.
    "exports:everything": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "exports:list": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "exports:start": ("POST", LOGIN, 404, 404, 404, 404, 404),  # no kind named: none such
    "exports:detail": ("GET", LOGIN, 404, 404, 404, 200, 404),
    "exports:progress": ("GET", LOGIN, 404, 404, 404, 200, 404),
    "exports:download": ("GET", LOGIN, 404, 404, 404, 200, 404),
    "exports:retry": ("POST", LOGIN, 404, 404, 404, REDIRECT, 404),  # not failed: back to it
    # -- imports: administrators only (an imported sheet, with rows given back) -------------
    "imports:index": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "imports:upload": ("POST", LOGIN, 403, 403, 403, 403, 400),  # no file: the form says so
    "imports:template": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "imports:detail": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "imports:progress": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "imports:import": ("POST", LOGIN, 403, 403, 403, 403, REDIRECT),  # imported: back to it
    "imports:discard": ("POST", LOGIN, 403, 403, 403, 403, REDIRECT),  # imported: back to it
    "imports:rest": ("GET", LOGIN, 403, 403, 403, 403, 200),
    "reports:satisfaction": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:sustained": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:referrer": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "reports:area": ("GET", LOGIN, 403, 403, 403, 200, 200),
    # -- the public website: no login ---------------------------------------------------------
    "public:index": ("GET", 200, 200, 200, 200, 200, 200),
    "public:status": ("GET", 200, 200, 200, 200, 200, 200),
    "public:refer": ("GET", 200, 200, 200, 200, 200, 200),
    "public:volunteer": ("GET", 200, 200, 200, 200, 200, 200),
    "public:thanks_referral": ("GET", 200, 200, 200, 200, 200, 200),
    "public:thanks_volunteer": ("GET", 200, 200, 200, 200, 200, 200),
    # -- data protection: coordinators only ---------------------------------------------------
    "privacy:requests": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:search": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:request_new": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:request_detail": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:request_records": ("POST", LOGIN, 403, 403, 403, REDIRECT, 403),
    "privacy:request_status": ("POST", LOGIN, 403, 403, 403, 400, 403),
    "privacy:export_pdf": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:export_json": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:export_zip": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "privacy:request_erase": ("GET", LOGIN, 403, 403, 403, 200, 403),
    # -- volunteers (the trainee's record): coordinators manage; the trainee sees their own and
    # keeps their availability; their supervisor sees it and grants accreditation ------------
    "volunteers:list": ("GET", LOGIN, 403, 403, 200, 200, 403),
    "volunteers:new": ("GET", LOGIN, 403, 403, 403, 200, 403),
    "volunteers:detail": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "volunteers:edit": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:dbs_new": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:dbs_status_check": ("POST", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:training_new": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:accreditation_new": ("GET", LOGIN, 404, 403, 200, 200, 404),
    "volunteers:accreditation_revoke": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:connection_new": ("GET", LOGIN, 404, 403, 403, 200, 404),
    "volunteers:availability": ("GET", LOGIN, 404, 200, 403, 200, 404),
    # -- the trainee pathway: the trainee, their supervisor, coordinators. Those who see a
    # trainee case but may not do this step (or not yet: the case is open) get the page back
    # with the service's refusal --------------------------------------------------------------
    "volunteers:supervision": ("GET", LOGIN, 403, 403, 200, 200, 403),
    "volunteers:trainee_case": ("GET", LOGIN, 404, 200, 200, 200, 404),
    "volunteers:reflection": ("POST", LOGIN, 404, 200, 200, 200, 404),
    "volunteers:feedback": ("POST", LOGIN, 404, 200, 200, 200, 404),
    "volunteers:review": ("POST", LOGIN, 404, 200, 200, 200, 404),
    # Hours and calendars belong to a volunteer record: none for this supervisor or the staff.
    "volunteers:hours": ("GET", LOGIN, 200, 200, 404, 404, 404),
    # -- calendars and service settings --------------------------------------------------------
    # The feed needs no login: its unguessable address is the secret (here, the lead's).
    "calendar_feed": ("GET", 200, 200, 200, 200, 200, 200),
    "calendar_settings": ("GET", LOGIN, 200, 200, 404, 404, 404),
    # -- a party's answer to a reminder ----------------------------------------------------------
    # No login: the signed token names one party and session (here Alice's, for the session).
    "notifications:reply": ("GET", 200, 200, 200, 200, 200, 200),
    # Texts sent back: off (404) while SMS_INBOUND_TOKEN is not set, as here.
    "notifications:sms_inbound": ("POST", 404, 404, 404, 404, 404, 404),
    "home_visits": ("GET", LOGIN, 403, 403, 403, 403, 200),
    # -- the parties' surveys -------------------------------------------------------------------
    # No login: the signed token names one invitation (here Alice's, the case open: "not open").
    "surveys:answer": ("GET", 200, 200, 200, 200, 200, 200),
    # Answers given by phone are typed in by coordinators (the case is open: refused, with why).
    "surveys:record": ("GET", LOGIN, 404, 403, 403, REDIRECT, 404),
    # The survey letter (PDF), for coordinators (the case is open: refused, with why).
    "surveys:letter": ("GET", LOGIN, 404, 403, 403, REDIRECT, 404),
    # -- referring organisations: the office's (coordinators) and the lists' keepers (admins) ----
    "referrers:list": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:new": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:detail": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:edit": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:retire": ("POST", LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    "referrers:unretire": ("POST", LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    "referrers:contact_new": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:contact_edit": ("GET", LOGIN, 403, 403, 403, 200, 200),
    "referrers:contact_retire": ("POST", LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    "referrers:contact_unretire": ("POST", LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
}


# --- The world the URLs are asked about -------------------------------------------------------


@pytest.fixture
def world(coordinator, supervisor, administrator, other_mediator, settings, tmp_path):
    """One active neighbour case (Alice Carter and Bob Dunn) paired with an accredited mediator
    and a trainee supervised by ``supervisor``; ``other_mediator`` works another case. Every
    object a URL can name exists: a party, consent, session, agreement and term, a draft note,
    the trainee's volunteer record, DBS check and trainee case, a subject access request and
    the lead's calendar feed."""
    from volunteers.services import assign_pair

    settings.MEDIA_ROOT = tmp_path / "media"  # PDFs made on the way go nowhere that lasts
    lead_user = UserFactory(username="lead", roles=[MEDIATOR])
    trainee_user = UserFactory(username="trainee", roles=[MEDIATOR])
    lead = eligible_volunteer(lead_user, postcode="ME15 6RT")
    trainee = eligible_volunteer(
        trainee_user, status="trainee", supervisor=supervisor, postcode="TN4 9LH"
    )
    case = ready_case(summary="Confidential: the hedge dispute at number 14 turned to threats.")
    assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)
    case.refresh_from_db()

    other_case = CaseFactory(status="active")
    PartyFactory(case=other_case, full_name="Dan Ellis", postcode="ME14 1XX")
    AssignmentFactory(case=other_case, volunteer=eligible_volunteer(other_mediator))

    party = case.parties.order_by("pk").first()
    start = timezone.now() + datetime.timedelta(days=3)
    session = MediationSession.objects.create(
        case=case,
        kind="separate",
        mode="office",
        venue="WKM office",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    session.mediators.set([lead, trainee])
    session.parties.set([party])
    manual_contact = ManualContact.objects.create(
        case=case,
        party=party,
        session=session,
        kind="session_reminder",
        method="phone",
        due_at=start - datetime.timedelta(hours=48),
        dedupe_key="world",
    )
    agreement = Agreement.objects.create(case=case, version=1, created_by=coordinator)
    term = AgreementTerm.objects.create(
        agreement=agreement, position=1, who="Mr Dunn", what="trim the hedge"
    )
    draft = ContactLogEntry.objects.create(
        case=case,
        text="Left a voicemail; will try again on Friday.",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        is_draft=True,
        author=lead_user,
    )
    sar = SubjectAccessRequest.objects.create(
        subject_name="Pat Example",
        requester="The person themselves, by letter",
        requested_on=timezone.localdate(),
        created_by=coordinator,
    )
    sar.parties.set([party])
    survey = SurveyInvitation.objects.create(
        kind="feedback", case=case, party=party, via="email", expires_at=start
    )
    export = Export.objects.create(
        requester=coordinator, kind="trustees_summary", status="ready", content=b"%PDF-",
        parameters={"start": "2025-10-01", "end": "2025-12-31"}, file_name="summary.pdf",
        content_type="application/pdf",
    )  # fmt: skip
    (case_file,) = files_add(
        case=case, by=coordinator, kind="correspondence", description="A letter from Mr Dunn",
        uploads=[SimpleUploadedFile("letter.txt", b"Dear WKM, about the hedge.\n")],
    )  # fmt: skip
    referrer_contact = ReferrerContactFactory(name="Pat Jones")
    Case.objects.filter(pk=case.pk).update(
        referrer=referrer_contact.referrer, referrer_person=referrer_contact
    )
    return SimpleNamespace(
        case=case,
        party=party,
        consent=Consent.objects.filter(party=party).first(),
        session=session,
        manual_contact=manual_contact,
        survey=survey,
        agreement=agreement,
        term=term,
        draft=draft,
        trainee=trainee,
        dbs_check=DBSCheck.objects.filter(volunteer=trainee).first(),
        accreditation=AccreditationFactory(volunteer=trainee, kind="restorative"),
        trainee_case=TraineeCase.objects.get(case=case, trainee=trainee),
        sar=sar,
        feed=CalendarFeed.objects.create(volunteer=lead),
        export=export,
        import_batch=ImportBatch.objects.create(
            kind="volunteers",
            file_name="v.csv",
            format="csv",
            sha256="0" * 64,
            size=1,
            uploaded_by=administrator,
            status="imported",
            rest_content=b"volunteer_id\n",
        ),
        referrer_contact=referrer_contact,
        case_file=case_file,
        users={
            "other_mediator": other_mediator,
            "trainee": trainee_user,
            "supervisor": supervisor,
            "coordinator": coordinator,
            "administrator": administrator,
            "admin_coordinator": UserFactory(
                username="admin_coordinator", roles=["Administrator", "Coordinator"], is_staff=True
            ),
        },
        # What nobody out of the case's scope may ever see.
        secrets=[case.summary, "Alice Carter", "Bob Dunn"],
    )


def kwargs_for(name: str, wanted: set[str], world) -> dict:
    """Arguments for the route named ``name`` that takes ``wanted``, naming the world's
    objects; {} when it takes none."""
    w = world
    by_name = {
        "cases:log_edit": {"pk": w.draft.pk},
        "cases:manual_contact_done": {"pk": w.manual_contact.pk},
        "cases:consent_withdraw": {"pk": w.consent.pk},
        "cases:letter_pdf": {"pk": w.party.pk, "kind": "invitation"},
        "cases:agreement_term": {"pk": w.term.pk},
        "volunteers:dbs_status_check": {"pk": w.trainee.pk, "check_pk": w.dbs_check.pk},
        "volunteers:accreditation_revoke": {
            "pk": w.trainee.pk,
            "accreditation_pk": w.accreditation.pk,
        },
        "calendar_feed": {"token": w.feed.token},
        "two_factor:link": {"token": "not-a-set-up-link"},
        "notifications:reply": {"token": reply_token(party_id=w.party.pk, session_id=w.session.pk)},
        "surveys:answer": {"token": survey_token(w.survey.pk)},
        "surveys:record": {"pk": w.party.pk, "kind": "feedback"},
        "surveys:letter": {"pk": w.survey.pk},
        "cases:file_download": {"pk": w.case_file.pk},
        "cases:file_delete": {"pk": w.case_file.pk},
    }
    by_prefix = {
        "cases:agreement": {"pk": w.agreement.pk},
        "cases:party": {"pk": w.party.pk},
        "cases:consent": {"pk": w.party.pk},
        "cases:session": {"pk": w.session.pk},
        "volunteers:trainee_case": {"pk": w.trainee_case.pk},
        "volunteers:reflection": {"pk": w.trainee_case.pk},
        "volunteers:feedback": {"pk": w.trainee_case.pk},
        "volunteers:review": {"pk": w.trainee_case.pk},
        "volunteers:": {"pk": w.trainee.pk},
        "privacy:": {"pk": w.sar.pk},
        "exports:": {"pk": w.export.pk},
        "imports:": {"pk": w.import_batch.pk, "kind": "volunteers", "fmt": "csv"},
        "referrers:": {"pk": w.referrer_contact.referrer_id, "contact_pk": w.referrer_contact.pk},
    }
    kwargs = {"reference": w.case.reference} if "reference" in wanted else {}
    extra = by_name.get(name) or next(
        (v for prefix, v in by_prefix.items() if name.startswith(prefix)), {}
    )
    kwargs.update({k: v for k, v in extra.items() if k in wanted})
    return kwargs


# --- Walking the URLconf ----------------------------------------------------------------------


@dataclass
class Route:
    name: str  # "namespace:name", or the route itself for unnamed admin patterns
    route: str  # e.g. "cases/<ref:reference>/"
    pattern: URLPattern
    namespaces: tuple = field(default=())
    # What the address captures, in the route itself and in the prefixes that include it.
    params: frozenset = field(default=frozenset())

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def walk(patterns, prefix="", namespaces=(), params=frozenset()):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        captured = params | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, route, inner, captured)
        else:
            name = ":".join((*namespaces, entry.name)) if entry.name else route
            yield Route(
                name=name, route=route, pattern=entry, namespaces=namespaces, params=captured
            )


def all_routes(urlconf=None) -> list[Route]:
    return list(walk(get_resolver(urlconf).url_patterns))


def admin_model(route: Route):
    """The model an admin pattern is about (``admin:cases_case_change``), or None."""
    from django.contrib import admin

    for model in admin.site._registry:
        if route.name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def sample_admin_url(route: Route) -> str:
    """A URL for an admin pattern: the id of a row of its model that exists (else 1), the first
    app label of a choice, and a page that does not exist for the catch-all."""
    model = admin_model(route)
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first() if model else 1
    url = re.sub(r"\(\?P<url>\.\*\)", "no-such-page/", route.route)  # the catch-all
    url = re.sub(r"\(\?P<\w+>([^|)]*)[^)]*\)", r"\1", url)  # a choice: its first
    url = re.sub(r"<[^>]+>", str(pk or 1), url)  # path converters: ids
    return "/" + url.replace("^", "").replace("$", "")


# Case notes and party details: for coordinators only, even in the admin (cases.admin).
CASE_DATA_IN_ADMIN = (
    "cases.case",
    "cases.caseassignment",
    "cases.contactlogentry",
    "parties.party",
    "parties.consent",
    "mediation_sessions.mediationsession",
    "notifications.outboxmessage",
)


# --- The audit ---------------------------------------------------------------------------------


def client_for(role, world, login) -> Client:
    if role == "anonymous":
        return Client()
    client = Client()
    client.force_login(world.users[role])  # password and, for those who need it, the code
    return client


def request_once(client, method, url):
    """One request whose writes are all undone, by a client whose cookies are then put back (an
    empty POST to "log out everywhere" must not log the next request out)."""
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    try:
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, {})
            if getattr(response, "streaming", False):
                response = SimpleNamespace(
                    status_code=response.status_code,
                    content=b"".join(response.streaming_content),
                    headers=response.headers,
                )
            transaction.set_rollback(True)
    finally:
        client.cookies.clear()
        for key, value in cookies.items():
            client.cookies[key] = value
    return response


def describe(expected) -> str:
    if expected == LOGIN:
        return "a redirect to log in"
    return " or ".join(map(str, expected)) if isinstance(expected, tuple) else str(expected)


def matches(expected, response, url) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response.headers["Location"] == (
            f"{reverse('login')}?next={quote(url)}"
        )
    if isinstance(expected, tuple):
        return response.status_code in expected
    return response.status_code == expected


def audit_role(role: str, world, login, urlconf=None) -> list[str]:
    """Request every non-admin URL as ``role``; return what is wrong, one line each."""
    problems = []
    client = client_for(role, world, login)
    column = ROLES.index(role) + 1
    for route in all_routes(urlconf):
        if route.is_admin:
            continue
        known = EXPECTED.get(route.name)
        method = known[0] if known else "GET"
        kwargs = kwargs_for(route.name, route.params, world)
        missing = route.params - set(kwargs)
        if missing:
            problems.append(f"{route.name}: no value for {sorted(missing)}")
            continue
        url = reverse(route.name, kwargs=kwargs, urlconf=urlconf)
        try:
            response = request_once(client, method, url)
        except Exception as error:  # noqa: BLE001 - reported with the others
            problems.append(f"{role} {method} {url} ({route.name}): raised {error!r}")
            continue
        where = f"{role} {method} {url} ({route.name})"
        if known is None:
            problems.append(f"{route.name}: not in EXPECTED (answered {role} with "
                            f"{response.status_code})")  # fmt: skip
        elif not matches(known[column], response, url):
            location = response.headers.get("Location", "")
            problems.append(
                f"{where}: {response.status_code} {location}, expected {describe(known[column])}"
            )
        # Rule 11, for every pattern the table knows or not: a case's URL is 404 out of scope.
        logged_in_out_of_scope = role in OUT_OF_SCOPE and role != "anonymous"
        if "reference" in kwargs and logged_in_out_of_scope and response.status_code != 404:
            problems.append(
                f"{where}: {response.status_code}, but a case's URL must answer 404 to anyone "
                "out of its scope (rule 11)"
            )
        if role != "anonymous" and "no-store" not in response.headers.get("Cache-Control", ""):
            problems.append(f"{where}: may be cached (Cache-Control: no-store missing)")
        if role in OUT_OF_SCOPE:
            body = response.content.decode(errors="replace")
            shown = [s for s in world.secrets if s in body]
            if shown:
                problems.append(f"{where}: shows the case's confidential details {shown}")
    return problems


def audit_admin(role: str, world, login) -> list[str]:
    """Everything under /admin/, asked with a GET and an empty POST: anyone but an
    administrator goes to the admin's login page; administrators get no 500, and 403 on case
    data unless they are coordinators too."""
    problems = []
    client = client_for(role, world, login)
    administrators = ("administrator", "admin_coordinator")
    for route in all_routes():
        if not route.is_admin or route.name in ("admin:login", "admin:logout"):
            continue
        url = sample_admin_url(route)
        model = admin_model(route)
        case_data = model is not None and model._meta.label_lower in CASE_DATA_IN_ADMIN
        for method in ("GET", "POST"):
            response = request_once(client, method, url)
            location = response.headers.get("Location", "")
            where = f"{role} {method} {url} ({route.name}): {response.status_code} {location}"
            status = response.status_code
            if role not in administrators:
                # Nobody logged in: a login page (the app's, from LoginRequiredMiddleware,
                # or the admin's for the admin's own exempt views).
                logins = ("/admin/login/?next=",)
                if role == "anonymous":
                    logins = ("/accounts/login/?next=", *logins)
                if status != 302 or not location.startswith(logins):
                    problems.append(f"{where}, expected a redirect to the admin's login page")
            elif status >= 500 or location.startswith("/admin/login/"):
                problems.append(where)
            elif case_data and role == "administrator" and status != 403:
                problems.append(f"{where}, expected 403: case data is for coordinators")
            elif case_data and role == "admin_coordinator" and status == 403:
                shows = method == "GET" and route.name.endswith(("_changelist", "_change"))
                if shows:  # adding, deleting and most changes are refused to everyone
                    problems.append(f"{where}, but a coordinator may see case data")
            if role != "anonymous" and "no-store" not in response.headers.get("Cache-Control", ""):
                problems.append(f"{where}: may be cached (Cache-Control: no-store missing)")
    return problems


# --- The tests --------------------------------------------------------------------------------


def test_the_table_knows_every_url_pattern():
    routes = [r for r in all_routes() if not r.is_admin]
    names = [r.name for r in routes]
    unnamed = [r.route for r in routes if ":" not in r.name and r.name == r.route]
    assert not unnamed, f"give these URL patterns a name: {unnamed}"
    assert len(names) == len(set(names)), "URL pattern names must be unique"
    assert set(EXPECTED) - set(names) == set(), "EXPECTED lists patterns that no longer exist"
    assert set(names) - set(EXPECTED) == set(), (
        "new URL patterns: say in EXPECTED what each kind of user must get from them"
    )
    assert all(len(row) == 1 + len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_user_as_the_table_says(role, world, login):
    problems = audit_role(role, world, login)

    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("role", [*ROLES, "admin_coordinator"])
def test_everything_under_admin_is_for_administrators_only(role, world, login):
    problems = audit_admin(role, world, login)

    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_admin_lets_a_verified_administrator_in(world, login):
    assert login(world.users["administrator"]).get("/admin/").status_code == 200


# --- The audit catches an unscoped view ---------------------------------------------------------


def leaky_case_summary(request, reference):
    """DELIBERATELY UNSCOPED, for the test below only: the case is looked up in every case
    instead of ``Case.objects.visible_to(request.user)``. Never copy this."""
    case = get_object_or_404(Case, reference=reference)
    return HttpResponse(case.summary)


# The project's URLs plus the leak: used as ROOT_URLCONF by the test below, nowhere else.
urlpatterns = [
    path("cases/<ref:reference>/leak/", login_required(leaky_case_summary), name="leak"),
    path("", include("wkm.urls")),
]


def test_the_audit_catches_an_unscoped_view(world, login, settings):
    settings.ROOT_URLCONF = __name__

    problems = audit_role("other_mediator", world, login, urlconf=__name__)

    leak = [p for p in problems if "(leak)" in p]
    assert any("must answer 404 to anyone out of its scope" in p for p in leak), problems
    assert any("shows the case's confidential details" in p for p in leak), problems
    assert any(p.startswith("leak: not in EXPECTED") for p in problems), problems
    # Nothing else is reported: the rest of the project is scoped.
    assert all("leak" in p for p in problems), problems
