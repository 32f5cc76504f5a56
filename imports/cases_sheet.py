"""The open-cases sheet: a charity's cases still under way, with their parties and consents.

**One row per party.** A case with two parties is two rows with the same ``case_id``. The
case's own columns (dates, dispute, referrer, summary, risks, status, the pair) are read from its
first row; on its other rows they are blank or repeat the first row's value — anything else is a
problem on that row and column, so a sheet sorted by hand that mixed two cases up is caught
rather than half-believed. Each row's party columns (name, role, address, contact details,
needs, consents) describe one party.

**Through the services, as a coordinator would type it.** A group goes in as: the referral with
its parties (cases.services.case_create, which allocates the reference and resolves the referrer
into records as intake does); the parties' consents as given (parties.services.
case_consents_record, which records them as consents_record does, all in one call); the case
moved along its lifecycle to the sheet's status through every stage between
(cases.services.case_advance, each step checked as case_transition checks it); and the pair
(volunteers.services.assign_pair, which starts mediation). The consents come before the steps,
not while "contacting" as in the office: what the case ends up as is the same, the referrer
hears the furthest stage once, and the services do less asking on the way. So every rule
holds for imported data exactly as for typed data: a pair with a lapsed DBS check, without 40
hours' training or the accreditation the dispute needs, two trainees, a volunteer who knows a
party — each is refused with the services' own words, on the row and column it came from; a
case cannot be ready without every party's consent, nor active without a pair. Only open cases:
a closed one belongs to the old system's archive, not a case list.

**What is the sheet's job and what is not.** The sheet reads text into values (dates in en-GB
or ISO form, list entries by code or label, yes/no) and says which row and column each of the
services' complaints is about; it decides nothing the services decide. The referenced volunteers
are read once per run (``CasesSheet._run``) with what the rules read of them, so that 2,500 cases
do not each read their pair afresh; the services still check every pair.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import COORDINATOR, users_with_role
from audit.services import events_held
from cases import lifecycle, lists, timeline
from cases import services as case_services
from cases.models import Case, Status
from parties import services as party_services
from parties.models import Consent, Party
from referrers.intake import ReferrerPick
from volunteers import services as volunteer_services
from volunteers.eligibility import volunteer_problems
from volunteers.models import Volunteer

from .sheets import Column, Problem, Row, RowProblems, Sheet
from .values import max_lengths, parse_date, parse_yes_no

# --- The columns ------------------------------------------------------------------------------

CASE_COLUMNS = (
    Column(
        "case_id",
        "The case's id in the old system, the same on each of its rows (one row a party).",
        True,
        "C-0042",
    ),
    Column(
        "received_on",
        "When the referral came in: 23/11/2026 or 2026-11-23. The case's columns are given "
        "on its first row.",
        True,
        "02/11/2026",
    ),
    Column("dispute_type", "A dispute type, by its name or code.", True, "Neighbour"),
    Column("referral_source", "A referral source, by its name or code.", True, "Housing provider"),
    Column(
        "referrer_organisation",
        "The organisation that referred; one we do not have is added. Blank for a self-referral.",
        False,
        "Town and Country Housing",
    ),
    Column("referrer_name", "The person who referred.", False, "Pat Jones"),
    Column("referrer_contact", "Their email address or phone number.", False, "pat@tch.org.uk"),
    Column("summary", "What the dispute is about, in a few sentences.", True, "Noise at night."),
    Column("risk_violence", "Threats or violence reported: yes or no.", False, "no"),
    Column("risk_safeguarding", "A safeguarding concern: yes or no.", False, "no"),
    Column("risk_lone_working", "Do not visit alone: yes or no.", False, "no"),
    Column("risk_notes", "Risk and safeguarding notes.", False, ""),
    Column(
        "coordinator",
        "The coordinator's username or email. Blank: the person importing.",
        False,
        "sam@wkm.org.uk",
    ),
    Column(
        "status",
        "Referred, Contacting parties, Awaiting consent, Ready to assign or Active. "
        "Blank: Referred.",
        False,
        "Active",
    ),
    Column(
        "lead_mediator_id",
        "The lead mediator (status Active only): their volunteer_id from the volunteers "
        "sheet, or their email.",
        False,
        "V-007",
    ),
    Column("co_mediator_id", "The co-mediator (or trainee), likewise.", False, "V-012"),
    Column(
        "pair_override_reason",
        "Why the pair may work on it despite a connection with a party, or a shared postcode.",
        False,
        "",
    ),
)

PARTY_COLUMNS = (
    Column("party_name", "The party's full name.", True, "Priya Shah"),
    Column("party_role", "Their role in the dispute, by name or code.", True, "First party"),
    Column("party_address_line1", "Address line 1.", False, "1 Quarry Hill Road"),
    Column("party_address_line2", "Address line 2.", False, ""),
    Column("party_town", "Town or city.", False, "Tonbridge"),
    Column("party_postcode", "A UK postcode.", False, "TN9 1AA"),
    Column("party_phone", "A UK phone number.", False, "01732 123456"),
    Column("party_email", "Their email address.", False, "alice@example.org"),
    Column(
        "party_preferred_contact",
        "How they prefer to be contacted: phone, text, email or letter.",
        True,
        "Phone call",
    ),
    Column("party_safe_times", "Safe times to contact them.", False, "Weekdays after 6pm"),
    Column("party_contact_restrictions", "For example: no voicemail.", False, ""),
    Column("party_no_texts", "Do not send them text messages: yes or no.", False, "no"),
    Column("party_no_email", "Do not email them: yes or no.", False, "no"),
    Column("party_language", "Their preferred language.", False, "English"),
    Column("party_interpreter_needed", "An interpreter is needed: yes or no.", False, "no"),
    Column("party_accessibility_needs", "Accessibility needs.", False, ""),
    Column("party_under_18", "Under 18: yes or no (then give a guardian).", False, "no"),
    Column("party_guardian_name", "The parent or guardian of a child.", False, ""),
    Column("party_guardian_contact", "The guardian's phone or email.", False, ""),
    Column("party_safeguarding_notes", "Safeguarding notes about this party.", False, ""),
)

# One date column per kind of consent: blank = not given.
CONSENT_COLUMNS = {
    Consent.Kind.MEDIATE: "consent_to_mediate_on",
    Consent.Kind.SHARE_DETAILS: "consent_to_share_details_on",
    Consent.Kind.DATA_PROCESSING: "consent_to_data_processing_on",
    Consent.Kind.UPDATE_REFERRER: "consent_to_update_referrer_on",
}
CONSENT_HOW = "consent_how"

CONSENT_SHEET_COLUMNS = (
    *(
        Column(
            column,
            f"When they consented {Consent.Kind(kind).label.lower()}: a date, blank if not given.",
            False,
            "05/11/2026",
        )
        for kind, column in CONSENT_COLUMNS.items()
    ),
    Column(CONSENT_HOW, "How they gave their consents: Verbally or In writing.", False, "Verbally"),
)

# A case's fields → its column (the services' error keys are field names).
CASE_FIELD_COLUMNS = {
    "external_id": "case_id",
    "received_on": "received_on",
    "dispute_type": "dispute_type",
    "referral_source": "referral_source",
    "referrer_organisation": "referrer_organisation",
    "referrer": "referrer_organisation",
    "referrer_name": "referrer_name",
    "referrer_person": "referrer_name",
    "referrer_contact": "referrer_contact",
    "summary": "summary",
    "risk_violence": "risk_violence",
    "risk_safeguarding": "risk_safeguarding",
    "risk_lone_working": "risk_lone_working",
    "risk_notes": "risk_notes",
    "coordinator": "coordinator",
}
PARTY_FIELD_COLUMNS = {
    "full_name": "party_name",
    "role": "party_role",
    "address_line1": "party_address_line1",
    "address_line2": "party_address_line2",
    "town": "party_town",
    "postcode": "party_postcode",
    "phone": "party_phone",
    "email": "party_email",
    "preferred_contact": "party_preferred_contact",
    "preferred_times": "party_safe_times",
    "contact_restrictions": "party_contact_restrictions",
    "no_text_messages": "party_no_texts",
    "no_email": "party_no_email",
    "language": "party_language",
    "interpreter_needed": "party_interpreter_needed",
    "accessibility_needs": "party_accessibility_needs",
    "under_18": "party_under_18",
    "guardian_name": "party_guardian_name",
    "guardian_contact": "party_guardian_contact",
    "safeguarding_notes": "party_safeguarding_notes",
}
_TEXT_CASE_FIELDS = (
    "referrer_organisation",
    "referrer_name",
    "referrer_contact",
    "summary",
    "risk_notes",
)
_BOOLEAN_CASE_FIELDS = ("risk_violence", "risk_safeguarding", "risk_lone_working")
_BOOLEAN_PARTY_FIELDS = ("no_text_messages", "no_email", "interpreter_needed", "under_18")

# The statuses a sheet may give, in the order a case reaches them.
OPEN_STATUSES = lifecycle.ORDER


# --- Reading values ---------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def choose(text: str, choices, *, noun: str, offered=None) -> str:
    """The code of the entry of ``choices`` ((code, label) pairs) that ``text`` names, by code
    or by label, whatever its capitals and spaces; a label's bracketed ending may be left off
    ("First party" for "First party (referred)"). ``offered``: the entries the message lists
    when nothing matches (the current ones, where retired ones are still recognised)."""
    wanted = _fold(text)
    for code, label in choices:
        names = {_fold(code), _fold(label), _fold(re.sub(r"\s*\(.*\)$", "", label))}
        if wanted in names:
            return code
    listed = "; ".join(f"{label} ({code})" for code, label in (offered or choices))
    raise ValueError(f"“{text}” is not a {noun} we know. Use one of: {listed}.")


# --- The sheet --------------------------------------------------------------------------------


class CasesSheet(Sheet):
    kind = "cases"
    label = "Open cases"
    id_column = "case_id"
    columns = (*CASE_COLUMNS, *PARTY_COLUMNS, *CONSENT_SHEET_COLUMNS)
    max_chars = {
        **max_lengths(
            Case, {"case_id": "external_id", **{name: name for name in _TEXT_CASE_FIELDS}}
        ),
        **max_lengths(Party, {column: name for name, column in PARTY_FIELD_COLUMNS.items()}),
    }

    def __init__(self):
        self._held = threading.local()

    def _run(self) -> dict:
        """What this run has read (volunteers, coordinators), kept for its transaction: a run is
        the runner's outermost transaction, so the next run — the import after the check, a
        sheet uploaded tomorrow, with the same sheet object (imports.registry) — reads afresh
        and sees a DBS check recorded in between. Outside a transaction nothing is kept."""
        connection = transaction.get_connection()
        run = connection.atomic_blocks[0] if connection.atomic_blocks else None
        held = self._held
        if run is None or getattr(held, "run", None) is not run:
            held.run, held.read = run, {}
        return held.read

    def existing_ids(self, ids: set[str]) -> set[str]:
        return set(
            Case.objects.filter(external_id__in=[i for i in ids if i]).values_list(
                "external_id", flat=True
            )
        )

    def import_group(self, rows: list[Row], *, by) -> None:
        rows = sorted(rows, key=lambda row: row.number)
        group = _Group(self, rows)
        group.read()
        # Nothing of a refused group is kept: called outside a transaction, this one is rolled
        # back; inside one, the caller's own savepoint for the group must be (the runner holds
        # one per group; no second savepoint here, two statements a case). A caller that
        # catches RowProblems inside a transaction without a savepoint of its own for the group
        # would have its whole transaction marked for rollback.
        # The case's audit events and timeline lines are written together at the end of its
        # group (audit.held_rows): nothing here reads them back, and a refused group leaves none.
        with transaction.atomic(savepoint=False), events_held(), timeline.lines_held():
            group.write(by=by)

    # Lookups shared by every group of a run.

    def volunteer(self, key: str) -> Volunteer:
        """The volunteer a pair column names: by their id from the volunteers sheet, or their
        email address. Read with what the rules need of them (DBS checks, training,
        accreditations, declared connections, supervisor)."""
        read = self._run()
        if "volunteers" not in read:
            by_id, by_email = {}, defaultdict(list)
            found = Volunteer.objects.select_related("supervisor", "user").prefetch_related(
                "dbs_checks", "training", "accreditations", "connections"
            )
            for volunteer in found:
                if volunteer.external_id:
                    by_id[volunteer.external_id.casefold()] = volunteer
                if volunteer.email:
                    by_email[volunteer.email.casefold()].append(volunteer)
            read["volunteers"] = (by_id, dict(by_email))
        by_id, by_email = read["volunteers"]
        folded = key.casefold()
        if folded in by_id:
            return by_id[folded]
        if "@" in key:
            same = by_email.get(folded, [])
            if len(same) == 1:
                return same[0]
            if same:
                raise ValueError(
                    f"{len(same)} volunteers have the email address {key}: give their "
                    "volunteer_id instead."
                )
        raise ValueError(
            f"We have no volunteer with the id or email address “{key}”: import the volunteers "
            "sheet first, or give the id it has there."
        )

    def coordinator(self, key: str):
        read = self._run()
        if "coordinators" not in read:
            coordinators = read["coordinators"] = {}
            for user in users_with_role(COORDINATOR):
                coordinators[user.get_username().casefold()] = user
                if user.email:
                    coordinators.setdefault(user.email.casefold(), user)
        user = read["coordinators"].get(key.casefold())
        if user is None:
            raise ValueError(
                f"“{key}” is not a coordinator's username or email address: give a coordinator, "
                "or leave it blank to coordinate the case yourself."
            )
        return user


class _Group:
    """One case's rows: read into values, then written through the services."""

    def __init__(self, sheet: CasesSheet, rows: list[Row]):
        self.sheet = sheet
        self.rows = rows
        self.first = rows[0]
        self.problems: list[Problem] = []
        self.case_fields: dict = {}
        self.parties: list[tuple[Row, dict, dict[datetime.date, list[str]], str]] = []
        self.status = Status.REFERRED
        self.pair: tuple[Volunteer | None, Volunteer | None] = (None, None)
        self.override_reason = ""

    def problem(self, row: Row, column: str, message: str) -> None:
        self.problems.append(Problem(row.number, column, message))

    def raise_problems(self) -> None:
        if self.problems:
            raise RowProblems(self.problems)

    # Reading.

    def case_value(self, column: str, parse=None) -> str:
        """The case's ``column`` as its first row gives it; the other rows must leave it blank
        or give the same value (whatever its capitals and spaces, or read by ``parse`` to the
        same date, entry or volunteer)."""
        value = self.first.get(column)
        for row in self.rows[1:]:
            other = row.get(column)
            if other and not _same(other, value, parse):
                shown = f"“{value}”" if value else "blank"
                self.problem(
                    row,
                    column,
                    f"This is the case's {column}, given on its first row (row "
                    f"{self.first.number}) as {shown}: leave it blank here or give the same.",
                )
        return value

    def parsed(self, row: Row, column: str, text: str, parse, *, required=False, default=None):
        if not text:
            if required:
                self.problem(row, column, "This is needed.")
            return default
        try:
            return parse(text)
        except ValueError as error:
            self.problem(row, column, str(error))
            return default

    def read(self) -> None:
        self.read_case()
        for row in self.rows:
            self.read_party(row)
        self.raise_problems()
        self.check_parties()
        self.raise_problems()

    def case_parsed(self, column: str, parse, *, required=False, default=None):
        return self.parsed(
            self.first,
            column,
            self.case_value(column, parse),
            parse,
            required=required,
            default=default,
        )

    def read_case(self) -> None:
        first, fields, sheet = self.first, self.case_fields, self.sheet
        fields["external_id"] = self.case_value("case_id")
        if not fields["external_id"]:
            self.problem(first, "case_id", "This is needed: a second import finds the case by it.")
        # Not in the future, nor before 2000: case_create's rule, on this column.
        fields["received_on"] = self.case_parsed("received_on", parse_date, required=True)
        fields["dispute_type"] = self.case_parsed("dispute_type", _dispute_type, required=True)
        fields["referral_source"] = self.case_parsed(
            "referral_source", _referral_source, required=True
        )
        for name in _TEXT_CASE_FIELDS:
            fields[name] = self.case_value(name)
        if not fields["summary"]:
            self.problem(first, "summary", "This is needed.")
        for name in _BOOLEAN_CASE_FIELDS:
            fields[name] = self.case_parsed(name, parse_yes_no) or False
        coordinator = self.case_parsed("coordinator", sheet.coordinator)
        if coordinator is not None:
            fields["coordinator"] = coordinator
        self.status = self.case_parsed("status", _open_status, default=Status.REFERRED)
        self.pair = (
            self.case_parsed("lead_mediator_id", sheet.volunteer),
            self.case_parsed("co_mediator_id", sheet.volunteer),
        )
        self.override_reason = self.case_value("pair_override_reason")
        self.read_pair()

    def read_pair(self) -> None:
        first = self.first
        lead_text, co_text = first.get("lead_mediator_id"), first.get("co_mediator_id")
        if bool(lead_text) != bool(co_text):
            column = "co_mediator_id" if lead_text else "lead_mediator_id"
            self.problem(first, column, "Mediators always work in pairs: give both, or neither.")
        elif lead_text and self.status != Status.ACTIVE:
            self.problem(
                first,
                "status",
                "Assigning a pair starts mediation, so a case with a pair is “Active”: give "
                "that status, or leave the pair blank.",
            )

    def read_party(self, row: Row) -> None:
        fields: dict = {}
        fields["full_name"] = row.get("party_name")
        if not fields["full_name"]:
            self.problem(row, "party_name", "This is needed.")
        fields["role"] = self.parsed(
            row,
            "party_role",
            row.get("party_role"),
            lambda text: choose(text, Party.Role.choices, noun="party role"),
            required=True,
        )
        fields["preferred_contact"] = self.parsed(
            row,
            "party_preferred_contact",
            row.get("party_preferred_contact"),
            lambda text: choose(text, Party.ContactMethod.choices, noun="contact method"),
            required=True,
        )
        for name, column in PARTY_FIELD_COLUMNS.items():
            if name in fields:
                continue
            if name in _BOOLEAN_PARTY_FIELDS:
                fields[name] = self.parsed(row, column, row.get(column), parse_yes_no) or False
            else:
                fields[name] = row.get(column)
        consents: dict[datetime.date, list[str]] = defaultdict(list)
        today = timezone.localdate()
        for kind, column in CONSENT_COLUMNS.items():
            given = self.parsed(row, column, row.get(column), parse_date)
            if given is None:
                continue
            if given > today:
                self.problem(row, column, "Consent cannot be given in the future.")
            consents[given].append(kind)
        method = self.parsed(
            row,
            CONSENT_HOW,
            row.get(CONSENT_HOW),
            lambda text: choose(text, Consent.Method.choices, noun="way of consenting"),
            required=bool(consents),
        )
        self.parties.append((row, fields, dict(consents), method or ""))

    def check_parties(self) -> None:
        """Each party's details, checked by the model as the referral will check them, so a
        problem names its own row (the referral itself would say only that one party is
        wrong)."""
        for row, fields, _consents, _method in self.parties:
            try:
                Party(**fields).full_clean(exclude=["case"])
            except ValidationError as error:
                self.add_error(error, row=row, columns=PARTY_FIELD_COLUMNS)

    # Writing.

    def add_error(self, error: ValidationError, *, row, columns: dict, default: str = "") -> None:
        """The problems of a service's ValidationError: each field's on its column (``columns``
        maps field → column), the rest on ``default`` (the row as a whole when "")."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                column = columns.get(field, default) if field != NON_FIELD_ERRORS else default
                for message in ValidationError(errors).messages:
                    self.problem(row, column, message)
        else:
            for message in error.messages:
                self.problem(row, default, message)

    def fail(self, error: ValidationError, *, row=None, columns=None, default="") -> RowProblems:
        self.add_error(
            error,
            row=row or self.first,
            columns=CASE_FIELD_COLUMNS if columns is None else columns,
            default=default,
        )
        return RowProblems(self.problems)

    def write(self, *, by) -> None:
        fields = self.case_fields
        pick = ReferrerPick(
            organisation=fields.pop("referrer_organisation"),
            person=fields.pop("referrer_name"),
            contact=fields.pop("referrer_contact"),
            # An old system's organisations come in with its cases: matched to ours by name
            # (whatever the capitals and spaces), and added when we have none of that name.
            add_organisation=True,
            source=fields["referral_source"],
        )
        try:
            case = case_services.case_create(
                by=by,
                fields=fields,
                parties=[party_fields for _row, party_fields, _c, _m in self.parties],
                referrer=pick,
            )
        except ValidationError as error:
            raise self.fail(error) from error
        self.consent(case, by=by)
        # Then along the lifecycle to the sheet's status, as its buttons go; the pair, given,
        # starts mediation itself.
        if self.pair[0] is not None:
            self.advance(case, Status.READY, by=by)
            self.assign(case, by=by)
        else:
            self.advance(case, self.status, by=by)

    def advance(self, case: Case, status: str, *, by) -> None:
        if status == case.status:
            return
        try:
            case_services.case_advance(case=case, to=status, by=by)
        except ValidationError as error:
            raise self.fail(error, default="status") from error

    def consent(self, case: Case, *, by) -> None:
        """Every party's consents, one entry a party and date (the service records them at
        once); a refusal goes on the row and consent column it is about."""
        if not any(consents for _row, _fields, consents, _method in self.parties):
            return
        given, rows = [], {}
        parties = case.parties.order_by("pk")
        for party, (row, _fields, consents, method) in zip(parties, self.parties, strict=True):
            for given_on in sorted(consents):
                entry = party_services.ConsentsGiven(
                    party=party,
                    kinds=consents[given_on],
                    given_at=timezone.make_aware(
                        datetime.datetime.combine(given_on, datetime.time())
                    ),
                    method=method,
                )
                given.append(entry)
                rows[id(entry)] = row
        try:
            party_services.case_consents_record(case=case, by=by, given=given)
        except ValidationError as error:
            entry = getattr(error, "given", None)
            if entry is None or not entry.kinds:
                raise self.fail(error, row=self.first, columns={}) from error
            columns = {
                "method": CONSENT_HOW,
                **dict.fromkeys(("kind", "kinds", "given_at"), CONSENT_COLUMNS[entry.kinds[0]]),
            }
            raise self.fail(error, row=rows[id(entry)], columns=columns) from error

    def assign(self, case: Case, *, by) -> None:
        lead, co = self.pair
        try:
            volunteer_services.assign_pair(
                case=case,
                lead=lead,
                co_mediator=co,
                by=by,
                override_reason=self.override_reason,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise self.fail(
                    error,
                    columns={"override_reason": "pair_override_reason"},
                    default="lead_mediator_id",
                ) from error
            # The pair's problems come as one list: each goes on the column of the volunteer
            # it is about (a problem of the pair as such, on the lead's).
            about_co = {p.message for p in volunteer_problems(co, case)} - {
                p.message for p in volunteer_problems(lead, case)
            }
            for message in error.messages:
                column = "co_mediator_id" if message in about_co else "lead_mediator_id"
                self.problem(self.first, column, message)
            raise RowProblems(self.problems) from error


def _same(text: str, other: str, parse) -> bool:
    if _fold(text) == _fold(other):
        return True
    if parse is None or not other:
        return False
    try:
        return parse(text) == parse(other)
    except ValueError:
        return False


def _dispute_type(text: str) -> str:
    return choose(text, lists.choices(lists.DISPUTE_TYPE), noun="dispute type")


def _referral_source(text: str) -> str:
    """A retired source is recognised here and refused by the case's service, in its words."""
    return choose(
        text,
        lists.choices(lists.REFERRAL_SOURCE, retired=True),
        noun="referral source",
        offered=lists.choices(lists.REFERRAL_SOURCE),
    )


def _open_status(text: str) -> str:
    every = [(status.value, status.label) for status in Status]
    code = choose(
        text,
        every,
        noun="status",
        offered=[(s.value, s.label) for s in map(Status, OPEN_STATUSES)],
    )
    if code not in OPEN_STATUSES:
        raise ValueError(
            "Only open cases are imported: a closed case stays in the old system's records. "
            "Leave it out of the sheet."
        )
    return code
