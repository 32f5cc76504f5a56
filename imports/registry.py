"""The kinds of sheet that can be imported, by their ``kind`` (ImportBatch.kind)."""

from .sheets import Sheet
from .volunteers_sheet import VolunteersSheet

SHEETS: dict[str, Sheet] = {sheet.kind: sheet for sheet in (VolunteersSheet(),)}
