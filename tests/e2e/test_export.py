"""The author downloads what Voxpop holds about their comment from the receipt, in a real browser."""
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_reader import post_comment

pytestmark = pytest.mark.browser


def test_author_downloads_their_comment_from_the_receipt(new_page, thread_url):
    """Without JavaScript, the receipt's link saves a JSON file holding the author's text and its status."""
    body = "The night bus is my only way home after the late shift."
    page = new_page(javascript=False)
    post_comment(page, thread_url, body)

    link = page.get_by_role("link", name="Download what Voxpop holds about this comment (JSON)")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value

    assert download.suggested_filename.startswith("voxpop-comment-")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["comment"]["status"] == "pending"
    assert data["comment"]["revisions"][0]["text"] == body
    assert data["stored_about_you"]["ip_address"] == "not stored"
