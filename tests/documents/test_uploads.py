"""documents.uploads: what a file is comes from its content; everything hostile is refused with
a clear message, before anything is stored."""

import io

import pytest
from django.core.exceptions import ValidationError

from documents.uploads import check_upload, safe_name
from tests.documents.samples import GOOD, HOSTILE, png_bomb, upload, zip_bomb


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
