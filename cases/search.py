"""The case list's search: what people type, looked for where it can match.

What the text looks like decides where it is looked for, so that each kind of search uses its
own index and none of them reads every case:

- a UK phone number in any format ("01732 123456", "+44 1732 123456", "(01732) 123 456"): the
  parties' phones, stored in E.164 (``parties.validators.normalise_phone``);
- a reference or part of one ("WKM-2026-0042", "2026-42", "0042"); one to three digits are a
  case number ("6" is WKM-<any year>-0006), not every reference with a 6 in it;
- a postcode, whole ("tn91aa"), a district ("ME14") or the start of one ("TN9 1", "tn9 1a");
- other text with letters: party names, word by word and spelt nearly right too ("Holis" finds
  Hollis: pg_trgm's word similarity), the parties' address lines ("Priory Road"), and the
  referrer's organisation (its words in the order typed; "&" and "and" alike, so "Town &
  Country" finds Town and Country Housing).

When names are searched, the cases whose parties' names are most like the text come first.
"""

import re
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import TrigramStrictWordSimilarity
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    FloatField,
    Func,
    Lookup,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Upper

from parties.models import Party
from parties.validators import OUTWARD_CODE, POSTCODE, normalise_phone

# What part of a reference can look like: digits and hyphens, perhaps after "WKM". A postcode
# ("TN3") is not searched for among references, which made every such search scan every case.
REFERENCE_PART = re.compile(r"^(WKM)?-?[\d-]*\d[\d-]*$")
# A year and a case number, the number perhaps without its leading zeros: "2026-42".
YEAR_AND_NUMBER = re.compile(r"^(?:WKM)?-?(\d{4})-(\d{1,6})$")
# A case number alone, short enough to be one rather than part of one: "6", "42".
CASE_NUMBER = re.compile(r"^\d{1,3}$")
# The start of a postcode's inward code: "1", "1A" (all three characters make a whole postcode).
INWARD_START = re.compile(r"^[0-9][A-Z]?$")
# What a phone number is typed with: digits, spaces and + ( ) - . (10 to 16 digits, 00 44 …).
PHONE_CHARACTERS = re.compile(r"^\+?[\d\s().-]+$")
# Words shorter than this have no trigram to look up: they are only searched for as they are.
MIN_WORD = 3
# A word is in a name spelt nearly right when pg_trgm's word similarity (the trigrams of the
# word found in some stretch of the name) reaches pg_trgm.word_similarity_threshold (0.6, and
# the trigram index finds those names), and its strict word similarity (against whole words of
# the name) reaches this: "Holis" is 0.63 and 0.63 like Hollis, "Holms" 0.67 and 0.44 like
# Holmes, but "Holis" is 0.67 and only 0.30 like "Chris Holmes" (the "is" of Chris and the
# "Hol" of Holmes). The strict similarity alone has a threshold (0.5) that would take in
# "Jonson" for Johnson (0.5) too, but its index finds seven times as many names to check as it
# keeps ("Harvy": 7,951 for 1,165, 60 ms at 100,000 cases).
NEAR_STRICT = 0.4
# The annotation that ranks the cases found by name (best first).
SEARCH_RANK = "search_rank"


