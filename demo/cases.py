"""Demo cases, parties and volunteers, made through the services like a coordinator would."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import services as case_services
from cases.models import Status
from parties import services as party_services
from referrers import services as referrer_services
from referrers.intake import ReferrerPick
from sessions import services as session_services
from volunteers import services as volunteer_services
from volunteers.models import AccreditationKind, Availability, Volunteer

# username (or None) -> volunteer record
VOLUNTEERS = (
    ("mediator", "Martin", "Hughes", "TN10 3AB", Volunteer.Status.MEDIATOR),
    ("trainee", "Tara", "Whitfield", "TN11 8QP", Volunteer.Status.TRAINEE),
    ("supervisor", "Susan", "Patel", "ME15 6RT", Volunteer.Status.MEDIATOR),
    (None, "Grace", "Oduya", "TN4 9LH", Volunteer.Status.MEDIATOR),
    (None, "Owen", "Ellis", "ME16 0DF", Volunteer.Status.APPLICANT),
)

# The referring organisations on record, with the people there (name, job title, email), made
# through referrers.services as a coordinator would on /referrers/. The demo cases name them, and
# intake links each case to its organisation and person (referrers.intake).
REFERRERS = (
    ("Clarion Housing", "housing", [("Dana Price", "Housing officer", "dana.price")]),
    ("Hayesbrook School", "school", [("Mr K. Adeyemi", "Safeguarding lead", "k.adeyemi")]),
    (
        "Tunbridge Wells Borough Council",
        "council",
        [("Priya Shah", "Anti-social behaviour officer", "priya.shah")],
    ),
    ("Kent Police", "police", [("PC Walsh", "Neighbourhood officer", "pc.walsh")]),
)

# Cases whose parties also consent to the referrer being told how the case goes: their
# referrers get the updates (see the outbox), in the office's order of work (referrers.updates).
TOLD = ("Clarion Housing", "Kent Police")

CASES = (
    {
        "fields": {
            "dispute_type": "neighbour",
            "referral_source": "housing",
            "referrer_name": "Dana Price",
            "referrer_organisation": "Clarion Housing",
            "summary": "Noise through a shared wall late at night and a row over bins. "
            "Both households have complained to the landlord.",
        },
        "parties": [
            (
                "Janet Fowler",
                "first_party",
                "12 Brook Street",
                "Tonbridge",
                "TN9 2PJ",
                "01732 350112",
                "phone",
            ),
            (
                "Ravi Sandhu",
                "other_party",
                "14 Brook Street",
                "Tonbridge",
                "TN9 2PJ",
                "07911 204887",
                "sms",
            ),
        ],
        "status": Status.ACTIVE,
        "mediators": ("mediator", "supervisor"),
        "days_ago": 40,
    },
    {
        "fields": {
            "dispute_type": "parent_teen",
            "referral_source": "school",
            "referrer_name": "Mr K. Adeyemi",
            "referrer_organisation": "Hayesbrook School",
            "summary": "Arguments at home about curfew and school attendance.",
            "risk_safeguarding": True,
            "risk_notes": "Young person is 15; school safeguarding lead informed.",
        },
        "parties": [
            (
                "Mandy Cole",
                "first_party",
                "3 Oak Close",
                "Maidstone",
                "ME15 7HX",
                "01622 480911",
                "phone",
            ),
            ("Liam Cole", "family_member", "3 Oak Close", "Maidstone", "ME15 7HX", "", "letter"),
        ],
        "status": Status.AWAITING_CONSENT,
        "days_ago": 12,
        "under_18": "Liam Cole",
    },
    {
        "fields": {
            "dispute_type": "community",
            "referral_source": "council",
            "referrer_name": "Priya Shah",
            "referrer_organisation": "Tunbridge Wells Borough Council",
            "summary": "Young people gathering by the shops; residents and the youth club at odds.",
        },
        "parties": [
            (
                "Hilary Grant",
                "first_party",
                "Flat 2, 8 Market Row",
                "Southborough",
                "TN4 0LS",
                "01892 530771",
                "phone",
            ),
        ],
        "status": Status.REFERRED,
        "days_ago": 2,
    },
    {
        "fields": {
            "dispute_type": "neighbour",
            "referral_source": "self",
            "summary": "Overhanging leylandii blocking light to a garden.",
        },
        "parties": [
            (
                "Peter Lomax",
                "first_party",
                "21 Castle Road",
                "Sevenoaks",
                "TN13 3DL",
                "01732 455019",
                "phone",
            ),
            (
                "Anne Lomax",
                "other_party",
                "23 Castle Road",
                "Sevenoaks",
                "TN13 3DL",
                "01732 455277",
                "phone",
            ),
        ],
        "status": Status.CLOSED,
        "mediators": ("mediator", None),
        "days_ago": 90,
    },
    {
        "fields": {
            "dispute_type": "neighbour",
            "referral_source": "police",
            "referrer_name": "PC Walsh",
            "referrer_organisation": "Kent Police",
            "summary": "Dispute over a shared driveway; words exchanged in front of children.",
        },
        "parties": [
            (
                "Sandra Okoye",
                "first_party",
                "5 Mill Lane",
                "Tonbridge",
                "TN10 4HE",
                "01732 770012",
                "phone",
            ),
            (
                "Gary Mills",
                "other_party",
                "7 Mill Lane",
                "Tonbridge",
                "TN10 4HE",
                "07400 550123",
                "sms",
            ),
        ],
        "status": Status.CLOSED,
        "mediators": ("Grace", "trainee"),
        "days_ago": 60,
    },
)


def create_demo_volunteers(*, coordinator) -> dict[str, Volunteer]:
    """Volunteers with DBS checks, training and accreditation, recorded through the services."""
    User = get_user_model()
    supervisor = User.objects.get(username="supervisor")
    today = timezone.localdate()
    by_key = {}
    for n, (username, first, last, postcode, status) in enumerate(VOLUNTEERS):
        volunteer = volunteer_services.volunteer_create(
            by=coordinator,
            fields={
                "user": User.objects.filter(username=username).first() if username else None,
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}.{last.lower()}@example.org",
                "postcode": postcode,
                "languages": "English, Polish" if first == "Grace" else "English",
                # A mediator joins as "in training" until their accreditation is recorded.
                "status": Volunteer.Status.IN_TRAINING
                if status == Volunteer.Status.MEDIATOR
                else status,
                "supervisor": supervisor if status == Volunteer.Status.TRAINEE else None,
            },
        )
        by_key[username or first] = volunteer
        if status == Volunteer.Status.APPLICANT:
            continue
        volunteer_services.dbs_record(
            volunteer=volunteer,
            by=coordinator,
            fields={
                "certificate_number": f"00123456789{n}",
                "enhanced": True,
                # Grace's check runs out within the warning period, to show the DBS panel.
                "issued_on": today.replace(year=today.year - 3) + datetime.timedelta(days=30)
                if first == "Grace"
                else today - datetime.timedelta(days=200),
            },
        )
        volunteer_services.training_add(
            volunteer=volunteer,
            by=coordinator,
            fields={
                "course": "community",
                "hours": 40,
                "completed_on": today - datetime.timedelta(days=400),
            },
        )
        if status == Volunteer.Status.MEDIATOR:
            volunteer_services.accreditation_grant(
                volunteer=volunteer,
                kind=AccreditationKind.COMMUNITY,
                by=coordinator,
                granted_on=today - datetime.timedelta(days=300),
                prior_evidence="Accredited by a neighbouring mediation service; certificate seen.",
            )
            volunteer.refresh_from_db()  # now a mediator
        for day in (0, 2, 4):
            Availability.objects.create(volunteer=volunteer, weekday=day, part_of_day="evening")
    return by_key


def create_demo_referrers(*, coordinator) -> None:
    for name, kind, people in REFERRERS:
        referrer = referrer_services.referrer_create(
            by=coordinator, fields={"name": name, "kind": kind}
        )
        for person, job_title, mailbox in people:
            referrer_services.contact_create(
                referrer=referrer,
                by=coordinator,
                fields={
                    "name": person,
                    "job_title": job_title,
                    "email": f"{mailbox}@example.org",
                },
            )


def create_demo_cases(*, coordinator, volunteers: dict[str, Volunteer]) -> None:
    now = timezone.now()
    create_demo_referrers(coordinator=coordinator)
    for spec in CASES:
        received = timezone.localdate() - datetime.timedelta(days=spec["days_ago"])
        parties = [
            {
                "full_name": name,
                "role": role,
                "address_line1": line1,
                "town": town,
                "postcode": postcode,
                "phone": phone,
                "preferred_contact": method,
                "under_18": name == spec.get("under_18"),
                "guardian_name": "Mandy Cole" if name == spec.get("under_18") else "",
            }
            for name, role, line1, town, postcode, phone, method in spec["parties"]
        ]
        fields = {**spec["fields"], "received_on": received}
        pick = ReferrerPick(
            organisation=fields.pop("referrer_organisation", ""),
            person=fields.pop("referrer_name", ""),
            source=fields["referral_source"],
        )
        case = case_services.case_create(
            by=coordinator, fields=fields, parties=parties, referrer=pick
        )
        told = pick.organisation in TOLD
        target = spec["status"]
        if target == Status.REFERRED:
            continue
        case_services.case_transition(case=case, to=Status.CONTACTING, by=coordinator)
        case_services.log_entry_add(
            case=case,
            by=coordinator,
            kind="call",
            occurred_at=now - datetime.timedelta(days=1),
            party=case.parties.first(),
            text="Explained how mediation works; will think it over.",
        )
        case_services.case_transition(case=case, to=Status.AWAITING_CONSENT, by=coordinator)
        if target == Status.AWAITING_CONSENT:
            continue
        for party in case.parties.all():
            for kind in ("mediate", "data_processing", *(("update_referrer",) if told else ())):
                party_services.consent_record(
                    party=party,
                    by=coordinator,
                    kind=kind,
                    method="verbal",
                    given_at=now - datetime.timedelta(hours=2),
                )
        case_services.case_transition(case=case, to=Status.READY, by=coordinator)
        lead, co = spec["mediators"]
        volunteer_services.assign_pair(
            case=case,
            lead=volunteers[lead],
            co_mediator=volunteers[co or "Grace"],
            by=coordinator,
            on=received,
        )
        book_demo_sessions(case, coordinator=coordinator, closing=target == Status.CLOSED)
        if target == Status.CLOSED:
            case_services.case_close(
                case=case,
                by=coordinator,
                outcome="full_agreement",
                closed_on=timezone.localdate() - datetime.timedelta(days=5),
            )


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def book_demo_sessions(case, *, coordinator, closing: bool) -> None:
    """A held intake visit for every active case; upcoming meetings for those still open."""
    parties = list(case.parties.all())
    session_services.session_book(
        case=case, by=coordinator, kind="intake", mode="office", venue="WKM office, Tonbridge",
        starts_at=_at(-8, 10), ends_at=_at(-8, 11), parties=parties[:1], held=True,
        notes="Explained the process; keen to try mediation.",
    )  # fmt: skip
    if closing:
        session_services.session_book(
            case=case, by=coordinator, kind="joint", mode="office", venue="WKM office, Tonbridge",
            starts_at=_at(-6, 18), ends_at=_at(-6, 20), parties=parties, held=True,
            notes="Both spoke and listened; terms agreed in the room.",
        )  # fmt: skip
        return
    session_services.session_book(
        case=case, by=coordinator, kind="separate", mode="home_visit",
        starts_at=_at(2, 18), ends_at=_at(2, 19), parties=parties[-1:],
    )  # fmt: skip
    session_services.session_book(
        case=case, by=coordinator, kind="joint", mode="neutral_venue",
        venue="Tonbridge Library, meeting room 2", starts_at=_at(9, 18), ends_at=_at(9, 20),
        parties=parties,
    )  # fmt: skip
