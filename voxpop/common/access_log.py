"""The production server's access log without secrets (G5, G6).

`voxpop serve` runs granian, which logs each request through the `granian.access` logger with the
request's fields as a mapping. ACCESS_FORMAT uses only method, path, status and duration: no
address, user agent or query string. A receipt link's path is its token, so the filter below cuts
it out before any handler sees the record.
"""
import logging
import re

RECEIPT_PATH = re.compile(r"^/receipts/[^/]+")
RECEIPT_ANYWHERE = re.compile(r"/receipts/[^/\s]+")
ACCESS_FORMAT = "%(method)s %(path)s %(status)d %(dt_ms).0fms"


class ReceiptTokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict) and "path" in record.args:
            record.args = {**record.args, "path": RECEIPT_PATH.sub("/receipts/[token]", str(record.args["path"]))}
        return True


class ReceiptTokenInMessagesFilter(logging.Filter):
    """For the application's own log (Django's `django.request` names the path of every 4xx and
    5xx, e.g. "Not Found: /receipts/<token>/"): receipt tokens are cut out of the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg, record.args = record.getMessage(), None
            except (TypeError, ValueError):
                return True
        if isinstance(record.msg, str):
            record.msg = RECEIPT_ANYWHERE.sub("/receipts/[token]", record.msg)
        return True


def logging_config() -> dict:
    """granian's logging set-up (its own handlers on standard output), with the receipt filter on the
    access handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"receipt_tokens": {"()": "voxpop.common.access_log.ReceiptTokenFilter"}},
        "formatters": {
            "generic": {"format": "%(asctime)s %(levelname)s %(message)s"},
            "access": {"format": "%(asctime)s %(message)s"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "generic", "stream": "ext://sys.stdout"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout",
                       "filters": ["receipt_tokens"]},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
