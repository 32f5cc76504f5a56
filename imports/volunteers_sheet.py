"""The volunteers sheet: one row per volunteer, with their DBS check, their community course
training and the accreditations they already hold.

Each row goes in through volunteers.services, as a coordinator typing it on the pages would:
``volunteer_create``, ``dbs_record``, ``training_add`` and ``accreditation_grant``. So the DBS
policy (12 digits, not in the future, the date it stops being current), the training hours and
the accreditation rules apply to imported volunteers exactly as to typed ones.

Accreditations held before the import (rule 6). Community accreditation normally follows three
signed-off trainee cases, which an imported volunteer has in the old system, not here. The pages
already have the path for that: a coordinator records a community accreditation "gained before
joining", with the evidence seen (``prior_evidence``). The sheet takes the same path, with the
``accreditation_evidence`` column (or, empty, words saying it came from the old system's
records). So only an administrator who also holds the Coordinator role imports accreditations;
anyone else gets the service's own refusal on that column, and can leave the column empty for a
coordinator to record on the volunteer's page. A volunteer shown as "mediator" is created in
training and becomes a mediator by that accreditation, as on the pages: "mediator" without
community accreditation is refused. Parent/teen and restorative accreditation need the
community one and that course's training completed (its columns), as on the pages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from volunteers import services
from volunteers.models import AccreditationKind, DBSCheck, TrainingRecord, Volunteer

from .sheets import Column, Problem, Row, RowProblems, Sheet
from .values import max_lengths, parse_date, parse_decimal, parse_yes_no

DATE = "A date: 23/11/2026 or 2026-11-23."
YES_NO = "yes or no (also y/n, true/false, 1/0)."
STATUSES = ", ".join(value for value, _ in Volunteer.Status.choices)

# Each accreditation kind and the column of the date it was granted; in this order, as the
# specialist ones need the community one first.
ACCREDITATIONS = (
    (AccreditationKind.COMMUNITY, "community_accredited"),
    (AccreditationKind.PARENT_TEEN, "parent_teen_accredited"),
    (AccreditationKind.RESTORATIVE, "restorative_accredited"),
)
EVIDENCE_DEFAULT = "Accredited in the previous system; imported from its records."

VOLUNTEER_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "address": "address",
    "postcode": "postcode",
    "languages": "languages",
    "status": "status",
    "notes": "notes",
    "external_id": "volunteer_id",
}
DBS_COLUMNS = {
    "certificate_number": "dbs_certificate_number",
    "issued_on": "dbs_issue_date",
    "enhanced": "dbs_enhanced",
    "update_service": "dbs_update_service",
    "last_status_check_on": "dbs_last_status_check",
}


class VolunteersSheet(Sheet):
    kind = "volunteers"
    label = "Volunteers"
    id_column = "volunteer_id"
    max_chars = {
        **max_lengths(Volunteer, {column: name for name, column in VOLUNTEER_COLUMNS.items()}),
        **max_lengths(DBSCheck, {column: name for name, column in DBS_COLUMNS.items()}),
    }
    columns = (
        Column(
            "volunteer_id",
            "Their id in your old system or spreadsheet (up to 64 characters), unique: a "
            "volunteer already imported with this id is skipped.",
            required=True,
            example="V-0042",
        ),
        Column("first_name", "First name.", required=True, example="Sam"),
        Column("last_name", "Last name.", required=True, example="Patel"),
        Column("email", "Email address.", example="sam.patel@example.org"),
        Column("phone", "A UK phone number.", example="07911 123456"),
        Column(
            "address", "Postal address, without the postcode.", example="1 High Street, Tonbridge"
        ),
        Column("postcode", "A UK postcode.", example="TN9 1AA"),
        Column("languages", "Languages they mediate in.", example="English, Polish"),
        Column(
            "status",
            f"One of: {STATUSES} (empty: applicant). “mediator” needs community_accredited.",
            example="mediator",
        ),
        Column("notes", "Anything else to keep on their record.", example=""),
        Column(
            "dbs_certificate_number",
            "Their DBS certificate's number, 12 digits. Empty: no DBS check recorded.",
            example="001234567890",
        ),
        Column("dbs_issue_date", f"The certificate's issue date. {DATE}", example="23/11/2025"),
        Column("dbs_enhanced", f"An enhanced check: {YES_NO} Empty: yes.", example="yes"),
        Column(
            "dbs_update_service",
            f"On the DBS Update Service: {YES_NO} Empty: no.",
            example="yes",
        ),
        Column(
            "dbs_last_status_check",
            f"The last Update Service status check. {DATE}",
            example="01/06/2026",
        ),
        Column(
            "training_hours",
            "Hours of the community mediation course done so far (40 or more to work on "
            "cases). Empty: no training recorded.",
            example="40",
        ),
        Column(
            "training_completed",
            f"When they completed the community course; empty while in progress. {DATE}",
            example="15/03/2025",
        ),
        Column(
            "community_accredited",
            f"When they were accredited for community mediation, in your old system. {DATE} "
            "Recorded as accredited before joining: the importer must also be a coordinator.",
            example="10/09/2025",
        ),
        Column(
            "accreditation_evidence",
            "Who accredited them and the evidence seen (kept with the community "
            "accreditation). Empty: “Accredited in the previous system”.",
            example="WKM records, three supervised cases signed off in 2025",
        ),
        Column(
            "parent_teen_training_hours",
            "Hours of parent/teen mediation training.",
            example="",
        ),
        Column(
            "parent_teen_training_completed",
            f"When they completed the parent/teen training. {DATE}",
            example="",
        ),
        Column(
            "parent_teen_accredited",
            f"When they were accredited for parent/teen mediation (needs community accreditation "
            f"and completed parent/teen training). {DATE}",
            example="",
        ),
        Column(
            "restorative_training_hours",
            "Hours of restorative conferencing training.",
            example="",
        ),
        Column(
            "restorative_training_completed",
            f"When they completed the restorative conferencing training. {DATE}",
            example="",
        ),
        Column(
            "restorative_accredited",
            f"When they were accredited for restorative conferencing (needs community "
            f"accreditation and completed restorative training). {DATE}",
            example="",
        ),
    )

    def existing_ids(self, ids: set[str]) -> set[str]:
        return set(
            Volunteer.objects.filter(external_id__in=ids).values_list("external_id", flat=True)
        )

    def import_group(self, rows: list[Row], *, by) -> None:
        row, extra = rows[0], rows[1:]
        problems = [
            Problem(
                other.number,
                self.id_column,
                f"{row.get(self.id_column)} is on row {row.number} already: one row per volunteer.",
            )
            for other in extra
        ]
        parsed = _Parsed(row)
        problems += parsed.problems
        if problems:
            raise RowProblems(problems)
        volunteer = _step(
            row, VOLUNTEER_COLUMNS, "", services.volunteer_create, by=by, fields=parsed.volunteer
        )
        if isinstance(volunteer, list):
            raise RowProblems(volunteer)
        # The volunteer is there: every later step is tried, so that the row's problems are
        # all named at once (the runner rolls the whole row back if there is any).
        later = []
        if parsed.dbs:
            later += _problems(
                row,
                DBS_COLUMNS,
                "dbs_certificate_number",
                services.dbs_record,
                volunteer=volunteer,
                by=by,
                fields=parsed.dbs,
            )
        for hours_column, completed_column, fields in parsed.training:
            later += _problems(
                row,
                {"hours": hours_column, "completed_on": completed_column},
                hours_column,
                services.training_add,
                volunteer=volunteer,
                by=by,
                fields=fields,
            )
        for kind, column, granted_on in parsed.accreditations:
            evidence = ""
            if kind == AccreditationKind.COMMUNITY:
                evidence = row.get("accreditation_evidence") or EVIDENCE_DEFAULT
            later += _problems(
                row,
                {"prior_evidence": "accreditation_evidence", "granted_on": column},
                column,
                services.accreditation_grant,
                volunteer=volunteer,
                kind=kind,
                by=by,
                granted_on=granted_on,
                prior_evidence=evidence,
            )
        if later:
            raise RowProblems(later)


def _problems(row: Row, columns: dict, default: str, service, **kwargs) -> list[Problem]:
    """Call ``service``; its refusal as problems in the columns its fields come from."""
    result = _step(row, columns, default, service, **kwargs)
    return result if isinstance(result, list) else []


def _step(row: Row, columns: dict, default: str, service, **kwargs):
    try:
        return service(**kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            return [
                Problem(row.number, columns.get(name, default), message)
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        return [Problem(row.number, default, message) for message in error.messages]


class _Parsed:
    """A row's cells as the services take them, and what could not be read."""

    def __init__(self, row: Row):
        self.row = row
        self.problems: list[Problem] = []
        status = self._status()
        accredited_here = bool(row.get("community_accredited"))
        self.volunteer = {
            model_field: row.get(column)
            for model_field, column in VOLUNTEER_COLUMNS.items()
            if model_field != "status"
        }
        # A mediator accredited elsewhere is added in training, then made a mediator by the
        # accreditation (volunteers.services._check_becoming_mediator says why).
        self.volunteer["status"] = (
            Volunteer.Status.IN_TRAINING
            if status == Volunteer.Status.MEDIATOR and accredited_here
            else status
        )
        self.dbs = {}
        if any(row.get(column) for column in DBS_COLUMNS.values()):
            self.dbs = {
                "certificate_number": row.get("dbs_certificate_number"),
                "issued_on": self._date("dbs_issue_date"),
                "enhanced": self._yes_no("dbs_enhanced", default=True),
                "update_service": self._yes_no("dbs_update_service", default=False),
                "last_status_check_on": self._date("dbs_last_status_check"),
            }
        self.training = []
        for course, prefix in (
            (TrainingRecord.Course.COMMUNITY, "training"),
            (TrainingRecord.Course.PARENT_TEEN, "parent_teen_training"),
            (TrainingRecord.Course.RESTORATIVE, "restorative_training"),
        ):
            hours_column, completed_column = f"{prefix}_hours", f"{prefix}_completed"
            if row.get(hours_column) or row.get(completed_column):
                fields = {
                    "course": course,
                    "hours": self._number(hours_column),
                    "completed_on": self._date(completed_column),
                }
                self.training.append((hours_column, completed_column, fields))
        self.accreditations = [
            (kind, column, self._date(column)) for kind, column in ACCREDITATIONS if row.get(column)
        ]

    def _status(self) -> str:
        text = self.row.get("status")
        if not text:
            return Volunteer.Status.APPLICANT
        wanted = text.strip().lower().replace(" ", "_")
        for value, label in Volunteer.Status.choices:
            if wanted in (value, label.lower().replace(" ", "_")):
                return value
        self.problems.append(
            Problem(self.row.number, "status", f"“{text}” is not a status: one of {STATUSES}.")
        )
        return Volunteer.Status.APPLICANT

    def _parse(self, column, parse, **kwargs):
        try:
            return parse(self.row.get(column), **kwargs)
        except ValueError as error:
            self.problems.append(Problem(self.row.number, column, str(error)))
            return None

    def _date(self, column):
        return self._parse(column, parse_date)

    def _yes_no(self, column, *, default):
        return self._parse(column, parse_yes_no, default=default)

    def _number(self, column):
        return self._parse(column, parse_decimal)
