"""Logging filters (wkm/settings.py LOGGING)."""

import logging


class OneLineForClientErrors(logging.Filter):
    """A refused or malformed request (a 4xx) is logged as one line, without the traceback.

    Django logs a PermissionDenied (403) and a bad request (400) with the exception attached, so
    every "you may not see this" printed a full traceback, as if the code had failed. The line
    keeps the path and the exception's message; a 5xx keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500 and record.exc_info:
            reason = str(record.exc_info[1] or "")
            message = record.getMessage()
            record.msg = f"{message} ({reason})" if reason else message
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
