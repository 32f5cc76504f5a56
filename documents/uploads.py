"""Deciding whether an uploaded file may be kept on a case, from what it is, never its name.

A file's name and the browser's Content-Type are the uploader's to choose, so neither is
trusted: libmagic (python-magic) reads the bytes, and only the types a mediation service has a
use for are kept — PDF, JPEG, PNG, GIF, WebP and TIFF images (scanners make TIFFs), Word
(.docx and legacy .doc), OpenDocument text and plain text. Each is then checked to be what it
says and nothing else:

- a PDF starts with ``%PDF-`` at byte 0, opens with pypdf, has no more pages than can be
  checked, and no JavaScript or launch actions, attachments or rich media in its catalogue,
  its pages or their annotations (web links are kept); an image is verified by Pillow and is
  not a decompression bomb;
- a .docx or .odt is a ZIP: its entries, their uncompressed total and each one's compression
  ratio are capped (a zip bomb is refused before anything inflates it), it holds what that
  format must, and no macros (a legacy .doc is not opened: its macros are not looked for);
- nothing but a .docx or .odt may also be a ZIP, and nothing may carry in its first kilobyte the
  HTML or script a browser would sniff and run (a polyglot);
- SVG is refused outright: it is a document that may run script, whatever it looks like.

Whatever is refused raises ValidationError naming the file and saying why, in words an uploader
can act on, before anything is stored. The size limit (``CASE_FILE_MAX_MB``) is also enforced
while the upload arrives (``LimitedUploadHandler``), so a huge file is never written out whole.
"""

import hashlib
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from functools import wraps

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from PIL import Image
from pypdf import PdfReader

# The most files one upload may carry (the request size limit for upload pages follows from it,
# wkm.request_limits).
MAX_FILES_PER_UPLOAD = 10

# sniffed MIME type -> (the extension the stored name gets, what it is called to a person).
ALLOWED = {
    "application/pdf": ("pdf", "PDF"),
    "image/jpeg": ("jpg", "JPEG image"),
    "image/png": ("png", "PNG image"),
    "image/gif": ("gif", "GIF image"),
    "image/webp": ("webp", "WebP image"),
    "image/tiff": ("tif", "TIFF image"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "docx",
        "Word document",
    ),
    "application/msword": ("doc", "Word document"),
    "application/vnd.oasis.opendocument.text": ("odt", "OpenDocument text"),
    "text/plain": ("txt", "plain text"),
}
ALLOWED_IN_WORDS = (
    "PDF, JPEG, PNG, GIF, WebP or TIFF images, Word (.docx or .doc), ODT or plain text"
)
# What Pillow calls each image type it must verify as.
IMAGE_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/tiff": "TIFF",
}
ZIP_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}
# Said when libmagic finds something a person would recognise, so the refusal can name it.
REFUSED_IN_WORDS = {
    "image/svg+xml": "SVG images are not accepted: they can carry scripts. Save it as PDF or PNG",
    "text/html": "web pages (HTML) are not accepted",
    "application/xhtml+xml": "web pages (HTML) are not accepted",
    "application/zip": "ZIP archives are not accepted",
    "application/x-empty": "the file is empty",
}

# Zip bombs: a .docx or .odt of a few hundred pages has a few hundred entries and inflates to
# tens of megabytes at ratios well under 100; a bomb needs far more of at least one.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Images: a scan of an A4 page at 600 dpi is about 35 megapixels.
IMAGE_MAX_PIXELS = 60_000_000
# What a browser sniffs as HTML or script in a file's first bytes (the WHATWG sniffing table's
# HTML signatures, and script and SVG markers), whatever the file claims to be.
SNIFF_BYTES = 1024
# Tags of three letters or more only: a one-letter tag (<p>, <a>) turns up by chance in the
# binary start of a JPEG or PDF often enough to refuse real scans.
SNIFFED_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|iframe|svg|object|embed|frameset|style|"
    rb"title|table|img|\?xml|!--)[\s>/]",
    re.IGNORECASE,
)
# A PDF that runs something when opened: a JavaScript or launch action, embedded files or rich
# media, named in its objects (the short /JS key is left out: three bytes turn up by chance in
# a large scan's compressed images; an action that has it also says /S /JavaScript).
PDF_ACTIVE = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|RichMedia)\b")
# The same looked for in the PDF's structure (pages' and annotations' actions, chained
# actions), bounded so that a PDF of endless pages or annotations cannot hold a worker: a scan
# or a bundle of letters has far fewer.
PDF_RUNNING_ACTIONS = {"/JavaScript", "/Launch", "/RichMediaExecute", "/ImportData"}
PDF_ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}
PDF_MAX_PAGES = 2000
PDF_MAX_ANNOTATIONS = 20_000  # annotations and actions, over all pages
PDF_MAX_CHAIN = 16
PDF_TOO_LONG = (
    f"the PDF has more pages or annotations than can be checked (at most {PDF_MAX_PAGES:,} "
    "pages). Split it into smaller files"
)
NAME_MAX_CHARS = 120
ACTIVE_PDF = "the PDF contains scripts, attachments or actions. Print it to a new PDF first"


