"""What a kind of spreadsheet is, for the importer: its columns, and how one record's rows go in.

A sheet (volunteers, open cases) describes its columns once: the downloadable template, the
header check and the README are made from them. Its rows are grouped by the sheet's id column
(one row per volunteer; one row per party of a case, the case's columns repeated), and each
group is handed to :meth:`Sheet.import_group`, which writes it through the same services as the
pages do (so every rule applies to imported data exactly as to typed data) and raises
:class:`RowProblems` naming the row and column of everything wrong. The runner calls it inside a
savepoint and rolls the group back on a problem; it never writes on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, what it holds (the XLSX template's "About" sheet,
    the import page and the README say so), whether every row needs it, and an example value."""

    name: str
    help: str
    required: bool = False
    example: str = ""


@dataclass(frozen=True)
class Row:
    """One row of the sheet as read: its number as the spreadsheet shows it (the header is row
    1) and each column's value as text, stripped; a blank cell is ""."""

    number: int
    values: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class Problem:
    """Something wrong with a row: in one column, or in the row as a whole (column "")."""

    row: int
    column: str
    message: str


class RowProblems(Exception):
    """Raised by a sheet when a group of rows cannot go in; nothing of the group is kept."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class Sheet:
    """A kind of sheet. Subclasses set the class attributes and implement the two methods."""

    kind: str = ""  # "volunteers", "cases"
    label: str = ""  # "Volunteers", "Open cases"
    id_column: str = ""  # the stable external id column, e.g. "volunteer_id"
    columns: tuple[Column, ...] = ()
    # A column's limit where the model field it goes to has one (CharField.max_length); any
    # other cell is held to the forms' longest box.
    max_chars: dict[str, int] = {}

    def length_problems(self, rows: list[Row]) -> list[Problem]:
        """A cell longer than the form for that field would take, as the form would say it."""
        from .values import too_long

        return [
            Problem(row.number, column, message)
            for row in rows
            for column, text in row.values.items()
            if (message := too_long(text, self.max_chars.get(column)))
        ]

    def existing_ids(self, ids: set[str]) -> set[str]:
        """Those of ``ids`` already in the database (imported before): their rows are skipped,
        so importing the same sheet twice adds nothing."""
        raise NotImplementedError

    def import_group(self, rows: list[Row], *, by) -> None:
        """Write one record (a volunteer, a case with its parties) from its rows, through the
        services, as ``by``. Raise RowProblems for anything wrong."""
        raise NotImplementedError
