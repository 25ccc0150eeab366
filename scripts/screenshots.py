"""Take the screenshots in docs/ from a fresh `voxpop demo`: the queue and the dashboard.

    .venv/bin/python scripts/screenshots.py

Starts the demo on a private port and data directory, adds a morning's worth of reader comments
through the public API and some decisions through the moderation API (as a newsroom would see
them), signs in with password and TOTP code in Chromium, and writes PNGs to docs/. Needs Debian's
chromium and, for the Korean and Chinese text, fonts-noto-cjk.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
VOXPOP = Path(sys.executable).with_name("voxpop")
PORT = 18790
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

READERS = [
    ("demo-night-buses", "Does anyone know if the N7 will keep its 20-minute frequency?", "Lena"),
    ("demo-night-buses", "My shift ends at 2. Please call me on 0413 555 210 if you organise a petition.", ""),
    ("demo-night-buses", "This is a waste of money, the ferries matter more.", "Harbour resident"),
    ("demo-night-buses", "BUY CHEAP WATCHES AT watches.example", "deals"),
    ("demo-night-buses", "Thank you to the drivers who work through the night.", "Sam"),
    ("demo-island-library", "도서관 운영 시간이 주말에도 늘었으면 좋겠어요.", "민지"),
    ("demo-island-library", "책 기증은 어디로 보내면 되나요?", ""),
    ("demo-island-library", "관리자님 연락처 010-5555-0199 로 문의 부탁드립니다.", "섬마을"),
    ("demo-teahouse", "最後一次去飲茶，真的很不捨得。", "阿芳"),
    ("demo-teahouse", "希望師傅們將來開一間小店。", ""),
]


def request(method, path, body=None, token=None, source=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read() or b"null")


def seed(token):
    for story, body, name in READERS:
        request("POST", f"/api/v1/stories/{story}/comments", {"body": body, "display_name": name or None})
    queue = request("GET", "/api/v1/moderation/queue", token=token)["comments"]
    decided = [item for item in queue if "WATCHES" in item["body"]] + queue[:3]
    for item in decided:
        action = {"action": "reject", "reason": 4} if "WATCHES" in item["body"] else {"action": "approve"}
        request("POST", f"/api/v1/moderation/comments/{item['id']}/decisions",
                {**action, "revision": item["revision"]}, token=token)


def main():
    data_dir = Path(tempfile.mkdtemp(prefix="voxpop-shots-"))
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
           "VOXPOP_DATA_DIR": str(data_dir)}
    server = subprocess.Popen([str(VOXPOP), "demo", "--port", str(PORT)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(BASE + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        creds = json.loads((data_dir / "demo-moderator.json").read_text())
        seed(creds["token"])
        code = subprocess.run([str(VOXPOP), "totp-code", creds["username"]], env=env, capture_output=True,
                              text=True, check=True).stdout.strip()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(BASE + "/moderation/sign-in/")
            page.fill("#id_username", creds["username"])
            page.fill("#id_password", creds["password"])
            page.fill("#id_otp_token", code)
            page.click("button[type=submit]")
            page.wait_for_url(BASE + "/moderation/")
            page.keyboard.press("j")
            page.screenshot(path=str(ROOT / "docs" / "queue.png"), full_page=False)
            page.goto(BASE + "/moderation/dashboard/")
            page.screenshot(path=str(ROOT / "docs" / "dashboard.png"), full_page=True)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
