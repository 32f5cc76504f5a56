"""A refused request (403) is logged as one line, not a traceback: nothing failed."""

import logging
import sys

from wkm.log_filters import OneLineForClientErrors


def django_request_lines(caplog) -> list[str]:
    """What the console handler prints for each django.request record (its default format)."""
    formatter = logging.Formatter()
    return [formatter.format(r) for r in caplog.records if r.name == "django.request"]


def test_a_403_logs_one_line_without_a_traceback(login, mediator, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = login(mediator).get("/privacy/")  # coordinators only

    assert response.status_code == 403
    (line,) = django_request_lines(caplog)
    assert line.startswith("Forbidden (Permission denied): /privacy/")
    assert "Traceback" not in line and "\n" not in line


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("a fault in the code")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x/",),
        exc_info,
    )  # fmt: skip
    record.status_code = 500

    OneLineForClientErrors().filter(record)

    assert "Traceback" in logging.Formatter().format(record)
