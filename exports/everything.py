""" "Leave with your data": everything the service holds, one file per table, in one ZIP with a
README.txt saying what each file is (exports.builders registers it as the "everything" kind,
for administrators only).

What goes in is decided per model, here, and a test (tests/exports/test_everything.py) fails
when an installed model is in neither ``TABLES`` nor ``LEFT_OUT``, so a new model cannot slip in
or out unnoticed. Within an exported table every column goes, except the ``withheld`` ones:
secrets (a password hash, a worker's claim token) and hashes kept only against abuse. A new
field is therefore exported without anyone remembering to list it — the charity's data is the
charity's — and one that is a secret must be withheld here (the test plants the secrets of
every kind the project has and looks for them in the ZIP).

Values are as stored: ids and foreign keys (``case_id``) link the files together, choices are
their codes (the labels of the editable ones are in editable_lists.csv), dates are ISO 8601
and times ISO 8601 in UK time with their offset. Text that a spreadsheet would run as a formula
is defused as the reports' downloads defuse it (reports.spreadsheets).

Each table is read in one query, streamed (``.iterator()``) straight into its entry of the ZIP,
so memory holds one chunk of rows and the compressed file, whatever the size of the service.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pghistory.models
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Font

from reports.spreadsheets import _cell as defused

CHUNK = 2000
# A worksheet holds 1,048,576 rows; one of them is the header.
SHEET_ROWS = 1_048_575


@dataclass(frozen=True)
class Table:
    """One file: the rows of ``model`` (an "app.Model" label, or "app.Model.field" for the
    link table of a many-to-many field), every column but ``withheld``."""

    file: str
    model: str
    about: str
    withheld: tuple[str, ...] = ()
    why_withheld: str = ""

    def source(self):
        app_label, model_name, *m2m = self.model.split(".")
        model = apps.get_model(app_label, model_name)
        if m2m:
            model = model._meta.get_field(m2m[0]).remote_field.through
        return model

    def columns(self) -> list[str]:
        """The column names: each field's ``attname`` (``case_id`` for a foreign key)."""
        return [
            f.attname for f in self.source()._meta.concrete_fields if f.name not in self.withheld
        ]

    def rows(self):
        """The rows as tuples, in primary-key order, streamed in one query."""
        return (
            self.source()
            .objects.order_by("pk")
            .values_list(*self.columns())
            .iterator(chunk_size=CHUNK)
        )


