"""Running a read sheet through its Sheet: the check (the preview) and the two ways to import.

Every group of rows (one record: a volunteer, a case with its parties) goes through
``sheet.import_group`` inside a savepoint, so a group with a problem leaves nothing behind and
the next group starts clean. A group whose id is already in the database is skipped (counted as
already imported): importing the same sheet twice adds nothing.

- **check**: every group is written, in one transaction rolled back at the end. So every row
  is validated by the real services and rules, including a row that depends on an earlier one
  (a case naming a volunteer imported further up), and nothing stays.
- **all**: one transaction; any problem and it is rolled back whole — nothing saved.
- **valid**: the groups without a problem are kept, one commit at the end; the others' rows
  are handed back (``Outcome.rest``) for the administrator to correct and import again.

The runner never writes on its own: what is saved is what the sheet's services save.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from .reading import ReadSheet, group
from .sheets import Problem, Row, RowProblems, Sheet

CHECK, ALL, VALID = "check", "all", "valid"


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    records: int = 0  # groups read (with an id)
    valid: int = 0  # new groups without a problem
    already_imported: int = 0
    imported: int = 0  # groups committed
    rest: list[Row] = field(default_factory=list)  # rows not imported because of a problem


def _problems_of(error: ValidationError, rows: list[Row], sheet: Sheet) -> list[Problem]:
    """A ValidationError a service raised that the sheet did not map to a column: on the
    group's first row, in the column its field names if the sheet has such a column."""
    first = rows[0].number
    columns = {column.name for column in sheet.columns}
    if hasattr(error, "error_dict"):
        return [
            Problem(first, name if name in columns else "", message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [Problem(first, "", message) for message in error.messages]


def _existing(sheet: Sheet, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 1000):
        found |= sheet.existing_ids(set(ids[start : start + 1000]))
    return found


def _check_references_as_written() -> None:
    """Check each reference as its row is written, for the rest of the run's transaction,
    rather than queue the check until commit (Django makes foreign keys DEFERRABLE INITIALLY
    DEFERRED). PostgreSQL walks its queue of deferred checks again after each statement a
    trigger runs, and the history triggers (django-pghistory) run one for every row written: in
    a run of thousands of rows each write slowed as the queue grew, a 2,500-case sheet's last
    timeline lines 2.6 times as slow as its first. The services write what a reference points
    to before the reference, so nothing they do needs the deferral.

    A reference checked now holds a key-share lock on the row it points at until the run ends
    (a user, a referrer, a volunteer): the services that lock such rows to change them take
    ``select_for_update(no_key=True)``, which does not wait for it. Undone at the end of a
    run that is itself inside a transaction (a test's): Django's foreign keys, the only
    deferrable constraints here, are deferred again."""
    _set_constraints("IMMEDIATE")


def _set_constraints(mode: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS ALL {mode}")  # noqa: S608 - one of two words of ours


def run(
    sheet: Sheet,
    read_sheet: ReadSheet,
    *,
    by,
    mode: str,
    progress: Callable[[int], None] = lambda percent: None,
) -> Outcome:
    """Run ``read_sheet`` as ``mode`` (CHECK, ALL or VALID) as user ``by``."""
    outcome = Outcome(problems=list(read_sheet.problems))
    if not read_sheet.header_ok:
        # A missing or unknown column would give every row the same problem: say it once.
        return outcome
    groups, unmatched = group(read_sheet, sheet)
    outcome.problems += unmatched
    unmatched_rows = {p.row for p in unmatched}
    outcome.rest += [row for row in read_sheet.rows if row.number in unmatched_rows]
    outcome.records = len(groups)
    existing = _existing(sheet, list(groups))
    with transaction.atomic():
        _check_references_as_written()
        for done, (key, rows) in enumerate(groups.items(), 1):
            if key in existing:
                outcome.already_imported += 1
                continue
            if too_long := sheet.length_problems(rows):
                outcome.problems += too_long
                outcome.rest += rows
                continue
            try:
                with transaction.atomic():
                    sheet.import_group(rows, by=by)
            except RowProblems as error:
                outcome.problems += error.problems
                outcome.rest += rows
            except ValidationError as error:
                outcome.problems += _problems_of(error, rows, sheet)
                outcome.rest += rows
            else:
                outcome.valid += 1
            if done % 25 == 0:
                progress(done * 100 // len(groups))
        _set_constraints("DEFERRED")
        if mode == CHECK or (mode == ALL and outcome.problems):
            transaction.set_rollback(True)
        else:
            outcome.imported = outcome.valid
    outcome.problems.sort(key=lambda p: (p.row, p.column))
    outcome.rest.sort(key=lambda row: row.number)
    return outcome
