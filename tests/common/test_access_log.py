"""The production server's access log never holds a receipt token or a reader's address."""
import io
import logging.config

from granian.log import access_logger, log_request_builder

from voxpop.common.access_log import ACCESS_FORMAT, logging_config


def _logged_line(path, capsys):
    logging.config.dictConfig(logging_config())
    request = {"addr_remote": "203.0.113.9", "path": path, "qs": "secret=1", "method": "GET", "scheme": "https",
               "protocol": "HTTP/1.1", "headers": lambda name: None}
    log_request_builder(ACCESS_FORMAT)(0.0, 0.0, request, 200)
    for handler in access_logger.handlers:
        handler.flush()
    return capsys.readouterr().out


def test_receipt_token_is_cut_from_the_logged_path(capsys):
    """A receipt link's token is replaced in the path granian logs; other paths stay whole."""
    assert "GET /receipts/[token]/withdraw/ 200" in _logged_line("/receipts/42:abcDEF123/withdraw/", capsys)
    assert "abcDEF123" not in _logged_line("/receipts/42:abcDEF123/", capsys)
    assert "GET /stories/harbour-buses/comments/ 200" in _logged_line("/stories/harbour-buses/comments/", capsys)


def test_access_line_has_no_address_or_query(capsys):
    """The access line carries method, path, status and time only: no reader address, no query string."""
    line = _logged_line("/stories/harbour-buses/comments/", capsys)
    assert "203.0.113.9" not in line and "secret" not in line


def test_application_log_of_a_refused_receipt_holds_no_token(client, db, settings):
    """Django's own "Not Found: <path>" warning for an unknown receipt link is logged without the token."""
    logging.config.dictConfig(settings.LOGGING)
    [console] = logging.getLogger().handlers
    console.setStream(written := io.StringIO())

    assert client.get("/receipts/7:secretTOKEN99/").status_code == 404

    assert "Not Found: /receipts/[token]/" in written.getvalue()
    assert "secretTOKEN99" not in written.getvalue()
