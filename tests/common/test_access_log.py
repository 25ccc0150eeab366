"""The production server's access log never holds a receipt token."""
from types import SimpleNamespace

from gunicorn.config import Config

from voxpop.common.access_log import AccessLogger


def _atoms(path):
    request = SimpleNamespace(method="GET", uri=path, path=path, query="", version=(1, 1), headers=[])
    response = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
               "RAW_URI": path}
    return AccessLogger(Config()).atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=5000))


def test_receipt_token_is_cut_from_the_logged_path():
    """A receipt link's token is replaced in the path the access log writes; other paths stay whole."""
    assert _atoms("/receipts/42:abcDEF123/withdraw/")["U"] == "/receipts/[token]/withdraw/"
    assert _atoms("/stories/harbour-buses/comments/")["U"] == "/stories/harbour-buses/comments/"
