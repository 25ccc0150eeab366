"""gunicorn's access log without secrets: a receipt link's path is its token, so it is cut out.

The log format itself (voxpop.cli) already leaves out addresses, user agents and query strings (G5).
"""
import re

from gunicorn.glogging import Logger

RECEIPT_PATH = re.compile(r"^/receipts/[^/]+")


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = RECEIPT_PATH.sub("/receipts/[token]", atoms.get("U", ""))
        return atoms
