"""Requests that are hostile before any form sees them: too big, too many fields, bytes that are
not UTF-8, NUL characters (PostgreSQL refuses "\\x00" in text) in bodies, query strings, paths,
cookies and logins. Each is refused cleanly (400, or a message on the form), never a 500."""

import importlib
import pkgutil

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.test import Client

from audit.models import AuditEvent
from cases.models import Case, ContactLogEntry
from parties.models import Party

from .checks import assert_refused_clearly, counts

pytestmark = pytest.mark.django_db

INTAKE = {
    "dispute_type": "neighbour",
    "referral_source": "self",
    "received_on": "2026-11-02",
    "summary": "Noise through the wall",
    "parties-TOTAL_FORMS": "1",
    "parties-INITIAL_FORMS": "0",
    "parties-0-full_name": "Alice Carter",
    "parties-0-role": "first_party",
    "parties-0-postcode": "TN9 1AA",
    "parties-0-preferred_contact": "letter",
}
COUNTED = [Case, Party, ContactLogEntry, AuditEvent]


def test_the_limits_are_set_deliberately():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert 400 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000


# --- Too big, too many ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_post_over_the_size_limit_is_refused_in_words(staff, encoding):
    data = {**INTAKE, "summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    before = counts(COUNTED)

    if encoding == "multipart":
        response = staff.post("/cases/new/", data)
    else:
        from urllib.parse import urlencode

        response = staff.post(
            "/cases/new/", urlencode(data), content_type="application/x-www-form-urlencoded"
        )

    assert response.status_code == 413
    assert "Connection" not in response  # a hop-by-hop header: WSGI servers refuse it (a 500)
    html = response.content.decode()
    assert "That was too much to send at once" in html and "Nothing was saved." in html
    assert "Back" in html and "20,000 characters" in html
    assert counts(COUNTED) == before


def test_every_text_box_says_how_much_it_takes(staff):
    html = staff.get("/cases/new/").content.decode()

    assert 'name="summary"' in html and 'maxlength="20000"' in html
    response = staff.post("/cases/new/", {**INTAKE, "summary": "x" * 20_001})
    assert "at most 20000 characters" in " ".join(assert_refused_clearly(response)).replace(",", "")


def test_a_post_just_under_the_limit_is_read_and_answered_on_the_form(staff):
    """Just under the limit the form is read as usual, and its own limits speak."""
    response = staff.post("/cases/new/", {**INTAKE, "referrer_name": "x" * 900_000})

    assert response.status_code == 200
    assert "at most 200 characters" in " ".join(assert_refused_clearly(response))


def test_the_size_limit_holds_with_csrf_checks_on(coordinator):
    """With CSRF enforced (as for a browser): still refused in words, before the body is read."""
    from .conftest import verified_login

    client = verified_login(Client(enforce_csrf_checks=True), coordinator)
    token = client.get("/cases/new/").context["csrf_token"]
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post("/cases/new/", {**INTAKE, "csrfmiddlewaretoken": token, "summary": big})
    assert response.status_code == 413
    # Without the token in the form: refused either way (too big, or a forgery).
    assert client.post("/cases/new/", {**INTAKE, "summary": big}).status_code in (413, 403)


def test_too_many_fields_is_refused_with_400(staff):
    data = {**INTAKE, **{f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)}}
    before = counts(COUNTED)

    response = staff.post("/cases/new/", data)

    assert response.status_code == 400
    assert counts(COUNTED) == before


def test_too_many_query_parameters_is_refused_with_400(staff):
    query = "&".join(f"q{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    assert staff.get(f"/cases/?{query}").status_code == 400


def test_the_public_forms_refuse_an_oversized_post_too(client):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    for url in ("/help/refer/", "/help/volunteer/"):
        assert client.post(url, {"description": big}).status_code == 413


# --- Bytes that are not UTF-8 -----------------------------------------------------------------

BAD_UTF8 = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]


@pytest.mark.parametrize("bad", BAD_UTF8)
def test_invalid_utf8_in_a_urlencoded_form_is_not_a_500(staff, bad):
    """Raw bytes and their percent-encoded form, in a field's value and in a field's name."""
    body = (
        b"dispute_type=neighbour&referral_source=self&received_on=2026-11-02"
        b"&summary=Noise" + bad + b"%FF%FE"
        b"&parties-TOTAL_FORMS=1&parties-INITIAL_FORMS=0"
        b"&parties-0-full_name=Alice" + bad + b"&parties-0-role=first_party"
        b"&parties-0-postcode=TN9%201AA&parties-0-preferred_contact=letter"
        b"&" + bad + b"=1"
    )
    before = counts([Case])

    response = staff.post(
        "/cases/new/", body, content_type="application/x-www-form-urlencoded; charset=utf-8"
    )

    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:  # read as replacement characters, and saved as text
        case = Case.objects.get(reference=response.url.strip("/").split("/")[-1])
        assert case.summary.startswith("Noise")
        assert staff.get(response.url).status_code == 200
    else:
        assert counts([Case]) == before