TABLES = (
    Table("cases", "cases.Case", "Cases: the referral, the dispute, status and outcome, the "
          "referrer's details as written on the case, the coordinator, risk flags and notes."),
    Table("case_assignments", "cases.CaseAssignment", "Which volunteer mediated which case, "
          "in which role of the pair, from and to when, and any override of a conflict."),
    Table("contact_log", "cases.ContactLogEntry", "The timeline of every case: calls, letters, "
          "emails, visits and notes, including notes private to one party (private_to_id) and "
          "unpublished drafts (is_draft)."),
    Table("agreements", "cases.Agreement", "Agreements, one row per version, with status."),
    Table("agreement_terms", "cases.AgreementTerm", "The numbered terms of each agreement "
          "version."),
    Table("agreement_signatures", "cases.AgreementSignature", "Who signed (or agreed verbally "
          "to) each agreement version, and when."),
    Table("editable_lists", "cases.ListEntry", "The lists staff can edit (dispute types, "
          "referral sources and so on): each code used in the other files and its label."),
    Table("reference_counters", "cases.ReferenceCounter", "The last case number given in each "
          "year, so that a new system can carry on the references without reusing one."),
    Table("parties", "parties.Party", "The people in each case: names, addresses, contact "
          "details and preferences, needs, guardians, safeguarding notes, and the optional "
          "equality-monitoring answers."),
    Table("consents", "parties.Consent", "Each party's consents (to mediate, to share details, "
          "to data processing): given when and how, withdrawn when."),
    Table("sessions", "mediation_sessions.MediationSession", "Mediation sessions: kind, mode, "
          "venue, times, status and notes."),
    Table("session_mediators", "mediation_sessions.MediationSession.mediators", "Which "
          "volunteers attended each session (mediationsession_id, volunteer_id)."),
    Table("session_parties", "mediation_sessions.MediationSession.parties", "Which parties "
          "attended each session (mediationsession_id, party_id)."),
    Table("service_settings", "mediation_sessions.ServiceSettings", "Whether home visits are "
          "suspended, why and for when."),
    Table("volunteers", "volunteers.Volunteer", "Volunteers and applicants: contact details, "
          "languages, status, supervisor, notes, and their login (user_id, see users.csv)."),
    Table("dbs_checks", "volunteers.DBSCheck", "DBS certificates: number, issue date, enhanced "
          "or not, the Update Service, and until when each counts as current."),
    Table("training", "volunteers.TrainingRecord", "Training courses and hours."),
    Table("accreditations", "volunteers.Accreditation", "Accreditations granted and revoked."),
    Table("declared_connections", "volunteers.DeclaredConnection", "Connections volunteers "
          "declared with people or streets (for impartiality)."),
    Table("availability", "volunteers.Availability", "When each volunteer is usually free."),
    Table("trainee_cases", "volunteers.TraineeCase", "Trainees' co-mediated cases: reflection, "
          "feedback, supervisor's comments and sign-off."),
    Table("volunteer_hours", "volunteers.VolunteerHours", "Time and mileage volunteers "
          "recorded."),
    Table("referrers", "referrers.Referrer", "Referring organisations."),
    Table("referrer_contacts", "referrers.ReferrerContact", "The people at referring "
          "organisations, and whether they get updates."),
    Table("outbox_messages", "notifications.OutboxMessage", "Every email and text message sent "
          "or due: to whom, at what address, when, and what happened. The text itself is not "
          "kept; context holds what it was written from.",
          withheld=("claim_token",), why_withheld="a worker's lease on the message"),
    Table("manual_contacts", "notifications.ManualContact", "Calls and letters the office was "
          "to make in place of a message, and when they were done."),
    Table("party_replies", "notifications.PartyReply", "Parties' answers to their reminders "
          "(coming, or asking to rearrange, with their reason).",
          withheld=("ip_hash",), why_withheld="a salted hash of the address an answer came "
          "from, kept only against abuse and meaningless outside this system"),
    Table("survey_invitations", "surveys.SurveyInvitation", "Feedback and follow-up surveys "
          "sent to parties, and when answered."),
    Table("feedback_answers", "surveys.FeedbackAnswer", "Answers to the feedback survey."),
    Table("follow_up_answers", "surveys.FollowUpAnswer", "Answers to the follow-up survey."),
    Table("generated_documents", "documents.GeneratedDocument", "PDFs the service made "
          "(agreements, letters): what, for which case and party, SHA-256. The PDFs themselves "
          "are files in the service's file storage at the path in the file column (see below)."),
    Table("case_files", "documents.CaseFile", "Files uploaded to cases: kind, description, "
          "about which party, name, type, size, SHA-256, uploaded, deleted (with the reason) and "
          "removed by retention. The files themselves are in the service's file storage at the "
          "path in the file column (see below)."),
    Table("postcode_districts", "reports.PostcodeDistrict", "The postcode districts and their "
          "local authorities, for the reports."),
    Table("subject_access_requests", "privacy.SubjectAccessRequest", "Subject access requests "
          "and how they were answered."),
    Table("subject_access_request_parties", "privacy.SubjectAccessRequest.parties", "The "
          "party records found for each request."),
    Table("subject_access_request_volunteers", "privacy.SubjectAccessRequest.volunteers",
          "The volunteer records found for each request."),
    Table("anonymisations", "privacy.Anonymisation", "What retention and erasure anonymised, "
          "when, and how many records of each kind."),
    Table("users", "auth.User", "Staff and volunteer logins: username, name, email, whether "
          "active, when they joined and last logged in.",
          withheld=("password",), why_withheld="the password hash: a new system sets its own "
          "passwords"),
    Table("roles", "auth.Group", "The roles (Coordinator, Mediator, Supervisor, "
          "Administrator)."),
    Table("user_roles", "auth.User.groups", "Which login holds which role (user_id, "
          "group_id: see roles.csv)."),
    Table("audit_events", "audit.AuditEvent", "The audit trail: every view, change, export, "
          "download and login, who did it, when and from which address. It holds references "
          "and counts, never a party's details."),
    Table("admin_changes", "admin.LogEntry", "Changes made through the administration pages."),
)  # fmt: skip

HISTORY_LEFT_OUT = (
    "Earlier versions of records (the history tables, one per tracked model): every change "
    "to a case, party, consent, session, agreement or volunteer record is kept as a full copy "
    "of the row. This export has each record as it is now; the history stays in this system's "
    "database, and a backup (scripts/backup.py) keeps all of it."
)

