"""What a PDF really draws, glyph by glyph — not only the text it says it holds.

A PDF's text layer (what pypdf and pdftotext extract) comes from each font's ToUnicode map, so it
can be right while the page shows empty boxes: WeasyPrint draws a character no font has as a
placeholder glyph past the end of the font, and still maps it to the character. And a glyph id
can point into the wrong font file (two files under one family name were merged into one PDF
font, and "Łódź" printed as "ffód" while extracting as "Łódź"). So this reads the content
streams: for each glyph shown, its id, the font it is shown in (the embedded font file itself,
with fontTools) and the text its ToUnicode map gives it.

A glyph is drawn right when it is a real glyph of its font (not .notdef, id 0, and not past the
font's last glyph) and the font's own character map leads to it from that text: directly, or
from a presentation form of it (Arabic letters are drawn in their joined forms: U+FEE4 for a
medial meem, whose compatibility normal form is U+0645).
"""

import io
import re
import unicodedata
from dataclasses import dataclass

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream


@dataclass(frozen=True)
class Glyph:
    font: str  # the PDF font's name, e.g. "/AJCJEQ+WenQuanYi-Micro-Hei"
    glyph_id: int
    text: str  # what the ToUnicode map says it stands for
    real: bool  # a glyph of the font, not .notdef or a placeholder
    font_maps_text_to_it: bool  # the font's cmap leads to this glyph from ``text``

    @property
    def ok(self) -> bool:
        return self.real and self.font_maps_text_to_it


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _to_unicode(data: bytes) -> dict[int, str]:
    text = data.decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for source, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, target in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            first = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


class _Font:
    def __init__(self, font_dict):
        cid_font = font_dict["/DescendantFonts"][0].get_object()
        descriptor = cid_font["/FontDescriptor"].get_object()
        self.name = str(descriptor["/FontName"])
        # WeasyPrint embeds TrueType subsets keeping their glyph ids (CIDToGIDMap /Identity).
        file = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        self.glyph_count = file["maxp"].numGlyphs
        ids = {name: number for number, name in enumerate(file.getGlyphOrder())}
        self.texts_of = {}
        for codepoint, glyph_name in (file.getBestCmap() or {}).items():
            self.texts_of.setdefault(ids[glyph_name], set()).add(_nfkc(chr(codepoint)))
        self.to_unicode = _to_unicode(font_dict["/ToUnicode"].get_object().get_data())

    def glyph(self, glyph_id: int) -> Glyph:
        text = self.to_unicode.get(glyph_id, "")
        return Glyph(
            font=self.name,
            glyph_id=glyph_id,
            text=text,
            real=0 < glyph_id < self.glyph_count,
            font_maps_text_to_it=_nfkc(text) in self.texts_of.get(glyph_id, ()),
        )


def drawn_glyphs(pdf: bytes) -> list[Glyph]:
    """Every glyph shown on every page, in content-stream order."""
    reader = PdfReader(io.BytesIO(pdf))
    glyphs: list[Glyph] = []
    for page in reader.pages:
        _walk(page.get_contents(), page["/Resources"], reader, glyphs)
    return glyphs


def _walk(contents, resources, reader, glyphs) -> None:
    fonts = {name: _Font(ref.get_object()) for name, ref in resources.get("/Font", {}).items()}
    font = None
    for operands, operator in ContentStream(contents, reader).operations:
        if operator == b"Tf":
            font = fonts[operands[0]]
        elif operator in (b"Tj", b"TJ"):
            shown = operands[0] if operator == b"TJ" else [operands[0]]
            for item in shown:
                raw = getattr(item, "original_bytes", None)
                if raw is None:  # a TJ spacing number
                    continue
                # Identity-H: two bytes per glyph id.
                glyphs.extend(
                    font.glyph(int.from_bytes(raw[i : i + 2], "big")) for i in range(0, len(raw), 2)
                )
    for ref in resources.get("/XObject", {}).values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            _walk(xobject, xobject.get("/Resources", resources), reader, glyphs)


def misdrawn(pdf: bytes, characters: str) -> list[Glyph]:
    """The glyphs drawn wrong among those standing for any of ``characters``; and, as a
    Glyph with no font, each of ``characters`` the PDF does not draw at all."""
    wanted = {c for c in characters if not c.isspace()}
    seen = set()
    wrong = []
    for glyph in drawn_glyphs(pdf):
        if wanted & set(glyph.text):
            seen |= wanted & set(glyph.text)
            if not glyph.ok:
                wrong.append(glyph)
    missing = [Glyph("", -1, c, False, False) for c in sorted(wanted - seen)]
    return wrong + missing