@pytest.mark.parametrize("bad", BAD_UTF8)
def test_invalid_utf8_in_a_multipart_form_is_not_a_500(staff, case, bad):
    boundary = "BoUnDaRy"
    parts = [
        ("kind", b"note"),
        ("occurred_at", b"2026-11-20T10:00"),
        ("text", b"Rang Alice " + bad),
    ]
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
        for name, value in parts
    )
    body += f"--{boundary}--\r\n".encode()

    response = staff.post(
        f"/cases/{case.reference}/log/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize(
    "query",
    [
        "q=%FF%FE",
        "q=\xff\xfe",  # raw bytes: WSGI passes them on as latin-1
        "q=%C0%AF&status=%ED%A0%80",
        "page=%FF",
        "received_from=%FF-%FE-2026",
        "%FF=%FE",
    ],
)
def test_invalid_utf8_in_the_query_string_is_not_a_500(staff, query):
    for url in ("/cases/", "/volunteers/", "/cases/export.csv", "/audit/"):
        response = staff.get(url, QUERY_STRING=query)
        assert response.status_code in (200, 400, 403, 404), (url, response.status_code)


@pytest.mark.parametrize("path", ["/cases/%FF/", "/cases/WKM-2026-%FF%FE/", "/%C0%AF/"])
def test_invalid_utf8_in_the_path_is_not_a_500(staff, path):
    assert staff.get(path).status_code in (400, 404)


# --- NUL characters ---------------------------------------------------------------------------

NUL = "Alice\x00Carter"


def test_a_nul_in_any_text_field_of_the_intake_is_a_field_error(staff):
    text_fields = [
        "referrer_name",
        "referrer_organisation",
        "referrer_contact",
        "summary",
        "risk_notes",
    ]
    party_fields = [
        "full_name",
        "address_line1",
        "town",
        "postcode",
        "phone",
        "email",
        "preferred_times",
        "contact_restrictions",
        "language",
        "accessibility_needs",
        "guardian_name",
        "guardian_contact",
        "safeguarding_notes",
    ]
    data = {**INTAKE, **dict.fromkeys(text_fields, NUL)}
    data.update({f"parties-0-{name}": NUL for name in party_fields})
    before = counts(COUNTED)

    response = staff.post("/cases/new/", data)

    assert response.status_code == 200
    assert counts(COUNTED) == before
    form = response.context["form"]
    party_form = response.context["formset"].forms[0]
    for name in text_fields:
        assert "Null characters are not allowed." in form.errors[name], name
    for name in party_fields:
        assert "Null characters are not allowed." in party_form.errors[name], name
    assert_refused_clearly(response)