def max_bytes() -> int:
    return settings.CASE_FILE_MAX_MB * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: what to store it as."""

    upload: object  # the UploadedFile, rewound
    name: str
    content_type: str
    size: int
    sha256: str


def _refuse(name: str, why: str):
    raise ValidationError(f"“{name}” was not accepted: {why}.", code="file")


def check_upload(upload) -> CheckedFile:
    """The upload as it is to be stored, or ValidationError saying why it is refused."""
    shown = display_name(getattr(upload, "name", "") or "")
    size = upload.size or 0
    if size == 0:
        _refuse(shown, "the file is empty")
    if size > max_bytes():
        _refuse(shown, f"it is larger than the limit of {settings.CASE_FILE_MAX_MB} MB")
    upload.seek(0)
    head = upload.read(8192)
    content_type = magic.from_buffer(head, mime=True)
    if content_type in ZIP_TYPES or content_type == "application/zip":
        # libmagic decides a .docx from its first entries; the whole file is read for a ZIP.
        upload.seek(0)
        content_type = magic.from_buffer(upload.read(), mime=True)
    if content_type not in ALLOWED:
        _refuse(
            shown,
            REFUSED_IN_WORDS.get(content_type)
            or f"its content is not one of the types kept on a case ({ALLOWED_IN_WORDS})",
        )
    # A .docx or .odt begins with "PK" and may hold its first XML part uncompressed: what a
    # browser would sniff is at the start of the others.
    if content_type not in ZIP_TYPES and SNIFFED_MARKUP.search(head[:SNIFF_BYTES]):
        _refuse(shown, "it carries web page or script markup that a browser could run")
    upload.seek(0)
    is_zip = zipfile.is_zipfile(upload)
    if content_type in ZIP_TYPES:
        _check_zip(upload, shown, content_type)
    elif is_zip:
        _refuse(shown, "it is also a ZIP archive (a file disguised as another)")
    if content_type == "application/pdf":
        _check_pdf(upload, shown, head)
    elif content_type in IMAGE_FORMATS:
        _check_image(upload, shown, IMAGE_FORMATS[content_type])
    elif content_type == "text/plain" and b"\x00" in head:
        _refuse(shown, "it is not plain text")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        name=safe_name(upload.name or "", ALLOWED[content_type][0]),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def _check_zip(upload, shown: str, content_type: str) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse(shown, "the document is damaged and cannot be opened")
    if len(entries) > ZIP_MAX_ENTRIES:
        _refuse(shown, "the document holds too many parts to be a real document")
    total = sum(entry.file_size for entry in entries)
    if total > ZIP_MAX_UNCOMPRESSED or any(
        entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1) for entry in entries
    ):
        _refuse(shown, "the document would expand to far more than its size (a zip bomb)")
    names = {entry.filename for entry in entries}
    if content_type in ZIP_TYPES - {"application/vnd.oasis.opendocument.text"}:
        if not {"[Content_Types].xml", "word/document.xml"} <= names:
            _refuse(shown, "the document is damaged and cannot be opened")
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            _refuse(shown, "the document contains macros. Save it as .docx without macros, or PDF")
    else:
        if "content.xml" not in names:
            _refuse(shown, "the document is damaged and cannot be opened")
        if any(name.startswith(("Basic/", "Scripts/")) for name in names):
            _refuse(shown, "the document contains macros. Save it again without them, or as PDF")


def _check_pdf(upload, shown: str, head: bytes) -> None:
    if not head.startswith(b"%PDF-"):
        _refuse(shown, "it is not a well-formed PDF (it must begin with %PDF-)")
    upload.seek(0)
    whole = upload.read()
    if PDF_ACTIVE.search(whole):
        _refuse(shown, ACTIVE_PDF)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(upload, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                _refuse(shown, "the PDF is protected by a password. Save a copy without one")
            pages = len(reader.pages)
            if pages < 1:
                _refuse(shown, "the PDF has no pages")
            if pages > PDF_MAX_PAGES:
                _refuse(shown, PDF_TOO_LONG)
            if _pdf_runs_something(reader):
                _refuse(shown, ACTIVE_PDF)
    except ValidationError:
        raise
    except _TooComplex:
        _refuse(shown, PDF_TOO_LONG)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds of error on a broken file
        _refuse(shown, "the PDF is damaged and cannot be opened")


class _TooComplex(Exception):
    """More annotations or chained actions than a letter or scan has: not walked further."""


def _pdf_runs_something(reader) -> bool:
    """Whether the catalogue or any page runs something when opened, closed or clicked, read
    through pypdf's objects, so what is packed in compressed object streams (which the bytes
    pattern cannot see) is looked at too. ``dict.get`` would not follow an indirect reference;
    ``[]`` does. Links to web addresses (/URI) are ordinary in letters and are kept."""
    budget = [PDF_MAX_ANNOTATIONS]
    root = reader.trailer["/Root"]
    names = root["/Names"] if "/Names" in root else {}  # noqa: SIM401
    if "/AA" in root or {"/JavaScript", "/EmbeddedFiles"} & set(names.keys()):
        return True
    if "/OpenAction" in root and _action_runs(root["/OpenAction"], budget):
        return True
    for page in reader.pages:
        if "/AA" in page and _actions_run(page["/AA"], budget):
            return True
        annotations = page["/Annots"] if "/Annots" in page else []  # noqa: SIM401
        for annotation in annotations or []:
            budget[0] -= 1
            if budget[0] < 0:
                raise _TooComplex
            annotation = annotation.get_object()
            if not hasattr(annotation, "keys"):
                continue
            if annotation.get("/Subtype") in PDF_ACTIVE_ANNOTATIONS:
                return True
            if "/A" in annotation and _action_runs(annotation["/A"], budget):
                return True
            if "/AA" in annotation and _actions_run(annotation["/AA"], budget):
                return True
            # A form field's own actions sit on the field a widget belongs to.
            parent, depth = annotation, 0
            while "/Parent" in parent and depth < PDF_MAX_CHAIN:
                parent, depth = parent["/Parent"].get_object(), depth + 1
                has_actions = hasattr(parent, "keys") and "/AA" in parent
                if has_actions and _actions_run(parent["/AA"], budget):
                    return True
    return False


def _actions_run(triggers, budget) -> bool:
    """An additional-actions dictionary (/AA: on open, close, focus…): any that runs."""
    triggers = triggers.get_object()
    if not hasattr(triggers, "values"):
        return False
    return any(_action_runs(action, budget) for action in triggers.values())


def _action_runs(action, budget, depth: int = 0) -> bool:
    """Whether an action, or any chained after it (/Next), runs script or a program."""
    if depth > PDF_MAX_CHAIN:
        raise _TooComplex
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooComplex
    action = action.get_object()
    if not hasattr(action, "keys"):  # an explicit destination (an array): goes to a page
        return False
    if action.get("/S") in PDF_RUNNING_ACTIONS:
        return True
    if "/Next" not in action:
        return False
    following = action["/Next"].get_object()
    chained = following if isinstance(following, list) else [following]
    return any(_action_runs(each, budget, depth + 1) for each in chained)


def _check_image(upload, shown: str, image_format: str) -> None:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format != image_format:
                    raise OSError("not the format its content says")
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(shown, "the image is far larger than any scan or photo (an image bomb)")
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of error on a broken file
        _refuse(shown, "the image is damaged and cannot be opened")


def display_name(name: str) -> str:
    """The uploader's name for a file, safe to show back in a message."""
    return safe_name(name, "")[:NAME_MAX_CHARS] or "The file"