# Installed models not exported, and why (the README says so too).
LEFT_OUT = {
    "otp_totp.TOTPDevice": "Authenticator apps' secret keys: secrets, and useless elsewhere.",
    "otp_static.StaticDevice": "Two-factor backup codes: secrets.",
    "otp_static.StaticToken": "Two-factor backup codes: secrets.",
    "accounts.EnrolmentLink": "Two-factor set-up links: hashes of one-off tokens.",
    "accounts.UserSession": "Who is logged in where: session keys, which are secrets.",
    "sessions.Session": "Login sessions: session keys and their data, which are secrets.",
    "mediation_sessions.CalendarFeed": "Volunteers' secret calendar links: a new system "
    "issues its own.",
    "axes.AccessAttempt": "Failed login attempts, kept for a short time against password guessing.",
    "axes.AccessAttemptExpiration": "Failed login attempts, kept for a short time against "
    "password guessing.",
    "axes.AccessFailureLog": "The log of failed logins, kept against password guessing.",
    "axes.AccessLog": "Logins and logouts as the lock-out guard sees them (the audit trail "
    "has them).",
    "public.PublicSubmission": "Salted hashes of addresses that sent the public forms, kept a "
    "day against spam.",
    "notifications.ReplyLinkMiss": "Salted hashes of addresses that opened a wrong reply link, "
    "kept a day against abuse.",
    "exports.Export": "Files users asked for (this one included): copies of what is here, "
    "deleted a day after.",
    "imports.ImportBatch": "Spreadsheets uploaded to be imported, kept a day: what they brought "
    "in is in the other files (their external_id).",
    "auth.Permission": "Django's own permission list, made by the software.",
    "contenttypes.ContentType": "Django's own list of tables, made by the software.",
    "pghistory.Context": HISTORY_LEFT_OUT,
    "pghistory.Events": HISTORY_LEFT_OUT,
    "pghistory.MiddlewareEvents": HISTORY_LEFT_OUT,
    "django_celery_beat.PeriodicTask": "The schedule of this software's background jobs.",
    "django_celery_beat.PeriodicTasks": "The schedule of this software's background jobs.",
    "django_celery_beat.IntervalSchedule": "The schedule of this software's background jobs.",
    "django_celery_beat.CrontabSchedule": "The schedule of this software's background jobs.",
    "django_celery_beat.SolarSchedule": "The schedule of this software's background jobs.",
    "django_celery_beat.ClockedSchedule": "The schedule of this software's background jobs.",
}


def left_out_reason(model) -> str | None:
    """Why ``model`` is not exported, or None if it is (or has not been decided)."""
    if issubclass(model, pghistory.models.Event):
        return HISTORY_LEFT_OUT
    return LEFT_OUT.get(model._meta.label)


FORMATS = {"csv": "CSV", "xlsx": "XLSX"}


def describe(parameters: dict) -> str:
    return f"Every table as {FORMATS[parameters['format']]} files, in one ZIP"


# --- Writing values ---------------------------------------------------------------------------