@pytest.mark.parametrize(
    "url, field",
    [
        ("/cases/{ref}/log/", "text"),
        ("/cases/{ref}/parties/{party}/edit/", "safeguarding_notes"),
        ("/cases/{ref}/parties/{party}/consent/", "notes"),
        ("/cases/{ref}/edit/", "summary"),
        ("/volunteers/new/", "notes"),
    ],
)
def test_a_nul_in_a_note_is_a_field_error(staff, case, url, field):
    party = case.parties.first()
    url = url.format(ref=case.reference, party=party.pk)
    response = staff.post(url, {field: f"private {NUL}"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in " ".join(assert_refused_clearly(response))


@pytest.mark.parametrize(
    "query",
    [
        {"q": NUL},
        {"q": "\x00"},
        {"q": "TN9\x001AA"},
        {"coordinator": "1\x00"},
        {"mediator": "\x00"},
        {"received_from": "2026-11-02\x00"},
        {"status": "closed\x00"},
        {"order": "\x00received"},
        {"page": "\x00"},
        {"actor": "\x00", "case_reference": "WKM\x00", "date_from": "\x00"},
    ],
)
def test_a_nul_in_a_filter_query_is_not_a_500(staff, administrator, case, query):
    from .conftest import verified_login

    for url in ("/cases/", "/cases/export.csv", "/volunteers/"):
        response = staff.get(url, query)
        assert response.status_code == 200, url
        if url == "/cases/" and "q" in query:  # said next to the search box
            assert "Null characters are not allowed." in response.content.decode()
    admin = verified_login(Client(), administrator)
    assert admin.get("/audit/", query).status_code == 200


def test_a_nul_in_a_login_is_refused_not_a_500(client, coordinator):
    for username, password in [("coord\x00inator", "x"), ("coordinator", "pass\x00word")]:
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code in (200, 403, 429)
        assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    "cookie",
    [
        "sessionid=abc\x00defghijklmnop",
        'sessionid="abcdefgh\\000ijklmnop"',  # an octal escape: the cookie parser makes a NUL
        "csrftoken=\x00" * 2,
        "sessionid=%00%FF; csrftoken=%FF",
        "sessionid=\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8",
    ],
)
def test_a_nul_or_bad_bytes_in_a_cookie_is_not_a_500(client, cookie):
    response = client.get("/cases/", HTTP_COOKIE=cookie)
    assert response.status_code in (302, 400)
    response = client.post("/accounts/login/", {"username": "x"}, HTTP_COOKIE=cookie)
    assert response.status_code in (200, 400, 403)


def test_a_nul_in_the_public_forms_is_not_a_500(client):
    for url in ("/help/refer/", "/help/volunteer/"):
        response = client.post(url, {"full_name": NUL, "description": NUL, "email": NUL})
        assert response.status_code in (200, 302, 400, 429), url


# --- The project-wide guard -------------------------------------------------------------------

PROJECT_APPS = ("accounts", "audit", "cases", "parties", "sessions", "volunteers", "documents",
                "reports", "public", "privacy", "wkm")  # fmt: skip

# Form fields that never pass typed text to the database as it is: they parse it (numbers,
# dates), look it up among fixed choices or a queryset, or take a box's tick.
PARSING_FIELDS = (
    forms.ChoiceField,  # and its Typed/Multiple/ModelChoice subclasses
    forms.ModelChoiceField,
    forms.ModelMultipleChoiceField,
    forms.BooleanField,
    forms.NullBooleanField,
    forms.DateField,
    forms.DateTimeField,
    forms.TimeField,
    forms.DecimalField,
    forms.IntegerField,
    forms.FloatField,
    forms.FileField,
)


def _project_modules():
    for label in PROJECT_APPS:
        if label != "wkm" and not any(
            c.name.split(".")[0] == label for c in apps.get_app_configs()
        ):
            continue
        package = importlib.import_module(label)
        for info in pkgutil.walk_packages(package.__path__, f"{label}."):
            if "migrations" in info.name or "management" in info.name:
                continue
            if info.name.rsplit(".", 1)[-1] in ("forms", "filters") or "form" in info.name:
                yield importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_text_field_of_every_form_refuses_nul_characters():
    """Django's forms.CharField (and so EmailField, URLField...) carries a validator against NUL
    characters. This keeps it so: every field of every project form is either such a CharField,
    or a field that parses what is typed; a new kind of field has to be looked at first."""
    list(_project_modules())
    project_forms = [
        form
        for form in _subclasses(forms.BaseForm)
        if form.__module__.split(".")[0] in PROJECT_APPS
    ]
    assert len(project_forms) > 15
    checked = 0
    for form in project_forms:
        for name, field in form.base_fields.items():
            where = f"{form.__module__}.{form.__name__}.{name}"
            if isinstance(field, forms.CharField):
                assert any(
                    isinstance(v, ProhibitNullCharactersValidator) for v in field.validators
                ), where
                checked += 1
            else:
                assert isinstance(field, PARSING_FIELDS), f"{where}: {type(field).__name__}"
    assert checked > 50


def test_every_filter_text_field_refuses_nul_characters():
    list(_project_modules())
    filtersets = [
        f
        for f in _subclasses(django_filters.FilterSet)
        if f.__module__.split(".")[0] in PROJECT_APPS
    ]
    assert filtersets
    for filterset in filtersets:
        for name, filter_ in filterset.base_filters.items():
            field_class = filter_.field_class
            if issubclass(field_class, forms.CharField):
                field = filter_.field
                assert any(
                    isinstance(v, ProhibitNullCharactersValidator) for v in field.validators
                ), f"{filterset.__name__}.{name}"
            else:
                assert issubclass(field_class, (*PARSING_FIELDS, forms.MultiValueField)), (
                    f"{filterset.__name__}.{name}: {field_class.__name__}"
                )
