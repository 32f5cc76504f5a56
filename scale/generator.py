"""Realistic synthetic data at scale, generated in bulk with a fixed seed (``seed_scale``).

What it makes, for N cases (the ratios of the "100,000 cases" target):

- cases received over the last six years (slightly more each year), references WKM-<year>-<n>
  dense per year in order of receipt, the reference counters set so intake continues after them;
  status follows age (recent referrals still open, older ones almost all closed) and closed cases
  carry a weighted outcome and the stage they were closed from;
- ~2.5 parties per case with UK addresses clustered on streets and postcode districts of West
  Kent, phones, emails (example.* domains only), contact preferences and restrictions, language
  and accessibility needs, under-18s with guardians, optional equality-monitoring answers;
- consents for the parties of every case that got past "awaiting consent" (some during it),
  and a withdrawal on cases closed as withdrawn;
- max(20, N/50) volunteers (2,000 at 100,000 cases): applicants, people in training, trainees,
  mediators and former mediators, with DBS checks (history and a current one, a few expiring or
  expired), training, accreditations, availability, declared connections and calendar feeds;
- a pair of mediators on every case that reached "active" (rules 2 and 3 respected: parent/teen
  and restorative work only for accredited pairs, trainees only on community cases beside an
  accredited mediator), with a few replaced mediators; trainee cases at every stage of sign-off;
- ~4 sessions per case (on the cases that were mediated: intake visits, separate and joint
  meetings, shuttle, follow-ups; held, cancelled, did not attend, and scheduled in the future
  for active cases), with their mediators and parties;
- the reminder outbox for sessions of the last six months and the future (sent, pending, a few
  failed or cancelled), ~3 contact log entries per case (with the follow-up calls most closed
  cases got), the audit trail of each case's creation and status changes, casework hours for
  the last year, and (when the app has agreements) a signed or agreed agreement on cases closed
  with one and drafts on some active cases;
- logins: the demo users (coordinator, mediator, trainee, supervisor, admin) with a known
  password, more coordinators and supervisors, and a login for every working volunteer. The
  "mediator" login works ~40 cases and the "supervisor" login supervises ~10 trainees.

Everything is decided by ``random.Random(seed)`` and dates are relative to today, so the same
seed on the same day gives the same data. Rows go to PostgreSQL with COPY (scale.bulkcopy) in
one transaction.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import random
import string
import time
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, COORDINATOR, MEDIATOR, SUPERVISOR
from audit.models import AuditEvent
from cases.lifecycle import MEDIATED_OUTCOMES, ORDER
from cases.models import (
    Case,
    CaseAssignment,
    ContactLogEntry,
    DisputeType,
    Outcome,
    ReferenceCounter,
    Status,
)
from notifications.channels import party_route, volunteer_route
from notifications.models import OutboxMessage
from notifications.outbox import reminder_due
from parties.areas import district_of
from parties.consent import REQUIRED_KINDS
from parties.models import Consent, Party
from referrers.models import Referrer
from sessions.models import CalendarFeed, MediationSession
from surveys.models import FeedbackAnswer, FollowUpAnswer, SurveyInvitation
from volunteers.dbs import current_until, dbs_is_current
from volunteers.eligibility import (
    COMMUNITY_DISPUTES,
    EXTRA_ACCREDITATION,
    connection_problems,
    pair_problems,
)
from volunteers.models import (
    Accreditation,
    AccreditationKind,
    Availability,
    DBSCheck,
    DeclaredConnection,
    TraineeCase,
    TrainingRecord,
    Volunteer,
    VolunteerHours,
)
from volunteers.services import SPECIALIST_TRAINING

from . import vocabulary as words
from .bulkcopy import CopyTable

LONDON = zoneinfo.ZoneInfo("Europe/London")


def optional_model(label: str):
    """A model that may not exist yet in this version of the app (None if it does not)."""
    try:
        return django_apps.get_model(label)
    except LookupError:
        return None


UTC = datetime.UTC
YEARS = 6
# The open stages in order (cases.lifecycle), and the one where mediation starts. The rules of
# who may mediate what (volunteers.eligibility, .dbs, .services; parties.consent) and how a
# party hears of a session (notifications.channels) are imported, never restated here.
STAGES = ORDER
ACTIVE_STAGE = STAGES.index(Status.ACTIVE)
# Reminders are kept for sessions from this many days ago onwards (older ones would have been
# pruned by any sensible retention policy, and do not change what the pages query).
REMINDER_HISTORY_DAYS = 180
HOURS_HISTORY_DAYS = 365
# Active cases have sessions booked up to this many days ahead (write_sessions: up to a week to
# the first, then at most 60 days, a Sunday moved to Monday): their pairs' DBS checks must be
# current until then (rule 4).
BOOKED_AHEAD_DAYS = 70

DISPUTE_WEIGHTS = {
    DisputeType.NEIGHBOUR: 55,
    DisputeType.FAMILY: 12,
    DisputeType.PARENT_TEEN: 10,
    DisputeType.RESTORATIVE: 4,
    DisputeType.COMMUNITY: 8,
    DisputeType.WORKPLACE: 3,
    DisputeType.OTHER: 8,
}
SOURCE_WEIGHTS = {
    "self": 25,
    "housing": 30,
    "police": 8,
    "council": 15,
    "school": 7,
    "health": 5,
    "other_agency": 10,
}
OUTCOME_WEIGHTS = {
    Outcome.FULL_AGREEMENT: 26,
    Outcome.PARTIAL_AGREEMENT: 14,
    Outcome.NO_AGREEMENT: 8,
    Outcome.IMPROVED_COMMUNICATION: 12,
    Outcome.WITHDRAWN: 16,
    Outcome.UNSUITABLE: 9,
    Outcome.NOT_CONTACTABLE: 15,
}
# The stage a case was closed from, for each outcome: [(stage, weight)]. The mediated outcomes
# (cases.lifecycle) only once mediation began.
CLOSED_FROM = {
    **dict.fromkeys(MEDIATED_OUTCOMES, ((Status.ACTIVE, 1),)),
    Outcome.WITHDRAWN: ((Status.AWAITING_CONSENT, 3), (Status.READY, 1), (Status.ACTIVE, 6)),
    Outcome.UNSUITABLE: ((Status.CONTACTING, 1), (Status.AWAITING_CONSENT, 1)),
    Outcome.NOT_CONTACTABLE: ((Status.REFERRED, 3), (Status.CONTACTING, 7)),
}
# Status by age of the referral: (younger than this many days, {status: weight}).
STATUS_BY_AGE = (
    (7, {Status.REFERRED: 60, Status.CONTACTING: 40}),
    (
        30,
        {
            Status.REFERRED: 5,
            Status.CONTACTING: 30,
            Status.AWAITING_CONSENT: 30,
            Status.READY: 10,
            Status.ACTIVE: 15,
            Status.CLOSED: 10,
        },
    ),
    (
        120,
        {
            Status.CONTACTING: 5,
            Status.AWAITING_CONSENT: 10,
            Status.READY: 5,
            Status.ACTIVE: 45,
            Status.CLOSED: 35,
        },
    ),
    (365, {Status.AWAITING_CONSENT: 1, Status.ACTIVE: 8, Status.CLOSED: 91}),
    (10**6, {Status.AWAITING_CONSENT: 2, Status.ACTIVE: 3, Status.CLOSED: 995}),
)
# Days from one stage to the next: referred→contacting→awaiting→ready→active.
STAGE_GAPS = ((0, 4), (3, 21), (3, 25), (1, 14))
SESSION_MODES = {
    "intake": {"home_visit": 45, "office": 20, "phone": 25, "video": 10},
    "separate": {"home_visit": 30, "office": 25, "phone": 30, "video": 15},
    "joint": {"neutral_venue": 55, "office": 35, "video": 10},
    "shuttle": {"neutral_venue": 50, "office": 50},
    "follow_up": {"phone": 70, "home_visit": 15, "video": 15},
    "restorative": {"neutral_venue": 70, "office": 30},
}
# The length of the specialist courses (volunteers.services.SPECIALIST_TRAINING), in hours.
SPECIALIST_COURSE_HOURS = {
    TrainingRecord.Course.PARENT_TEEN: Decimal("12.0"),
    TrainingRecord.Course.RESTORATIVE: Decimal("18.0"),
}
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def london(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON).astimezone(
        UTC
    )


@dataclass(slots=True, eq=False)
class Vol:
    id: int
    status: str
    first_name: str
    last_name: str
    email: str
    phone: str
    postcode: str
    user_id: int | None
    joined: datetime.date
    accredited: set = field(default_factory=set)
    weight: float = 1.0
    supervisor_id: int | None = None
    # Accredited after supervised trainee cases here, or (False) elsewhere, with evidence.
    trained_here: bool = False
    # The rows written for them that the rules read (dbs_checks, training, accreditations,
    # connections), as unsaved model instances: see ``record``.
    facts: dict = field(default_factory=dict)
    _record: Volunteer | None = None
    # How they hear of their sessions (notifications.channels.volunteer_route).
    route: object = None

    @property
    def record(self) -> Volunteer:
        """This volunteer as volunteers.eligibility and .dbs read one: an unsaved Volunteer
        whose related rows are "prefetched" from ``facts``, so the rules themselves judge the
        plan before anything is sent to the database."""
        if self._record is None:
            self._record = Volunteer(
                pk=self.id,
                first_name=self.first_name,
                last_name=self.last_name,
                postcode=self.postcode,
                status=self.status,
                supervisor_id=self.supervisor_id,
            )
            self._record._prefetched_objects_cache = {
                name: self.facts.setdefault(name, [])
                for name in ("dbs_checks", "training", "accreditations", "connections")
            }
        return self._record

    def may_work_until(self, day: datetime.date) -> bool:
        """Their DBS check is current until ``day`` (rule 4: past any session booked now)."""
        return dbs_is_current(self.record, day)


@dataclass(slots=True)
class Plan:
    """What happens to one case, decided before any row is written."""

    received: datetime.date
    dispute: str
    source: str
    status: str
    stage: int
    outcome: str = ""
    # When the case reached each stage (referred, contacting, …), and when it closed.
    reached: list = field(default_factory=list)
    closed_at: datetime.datetime | None = None
    id: int = 0
    reference: str = ""
    # (lead, co-mediator) volunteers; trainee cases put the trainee second.
    pair: tuple | None = None
    trainee_state: str = ""
    supervisor_id: int | None = None
    # (street, town, postcode, phone area) of the first party: the case's district.
    first_street: tuple | None = None

    @property
    def mediated(self) -> bool:
        return self.stage >= ACTIVE_STAGE

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def active_on(self) -> datetime.date:
        return timezone.localdate(self.reached[ACTIVE_STAGE])


class ScaleGenerator:
    def __init__(self, *, cases: int, seed: int, password: str, log):
        self.n_cases = cases
        # Synthetic data, reproducible by seed: not for anything secret.
        self.rng = random.Random(seed)  # noqa: S311
        self.password = password
        self.log = log
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.horizon = self.today + datetime.timedelta(days=BOOKED_AHEAD_DAYS)
        self.started = time.monotonic()
        self.tables: dict = {}
        self.usernames: dict[int, str] = {}

    # --- plumbing ------------------------------------------------------------------------------

    def say(self, message: str) -> None:
        self.log(f"[{time.monotonic() - self.started:6.1f} s] {message}")

    def table(self, model) -> CopyTable:
        if model not in self.tables:
            table = CopyTable(model, self.cursor)
            table.lock()
            self.tables[model] = table
        return self.tables[model]

    def add(self, model, **values) -> int:
        return self.table(model).add(**values)

    def add_fact(self, vol: Vol, model, **values) -> int:
        """A row about ``vol`` that the rules read, written and kept on ``vol.facts``."""
        pk = self.add(model, volunteer_id=vol.id, **values)
        related = model._meta.get_field("volunteer").remote_field.related_name
        vol.facts.setdefault(related, []).append(model(pk=pk, volunteer_id=vol.id, **values))
        return pk

    def run(self, cursor) -> dict:
        """Generate everything through ``cursor``, inside the caller's transaction."""
        self.cursor = cursor
        for model in (
            get_user_model(),
            get_user_model().groups.through,
            Volunteer,
            Case,
            Party,
            Consent,
            CaseAssignment,
            ContactLogEntry,
            MediationSession,
            MediationSession.mediators.through,
            MediationSession.parties.through,
            OutboxMessage,
            TraineeCase,
            DBSCheck,
            TrainingRecord,
            Accreditation,
            Availability,
            DeclaredConnection,
            CalendarFeed,
            VolunteerHours,
            AuditEvent,
            Referrer,
            SurveyInvitation,
            FeedbackAnswer,
            FollowUpAnswer,
        ):
            self.table(model)
        self.agreement_models = [
            optional_model(label)
            for label in ("cases.Agreement", "cases.AgreementTerm", "cases.AgreementSignature")
        ]
        if not all(self.agreement_models):
            self.agreement_models = None
        for model in self.agreement_models or ():
            self.table(model)
        self.make_places()
        self.make_referrers()
        self.make_users()
        self.make_volunteers()
        self.say(f"{len(self.volunteers):,} volunteers and {len(self.usernames):,} logins planned")
        plans = self.plan_cases()
        self.say(f"{len(plans):,} cases planned")
        self.plan_pairs(plans)
        self.say("pairs and trainee cases planned; writing cases")
        step = max(1, len(plans) // 10)
        for i, plan in enumerate(plans, 1):
            self.write_case(plan)
            if i % step == 0 or i == len(plans):
                self.say(f"  {i:,} cases written")
        self.set_reference_counters(plans)
        for table in self.tables.values():
            table.finish()
        self.say("all rows sent")
        return {t.model._meta.label: t.count for t in self.tables.values()}

    def analyse(self, *, vacuum: bool) -> None:
        """Fresh planner statistics (and, outside a transaction, the visibility map), as a
        database that has been running a while would have."""
        quote = connection.ops.quote_name
        names = ", ".join(quote(t.table) for t in self.tables.values())
        with connection.cursor() as cursor:
            cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {names}")

    # --- people and places ---------------------------------------------------------------------

    def make_places(self) -> None:
        rng = self.rng
        districts = words.DISTRICTS
        weights = [d[3] for d in districts]
        streets = []
        used = set()
        for _ in range(max(300, self.n_cases // 4)):
            district, town, area, _weight = rng.choices(districts, weights=weights)[0]
            root = rng.choice(words.STREET_ROOTS)
            suffix = rng.choice(words.STREET_SUFFIXES)
            while True:
                inward = (
                    f"{rng.randrange(10)}{rng.choice(words.INWARD_LETTERS)}"
                    f"{rng.choice(words.INWARD_LETTERS)}"
                )
                postcode = f"{district} {inward}"
                if postcode not in used:
                    used.add(postcode)
                    break
            streets.append((f"{root} {suffix}", town, postcode, area))
        self.streets = streets

    def make_referrers(self) -> None:
        """A few hundred referring organisations (max(40, N/300): 333 at 100,000 cases), by
        referral source, each with a weight: a few housing providers and councils refer most
        cases, a long tail of schools and surgeries a handful each."""
        rng = self.rng
        count = max(40, self.n_cases // 300)
        towns = sorted({town for _, town, _, _ in words.DISTRICTS})
        names: dict[str, set] = {}
        known = {
            "housing": words.HOUSING_PROVIDERS,
            "police": ("Kent Police",),
            "council": words.COUNCILS,
            "school": words.SCHOOLS,
            "health": words.HEALTH,
            "other_agency": words.OTHER_AGENCIES,
        }
        patterns = {
            "housing": ("{town} Housing Association", "{root} Homes", "{root} Housing Trust"),
            "police": ("Kent Police, {town} Community Safety Unit",),
            "council": ("{town} Town Council", "{root} Parish Council"),
            "school": ("{root} Primary School", "{town} {root} Academy", "{root} Grammar School"),
            "health": ("{root} Surgery", "{root} Medical Centre", "{town} Health Centre"),
            "other_agency": ("{town} Family Hub", "{root} Trust", "{town} Community Support"),
        }
        for source, base in known.items():
            names[source] = dict.fromkeys(base)
        while sum(map(len, names.values())) < count:
            source = weighted(rng, {k: v for k, v in SOURCE_WEIGHTS.items() if k != "self"})
            name = rng.choice(patterns[source]).format(
                town=rng.choice(towns), root=rng.choice(words.STREET_ROOTS)
            )
            if not any(name in taken for taken in names.values()):
                names[source][name] = None
        self.referrers: dict[str, tuple[list[int], list[float]]] = {}
        created = self.now - datetime.timedelta(days=YEARS * 365 + 30)
        for source, orgs in names.items():
            ids, weights = [], []
            for rank, name in enumerate(orgs, 1):
                ids.append(
                    self.add(
                        Referrer,
                        name=name,
                        kind=source,
                        email=f"referrals@{name.lower().replace(' ', '-')[:30]}.example.org",
                        created_at=created,
                    )
                )
                weights.append(1 / rank)  # Zipf: the first few refer most
            self.referrers[source] = (ids, weights)

    def person_name(self) -> tuple[str, str]:
        return self.rng.choice(words.FIRST_NAMES), self.rng.choice(words.LAST_NAMES)

    def phone(self, area: str | None = None, mobile: bool | None = None) -> str:
        rng = self.rng
        if mobile is None:
            mobile = rng.random() < 0.6
        if mobile or area is None:
            return f"+447{rng.choice('3456789')}{rng.randrange(10**8):08d}"
        return f"+44{area}{rng.randrange(200000, 999999)}"

    def email(self, first: str, last: str) -> str:
        rng = self.rng
        local = rng.choice(
            (f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randrange(1, 99)}")
        )
        local = local.lower().replace(" ", "").replace("'", "")
        return f"{local}@{rng.choice(words.EMAIL_DOMAINS)}"

    def make_users(self) -> None:
        """The demo logins, more coordinators and supervisors; volunteers' logins come later."""
        User = get_user_model()
        self.groups = {
            name: Group.objects.get_or_create(name=name)[0].pk
            for name in (COORDINATOR, MEDIATOR, SUPERVISOR, ADMINISTRATOR)
        }
        self.existing = dict(User.objects.values_list("username", "pk"))
        self.demo_hash = make_password(self.password)
        self.unusable = make_password(None)
        self.reused = []
        demo = {
            "coordinator": ("Claire", "Okafor", (COORDINATOR,)),
            "mediator": ("Martin", "Hughes", (MEDIATOR,)),
            "trainee": ("Tara", "Whitfield", (MEDIATOR,)),
            "supervisor": ("Susan", "Patel", (SUPERVISOR, MEDIATOR)),
            "admin": ("Adam", "Reid", (ADMINISTRATOR,)),
        }
        self.demo_users = {
            username: self.user(username, first, last, roles, demo=True)
            for username, (first, last, roles) in demo.items()
        }
        n_coordinators = max(2, self.n_cases // 12_500)
        self.coordinators = [self.demo_users["coordinator"]]
        for i in range(2, n_coordinators + 1):
            first, last = self.person_name()
            self.coordinators.append(self.user(f"coordinator{i}", first, last, (COORDINATOR,)))
        # The demo coordinator handles a bigger share, so their pages have plenty.
        self.coordinator_weights = [3] + [2] * (len(self.coordinators) - 1)

    def user(self, username, first, last, roles, *, demo=False) -> int:
        if username in self.existing:
            self.reused.append(username)
            self.usernames[self.existing[username]] = username
            return self.existing[username]
        joined = self.now - datetime.timedelta(days=self.rng.randrange(30, 2500))
        user_id = self.add(
            get_user_model(),
            password=self.demo_hash if demo else self.unusable,
            last_login=None,
            is_superuser=ADMINISTRATOR in roles,
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            is_staff=ADMINISTRATOR in roles,
            is_active=True,
            date_joined=joined,
        )
        for role in roles:
            self.add(get_user_model().groups.through, user_id=user_id, group_id=self.groups[role])
        self.usernames[user_id] = username
        return user_id

    def make_volunteers(self) -> None:
        rng = self.rng
        n = max(20, self.n_cases // 50)
        n_trainees = max(2, round(n * 0.05))
        n_applicants = max(1, round(n * 0.04))
        n_in_training = max(1, round(n * 0.04))
        n_inactive = max(1, round(n * 0.15))
        n_mediators = n - n_trainees - n_applicants - n_in_training - n_inactive
        n_supervisors = max(1, math.ceil(n_trainees / 10))
        S = Volunteer.Status
        statuses = (
            [S.MEDIATOR] * n_mediators
            + [S.TRAINEE] * n_trainees
            + [S.INACTIVE] * n_inactive
            + [S.IN_TRAINING] * n_in_training
            + [S.APPLICANT] * n_applicants
        )
        self.volunteers: list[Vol] = []
        demo_names = {0: "mediator", 1: "supervisor", n_mediators: "trainee"}
        self.supervisor_users = [self.demo_users["supervisor"]]
        trainee_index = 0
        for i, status in enumerate(statuses):
            username = demo_names.get(i)
            if username:
                first, last = {
                    "mediator": ("Martin", "Hughes"),
                    "supervisor": ("Susan", "Patel"),
                    "trainee": ("Tara", "Whitfield"),
                }[username]
                user_id = self.demo_users[username]
            else:
                first, last = self.person_name()
                user_id = None
                if status in (S.MEDIATOR, S.TRAINEE):
                    supervising = status == S.MEDIATOR and 2 <= i < 1 + n_supervisors
                    roles = (SUPERVISOR, MEDIATOR) if supervising else (MEDIATOR,)
                    name = f"{first}.{last}.{i}".lower().replace("'", "")
                    user_id = self.user(name, first, last, roles)
                    if supervising:
                        self.supervisor_users.append(user_id)
            if status == S.TRAINEE:
                joined = self.today - datetime.timedelta(days=rng.randrange(200, 540))
            elif status == S.IN_TRAINING:
                joined = self.today - datetime.timedelta(days=rng.randrange(20, 180))
            elif status == S.APPLICANT:
                joined = self.today - datetime.timedelta(days=rng.randrange(1, 60))
            else:
                joined = self.today - datetime.timedelta(days=rng.randrange(400, 365 * 9))
            street, town, postcode, area = rng.choice(self.streets)
            vol = Vol(
                id=0,
                status=status,
                first_name=first,
                last_name=last,
                email=self.email(first, last) if rng.random() < 0.97 else "",
                phone=self.phone(area),
                postcode=postcode,
                user_id=user_id,
                joined=joined,
                weight=rng.lognormvariate(0, 0.6),
            )
            if status == S.TRAINEE:
                # The demo supervisor gets the first share, so their pages have about ten.
                vol.supervisor_id = self.supervisor_users[
                    min(trainee_index // 10, len(self.supervisor_users) - 1)
                    if n_trainees <= 10 * len(self.supervisor_users)
                    else trainee_index % len(self.supervisor_users)
                ]
                trainee_index += 1
            kinds = AccreditationKind
            if status in (S.MEDIATOR, S.INACTIVE):
                vol.accredited.add(kinds.COMMUNITY)
                if rng.random() < 0.35:
                    vol.accredited.add(kinds.PARENT_TEEN)
                if rng.random() < 0.25:
                    vol.accredited.add(kinds.RESTORATIVE)
                # Most trained here (rule 6: supervised trainee cases); others elsewhere.
                vol.trained_here = rng.random() < 0.6
            if username == "mediator":
                vol.accredited |= {kinds.COMMUNITY, kinds.PARENT_TEEN}
            if username == "supervisor":
                vol.accredited |= set(kinds)
            vol.id = self.add(
                Volunteer,
                user_id=user_id,
                first_name=first,
                last_name=last,
                email=vol.email,
                phone=vol.phone,
                address=f"{rng.randrange(1, 120)} {street}\n{town}",
                postcode=postcode,
                languages=rng.choice(
                    ("English",) * 8 + tuple(f"English, {x}" for x in words.LANGUAGES)
                ),
                status=status,
                supervisor_id=vol.supervisor_id,
                notes="",
                created_at=london(joined, 10),
            )
            vol.route = volunteer_route(vol)
            self.volunteers.append(vol)
            self.volunteer_records(vol, street, postcode)
        # Rules 2 and 3 need a few accredited working mediators of each kind, with a current DBS
        # check, whatever the size. (The first two are the demo mediator and supervisor, who are
        # not in the general pool.)
        working = [
            v for v in self.volunteers if v.status == S.MEDIATOR and v.may_work_until(self.horizon)
        ][2:]
        for kind in EXTRA_ACCREDITATION.values():
            for vol in working[:8]:
                if sum(kind in v.accredited for v in working) >= 4:
                    break
                if kind not in vol.accredited:
                    vol.accredited.add(kind)
                    granted = self.accreditation(vol, kind)
                    trained = granted - datetime.timedelta(days=self.rng.randrange(7, 60))
                    self.specialist_training(vol, kind, trained)

    def accreditation(self, vol: Vol, kind: str) -> datetime.date:
        granted = min(
            self.today, vol.joined + datetime.timedelta(days=self.rng.randrange(200, 900))
        )
        elsewhere = kind == AccreditationKind.COMMUNITY and not vol.trained_here
        self.add_fact(
            vol,
            Accreditation,
            kind=kind,
            granted_on=granted,
            # Community accreditation follows supervised trainee cases here (plan_pairs), or is
            # recorded by a coordinator from evidence of accreditation elsewhere (rule 6).
            granted_by_id=self.rng.choice(
                self.coordinators if elsewhere else self.supervisor_users
            ),
            prior_evidence="Accredited by another mediation service; certificate seen."
            if elsewhere
            else "",
        )
        return granted

    def specialist_training(self, vol: Vol, kind: str, completed_on: datetime.date) -> None:
        """The training a parent/teen or restorative accreditation needs (rule 3)."""
        course = SPECIALIST_TRAINING[kind]
        self.add_fact(
            vol,
            TrainingRecord,
            course=course,
            hours=SPECIALIST_COURSE_HOURS[course],
            completed_on=completed_on,
            notes="",
        )

    def volunteer_records(self, vol: Vol, street: str, postcode: str) -> None:
        """DBS checks, training, accreditations, availability, connections, calendar feed."""
        rng = self.rng
        S = Volunteer.Status
        today = self.today
        if vol.status != S.APPLICANT and (vol.status != S.IN_TRAINING or rng.random() < 0.5):
            # Earlier certificates as each was renewed (volunteers.dbs: DBS_RENEWAL_YEARS), then
            # the latest one: current for most, lapsed for former volunteers and a few others
            # (a day either side of the period, whatever the leap years).
            period = 365 * settings.DBS_RENEWAL_YEARS
            issued = vol.joined + datetime.timedelta(days=rng.randrange(0, 40))
            latest = today - datetime.timedelta(days=rng.randrange(0, period - 1))
            if vol.user_id in self.demo_users.values():
                # The demo logins work on open cases: current past any session booked now.
                latest = today - datetime.timedelta(days=rng.randrange(0, period // 2))
            elif vol.status == S.INACTIVE or rng.random() < 0.015:
                latest = today - datetime.timedelta(days=rng.randrange(period + 2, period + 730))
            while issued + datetime.timedelta(days=period) < latest:
                self.dbs(vol, issued, update_service=False)
                issued += datetime.timedelta(days=period - rng.randrange(0, 30))
            self.dbs(vol, max(issued, latest), update_service=rng.random() < 0.35)
        course = settings.COMMUNITY_COURSE_HOURS  # rule 5: the hours before any assignment
        if vol.status in (S.TRAINEE, S.MEDIATOR, S.INACTIVE):
            done = min(today, vol.joined + datetime.timedelta(days=rng.randrange(40, 120)))
            self.add_fact(
                vol,
                TrainingRecord,
                course=TrainingRecord.Course.COMMUNITY,
                hours=course + Decimal(rng.choice(("0", "0", "1.5", "2.0"))),
                completed_on=done,
                notes="",
            )
            for kind in SPECIALIST_TRAINING:
                if kind in vol.accredited:
                    self.specialist_training(
                        vol,
                        kind,
                        done + datetime.timedelta(days=rng.randrange(60, 400))
                        if done + datetime.timedelta(days=400) < today
                        else done,
                    )
            for kind in sorted(vol.accredited):
                self.accreditation(vol, kind)
        elif vol.status == S.IN_TRAINING:
            self.add_fact(
                vol,
                TrainingRecord,
                course=TrainingRecord.Course.COMMUNITY,
                hours=course * Decimal(rng.choice(("0.3", "0.5", "0.7"))),
                completed_on=None,
                notes="In progress",
            )
        if vol.status in (S.TRAINEE, S.MEDIATOR):
            slots = rng.sample(
                [(d, p) for d in range(7) for p in ("morning", "afternoon", "evening")],
                rng.randrange(2, 7),
            )
            for day, part in slots:
                self.add(Availability, volunteer_id=vol.id, weekday=day, part_of_day=part)
            if rng.random() < 0.08:
                self.add_fact(
                    vol,
                    DeclaredConnection,
                    person_name="",
                    street=street,
                    postcode=postcode,
                    note="Lives on this street",
                )
            if vol.user_id in self.demo_users.values() or rng.random() < 0.3:
                self.add(
                    CalendarFeed,
                    volunteer_id=vol.id,
                    token="".join(rng.choices(TOKEN_ALPHABET, k=32)),
                    created_at=london(max(vol.joined, today - datetime.timedelta(days=300)), 12),
                )

    def dbs(self, vol: Vol, issued: datetime.date, *, update_service: bool) -> None:
        rng = self.rng
        checked = None
        if update_service:
            checked = max(issued, self.today - datetime.timedelta(days=rng.randrange(0, 330)))
        check = SimpleNamespace(
            enhanced=True,
            issued_on=issued,
            update_service=update_service,
            last_status_check_on=checked,
        )
        self.add_fact(
            vol,
            DBSCheck,
            certificate_number=f"{rng.randrange(10**11, 10**12)}",
            enhanced=True,
            issued_on=issued,
            update_service=update_service,
            last_status_check_on=checked,
            current_until=current_until(check),
            recorded_by_id=rng.choice(self.coordinators),
            recorded_at=london(issued, 11) + datetime.timedelta(days=rng.randrange(3, 20)),
        )

    # --- planning the cases --------------------------------------------------------------------

    def plan_cases(self) -> list[Plan]:
        rng = self.rng
        span = YEARS * 365
        ages = []
        for _ in range(self.n_cases):
            # Density rising from 0.8 to 1.2 over the six years: a service that grows.
            u = rng.random()
            x = (-0.8 + math.sqrt(0.64 + 0.8 * u)) / 0.4
            age = int((1 - x) * span)
            received = self.today - datetime.timedelta(days=age)
            if received.weekday() >= 5 and rng.random() < 0.8:
                received -= datetime.timedelta(days=received.weekday() - 4)
            ages.append(received)
        ages.sort()
        plans = []
        for received in ages:
            age = (self.today - received).days
            weights = next(w for limit, w in STATUS_BY_AGE if age < limit)
            status = weighted(rng, weights)
            outcome = ""
            if status == Status.CLOSED:
                outcome = weighted(rng, OUTCOME_WEIGHTS)
                stage = STAGES.index(weighted(rng, dict(CLOSED_FROM[outcome])))
            else:
                stage = STAGES.index(status)
            dispute = weighted(rng, DISPUTE_WEIGHTS)
            plan = Plan(
                received=received,
                dispute=dispute,
                source=weighted(rng, SOURCE_WEIGHTS),
                status=status,
                stage=stage,
                outcome=outcome,
            )
            self.plan_timeline(plan)
            plans.append(plan)
        # References in order of receipt, dense per year.
        numbers = {}
        case_ids = itertools.count(self.table(Case).next_id)
        for plan in plans:
            year = plan.received.year
            numbers[year] = numbers.get(year, 0) + 1
            plan.id = next(case_ids)
            plan.reference = f"WKM-{year}-{numbers[year]:04d}"
        self.table(Case).next_id = plan.id + 1 if plans else self.table(Case).next_id
        self.year_counts = numbers
        mediated = sum(p.mediated for p in plans)
        # Sessions happen only on mediated cases: spread ~4 per case over those.
        self.sessions_per_mediated_case = 4.0 * len(plans) / max(1, mediated)
        return plans

    def plan_timeline(self, plan: Plan) -> None:
        rng = self.rng
        gaps = [rng.randint(*STAGE_GAPS[i]) for i in range(plan.stage)]
        close_gap = 0
        if plan.status == Status.CLOSED:
            close_gap = rng.randint(20, 150) if plan.mediated else rng.randint(5, 45)
        total = sum(gaps) + close_gap
        room = (self.today - plan.received).days
        if total > room:  # squeeze the story into the time since it was received
            scale = room / total if total else 0
            gaps = [int(g * scale) for g in gaps]
            close_gap = int(close_gap * scale)
        day = plan.received
        plan.reached = [london(day, rng.randrange(9, 17), rng.choice((0, 15, 30, 45)))]
        for gap in gaps:
            day += datetime.timedelta(days=gap)
            plan.reached.append(london(day, rng.randrange(9, 17), rng.choice((0, 15, 30, 45))))
        if plan.status == Status.CLOSED:
            day += datetime.timedelta(days=close_gap)
            plan.closed_at = london(day, rng.randrange(10, 17))
        # Nothing in the future: a same-day story ends now at the latest.
        plan.reached = [min(t, self.now) for t in plan.reached]
        if plan.closed_at:
            plan.closed_at = min(plan.closed_at, self.now)

    def plan_pairs(self, plans: list[Plan]) -> None:
        """Who mediates what: the demo logins first, then trainee cases, then everyone else."""
        rng = self.rng
        S = Volunteer.Status
        by_user = {v.user_id: v for v in self.volunteers if v.user_id}
        demo_mediator = by_user[self.demo_users["mediator"]]
        demo_supervisor = by_user[self.demo_users["supervisor"]]
        demo_trainee = by_user[self.demo_users["trainee"]]
        mediated = [p for p in plans if p.mediated]
        self.pools = {}
        # Open cases get mediators who may work on them until their last session (rule 4);
        # closed ones had theirs at the time, some of whom have since stopped.
        for is_open in (True, False):
            for need in AccreditationKind:
                pool = [
                    v
                    for v in self.volunteers
                    if need in v.accredited
                    and v not in (demo_mediator, demo_supervisor)
                    and (
                        v.status == S.MEDIATOR and v.may_work_until(self.horizon)
                        if is_open
                        else v.status in (S.MEDIATOR, S.INACTIVE)
                    )
                ]
                self.pools[is_open, need] = (
                    pool,
                    list(itertools.accumulate(v.weight for v in pool)),
                )

        def free(candidates, count, recent_days=None):
            chosen = [p for p in candidates if p.pair is None]
            if recent_days:
                chosen = [
                    p for p in chosen if (self.today - p.received).days < recent_days
                ] or chosen
            return rng.sample(chosen, min(count, len(chosen)))

        # The demo mediator: ~40 cases, a quarter of them still open. The supervisor: ~15.
        for vol, total in ((demo_mediator, 40), (demo_supervisor, 15)):
            total = min(total, len(mediated) // 4)
            allowed = [p for p in mediated if self.need(p) in vol.accredited]
            open_cases = free([p for p in allowed if p.is_open], max(1, total // 4))
            closed = free([p for p in allowed if not p.is_open], total - len(open_cases), 3 * 365)
            for plan in open_cases + closed:
                partner = self.partner(plan, exclude=(vol,))
                plan.pair = (vol, partner) if rng.random() < 0.6 else (partner, vol)

        # Trainee cases: today's trainees at every stage, and the three signed-off cases of each
        # mediator who trained here.
        community = sorted(
            (p for p in mediated if p.dispute in COMMUNITY_DISPUTES and p.pair is None),
            key=lambda p: p.received,
        )
        dates = [p.received for p in community]

        def near(day, *, want_open=None):
            start = bisect.bisect_left(dates, day)
            for _ in range(40):
                i = min(len(community) - 1, max(0, start + rng.randrange(-60, 60)))
                plan = community[i] if community else None
                if plan and plan.pair is None and (want_open is None or plan.is_open == want_open):
                    return plan
            return None

        trainees = [v for v in self.volunteers if v.status == S.TRAINEE]
        stages = ["in_progress", "awaiting_reflection", "awaiting_feedback", "ready", "more_work"]
        # Fewer signed off than accreditation needs (rule 6): they are still trainees.
        needed = settings.TRAINEE_CASES_FOR_ACCREDITATION
        for n, trainee in enumerate(trainees):
            signed = 1 if trainee is demo_trainee else rng.choice((0, 1, 1, 2, 2))
            states = ["signed_off"] * min(signed, needed - 1) + [
                "in_progress" if trainee is demo_trainee else stages[n % len(stages)]
            ]
            for k, state in enumerate(states):
                if state == "in_progress" and not trainee.may_work_until(self.horizon):
                    continue  # an open case needs a current DBS check (rule 4)
                if state == "in_progress":
                    ago = rng.randrange(20, 100)
                else:
                    ago = 420 - 110 * k - rng.randrange(0, 60)
                day = self.today - datetime.timedelta(days=ago)
                plan = near(day, want_open=state == "in_progress")
                if plan is None:
                    continue
                partner = self.partner(plan, exclude=(trainee,))
                plan.pair = (partner, trainee)
                plan.trainee_state = state
                plan.supervisor_id = trainee.supervisor_id
        for vol in self.volunteers:
            if not vol.trained_here:
                continue
            trained = vol.joined + datetime.timedelta(days=rng.randrange(120, 300))
            for k in range(settings.TRAINEE_CASES_FOR_ACCREDITATION):
                plan = near(trained + datetime.timedelta(days=60 * k), want_open=False)
                if plan is None:
                    continue
                plan.pair = (self.partner(plan, exclude=(vol,)), vol)
                plan.trainee_state = "signed_off"
                plan.supervisor_id = rng.choice(self.supervisor_users)
        for plan in mediated:
            if plan.pair is None:
                lead = self.partner(plan, exclude=())
                plan.pair = (lead, self.partner(plan, exclude=(lead,)))

    @staticmethod
    def need(plan: Plan) -> str:
        """The accreditation both mediators of the case need (rule 3), else community."""
        return EXTRA_ACCREDITATION.get(plan.dispute, AccreditationKind.COMMUNITY)

    def partner(self, plan: Plan, *, exclude) -> Vol:
        pool, cumulative = self.pools[plan.is_open, self.need(plan)]
        for _ in range(50):
            vol = self.rng.choices(pool, cum_weights=cumulative)[0]
            if vol not in exclude:
                return vol
        return next(v for v in pool if v not in exclude)

    # --- writing one case ----------------------------------------------------------------------

    def write_case(self, plan: Plan) -> None:
        rng = self.rng
        coordinator = rng.choices(self.coordinators, weights=self.coordinator_weights)[0]
        source = plan.source
        referrer_name = referrer_org = referrer_contact = ""
        if source != "self":
            first, last = self.person_name()
            referrer_name = f"{first} {last}" if rng.random() < 0.8 else "ASB team"
            referrer_org = {
                "housing": words.HOUSING_PROVIDERS,
                "police": ("Kent Police",),
                "council": words.COUNCILS,
                "school": words.SCHOOLS,
                "health": words.HEALTH,
                "other_agency": words.OTHER_AGENCIES,
            }[source]
            referrer_org = rng.choice(referrer_org)
            referrer_contact = self.email(first, last) if rng.random() < 0.6 else self.phone("1732")
        risk_violence = rng.random() < 0.07
        risk_safeguarding = rng.random() < (
            0.3 if plan.dispute == DisputeType.PARENT_TEEN else 0.05
        )
        risk_lone = rng.random() < 0.05
        issue = rng.choice(words.ISSUES[plan.dispute])
        summary = f"{issue[0].upper()}{issue[1:]}. " + rng.choice(words.HISTORY).format(
            months=rng.randrange(2, 30), times=rng.randrange(2, 6)
        )
        closed_on = timezone.localdate(plan.closed_at) if plan.closed_at else None
        referrer = None
        if source != "self" and rng.random() < 0.9:
            ids, weights = self.referrers[source]
            referrer = rng.choices(ids, weights=weights)[0]
        # The first party's street, chosen now so that the case carries its district (as the
        # parties' services keep it).
        plan.first_street = rng.choice(self.streets)
        follow_up = follow_up_done = None
        if closed_on and plan.mediated and rng.random() < 0.7:
            follow_up = closed_on + datetime.timedelta(days=settings.FOLLOW_UP_DAYS)
            follow_up_done = self.follow_up_contact(follow_up)
        last_change = plan.closed_at or plan.reached[-1]
        self.add(
            Case,
            id=plan.id,
            reference=plan.reference,
            dispute_type=plan.dispute,
            referral_source=source,
            referrer_name=referrer_name,
            referrer_organisation=referrer_org,
            referrer_contact=referrer_contact,
            referrer_id=referrer,
            postcode_district=district_of(plan.first_street[2]),
            received_on=plan.received,
            summary=summary,
            risk_violence=risk_violence,
            risk_safeguarding=risk_safeguarding,
            risk_lone_working=risk_lone,
            risk_notes=rng.choice(words.RISK_NOTES)
            if (risk_violence or risk_safeguarding or risk_lone)
            else "",
            status=plan.status,
            status_changed_at=last_change,
            coordinator_id=coordinator if rng.random() > 0.02 else None,
            outcome=plan.outcome,
            closed_on=closed_on,
            follow_up_on=follow_up,
            follow_up_done_on=timezone.localdate(follow_up_done) if follow_up_done else None,
            status_before_close=STAGES[plan.stage] if plan.status == Status.CLOSED else "",
            created_at=plan.reached[0],
            created_by_id=coordinator,
        )
        parties = self.write_parties(plan)
        withdrawals = self.write_consents(plan, parties, coordinator)
        self.write_audit(plan, coordinator, len(parties))
        authors = [coordinator]
        if plan.mediated:
            authors += self.write_assignments(plan, parties, coordinator)
            self.write_sessions(plan, parties, coordinator, withdrawals)
            if self.agreement_models:
                self.write_agreement(plan, parties, coordinator)
        self.write_log(plan, parties, authors)
        if follow_up_done:
            self.write_follow_up(plan, follow_up_done, parties, coordinator)
        self.write_surveys(plan, parties, follow_up, coordinator)

    def write_parties(self, plan: Plan) -> list:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4, 5), weights=(12, 50, 22, 11, 5))[0]
        if plan.mediated:
            count = max(2, count)
        street, town, postcode, area = plan.first_street
        number = rng.randrange(1, 150)
        family_name = rng.choice(words.LAST_NAMES)
        family = plan.dispute in (DisputeType.FAMILY, DisputeType.PARENT_TEEN)
        parties = []
        for i in range(count):
            first = rng.choice(words.FIRST_NAMES)
            last = family_name if family and rng.random() < 0.8 else rng.choice(words.LAST_NAMES)
            if i == 0:
                role = Party.Role.FIRST_PARTY
            elif i == 1:
                role = Party.Role.OTHER_PARTY if not family else Party.Role.FAMILY_MEMBER
            else:
                role = rng.choice(
                    (
                        Party.Role.FAMILY_MEMBER,
                        Party.Role.SUPPORTER,
                        Party.Role.OTHER_PARTY,
                        Party.Role.OTHER,
                    )
                )
            # Neighbours live next door; families often together; others anywhere.
            if i > 0 and plan.dispute == DisputeType.NEIGHBOUR and rng.random() < 0.85:
                house = number + rng.choice((-2, -1, 1, 2))
            elif i > 0 and family and rng.random() < 0.6:
                house = number
            elif i > 0:
                street, town, postcode, area = rng.choice(self.streets)
                house = rng.randrange(1, 150)
            else:
                house = number
            house = max(1, house)
            under_18 = plan.dispute == DisputeType.PARENT_TEEN and i == 1
            phone = (
                self.phone(area)
                if rng.random() < 0.85 and not (under_18 and rng.random() < 0.5)
                else ""
            )
            email = self.email(first, last) if rng.random() < 0.6 else ""
            methods = ["letter"]
            if phone:
                methods += ["phone", "phone", "sms"]
            if email:
                methods += ["email", "email"]
            preferred = rng.choice(methods)
            restrictions = rng.choice(words.RESTRICTIONS) if rng.random() < 0.06 else ""
            no_text = rng.random() < 0.04
            no_email = bool(restrictions) and rng.random() < 0.3
            language = rng.choice(words.LANGUAGES) if rng.random() < 0.08 else ""
            answered = rng.random() < 0.6
            values = dict(  # noqa: C408 - keyword arguments, as add() takes them
                case_id=plan.id,
                full_name=f"{first} {last}",
                role=role,
                address_line1=f"{house} {street}"
                if rng.random() > 0.1
                else f"Flat {rng.randrange(1, 12)}, {house} {street}",
                address_line2="",
                town=town,
                postcode=postcode,
                phone=phone,
                email=email,
                preferred_contact=preferred,
                preferred_times=rng.choice(words.PREFERRED_TIMES),
                contact_restrictions=restrictions,
                no_text_messages=no_text,
                no_email=no_email,
                language=language,
                interpreter_needed=bool(language) and rng.random() < 0.6,
                accessibility_needs=rng.choice(words.ACCESSIBILITY) if rng.random() < 0.05 else "",
                under_18=under_18,
                guardian_name=f"{rng.choice(words.FIRST_NAMES)} {family_name}" if under_18 else "",
                guardian_contact=self.phone(area, mobile=True) if under_18 else "",
                safeguarding_notes="School safeguarding lead informed."
                if under_18 and rng.random() < 0.4
                else "",
                age_band=(
                    "under_18"
                    if under_18
                    else rng.choice(
                        ("18_24", "25_44", "25_44", "45_64", "45_64", "65_plus", "not_said")
                    )
                )
                if answered
                else "",
                gender=rng.choice(("woman", "woman", "man", "man", "other", "not_said"))
                if answered
                else "",
                ethnicity=rng.choices(
                    ("white", "asian", "black", "mixed", "other", "not_said"),
                    weights=(80, 7, 4, 3, 2, 4),
                )[0]
                if answered
                else "",
                disability=rng.choices(("no", "yes", "not_said"), weights=(75, 18, 7))[0]
                if answered
                else "",
                created_at=plan.reached[0],
            )
            # Kept as an unsaved Party, as the rules read one (eligibility, channels).
            party = Party(pk=self.add(Party, **values), **values)
            party._prefetched_objects_cache = {"consents": []}
            parties.append(party)
        return parties

    def write_consents(self, plan: Plan, parties: list, coordinator: int) -> dict:
        """Consents as the case went through "awaiting consent"; returns {party id: when they
        withdrew} for a party who withdrew (nobody is contacted after that)."""
        rng = self.rng
        awaiting = STAGES.index(Status.AWAITING_CONSENT)
        withdrawals = {}
        if plan.stage < awaiting:
            return withdrawals
        past_awaiting = plan.stage > awaiting
        start = plan.reached[awaiting]
        end = (
            plan.reached[awaiting + 1]
            if past_awaiting
            else min(self.now, start + datetime.timedelta(days=14))
        )
        withdrawing = None
        if plan.outcome == Outcome.WITHDRAWN and past_awaiting and plan.closed_at:
            withdrawing = rng.choice(parties)
        for party in parties:
            if not past_awaiting and rng.random() < 0.5:
                continue
            kinds = list(REQUIRED_KINDS)  # rule 7: what a party must give before joint work
            if rng.random() < 0.6:
                kinds.append(Consent.Kind.SHARE_DETAILS)
            given = start + (end - start) * rng.random()
            for kind in kinds:
                withdrawn = None
                if party is withdrawing and kind == Consent.Kind.MEDIATE:
                    withdrawn = max(
                        given, plan.closed_at - datetime.timedelta(days=rng.randrange(1, 10))
                    )
                    withdrawals[party.id] = withdrawn
                self.add(
                    Consent,
                    party_id=party.id,
                    kind=kind,
                    given_at=given,
                    method=rng.choice(("verbal", "verbal", "written")),
                    recorded_by_id=coordinator,
                    withdrawn_at=withdrawn,
                    withdrawn_recorded_by_id=coordinator if withdrawn else None,
                    notes="",
                )
        return withdrawals

    def write_audit(self, plan: Plan, coordinator: int, parties: int) -> None:
        common = {
            "actor_id": coordinator,
            "actor_username": self.usernames[coordinator],
            "object_type": "cases.case",
            "object_id": str(plan.id),
            "object_repr": plan.reference,
            "case_reference": plan.reference,
            "ip": None,
        }
        self.add(
            AuditEvent, at=plan.reached[0], action="create", detail={"parties": parties}, **common
        )
        for i in range(1, len(plan.reached)):
            self.add(
                AuditEvent,
                at=plan.reached[i],
                action="transition",
                detail={"from": STAGES[i - 1], "to": STAGES[i]},
                **common,
            )
        if plan.closed_at:
            self.add(
                AuditEvent,
                at=plan.closed_at,
                action="transition",
                detail={"to": "closed", "outcome": plan.outcome},
                **common,
            )

    def accepted_conflicts(self, plan: Plan, parties: list) -> dict:
        """Judge the pair of an open case by the rules themselves (volunteers.eligibility), as
        assigning it would: a conflict of interest (rule 8) is accepted with a reason, as a
        coordinator may; {volunteer: the keys accepted}. Any other problem means this
        generator broke a rule, and stops it before anything is committed."""
        lead, co = plan.pair
        case = Case(pk=plan.id, reference=plan.reference, dispute_type=plan.dispute)
        case._prefetched_objects_cache = {"parties": parties}
        problems = pair_problems(case, lead.record, co.record, on=self.horizon)
        broken = [problem.message for problem in problems if not problem.needs_override]
        if broken:
            raise RuntimeError(f"seed_scale broke a rule on {plan.reference}: {broken}")
        return {
            vol: [problem.key for problem in connection_problems(vol.record, parties)]
            for vol in (lead, co)
        }

    def write_assignments(self, plan: Plan, parties: list, coordinator: int) -> list[int]:
        rng = self.rng
        lead, co = plan.pair
        accepted = self.accepted_conflicts(plan, parties) if plan.is_open else {}
        start = plan.active_on
        started = {lead: start, co: start}
        if not plan.trainee_state and rng.random() < 0.04:
            # A replaced co-mediator: their assignment ended a few days in.
            replaced = self.partner(plan, exclude=(lead, co))
            end = start + datetime.timedelta(days=rng.randrange(2, 20))
            end = min(end, timezone.localdate(plan.closed_at) if plan.closed_at else self.today)
            self.add(
                CaseAssignment,
                case_id=plan.id,
                volunteer_id=replaced.id,
                role="co_mediator",
                started_on=start,
                ended_on=end,
                override_reason="",
                assigned_by_id=coordinator,
            )
            started[co] = end
        for vol, role in ((lead, "lead"), (co, "trainee" if plan.trainee_state else "co_mediator")):
            conflicts = accepted.get(vol, [])
            self.add(
                CaseAssignment,
                case_id=plan.id,
                volunteer_id=vol.id,
                role=role,
                started_on=started[vol],
                ended_on=None,
                override_reason="Lives nearby but does not know the parties; both agreed."
                if conflicts
                else "Met once at a residents' meeting; both parties agreed."
                if rng.random() < 0.01
                else "",
                overridden_conflicts=conflicts,
                assigned_by_id=coordinator,
            )
        if plan.trainee_state:
            self.write_trainee_case(plan)
        return [v.user_id for v in plan.pair if v.user_id]

    def write_trainee_case(self, plan: Plan) -> None:
        rng = self.rng
        co, trainee = plan.pair
        state = plan.trainee_state
        closed = plan.closed_at
        reflection_at = feedback_at = signed_at = None
        status = TraineeCase.Status.PENDING
        if closed and state in ("signed_off", "awaiting_feedback", "ready", "more_work"):
            reflection_at = min(self.now, closed + datetime.timedelta(days=rng.randrange(1, 10)))
        if reflection_at and state in ("signed_off", "ready", "more_work"):
            feedback_at = min(
                self.now, reflection_at + datetime.timedelta(days=rng.randrange(1, 10))
            )
        if state == "signed_off" and feedback_at:
            status = TraineeCase.Status.SIGNED_OFF
            signed_at = min(self.now, feedback_at + datetime.timedelta(days=rng.randrange(1, 14)))
        elif state == "more_work" and feedback_at:
            status = TraineeCase.Status.MORE_WORK
        self.add(
            TraineeCase,
            trainee_id=trainee.id,
            case_id=plan.id,
            co_mediator_id=co.id,
            supervisor_id=plan.supervisor_id,
            reflection="What went well, what I would do differently next time, and what I "
            "learned about staying impartial."
            if reflection_at
            else "",
            reflection_at=reflection_at,
            feedback="Listened well and summarised fairly; work on keeping the joint meeting "
            "to time."
            if feedback_at
            else "",
            feedback_at=feedback_at,
            status=status,
            supervisor_comments="Please say more about how you handled the interruption."
            if status == TraineeCase.Status.MORE_WORK
            else "",
            signed_by_id=plan.supervisor_id if signed_at else None,
            signed_at=signed_at,
            created_at=plan.reached[ACTIVE_STAGE],
        )

    def session_plan(self, plan: Plan, parties: list) -> list[tuple[str, list]]:
        """[(kind, parties attending)] in the order they happen."""
        rng = self.rng
        mean = self.sessions_per_mediated_case
        count = max(2, min(20, round(rng.gauss(mean, mean * 0.35))))
        kinds = [("intake", [p]) for p in parties[:2]]
        follow_up = (
            plan.status == Status.CLOSED
            and plan.outcome
            in (
                Outcome.FULL_AGREEMENT,
                Outcome.PARTIAL_AGREEMENT,
            )
            and rng.random() < 0.4
        )
        middle = max(0, count - len(kinds) - follow_up)
        joint = "restorative" if plan.dispute == DisputeType.RESTORATIVE else "joint"
        for _ in range(middle):
            kind = rng.choices(("separate", joint, "shuttle"), weights=(40, 45, 15))[0]
            kinds.append((kind, [rng.choice(parties)] if kind == "separate" else parties))
        if follow_up:
            kinds.append(("follow_up", [parties[0]]))
        return kinds[:count]

    def write_sessions(self, plan: Plan, parties: list, coordinator: int, withdrawals) -> None:
        rng = self.rng
        start = plan.active_on + datetime.timedelta(days=rng.randrange(1, 8))
        if plan.closed_at:
            end = timezone.localdate(plan.closed_at)
            start = min(start, end)
        else:
            end = max(start, self.today) + datetime.timedelta(days=rng.randrange(10, 60))
        end = max(end, start + datetime.timedelta(days=1))
        sessions = self.session_plan(plan, parties)
        days = sorted(
            start + datetime.timedelta(days=int((end - start).days * rng.random()))
            for _ in sessions
        )
        lead, co = plan.pair
        for (kind, attending), day in zip(sessions, days, strict=True):
            if day.weekday() == 6:
                day += datetime.timedelta(days=1)
            starts = london(
                day, rng.choice((9, 10, 11, 13, 14, 15, 16, 17, 18, 19)), rng.choice((0, 30))
            )
            minutes = (
                120 if kind in ("joint", "restorative", "shuttle") else rng.choice((60, 60, 90))
            )
            if plan.closed_at and starts > plan.closed_at:
                starts = plan.closed_at - datetime.timedelta(hours=3)
            ends = starts + datetime.timedelta(minutes=minutes)
            mode = weighted(rng, SESSION_MODES[kind])
            if starts < self.now:
                status = rng.choices(("held", "cancelled", "did_not_attend"), weights=(86, 7, 7))[0]
            else:
                status = "scheduled" if rng.random() < 0.97 else "cancelled"
            venue = {
                "office": words.OFFICE,
                "neutral_venue": rng.choice(words.VENUES),
                "video": words.VIDEO,
            }.get(mode, "")
            created = min(
                self.now,
                max(
                    plan.reached[ACTIVE_STAGE],
                    starts - datetime.timedelta(days=rng.randrange(3, 21)),
                ),
            )
            session_id = self.add(
                MediationSession,
                case_id=plan.id,
                kind=kind,
                mode=mode,
                venue=venue,
                starts_at=starts,
                ends_at=ends,
                status=status,
                notes="Both listened; agreed next steps are in the case notes."
                if status == "held" and rng.random() < 0.5
                else "",
                created_by_id=coordinator,
                created_at=created,
            )
            for vol in (lead, co):
                self.add(
                    MediationSession.mediators.through,
                    mediationsession_id=session_id,
                    volunteer_id=vol.id,
                )
            for party in attending:
                self.add(
                    MediationSession.parties.through,
                    mediationsession_id=session_id,
                    party_id=party.id,
                )
            if starts >= self.now - datetime.timedelta(days=REMINDER_HISTORY_DAYS):
                self.write_reminders(
                    session_id, starts, created, status, attending, (lead, co), withdrawals
                )
            if status == "held" and starts >= self.now - datetime.timedelta(
                days=HOURS_HISTORY_DAYS
            ):
                for vol in (lead, co):
                    self.add(
                        VolunteerHours,
                        volunteer_id=vol.id,
                        case_id=plan.id,
                        activity="casework",
                        date=timezone.localdate(starts),
                        hours=Decimal(minutes // 30 + 1) / 2,
                        miles=Decimal(rng.randrange(0, 250)) / 10
                        if mode == "home_visit"
                        else Decimal(0),
                        note="",
                    )

    def write_reminders(
        self, session_id, starts, created, status, parties, pair, withdrawals
    ) -> None:
        rng = self.rng
        routes = []
        for party in parties:
            # As notifications.channels routes them; a call or letter by hand is no outbox row.
            if not hasattr(party, "route"):
                party.route = party_route(party)
            if party.route and not party.route.by_hand:
                stops = withdrawals.get(party.id)
                routes.append(("party_id", party.id, party.route, stops))
        for vol in pair:
            if vol.route:
                routes.append(("volunteer_id", vol.id, vol.route, None))
        for field_name, person, route, stops in routes:
            channel, address = route.channel, route.address
            for lead in settings.REMINDER_LEAD_MINUTES:
                due = reminder_due(starts, lead, channel)
                if not created <= due < starts or (stops and due >= stops):
                    continue
                values = {
                    "status": "pending",
                    "attempts": 0,
                    "sent_at": None,
                    "last_error": "",
                    "provider_message_id": "",
                }
                if status == "cancelled":
                    values.update(status="cancelled", last_error="Session cancelled")
                elif due <= self.now:
                    if rng.random() < 0.003:
                        values.update(
                            status="failed",
                            attempts=settings.REMINDER_MAX_ATTEMPTS,
                            last_error="Mailbox unavailable",
                        )
                    else:
                        sent = due + datetime.timedelta(seconds=rng.randrange(5, 90))
                        values.update(status="sent", attempts=1, sent_at=sent)
                reminder_id = self.table(OutboxMessage).next_id
                if values["status"] == "sent":
                    values["provider_message_id"] = (
                        f"<wkm-reminder-{reminder_id}@127.0.0.1:8000>"
                        if channel == "email"
                        else f"sms-{reminder_id:x}"
                    )
                values.update(
                    kind="session_reminder",
                    channel=channel,
                    session_id=session_id,
                    party_id=None,
                    volunteer_id=None,
                    user_id=None,
                    address=address,
                    lead_minutes=lead,
                    context={},
                    due_at=due,
                    claimed_until=None,
                    dedupe_key=None,
                    created_at=created,
                )
                values[field_name] = person
                self.add(OutboxMessage, **values)

    def write_log(self, plan: Plan, parties: list, authors: list[int]) -> None:
        rng = self.rng
        count = {0: 1, 1: 2, 2: 2, 3: 3}.get(plan.stage, rng.randrange(2, 4))
        if plan.status == Status.CLOSED and not plan.mediated:
            count += 1
        start = plan.reached[0]
        end = plan.closed_at or self.now
        for _ in range(count):
            kind = rng.choices(
                ("call", "letter", "email", "visit", "meeting", "note"),
                weights=(40, 15, 20, 5, 5, 15),
            )[0]
            party = rng.choice(parties) if rng.random() < 0.7 else None
            private = (
                party.id
                if party and kind in ("call", "note", "meeting") and rng.random() < 0.07
                else None
            )
            occurred = start + (end - start) * rng.random()
            author = rng.choice(authors)
            self.add(
                ContactLogEntry,
                case_id=plan.id,
                kind=kind,
                party_id=party.id if party else None,
                private_to_id=private,
                text=rng.choice(words.LOG_TEXTS[kind]),
                occurred_at=occurred,
                is_draft=rng.random() < 0.01,
                author_id=author,
                created_at=occurred,
            )

    def follow_up_contact(self, follow_up: datetime.date) -> datetime.datetime | None:
        """When a follow-up was done, if it has been: most are, by a call or a letter on or
        after the follow-up date (which marks it done, as cases.services does)."""
        rng = self.rng
        overdue = (self.today - follow_up).days
        if overdue < 0 or rng.random() > (0.98 if overdue > 60 else 0.85 if overdue > 7 else 0.3):
            return None
        day = follow_up + datetime.timedelta(days=rng.randrange(0, min(15, overdue + 1)))
        return min(self.now, london(day, rng.randrange(9, 18), rng.choice((0, 15, 30, 45))))

    def write_follow_up(self, plan, occurred: datetime.datetime, parties, coordinator) -> None:
        text = self.rng.choice(words.FOLLOW_UP_TEXTS)
        self.add(
            ContactLogEntry,
            case_id=plan.id,
            kind="letter" if text.startswith("Follow-up letter") else "call",
            party_id=parties[0].id,
            private_to_id=None,
            text=text,
            occurred_at=occurred,
            is_draft=False,
            author_id=coordinator,
            created_at=occurred,
        )

    def write_surveys(self, plan: Plan, parties: list, follow_up, coordinator: int) -> None:
        """The feedback survey for the parties of most closed cases that got past consent (a
        third answer, mostly agreeing), and the outcome follow-up at the follow-up date (two in
        five answer). Each party is asked once of each kind, by their channel."""
        rng = self.rng
        if not plan.closed_at or plan.stage < STAGES.index(Status.READY):
            return
        if rng.random() > (0.9 if plan.mediated else 0.5):
            return
        good = plan.outcome in (Outcome.FULL_AGREEMENT, Outcome.PARTIAL_AGREEMENT)
        for party in parties:
            via = "email" if party.email else "sms" if party.phone else "letter"
            sent = plan.closed_at + datetime.timedelta(hours=rng.randrange(1, 30))
            if sent > self.now:
                continue
            answered = None
            if rng.random() < 0.35:
                answered = min(self.now, sent + datetime.timedelta(hours=rng.randrange(2, 300)))
            invitation = self.add(
                SurveyInvitation,
                kind="feedback",
                case_id=plan.id,
                party_id=party.id,
                via=via,
                created_at=sent,
                expires_at=sent + datetime.timedelta(days=30),
                answered_at=answered,
            )
            if answered:
                centre = 4.2 if good else 3.4 if plan.mediated else 2.8
                marks = {
                    name: None
                    if rng.random() < 0.05
                    else max(1, min(5, round(rng.gauss(centre + shift, 1.0))))
                    for name, shift in (
                        ("felt_heard", 0.3),
                        ("mediators_impartial", 0.4),
                        ("process_clear", 0.1),
                        ("outcome_satisfaction", -0.2),
                        ("would_recommend", 0.0),
                    )
                }
                self.add(
                    FeedbackAnswer,
                    invitation_id=invitation,
                    comments="",
                    answered_at=answered,
                    recorded_by_id=None,
                    **marks,
                )
        if not follow_up or follow_up > self.today:
            return
        for party in parties[:2]:
            sent = london(follow_up, 9)
            via = "email" if party.email else "sms" if party.phone else "phone"
            answered = None
            if rng.random() < 0.4:
                answered = min(self.now, sent + datetime.timedelta(hours=rng.randrange(2, 200)))
            invitation = self.add(
                SurveyInvitation,
                kind="follow_up",
                case_id=plan.id,
                party_id=party.id,
                via=via,
                created_at=sent,
                expires_at=sent + datetime.timedelta(days=30),
                answered_at=answered,
            )
            if answered:
                if good:
                    holding = weighted(rng, {"yes": 60, "partly": 25, "no": 12, "": 3})
                else:
                    holding = weighted(rng, {"no_agreement": 70, "no": 10, "": 20})
                back = weighted(
                    rng, {"no": 55, "sometimes": 25, "yes": 15, "": 5} if good else
                    {"no": 30, "sometimes": 30, "yes": 35, "": 5}
                )  # fmt: skip

                def contacted(chance):
                    return None if rng.random() < 0.1 else rng.random() < chance

                self.add(
                    FollowUpAnswer,
                    invitation_id=invitation,
                    agreement_holding=holding,
                    problem_back=back,
                    contacted_referrer=contacted(0.15 if back == "no" else 0.4),
                    contacted_police=contacted(0.05 if back == "no" else 0.2),
                    contacted_council=contacted(0.05 if back == "no" else 0.25),
                    comments="",
                    answered_at=answered,
                    recorded_by_id=coordinator if via == "phone" else None,
                )

    def write_agreement(self, plan: Plan, parties: list, coordinator: int) -> None:
        """A signed (or agreed) agreement on cases closed with one, a draft on some active ones."""
        rng = self.rng
        Agreement, Term, Signature = self.agreement_models
        if plan.outcome in (Outcome.FULL_AGREEMENT, Outcome.PARTIAL_AGREEMENT):
            status = "signed" if rng.random() < 0.8 else "agreed"
            made = plan.closed_at - datetime.timedelta(days=rng.randrange(1, 10))
        elif plan.is_open and rng.random() < 0.2:
            status = "draft"
            made = min(self.now, plan.reached[ACTIVE_STAGE] + datetime.timedelta(days=20))
        else:
            return
        made = max(made, plan.reached[ACTIVE_STAGE])
        agreed = made + datetime.timedelta(hours=2) if status != "draft" else None
        agreement_id = self.add(
            Agreement,
            case_id=plan.id,
            version=1,
            status=status,
            introduction=rng.choice(words.AGREEMENT_INTRODUCTIONS),
            review_on=timezone.localdate(made) + datetime.timedelta(days=180)
            if rng.random() < 0.5
            else None,
            created_by_id=coordinator,
            created_at=made,
            agreed_at=agreed,
            signed_at=agreed if status == "signed" else None,
        )
        for position, (who, what, by_when) in enumerate(
            rng.sample(words.AGREEMENT_TERMS, rng.randrange(3, 8)), 1
        ):
            self.add(
                Term, agreement_id=agreement_id, position=position, who=who, what=what,
                by_when=by_when,
            )  # fmt: skip
        if status == "signed":
            for party in parties[:2]:
                self.add(
                    Signature,
                    agreement_id=agreement_id,
                    party_id=party.id,
                    volunteer_id=None,
                    signed_on=timezone.localdate(agreed),
                    verbal=rng.random() < 0.15,
                    note="",
                    recorded_by_id=coordinator,
                )

    def set_reference_counters(self, plans: list[Plan]) -> None:
        """Intake continues after the references made here (cases.references)."""
        table = ReferenceCounter._meta.db_table
        for year, last in sorted(self.year_counts.items()):
            self.cursor.execute(
                f"INSERT INTO {table} (year, last_number) VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (year) DO UPDATE "
                f"SET last_number = GREATEST({table}.last_number, EXCLUDED.last_number)",
                [year, last],
            )


def history_triggers() -> list[str]:
    """The django-pghistory insert triggers of the models written here (URIs for pgtrigger)."""
    from pgtrigger import registry

    return sorted(
        trigger.get_uri(model)
        for model, trigger in registry.registered()
        if trigger.name == "insert_insert" and model._meta.app_label != "audit"
    )
