"""Pages of a long list that stay fast however long the list is.

Django's Paginator counts every matching row (COUNT(*)) and fetches a page with OFFSET, reading
and throwing away every row before it. At 100,000 cases a filter matching 15,000 of them cost
56 ms to count, and page 2,000 of the case list 32 ms to skip to. Here:

- the count stops at ``cap`` (1,000 by default): beyond it the list says "more than 1,000" and
  asks for a narrower search, and pages go on with "Next" until the rows run out;
- a page is found by its ids first (the ordering index alone can answer that), then only its
  own rows are read, with whatever select_related / prefetch_related the queryset asks for;
  with ``rows`` (the same rows before the filters), without running the filters again.

A list ordered by something every matching row must be given first (a search ranked by
likeness, ``ranked=True``) is counted by reading the ids of its first ``cap`` + 1 rows in order;
those give the pages up to the cap too, so the search runs once per page, not once to count,
once to find the page and once more to read it.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet

COUNT_CAP = 1000
# The largest page number taken from a query string (a bigger one would overflow OFFSET).
MAX_PAGE = 1_000_000


def page_number(value, default: int = 1) -> int:
    """The page asked for in the query string: a positive whole number, else ``default``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(number, MAX_PAGE) if number >= 1 else default


@dataclass
class CappedPage:
    paginator: "CappedPaginator"
    number: int
    object_list: list
    has_next: bool

    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


class CappedPaginator:
    def __init__(
        self,
        queryset: QuerySet,
        per_page: int,
        cap: int | None = None,
        *,
        rows: QuerySet | None = None,
        ranked: bool = False,
    ):
        """``rows``: where a page's rows are read by id, ``queryset`` before its filters (no
        wider than what the user may see); it must have the fields ``queryset`` is ordered by,
        unless ``ranked``. ``ranked``: ``queryset`` is ordered by something computed for every
        matching row (see the module's docstring)."""
        # A total order: the page's ids and then its rows are sorted twice, and rows that tie
        # (the same status, the same day) must fall the same way both times, or one is lost.
        ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & set(map(str, ordering)):
            queryset = queryset.order_by(*ordering, "pk")
        self.queryset = queryset
        if rows is None:
            rows = queryset
        elif queryset.query.order_by and not ranked:
            rows = rows.order_by(*queryset.query.order_by)
        self.rows = rows
        self.ranked = ranked
        self.per_page = per_page
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _head(self) -> list:
        """The ids of the first cap + 1 rows, in order (a ranked list's count)."""
        return list(self.queryset.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def _counted(self) -> int:
        if self.ranked:
            return len(self._head)
        # COUNT(*) over at most cap + 1 rows: it stops reading there.
        return self.queryset.order_by()[: self.cap + 1].count()

    @property
    def count(self) -> int:
        """How many rows match, up to ``cap``."""
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """True when more than ``cap`` rows match (``count`` is then ``cap``)."""
        return self._counted > self.cap

    @property
    def num_pages(self) -> int | None:
        """The number of pages, or None when more than ``cap`` rows match."""
        if self.capped:
            return None
        return max(1, -(-self.count // self.per_page))

    def get_page(self, value) -> CappedPage:
        """The page asked for; a number past the last page gives the last page."""
        number = page_number(value)
        if self.num_pages is not None:
            number = min(number, self.num_pages)
        offset = (number - 1) * self.per_page
        end = offset + self.per_page + 1
        if self.ranked and (end <= len(self._head) or not self.capped):
            ids = self._head[offset:end]
            found = {row.pk: row for row in self.rows.filter(pk__in=ids).order_by()}
            rows = [found[pk] for pk in ids if pk in found]
        elif self.ranked:  # beyond the cap: only the filtered rows know their rank
            ids = self.queryset.values("pk")[offset:end]
            rows = list(self.queryset.filter(pk__in=ids))
        else:
            ids = self.queryset.values("pk")[offset:end]
            rows = list(self.rows.filter(pk__in=ids))
        page = CappedPage(self, number, rows[: self.per_page], len(rows) > self.per_page)
        if not page.object_list and number > 1:  # past the end of a list longer than cap
            return self.get_page(max(1, -(-self._rows_before(offset) // self.per_page)))
        return page

    def _rows_before(self, offset: int) -> int:
        return self.queryset.order_by()[:offset].count()
