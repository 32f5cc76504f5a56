"""Hypothesis strategies for hostile form input: text, numbers and dates that people (or scripts)
actually send, from NUL bytes and right-to-left overrides to dates in year 0 and 10**18."""

import datetime
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Every property test here: no deadline (a request with a PDF may take a second), no example
# database written into the shared tree, and few enough examples that the folder runs in well
# under a minute on two cores. Each example checks itself (row counts before and after), so
# sharing the function-scoped ``db`` fixture between examples is safe. For a longer hunt:
# HOSTILE_EXAMPLES=500 pytest tests/hostile
HOSTILE = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "8")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=file:///etc/passwd>"

NASTY_TEXT = (
    "",
    " ",
    "\x00",
    "Alice\x00Carter",
    "\u202eretsaC ecilA\u202c",  # right-to-left override
    "\u200f\u200e\u2066\u2069",  # bidi marks and isolates
    "😀🙈 Ⓐ",
    "👨‍👩‍👧‍👦",  # a zero-width-joined family
    "Zalgo Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫ",
    "\r\n\r\n",
    "\t\x0b\x0c",
    "\x1b[31mred\x1b[0m",  # terminal escapes (log injection)
    "\x7f\x80\x85\x9f",
    "\ufeffBOM",
    "\ufffe\uffff",
    "\U0010ffff",
    "\u2028\u2029",
    SCRIPT,
    IMG,
    "'; DROP TABLE cases_case; --",
    "{{ 7|add:7 }}{% debug %}",
    "%s %n %(x)s {0}",
    "../../../../etc/passwd",
    "file:///etc/passwd",
    "NaN",
    "-1",
    "1e309",
    "None",
)

NASTY_NUMBERS = (
    "",
    "0",
    "-0",
    "-1",
    "0.5",
    "0.05",
    "1.55",
    "24",
    "24.1",
    "500",
    "500.1",
    "1000.1",
    "9" * 40,
    "-" + "9" * 40,
    "1e18",
    "1e309",
    "-1e309",
    "1E-400",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1_000",
    "1,5",
    "0x10",
    "١٢",  # Arabic-Indic digits
    "²",
    " 5 ",
    "5\x00",
    "\x00",
    "1" * 5000,
)

NASTY_DATES = (
    "",
    "0000-00-00",
    "0000-01-01",
    "0001-01-01",
    "0999-12-31",
    "1000-01-01",
    "1899-12-31",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "31/02/2026",
    "2026-02-31",
    "29/02/2025",
    "2026-13-01",
    "23/11/2026",
    "23/11/26",
    "2026-11-23",
    "1000000000000000000",
    str(10**18),
    "NaN",
    "today",
    "2026-11-23\x00",
    "２０２６-１１-２３",  # full-width digits
)

NASTY_DATETIMES = (
    "",
    "0001-01-01T00:00",
    "0001-01-01 00:00",
    "9999-12-31T23:59",
    "9999-12-31T23:59:59.999999",
    "10000-01-01T00:00",
    "0000-01-01T00:00",
    "2026-02-31T10:00",
    "31/02/2026 10:00",
    "2026-03-29T01:30",  # does not exist in London (clocks go forward)
    "2026-10-25T01:30",  # happens twice in London (clocks go back)
    "2026-11-23T25:00",
    "2026-11-23T10:00+14:00",
    "1000000000000000000",
    "2026-11-23T10:00\x00",
)

# Characters that survive UTF-8: everything but lone surrogates (a browser cannot send those).
any_char = st.characters(codec="utf-8")


@st.composite
def long_text(draw):
    """A string just over a typical limit, or far over it, of one (possibly multi-byte) char."""
    length = draw(st.sampled_from([199, 200, 201, 299, 300, 301, 1001, 2001, 5001, 20_001]))
    char = draw(st.sampled_from(["x", "é", "😀", "\u202e", "\x00", " "]))
    return char * length


def hostile_text(max_size=40):
    return st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.text(any_char, max_size=max_size),
        st.builds(
            lambda a, b, c: a + b + c,
            st.text(any_char, max_size=8),
            st.sampled_from(NASTY_TEXT),
            st.text(any_char, max_size=8),
        ),
        long_text(),
    )


def hostile_number():
    return st.one_of(
        st.sampled_from(NASTY_NUMBERS),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
    )


def iso(day: datetime.date) -> str:
    return day.isoformat()


def hostile_date():
    return st.one_of(
        st.sampled_from(NASTY_DATES),
        st.dates().map(iso),
        st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
        hostile_text(max_size=12),
    )


def hostile_datetime():
    return st.one_of(
        st.sampled_from(NASTY_DATETIMES),
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        hostile_text(max_size=12),
    )


def hostile_choice(*valid):
    """Mostly a valid choice, sometimes anything at all."""
    return st.one_of(st.sampled_from(valid), hostile_text(max_size=12), hostile_number())


def maybe(strategy, *valid):
    """A valid value (so that some submissions get through and are saved) or a hostile one."""
    return st.one_of(st.sampled_from(valid), strategy) if valid else strategy


checkbox = st.sampled_from(["on", "", "false", "0", "\x00", "😀"])


def odd_text(max_size=40):
    """Text a form should accept as it is: any script, emoji, bidi controls, markup; no NUL."""
    return st.one_of(
        st.sampled_from([t for t in NASTY_TEXT if "\x00" not in t and t.strip()]),
        st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=max_size),
    )


@st.composite
def form_data(draw, valid: dict, hostile: dict, max_changes: int = 3):
    """A submission that would be accepted (``valid``: a value or a strategy per field), with up
    to ``max_changes`` fields replaced by a value from ``hostile`` or left out altogether.
    Hypothesis shrinks a failure towards the fewest changes, so it names the field at fault."""
    data = {
        name: draw(value) if isinstance(value, st.SearchStrategy) else value
        for name, value in valid.items()
    }
    names = draw(st.lists(st.sampled_from(sorted(hostile)), unique=True, max_size=max_changes))
    for name in names:
        value = draw(st.one_of(st.none(), hostile[name]))
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
