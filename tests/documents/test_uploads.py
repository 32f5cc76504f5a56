"""documents.uploads: what a file is comes from its content; everything hostile is refused with
a clear message, before anything is stored."""

import base64
import io

import pytest
from django.core.exceptions import ValidationError

from documents.uploads import check_upload, safe_name
from tests.documents.samples import GOOD, HOSTILE, pdf_bytes, png_bomb, upload, zip_bomb


@pytest.mark.parametrize("name", sorted(GOOD))
def test_it_accepts_each_kind_of_file_kept_on_a_case_by_its_content(name):
    make, content_type, extension = GOOD[name]
    content = make()
    checked = check_upload(upload(name, content))
    assert checked.content_type == content_type
    assert checked.name == name.rsplit(".", 1)[0] + "." + extension
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_the_type_comes_from_the_content_not_the_name():
    make, content_type, _ext = GOOD["photo.png"]
    checked = check_upload(upload("report.pdf", make(), "application/pdf"))
    assert checked.content_type == "image/png"
    assert checked.name == "report.png"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_it_refuses_hostile_files_with_a_clear_message(name):
    content, words = HOSTILE[name]
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, content, "application/pdf"))
    (message,) = refused.value.messages
    assert message.startswith(f"“{name}” was not accepted: ")
    assert words in message


def test_it_refuses_a_zip_bomb_before_inflating_it():
    with pytest.raises(ValidationError, match="zip bomb"):
        check_upload(upload("bomb.docx", zip_bomb()))


def test_it_refuses_an_image_bomb():
    with pytest.raises(ValidationError, match="image bomb"):
        check_upload(upload("huge.png", png_bomb()))


def test_it_refuses_a_file_over_the_limit(settings):
    settings.CASE_FILE_MAX_MB = 1
    content = GOOD["notes.txt"][0]() * 40_000  # 1.5 MB
    with pytest.raises(ValidationError, match="larger than the limit of 1 MB"):
        check_upload(upload("long.txt", content))


def test_a_password_protected_pdf_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError, match="password"):
        check_upload(upload("locked.pdf", out.getvalue()))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\pat\\Referral form.PDF", "Referral form.pdf"),
        ("bad\x00name\x1b[31m.pdf", "bad name [31m.pdf"),
        ("right\u202etxt.exe", "right txt.pdf"),  # a bidi override, to show .exe as txt.
        ("Cafe\u0301 letter.exe", "Café letter.pdf"),  # NFC
        ("...", "file.pdf"),
        ("", "file.pdf"),
        ('a<b>:"c"|?*.pdf', "abc.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_names_are_made_safe(given, kept):
    assert safe_name(given, "pdf") == kept


def test_a_dangerous_name_is_made_safe_on_an_accepted_file():
    content = GOOD["referral.pdf"][0]()
    checked = check_upload(upload("../../\x07evil\r\n.html", content))
    assert checked.name == "evil.pdf"


def test_a_docx_with_its_first_part_uncompressed_is_not_taken_for_a_polyglot():
    from tests.documents.samples import zip_bytes

    content = zip_bytes(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"/>',
            "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
            "word/document.xml": '<?xml version="1.0"?><w:document>Letter</w:document>',
        },
        stored={"[Content_Types].xml", "_rels/.rels"},
    )
    assert check_upload(upload("letter.docx", content)).name == "letter.docx"


# A PDF's structure, read as pypdf reads it: the bytes pattern (PDF_ACTIVE) is not reached
# here, as it is not when the objects are packed in compressed object streams.
PAGE_OPEN_SCRIPT_IN_OBJECT_STREAM = base64.b64decode(
    "JVBERi0xLjUKJb/3ov4KMSAwIG9iago8PCAvVHlwZSAvT2JqU3RtIC9MZW5ndGggMTgzIC9GaWx0ZXIg"
    "L0ZsYXRlRGVjb2RlIC9OIDQgL0ZpcnN0IDIwID4+CnN0cmVhbQp4nEVOywqDMBC89yvmqBcTHy09iGC9"
    "tZQW7a16CCYVQZoQtdS/b+KDws4uuzvDTACKEEGECIcj9vBpsItjkLuWfKyFhqMmxV8ukmS+Z3J8D/BB"
    "Li3v8TQKihwVyGNSwshYI/qNuyzhzFj/GRtYJ5uNkaaw4zb3cwGHKeWxTuihdPzSdUEKc2cfVtS6VYOR"
    "2SJXwVt2kl/jTz06I6ALKmurhcm4+uail6OuTRDjYcX/oDbFD0YpQ7ZlbmRzdHJlYW0KZW5kb2JqCjYg"
    "MCBvYmoKPDwgL1R5cGUgL1hSZWYgL0xlbmd0aCAyOSAvRmlsdGVyIC9GbGF0ZURlY29kZSAvRGVjb2Rl"
    "UGFybXMgPDwgL0NvbHVtbnMgNCAvUHJlZGljdG9yIDEyID4+IC9XIFsgMSAyIDEgXSAvSW5mbyAyIDAg"
    "UiAvUm9vdCA0IDAgUiAvU2l6ZSA3IC9JRCBbPDIwNmQyMjFjZmY1YzRlM2Y5ZTllMzQwMmFhNDQ5OTNk"
    "PjwyMDZkMjIxY2ZmNWM0ZTNmOWU5ZTM0MDJhYTQ0OTkzZD5dID4+CnN0cmVhbQp4nGNiAAImRgZ+EPGJ"
    "gQnIY0Qi/jNq/gUAHUADOwplbmRzdHJlYW0KZW5kb2JqCnN0YXJ0eHJlZgoyOTgKJSVFT0YK"
)


