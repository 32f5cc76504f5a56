"""The kinds of sheet that can be imported, by their ``kind`` (ImportBatch.kind): volunteers
first, since the cases sheet names its pairs by the volunteers' ids."""

from .cases_sheet import CasesSheet
from .sheets import Sheet
from .volunteers_sheet import VolunteersSheet

SHEETS: dict[str, Sheet] = {sheet.kind: sheet for sheet in (VolunteersSheet(), CasesSheet())}
