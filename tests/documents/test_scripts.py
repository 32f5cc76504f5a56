"""Names and addresses in Chinese, Japanese, Korean, Arabic and Polish print in every document:
the characters are in the PDF's text and each is drawn with a real glyph of a font that has it
(tests/documents/glyphs.py), not an empty box. The fonts are OS packages named in
os-packages.txt; on a machine without them these tests fail and say which package is missing."""

import io
import unicodedata

import pytest
from pypdf import PdfReader

from cases import agreements
from documents.services import agreement_document, letter_document
from parties.models import Consent
from tests.documents.glyphs import misdrawn
from tests.factories import ConsentFactory, PartyFactory, assign, consent_all, ready_case

pytestmark = pytest.mark.django_db

# name, first address line, town: each in its own script (postcodes stay UK ones).
PEOPLE = {
    "Chinese": ("王小明", "建国路 88号", "北京市朝阳区"),
    "Japanese": ("名前テスト", "西新宿 2-8-1", "東京都新宿区"),
    "Korean": ("김민준", "세종대로 209", "서울특별시 종로구"),
    "Arabic": ("محمد العلي", "شارع الملك فهد", "الرياض"),
    "Polish": ("Łukasz Żółć-Wąsik", "ul. Świętokrzyska 12", "Gdańsk"),
}
# Where each script's glyphs come from (static/documents/print.css names them in its fonts).
FONT_SOURCES = {
    "Chinese": "WenQuanYi Micro Hei, Debian package fonts-wqy-microhei",
    "Japanese": "WenQuanYi Micro Hei, Debian package fonts-wqy-microhei",
    "Korean": "WenQuanYi Micro Hei, Debian package fonts-wqy-microhei",
    "Arabic": "DejaVu Sans, Debian package fonts-dejavu-core",
    "Polish": "Source Sans 3 Latin Ext, static/fonts/source-sans-3/",
}


def text_of(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def assert_printed(pdf: bytes, script: str, *texts: str) -> None:
    """Each of ``texts`` is drawn glyph by glyph from a font that has it, and is in the text."""
    non_ascii = "".join(c for text in texts for c in text if ord(c) > 127)
    wrong = misdrawn(pdf, non_ascii)
    assert not wrong, (
        f"{script}: {len(wrong)} character(s) drawn as boxes or from the wrong font, e.g. "
        f"{wrong[:3]}. They should come from {FONT_SOURCES[script]} (os-packages.txt)."
    )
    extracted = text_of(pdf)
    for text in texts:
        assert text in extracted, f"{text!r} is not in the PDF's text"


@pytest.fixture
def world_case(coordinator, mediator):
    """An active case whose parties are the five people above (and the usual two)."""
    case = ready_case(status="active")
    assign(case, mediator)
    for name, line1, town in PEOPLE.values():
        party = PartyFactory(case=case, full_name=name, address_line1=line1, town=town)
        consent_all(party)
        ConsentFactory(party=party, kind=Consent.Kind.SHARE_DETAILS)
    return case


@pytest.mark.parametrize("script", PEOPLE)
def test_a_letter_prints_the_name_and_address_in_every_script(script, world_case, coordinator):
    name, line1, town = PEOPLE[script]
    party = world_case.parties.get(full_name=name)

    document = letter_document(case=world_case, party=party, kind="invitation", by=coordinator)

    with document.file.open("rb") as file:
        assert_printed(file.read(), script, name, line1, town)


def test_an_agreement_prints_every_partys_name_in_its_script(world_case, coordinator):
    draft = agreements.agreement_start(case=world_case, by=coordinator)
    for name, _line1, _town in PEOPLE.values():
        agreements.term_add(agreement=draft, by=coordinator, who=name, what="keep the peace")

    document = agreement_document(agreement=draft, by=coordinator)

    with document.file.open("rb") as file:
        pdf = file.read()
    for script, (name, _line1, _town) in PEOPLE.items():
        assert_printed(pdf, script, name)


def test_a_subject_access_copy_prints_the_persons_details_in_their_script(world_case, coordinator):
    from privacy import services

    for script in ("Japanese", "Arabic"):
        name, line1, town = PEOPLE[script]
        party = world_case.parties.get(full_name=name)
        sar = services.request_open(
            by=coordinator,
            fields={
                "subject_name": name,
                "requester": "by letter",
                "requested_on": party.created_at.date(),
            },
            parties=[party],
            volunteers=[],
        )

        pdf = services.request_export(sar=sar, by=coordinator, fmt="pdf")

        assert_printed(pdf, script, name, line1, town)