class AnyOf(Func):
    """``value = ANY(array)``: unlike IN (subquery), PostgreSQL looks each element of the array
    up in an index, and can OR that with another index."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


class Search(NamedTuple):
    """Where to look for a text: conditions on parties and on cases (any of them finds a case),
    and whether names were searched (then the best matches come first)."""

    parties: list[Q]
    cases: list[Q]
    by_name: bool = False


class Like(Lookup):
    """``lhs LIKE rhs``, the pattern as given (``contains`` would escape its ``%``)."""

    lookup_name = "like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", (*lhs_params, *rhs_params)


def search_cases(queryset: QuerySet, text: str) -> QuerySet:
    """The cases of ``queryset`` (already scoped to the user) that ``text`` finds: the best
    matches first when names are searched, otherwise the newest first. ``queryset`` is only
    ever narrowed."""
    text = " ".join(text.split())
    if not text:
        return queryset
    words = _words(text)
    search = _search(text, words)
    if not search.parties and not search.cases:
        return queryset.none()
    if not search.cases:
        found = queryset.filter(pk__in=_parties(search.parties, words).values("case_id"))
    elif not search.parties:
        found = queryset.filter(_any(search.cases))
    else:
        # The cases of the parties found, as an array, and the cases found themselves: each
        # from its own index, both read from the table in one pass (a bitmap OR). An IN
        # (subquery) here would make PostgreSQL test every case of the table instead.
        party_cases = ArraySubquery(_parties(search.parties, words).values("case_id"))
        found = queryset.filter(Q(AnyOf(F("pk"), party_cases)) | _any(search.cases))
    if not search.by_name:
        return found
    return found.annotate(**{SEARCH_RANK: _rank(text, words)}).order_by(
        F(SEARCH_RANK).desc(), "-received_on", "-id"
    )


def ranked(text: str) -> bool:
    """Whether the cases ``text`` finds come best match first (it is searched for by name)."""
    text = " ".join(text.split())
    return _search(text, _words(text)).by_name


def _rank(text: str, words: list[str]) -> Expression:
    """How well a case found by ``text`` matches it: 1 when a party's name has every word as
    typed; 0 when found by the referrer's organisation; otherwise how like ``text`` its most
    similar party name is (pg_trgm's strict word similarity, 0 to 1). The first two are known
    without working out any likeness (a few microseconds a name, which for the thousands of
    cases an organisation finds cost more than the rest of the page)."""
    exact = Party.objects.filter(_all(Q(full_name__icontains=word) for word in words))
    likeness = (
        Party.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(best=Max(TrigramStrictWordSimilarity(text, Upper("full_name"))))
        .values("best")
    )
    known = [When(pk__in=exact.values("case_id"), then=Value(1.0))]
    organisation = _organisation(words)
    if organisation:
        known.append(When(organisation, then=Value(0.0)))
    return Case(*known, default=Coalesce(Subquery(likeness), 0.0), output_field=FloatField())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.upper())


def _search(text: str, words: list[str]) -> Search:
    """What ``text`` is, and so where to look for it."""
    compact = text.replace(" ", "").upper()
    phone = _phone(text)
    if phone:
        return Search([Q(phone=phone)], [])
    if REFERENCE_PART.match(compact):
        return Search([], _reference(compact, text))
    postcodes = _postcode(text)
    if postcodes:
        return Search(postcodes, [])
    if not any(char.isalpha() for char in text):
        return Search([], [])
    long_words = _long(words)
    if not long_words:  # "Al", "Ng": nothing for trigrams to find; as typed, in names only
        return Search([Q(full_name__icontains=text)], [])
    # Every word in a party's name: the longer ones perhaps spelt nearly right.
    names = _all(
        _name_has(i, word) if len(word) >= MIN_WORD else Q(full_name__icontains=word)
        for i, word in enumerate(words)
    )
    street = Q(address_line1__icontains=text) | Q(address_line2__icontains=text)
    organisation = _organisation(words)
    return Search([names, street], [organisation] if organisation else [], by_name=True)


def _long(words: list[str]) -> list[str]:
    return [word for word in words if len(word) >= MIN_WORD]


def _organisation(words: list[str]) -> Q | None:
    """The referrer's organisation has the words in it, in their order ("&" and "and" left
    out: "Town & Country" finds Town and Country Housing; words too short for trigrams too).
    One pattern rather than one a word: an organisation finds thousands of cases, each tested
    twice (found, then ranked)."""
    found = [_escaped(word) for word in _long(words) if word != "AND"]
    if not found:
        return None
    return Q(Like(Upper("referrer_organisation"), Value(f"%{'%'.join(found)}%")))


def _escaped(word: str) -> str:
    """``word`` matched as it is in a LIKE pattern (a word may have an underscore)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_has(i: int, word: str) -> Q:
    """A party's name has ``word`` in it, or a word spelt nearly like it (see NEAR_STRICT)."""
    return Q(full_name__icontains=word) | (
        Q(name__trigram_word_similar=word) & Q(**{f"likeness_{i}__gte": NEAR_STRICT})
    )


def _parties(conditions: list[Q], words: list[str]) -> QuerySet:
    # The name in capitals, as its trigram index holds it (party_name_trgm_idx).
    likeness = {
        f"likeness_{i}": TrigramStrictWordSimilarity(word, Upper("full_name"))
        for i, word in enumerate(words)
        if len(word) >= MIN_WORD
    }
    return (
        Party.objects.alias(name=Upper("full_name"), **likeness).filter(_any(conditions)).order_by()
    )


def _phone(text: str) -> str:
    """``text`` as a stored phone number (E.164). Leniently: a number stored before today's
    check may not pass it (as privacy.selectors finds people for a subject access request)."""
    digits = "".join(char for char in text if char.isdigit())
    if not PHONE_CHARACTERS.match(text) or not 10 <= len(digits) <= 16:
        return ""
    try:
        return normalise_phone(text)
    except ValidationError:
        pass
    if text.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    return f"+44{digits[1:]}" if digits.startswith("0") else ""


def _reference(compact: str, text: str) -> list[Q]:
    if CASE_NUMBER.match(compact):
        number = int(compact)
        # A case number, in any year; 0 is nobody's.
        return [Q(reference__iendswith=f"-{number:04d}")] if number else []
    year_and_number = YEAR_AND_NUMBER.match(compact)
    if year_and_number and len(year_and_number[2]) < 4:  # "2026-42" is WKM-2026-0042
        year, number = year_and_number.groups()
        return [Q(reference=f"WKM-{year}-{int(number):04d}")]
    return [Q(reference__icontains=text)]


def _postcode(text: str) -> list[Q]:
    """Parties' postcodes ``text`` finds: a whole postcode in any spacing or case, a district,
    or the start of a postcode ("TN9 1", "tn91a"); none if it is not like a postcode."""
    compact = text.replace(" ", "").upper()
    if POSTCODE.match(compact):
        return [Q(postcode=f"{compact[:-3]} {compact[-3:]}")]
    halves = text.upper().split(" ")
    if len(halves) == 2 and OUTWARD_CODE.match(halves[0]) and INWARD_START.match(halves[1]):
        return [Q(postcode__startswith=f"{halves[0]} {halves[1]}")]
    if OUTWARD_CODE.match(compact):  # "ME14" is the district, not "ME1 4.."
        return [Q(postcode__startswith=f"{compact} ")]
    # Without a space, each way of reading it as a district and the start of the inward code.
    return [
        Q(postcode__startswith=f"{compact[:split]} {compact[split:]}")
        for split in range(2, len(compact))
        if OUTWARD_CODE.match(compact[:split]) and INWARD_START.match(compact[split:])
    ]


def _any(conditions) -> Q:
    conditions = list(conditions)
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _all(conditions) -> Q:
    conditions = list(conditions)
    combined = conditions[0]
    for condition in conditions[1:]:
        combined &= condition
    return combined