def test_a_page_that_runs_javascript_is_refused_even_when_its_objects_are_compressed():
    """qpdf --object-streams=generate, as many PDF writers do: the page's /AA is in a
    compressed stream, out of the bytes pattern's sight."""
    with pytest.raises(ValidationError, match="scripts"):
        check_upload(upload("letter.pdf", PAGE_OPEN_SCRIPT_IN_OBJECT_STREAM))


def _action(kind: str, **more):
    from pypdf.generic import DictionaryObject, NameObject

    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    action.update({NameObject(f"/{key}"): value for key, value in more.items()})
    return action


def _annotated_pdf(annotation: dict) -> bytes:
    """One page carrying ``annotation`` (a link unless it says otherwise)."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, RectangleObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    annot = DictionaryObject(
        {NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
         NameObject("/Rect"): RectangleObject([10, 10, 100, 30])}
    )  # fmt: skip
    annot.update({NameObject(key): value for key, value in annotation.items()})
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _runs(content: bytes) -> bool:
    from pypdf import PdfReader

    from documents.uploads import _pdf_runs_something

    return _pdf_runs_something(PdfReader(io.BytesIO(content)))


def test_the_structure_walk_finds_actions_on_annotations_and_keeps_web_links():
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    js = TextStringObject("app.alert(1)")
    assert _runs(_annotated_pdf({"/A": _action("/JavaScript", JS=js)}))
    assert _runs(_annotated_pdf({"/A": _action("/Launch")}))
    assert _runs(_annotated_pdf({"/AA": DictionaryObject({NameObject("/E"): _action("/Launch")})}))
    # Hidden behind an ordinary link, as the next action.
    chained = _action("/URI", URI=TextStringObject("https://example.org/"),
                      Next=ArrayObject([_action("/JavaScript", JS=js)]))  # fmt: skip
    assert _runs(_annotated_pdf({"/A": chained}))
    # A form field's own actions, on the field the widget belongs to.
    field = DictionaryObject({NameObject("/AA"): DictionaryObject(
        {NameObject("/K"): _action("/JavaScript", JS=js)})})  # fmt: skip
    assert _runs(_annotated_pdf({"/Subtype": NameObject("/Widget"), "/Parent": field}))
    assert _runs(_annotated_pdf({"/Subtype": NameObject("/FileAttachment")}))
    # A link to a web page, or to another page, is what letters have.
    web = _annotated_pdf({"/A": _action("/URI", URI=TextStringObject("https://example.org/"))})
    assert not _runs(web)
    assert check_upload(upload("letter.pdf", web)).content_type == "application/pdf"
    assert not _runs(_annotated_pdf({"/A": _action("/GoTo", D=ArrayObject([]))}))


def test_a_pdf_with_endless_pages_is_refused_quickly():
    import time

    from documents.uploads import PDF_MAX_PAGES

    content = pdf_bytes(PDF_MAX_PAGES + 1)
    started = time.monotonic()
    with pytest.raises(ValidationError, match="more pages or annotations than can be checked"):
        check_upload(upload("bundle.pdf", content))
    assert time.monotonic() - started < 5
    assert check_upload(upload("bundle.pdf", pdf_bytes(50))).content_type == "application/pdf"


def test_a_pdf_with_endless_annotations_is_refused(monkeypatch):
    from pypdf.generic import TextStringObject

    monkeypatch.setattr("documents.uploads.PDF_MAX_ANNOTATIONS", 0)
    web = _annotated_pdf({"/A": _action("/URI", URI=TextStringObject("https://example.org/"))})
    with pytest.raises(ValidationError, match="more pages or annotations than can be checked"):
        check_upload(upload("links.pdf", web))