def _text(value, zone) -> str:
    """A value for a CSV cell: text defused (it may have been typed by anyone), the rest in a
    form any program reads back (ISO dates, UK time with its offset, JSON). ``zone`` is the
    service's time zone, looked up once per table (timezone.localtime per value was most of
    the time taken)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return defused(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return defused(json.dumps(value, ensure_ascii=False, default=str))
    return str(value)


def _write_csv(entry, table: Table) -> int:
    # UTF-8 with a byte-order mark, so that Excel reads it as UTF-8 (as cases.list_export).
    out = io.TextIOWrapper(entry, encoding="utf-8-sig", newline="")
    writer = csv.writer(out)
    writer.writerow(table.columns())
    zone = timezone.get_current_timezone()
    count = 0
    for row in table.rows():
        writer.writerow([_text(value, zone) for value in row])
        count += 1
    out.flush()
    out.detach()
    return count


BOLD = Font(bold=True)


def _xlsx_value(sheet, value, zone):
    """A typed cell: numbers as numbers, dates as dates (UK time), text as a string cell that
    is never evaluated (and defused too, as reports.spreadsheets writes them)."""
    if isinstance(value, datetime.datetime):
        value = value.astimezone(zone).replace(tzinfo=None)
    elif isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    elif value is not None and not isinstance(
        value, bool | int | float | datetime.date | datetime.time
    ):
        value = str(value)
    if isinstance(value, str):
        # Control characters (a form feed pasted into a note) cannot be in a workbook at all.
        value = defused(ILLEGAL_CHARACTERS_RE.sub("", value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = TYPE_STRING
    elif isinstance(value, datetime.datetime):
        cell.number_format = "dd/mm/yyyy hh:mm:ss"
    elif isinstance(value, datetime.date):
        cell.number_format = "dd/mm/yyyy"
    return cell


def _header(sheet, column: str):
    cell = WriteOnlyCell(sheet, value=column)
    cell.font = BOLD
    return cell


def _write_xlsx(entry, table: Table) -> int:
    """One workbook per table, written as it streams (openpyxl's write-only mode); a table
    longer than a sheet goes on to a second sheet, and so on."""
    workbook = Workbook(write_only=True)
    columns = table.columns()
    zone = timezone.get_current_timezone()
    sheet = None
    count = 0
    for row in table.rows():
        if count % SHEET_ROWS == 0:
            number = count // SHEET_ROWS + 1
            sheet = workbook.create_sheet(table.file[:28] + (f" {number}" if number > 1 else ""))
            sheet.freeze_panes = "A2"
            sheet.append([_header(sheet, column) for column in columns])
        sheet.append([_xlsx_value(sheet, value, zone) for value in row])
        count += 1
    if sheet is None:
        sheet = workbook.create_sheet(table.file[:31])
        sheet.append([_header(sheet, column) for column in columns])
    workbook.save(entry)
    return count


# --- The ZIP ----------------------------------------------------------------------------------


def _readme(*, fmt: str, counts: dict[str, int], produced_at) -> str:
    extension = fmt
    lines = [
        f"Everything {settings.SERVICE_NAME} holds in WKM Case Manager",
        "=" * 60,
        "",
        f"Produced {timezone.localtime(produced_at):%d/%m/%Y %H:%M} (UK time), one "
        f"{FORMATS[fmt]} file per table.",
        "",
        "This is confidential: it holds every party's and volunteer's personal data, private "
        "notes and safeguarding notes. Keep it encrypted, share it with nobody who does not "
        "need it, and delete it when it has been loaded into the new system.",
        "",
        "How to read the files",
        "---------------------",
        "- Every row has its id; a column ending in _id is the id of a row in another file "
        "(case_id: cases, party_id: parties, volunteer_id: volunteers, user ids: users, and so "
        "on).",
        "- Choices (status, kind, dispute type...) are their stored codes; the labels of the "
        "lists staff can edit are in editable_lists.",
        "- Dates are YYYY-MM-DD; times are ISO 8601 in UK time with their offset from UTC.",
        "- Text beginning with = + - or @ has an apostrophe put in front, so that a "
        "spreadsheet shows it rather than running it as a formula.",
        "- The CSV files are UTF-8 (with a byte-order mark, for Excel).",
        "",
        "The files",
        "---------",
    ]
    for table in TABLES:
        lines.append(f"{table.file}.{extension} ({counts[table.file]:,} rows)")
        lines.append(f"    {table.about}")
        if table.withheld:
            lines.append(f"    Left out: {', '.join(table.withheld)} ({table.why_withheld}).")
        lines.append("")
    lines += [
        "Uploaded files and generated PDFs",
        "---------------------------------",
        "The files uploaded to cases and the PDFs the service made are not in this ZIP (they "
        "would make it too large to keep). They are in the service's file storage: the server's "
        "MEDIA_ROOT folder (by default var/media), or its S3 bucket where STORAGE_BACKEND=s3, "
        "at the path in the file column of case_files and "
        "generated_documents, stored under random names with no extension; case_files gives "
        "each file's original name, type and SHA-256. Ask whoever runs the server for a copy "
        "of that folder or bucket. A file with removed_at set had its bytes removed by "
        "retention or erasure: only the record that there was one is left.",
        "",
        "Not included, and why",
        "---------------------",
        f"- History: {HISTORY_LEFT_OUT}",
    ]
    seen = {HISTORY_LEFT_OUT}
    for label, reason in LEFT_OUT.items():
        if reason not in seen:
            lines.append(f"- {label}: {reason}")
            seen.add(reason)
    lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class Everything:
    content: bytes
    counts: dict[str, int]
    sha256: str


def build_zip(fmt: str, progress) -> Everything:
    """The ZIP: README.txt and one file per table, each table streamed into its entry."""
    write = {"csv": _write_csv, "xlsx": _write_xlsx}[fmt]
    produced_at = timezone.now()
    counts = {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, table in enumerate(TABLES):
            progress(number * 95 // len(TABLES), f"Writing {table.file}")
            with archive.open(f"{table.file}.{fmt}", "w", force_zip64=True) as entry:
                counts[table.file] = write(entry, table)
        archive.writestr("README.txt", _readme(fmt=fmt, counts=counts, produced_at=produced_at))
    content = out.getvalue()
    return Everything(content, counts, hashlib.sha256(content).hexdigest())


def file_name(fmt: str) -> str:
    return f"wkm-everything-{fmt}-{timezone.localdate().isoformat()}.zip"