def safe_name(name: str, extension: str) -> str:
    """The name a file is kept and downloaded under: the last part of the uploader's name (no
    folders, whichever slash), in NFC, with no control or path characters, bounded, and the
    extension of the type its content has (never the one the uploader gave)."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if unicodedata.category(c).startswith(("C", "Z")) else c for c in name
    )  # controls, formats (bidi overrides), separators
    name = re.sub(r'[<>:"|?*;]', "", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if extension:
        stem = name.rsplit(".", 1)[0] if "." in name else name
        stem = stem.strip(" .")[: NAME_MAX_CHARS - len(extension) - 1].strip(" .") or "file"
        return f"{stem}.{extension}"
    return name[:NAME_MAX_CHARS]


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading a file at the limit: the rest of it is skipped as it arrives (never held in
    memory or written to a temporary file), and its name is kept in ``too_large`` for the view
    to say so. The other files of the same upload carry on."""

    def __init__(self, request=None, limit=max_bytes):
        super().__init__(request)
        self.too_large: list[str] = []
        self.received = 0
        self.limit = limit

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit():
            self.too_large.append(display_name(self.file_name or ""))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def too_large_refusals(request) -> list[str]:
    """What the limit handler skipped, in the words ``check_upload`` uses."""
    handler = getattr(request, "_case_file_limit", None)
    return [
        f"“{name}” was not accepted: it is larger than the limit of {settings.CASE_FILE_MAX_MB} MB."
        for name in (handler.too_large if handler else [])
    ]


def accepts_files(view=None, *, limit=max_bytes):
    """For a view that takes uploads: the size limit applies while the upload arrives, and
    wkm.request_limits lets a request the size of a full upload through (other forms stay at
    1 MB). The handler must be in place before anything reads the body, and the CSRF check
    reads it: so the check is made here, after the handler is set (as Django's documentation
    on upload handlers describes). ``@accepts_files(limit=...)``: a view whose files have a
    lower limit than a case file's (a callable, read per request, so settings can change)."""
    if view is None:
        return lambda view: accepts_files(view, limit=limit)
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            handler = LimitedUploadHandler(request, limit=limit)
            request._case_file_limit = handler
            request.upload_handlers.insert(0, handler)
        return protected(request, *args, **kwargs)

    wrapper.upload_request_limit = upload_request_max_bytes  # read by wkm.request_limits
    return wrapper


def upload_request_max_bytes() -> int:
    """The largest upload request an upload page takes: a full set of files at the limit, with
    room for the form's fields."""
    return MAX_FILES_PER_UPLOAD * max_bytes() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
