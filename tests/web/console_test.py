#!/usr/bin/python3
"""faxd's web console in a real browser (issue 16).

Starts its own faxd on the embedded default, without a configuration file
(its two simulated ports; `--web` turns the console on at a free local port,
`--line-speed` slows the line so a page takes seconds; an admin and a viewer
added with `faxd user add`) and drives Debian's headless Chromium through Selenium
(Debian's python3-selenium and chromium-driver): logs in, sends a PDF from
the Send page, watches both ports count pages live, opens the received fax
in the viewer and checks its page image against faxd's own PNG, pauses,
resumes and cancels a job from the Queue page, changes a port and a server
setting as admin, is refused those as a viewer (absent from the page, and
403 from the API), and is refused a POST without its CSRF token. Every
request the browser makes must stay on 127.0.0.1. Screenshots of every page
at desktop (1280x800) and phone (390x844) widths go to --screenshots.

Usage: console_test.py --faxd PATH --source DIR --screenshots DIR
Exits 0 when every check passed; prints the failed check otherwise.
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ADMIN, ADMIN_PASSWORD = "ada", "ada-secret"
VIEWER, VIEWER_PASSWORD = "vic", "vic-secret"
# A page of the fixture at this line speed takes a few seconds: slow enough to
# see each page's count on both ports, fast enough for a short test.
LINE_SPEED = 2
# Branding stamps a header over this much of the top of each page sent
# (core/documents/page_header.hpp, kPageHeaderBandMm).
HEADER_BAND_MM = 5.0
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
# faxd's environment: without $FAXD_CONFIG it runs on its embedded default.
EMBEDDED = {k: v for k, v in os.environ.items() if k != "FAXD_CONFIG"}


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_user(faxd, spool, name, role, password):
    """`faxd user add`, as an operator would: the users file in the spool."""
    subprocess.run([faxd, "--spool", spool, "user", "add", name, "--role", role,
                    "--password-stdin"], input=password + "\n", capture_output=True,
                   text=True, check=True, timeout=30, env=EMBEDDED)


class Faxd:
    """faxd on its embedded default (no configuration file) with the web
    console on and the line slowed, on a temporary spool; its log in the
    test's folder."""

    def __init__(self, faxd, folder, web_port):
        spool = self.spool = os.path.join(folder, "spool")
        add_user(faxd, spool, ADMIN, "admin", ADMIN_PASSWORD)
        add_user(faxd, spool, VIEWER, "viewer", VIEWER_PASSWORD)
        self.log = os.path.join(folder, "faxd.log")
        self.base = f"http://127.0.0.1:{web_port}"
        # No control protocol over TCP: another faxd on this machine may hold its port.
        self.process = subprocess.Popen(
            [faxd, "--spool", spool, "--listen", "", "--web", f"127.0.0.1:{web_port}",
             "--line-speed", str(LINE_SPEED), "--log", "stderr"],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, env=EMBEDDED)

    def wait_serving(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"faxd exited ({self.process.returncode}):\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2) as resp:
                    return resp
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)  # faxd is starting; poll its port until the deadline
        raise Failure(f"faxd's web console did not answer within {seconds} s:\n{self.log_text()}")

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()[-4000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_browser(folder):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ["--headless=new", f"--user-data-dir={folder}/chromium", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--disable-extensions",
                "--window-size=1280,800",
                # Nothing but 127.0.0.1 resolves: a request for another host
                # fails here, and the request log below names it.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]:
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver",
                      log_path=os.path.join(folder, "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_script_timeout(60)
    return driver


class Console:
    """The console in the browser, with the test's waits and checks."""

    def __init__(self, driver, base, shots):
        self.d = driver
        self.base = base
        self.shots = shots
        self.requests = []  # every URL the browser asked for
        self.console = []   # the browser's console messages

    def wait(self, what, condition, seconds=30):
        try:
            # Rows are drawn again on every notification: an element found a
            # moment ago may be gone; look again.
            return WebDriverWait(self.d, seconds, poll_frequency=0.05,
                                 ignored_exceptions=[StaleElementReferenceException]).until(
                lambda d: condition())
        except TimeoutException:
            error = self.js("const e = document.getElementById('error');"
                            "return e && !e.hidden ? e.textContent : '';")
            raise Failure(f"timed out after {seconds} s waiting for {what}"
                          + (f" (the page shows the error: {error.strip()})" if error else ""))

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def js_async(self, body, *args):
        """Runs `body` (an async function body) in the page; returns its value."""
        return self.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"(async (...args) => {{ {body} }})(...Array.from(arguments).slice(0, -1))"
            ".then(done, (e) => done({thrown: String(e)}));", *args)

    def find(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def one(self, css, seconds=30):
        return self.wait(f"{css} to be shown", lambda: next(
            (e for e in self.find(css) if e.is_displayed()), None), seconds)

    def go(self, hash_):
        self.d.get(f"{self.base}/{hash_}") if not self.d.current_url.startswith(self.base) \
            else self.js("location.hash = arguments[0]", hash_)

    def text(self, css):
        return self.js("const e = document.querySelector(arguments[0]);"
                       "return e ? e.textContent : null;", css)

    def click(self, css, seconds=30):
        """Clicks the element shown for `css`, finding it again if it is drawn anew meanwhile."""
        def attempt():
            self.one(css, seconds).click()
            return True
        self.wait(f"a click on {css}", attempt, seconds)

    def collect_logs(self):
        for entry in self.d.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.requestWillBeSent":
                self.requests.append(msg["params"]["request"]["url"])
            elif msg["method"] == "Network.webSocketCreated":
                self.requests.append(msg["params"]["url"])
        self.console += self.d.get_log("browser")

    def screenshot(self, name, size):
        width, height = SIZES[size]
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == "phone"})
        path = os.path.join(self.shots, f"{name}-{size}.png")
        self.d.save_screenshot(path)
        return path

    def api(self, method, params=None, csrf=True):
        """/api/call from the page's own JS context (its cookie; its CSRF token)."""
        return self.js_async("""
            const [method, params, csrf] = args;
            const s = await (await fetch('/api/session')).json();
            const headers = {'Content-Type': 'application/json'};
            if (csrf) headers['X-CSRF-Token'] = s.csrf;
            const r = await fetch('/api/call', {method: 'POST', headers,
                                                body: JSON.stringify({method, params})});
            let body = null;
            try { body = await r.json(); } catch (e) { body = null; }
            return {status: r.status, body};""", method, params or {}, csrf)


def log_in(c, user, password):
    c.go("#/login")
    c.one("#login-user").clear()
    c.one("#login-user").send_keys(user)
    c.one("#login-password").clear()
    c.one("#login-password").send_keys(password)
    c.one("#login-submit").click()
    c.wait(f"{user} to be logged in", lambda: c.js(
        "return !document.getElementById('nav').hidden"
        " && document.getElementById('who-name').textContent === arguments[0]", user))


def log_out(c):
    c.one("#logout").click()
    c.one("#login-user")


def watch_port_states(c):
    """Records every text each `.port-state` shows from now on, in the page."""
    c.js("""
        window.portStates = {};
        const note = () => document.querySelectorAll('[data-port-id]').forEach((card) => {
          const s = card.querySelector('.port-state');
          const seen = (window.portStates[card.dataset.portId] ||= []);
          if (s && seen[seen.length - 1] !== s.textContent) seen.push(s.textContent);
        });
        new MutationObserver(note).observe(document.getElementById('ports'),
                                           {childList: true, subtree: true, characterData: true});
        note();""")


def seen_states(c, port_id):
    return c.js("return (window.portStates || {})[arguments[0]] || []", str(port_id))


def received_png(c, fax_id, page):
    """The page as received.fetch gives it (format png), base64."""
    chunks = []
    offset = 0
    deadline = time.monotonic() + 60
    while True:
        r = c.api("received.fetch", {"id": fax_id, "format": "png", "page": page, "offset": offset})
        check(r["status"] == 200, f"received.fetch answered {r}")
        res = r["body"]["result"]
        if res.get("converting"):
            check(time.monotonic() < deadline, "received.fetch png still converting after 60 s")
            time.sleep(0.2)  # faxd asks clients to come back; poll until the deadline
            continue
        chunks.append(base64.b64decode(res["data"]))
        offset += len(chunks[-1])
        if res["eof"]:
            return b"".join(chunks)


def sent_page(spool, job_id, page):
    """Page `page` (from 1) of the job's document as faxd converted it for
    sending, before the header is stamped: <spool>/documents/job-ID.tif,
    kept while faxd keeps the job."""
    image = Image.open(os.path.join(spool, "documents", f"job-{job_id}.tif"))
    image.seek(page - 1)
    image.load()
    return image


def page_bits(image):
    """A bilevel page as one bit a pixel, 1 = black, rows padded to bytes."""
    # Pillow's mode 1 packs 1 = white; invert every byte (padding bits are not compared).
    return bytes(b ^ 0xFF for b in image.convert("1").tobytes())


def first_difference(a, b, width, from_row):
    """The first row at or after `from_row` where two pages' bits differ, in
    words; None when they are equal there."""
    stride = (width + 7) // 8
    last = 0xFF & (0xFF << (8 * stride - width))  # the last byte's pixels, not its padding
    rows = min(len(a), len(b)) // stride
    if len(a) != len(b):
        return f"{len(a) // stride} rows vs {len(b) // stride}"
    for y in range(from_row, rows):
        ra, rb = a[y * stride:(y + 1) * stride], b[y * stride:(y + 1) * stride]
        if ra[:-1] != rb[:-1] or (ra[-1] & last) != (rb[-1] & last):
            x = next(x for x in range(width)
                     if (ra[x >> 3] ^ rb[x >> 3]) & (0x80 >> (x & 7)))
            return f"row {y}, from column {x}"
    return None


def scenario_send_and_watch(c, source, spool):
    """Send a PDF from the Send page; both ports count pages live; the viewer shows the fax."""
    c.go("#/ports")
    c.wait("two ports, idle", lambda: [e.text for e in c.find("[data-port-id] .port-state")]
           == ["idle", "idle"])
    check(len(c.find("[data-port-id] .port-edit")) == 2, "an admin sees the ports' Edit buttons")
    ids = {c.js("return arguments[0].querySelector('h2').textContent", e): e.get_attribute("data-port-id")
           for e in c.find("[data-port-id]")}
    sender, receiver = ids["Simulated port 1"], ids["Simulated port 2"]

    c.go("#/send")
    c.one("#send-number").send_keys("5551002")
    c.one("#send-files").send_keys(os.path.join(source, "fixtures/documents/rects-letter.pdf"))
    c.one("#send-recipient-name").send_keys("Ada Lovelace")
    # Standard resolution: faxd renders the PDF at 98 rows per inch (fine is its default).
    Select(c.one("#send-resolution")).select_by_value("standard")
    c.one("#send-submit").click()
    job_id = c.wait("#send-progress to name the job", lambda: c.find("#send-progress")[0]
                    .get_attribute("data-job-id"))
    c.screenshot("send-progress", "desktop")
    c.wait("the job to reach the line (Send page's progress)",
           lambda: c.find("#send-progress")[0].get_attribute("data-state") == "in_progress", 60)

    # The Ports page, from here on live: never reloaded, only notifications.
    c.go("#/ports")
    c.wait("the ports view", lambda: len(c.find("[data-port-id] .port-state")) == 2)
    watch_port_states(c)
    for page in (1, 2):
        c.wait(f"port one to show sending page {page} of 2",
               lambda: f"sending page {page} of 2" in seen_states(c, sender), 60)
        c.wait(f"port two to show receiving page {page}",
               lambda: any(re.fullmatch(f"receiving page {page}( of \\d+)?", s)
                           for s in seen_states(c, receiver)), 60)
        if page == 2:
            c.screenshot("ports-in-call", "desktop")
    c.wait("both ports idle again", lambda: seen_states(c, sender)[-1:] == ["idle"]
           and seen_states(c, receiver)[-1:] == ["idle"], 60)
    r = c.api("job.get", {"job_id": int(job_id)})
    check(r["body"]["result"]["state"] == "completed", f"the job completed: {r}")

    # The received fax: the list, then the viewer.
    c.go("#/received")
    row = c.one("[data-fax-id]", 60)
    fax_id = int(row.get_attribute("data-fax-id"))
    c.wait("the fax's row to say 2 pages", lambda: "2" in [
        td.text for td in c.find(f'[data-fax-id="{fax_id}"] td[data-label="Pages"]')])
    fax = c.api("received.get", {"id": fax_id})["body"]["result"]
    check(fax["resolution"] == "standard", f"the fax came at standard resolution: {fax}")
    c.click(f'[data-fax-id="{fax_id}"]')
    c.one("#viewer")
    c.wait("two thumbnails, drawn", lambda: c.js(
        "const t = [...document.querySelectorAll('#viewer .thumb img')];"
        "return t.length === 2 && t.every((i) => i.complete && i.naturalWidth > 0);"), 60)
    c.wait("the page image", lambda: c.js(
        "const i = document.getElementById('page-image');"
        "return i && !i.hidden && i.complete && i.naturalWidth > 0;"), 60)
    # What the viewer shows, pixel for pixel, against the page faxd sent (its
    # own rendering of the PDF, kept with the job), below the header band that
    # Branding stamps over the top of each page as it is sent; and the bytes
    # behind the image against received.fetch's PNG.
    shown = c.js_async("""
        const img = document.getElementById('page-image');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        const rgba = g.getImageData(0, 0, canvas.width, canvas.height).data;
        // One bit a pixel, 1 = black, rows padded to whole bytes (as a fax page is held).
        const stride = Math.ceil(canvas.width / 8);
        const bits = new Uint8Array(stride * canvas.height);
        let grey = 0;
        for (let y = 0; y < canvas.height; y++)
          for (let x = 0; x < canvas.width; x++) {
            const i = (y * canvas.width + x) * 4;
            if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]
                || (rgba[i] !== 0 && rgba[i] !== 255)) grey++;
            if (rgba[i] < 128) bits[y * stride + (x >> 3)] |= 0x80 >> (x & 7);
          }
        const b64 = (bytes) => {
          let bin = '';
          for (let i = 0; i < bytes.length; i += 0x8000)
            bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return btoa(bin);
        };
        const png = new Uint8Array(await (await fetch(img.dataset.src)).arrayBuffer());
        return {png: b64(png), bits: b64(bits), width: img.naturalWidth,
                height: img.naturalHeight, grey, page: img.dataset.page,
                src: img.dataset.src};""")
    check("thrown" not in shown, f"reading the page image: {shown}")
    check(shown["page"] == "1" and shown["src"] == f"/api/received/{fax_id}/page/1.png",
          f"the viewer shows page 1 of fax {fax_id}: {shown['src']}")
    check(shown["width"] == 1728, f"the page is 1728 pels wide, not {shown['width']}")
    # A Letter page at standard resolution: 11 in x 98 rows per inch.
    check(1000 < shown["height"] < 1150, f"the page has a standard page's rows, not {shown['height']}")
    check(shown["grey"] == 0, f"the page is black and white ({shown['grey']} other pixels)")
    viewed = base64.b64decode(shown["bits"])
    sent = sent_page(spool, int(job_id), 1)
    check((sent.width, sent.height) == (shown["width"], shown["height"]),
          f"the page is as large as the page sent: {shown['width']}x{shown['height']}"
          f" vs {sent.width}x{sent.height}")
    band = round(HEADER_BAND_MM * sent.info["dpi"][1] / 25.4)
    difference = first_difference(viewed, page_bits(sent), shown["width"], band)
    check(difference is None, f"the viewer's page differs from the page sent: {difference}")
    stride = (shown["width"] + 7) // 8
    check(any(viewed[:band * stride]), f"the viewer's page has the header in its top {band} rows")
    black = sum(bin(b).count("1") for b in viewed[band * stride:])
    check(black > 1000, f"the page has its rectangles ({black} black pixels)")
    expected = received_png(c, fax_id, 1)
    check(base64.b64decode(shown["png"]) == expected,
          "the page's PNG is, byte for byte, received.fetch's")
    # The second page, by its thumbnail.
    c.click('#viewer .thumb[data-page="2"]')
    c.wait("page 2 in the viewer", lambda: c.js(
        "const i = document.getElementById('page-image');"
        "return i.dataset.page === '2' && i.complete && i.naturalWidth > 0;"), 60)
    downloads = c.js_async("""
        const head = async (url) => {
          for (let i = 0; i < 120; i++) {
            const r = await fetch(url);
            if (r.status === 202) { await new Promise((ok) => setTimeout(ok, 500)); continue; }
            const b = new Uint8Array(await r.arrayBuffer());
            return {status: r.status, head: String.fromCharCode(...b.slice(0, 4)),
                    disposition: r.headers.get('Content-Disposition')};
          }
          return {status: 202};
        };
        return {pdf: await head(document.getElementById('download-pdf').href),
                tiff: await head(document.getElementById('download-tiff').href)};""")
    check(downloads["pdf"]["status"] == 200 and downloads["pdf"]["head"] == "%PDF",
          f"the PDF download: {downloads['pdf']}")
    check(downloads["tiff"]["status"] == 200 and downloads["tiff"]["head"] in ("II*\x00", "MM\x00*"),
          f"the TIFF download: {downloads['tiff']}")
    return fax_id, sender


def scenario_queue(c):
    """Pause, resume and cancel a waiting job from the Queue page."""
    later = (datetime.now(timezone.utc) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(os.path.join(ARGS.source, "fixtures/documents/letter-std-mmr.tif"), "rb") as f:
        doc = base64.b64encode(f.read()).decode()
    r = c.api("job.submit", {"number": "5551002", "document": doc, "display_name": "later.tif",
                             "send_at": later})
    check(r["status"] == 200, f"job.submit of a later job: {r}")
    job = r["body"]["result"]["job_id"]
    c.go("#/queue")
    row = f'[data-job-id="{job}"]'
    c.wait(f"job {job} queued", lambda: "queued" in (c.text(f"{row} .job-state") or ""), 60)
    c.screenshot("queue", "desktop")
    c.click(f"{row} .job-pause")
    c.wait(f"job {job} paused", lambda: c.text(f"{row} .job-state") == "paused")
    check(not c.find(f"{row} .job-pause"), "a paused job offers no Pause")
    c.click(f"{row} .job-resume")
    c.wait(f"job {job} queued again", lambda: "queued" in (c.text(f"{row} .job-state") or ""))
    check(c.find(f"{row} .job-retry"), "a queued job offers Retry now")
    c.click(f"{row} .job-cancel")
    c.wait(f"job {job} cancelled", lambda: c.text(f"{row} .job-state") == "cancelled")


def scenario_admin_edits(c, port_id):
    """An admin changes a port's rings and a server setting through the forms."""
    c.go("#/ports")
    c.click(f'[data-port-id="{port_id}"] .port-edit')
    form = c.one("#port-form")
    rings = form.find_element(By.NAME, "rings")
    rings.clear()
    rings.send_keys("3")
    c.one("#port-save").click()
    c.wait("the port form to close", lambda: not c.find("#port-form")[0].is_displayed())
    r = c.api("port.get", {"device_id": int(port_id)})
    check(r["body"]["result"]["rings"] == 3, f"port.get says rings 3: {r}")

    c.go("#/server")
    retries = c.one("#server-form input[name=retries]")
    retries.clear()
    retries.send_keys("5")
    c.one("#server-save").click()
    c.wait("server.get to say retries 5",
           lambda: c.api("server.get")["body"]["result"]["retries"] == 5)
    # A refused value shows faxd's own message in #error.
    retries = c.one("#server-form input[name=retries]")
    retries.clear()
    retries.send_keys("-7")
    c.one("#server-save").click()
    c.wait("the refusal in #error", lambda: c.find("#error")[0].is_displayed()
           and "retries" in c.text("#error-text").lower())


def scenario_viewer(c, port_id):
    """A viewer is offered no change, and faxd refuses one (403)."""
    c.go("#/ports")
    c.wait("the ports, as a viewer", lambda: len(c.find("[data-port-id] .port-state")) == 2)
    check(not c.find(".port-edit"), "a viewer sees no Edit button")
    check(not c.find("#nav-send")[0].is_displayed(), "a viewer is not offered the Send page")
    c.go("#/send")
    c.one("#view-app h1")
    check(not c.find("#send-submit"), "a viewer's Send page has no form")
    c.go("#/queue")
    c.click("#queue-all")
    c.one("[data-job-id]")
    check(not c.find("[data-job-id] button"), "a viewer is offered no job action")
    r = c.api("port.set", {"device_id": int(port_id), "rings": 4})
    check(r["status"] == 403, f"port.set as a viewer is refused 403: {r}")
    check(r["body"]["error"]["message"], "with faxd's message")
    r = c.api("server.set", {"retries": 1})
    check(r["status"] == 403, f"server.set as a viewer is refused 403: {r}")
    r = c.api("port.get", {"device_id": int(port_id)})
    check(r["body"]["result"]["rings"] == 3, f"the viewer changed nothing: {r}")
    c.go("#/server")
    c.one("#server-form input[name=retries]")
    check(not c.find("#server-save"), "a viewer has no Save on the Server page")
    check(not c.one("#server-form input[name=retries]").is_enabled(), "a viewer's inputs are read-only")


def scenario_csrf(c):
    """Every POST but the login needs the session's CSRF token."""
    r = c.api("ports.list", csrf=False)
    check(r["status"] == 403, f"/api/call without X-CSRF-Token is refused 403: {r}")
    r = c.js_async("""
        const r = await fetch('/api/call', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': 'not-the-token'},
            body: JSON.stringify({method: 'ports.list', params: {}})});
        return r.status;""")
    check(r == 403, f"/api/call with a wrong X-CSRF-Token is refused 403, not {r}")
    r = c.js_async("return (await fetch('/api/logout', {method: 'POST'})).status;")
    check(r == 403, f"/api/logout without X-CSRF-Token is refused 403, not {r}")
    r = c.api("ports.list")
    check(r["status"] == 200, f"with the token the same call is answered: {r}")


def screenshots(c, fax_id):
    """Every page at both widths, for a reviewer."""
    pages = [("ports", "#/ports", "[data-port-id] .port-state"),
             ("queue", "#/queue", "#queue-all"),
             ("send", "#/send", "#send-submit"),
             ("received", "#/received", "[data-fax-id]"),
             ("viewer", f"#/received/{fax_id}", "#page-image"),
             ("server", "#/server", "#server-save")]
    c.js("document.getElementById('error-close').click()")
    for size in SIZES:
        c.screenshot("blank", size)  # applies the size before the page is drawn
        os.remove(os.path.join(c.shots, f"blank-{size}.png"))
        for name, hash_, ready in pages:
            c.go(hash_)
            c.one(ready, 60)
            if name == "queue":  # the finished jobs too: an empty queue shows little
                c.click("#queue-all")
                c.one("[data-job-id]")
            if name == "viewer":
                c.wait("the viewer's images", lambda: c.js(
                    "return [...document.querySelectorAll('#viewer img')]"
                    ".every((i) => i.complete && i.naturalWidth > 0) && !document.getElementById('page-image').hidden"), 60)
            c.screenshot(name, size)
        if size == "desktop":
            c.go("#/ports")
            c.click(".port-edit")
            c.one("#port-form")
            c.screenshot("port-form", size)
            c.js("document.getElementById('port-dialog').close()")


def check_requests(c, base):
    # Requests over the network: any that is not to faxd at 127.0.0.1 left
    # the machine (the browser's own chrome:// pages and data:/blob: are not
    # network requests).
    network = [u for u in c.requests if re.match(r"(https?|wss?|ftp)://", u)]
    local = (base + "/", base.replace("http://", "ws://") + "/")
    outside = [u for u in network if not u.startswith(local)]
    check(any(u.startswith(local[1]) for u in network), "the request log has the WebSocket")
    check(not outside, f"requests left the machine: {outside}")
    problems = [e["message"] for e in c.console
                if e["level"] == "SEVERE" and "Content Security Policy" in e["message"]]
    check(not problems, f"the console broke its Content-Security-Policy: {problems}")


def main():
    folder = tempfile.mkdtemp(prefix="faxemu-web-")
    os.makedirs(ARGS.screenshots, exist_ok=True)
    for old in os.listdir(ARGS.screenshots):  # this run's only
        if old.endswith(".png"):
            os.remove(os.path.join(ARGS.screenshots, old))
    faxd = Faxd(ARGS.faxd, folder, free_port())
    driver = None
    ok = False
    try:
        first = faxd.wait_serving()
        csp = first.headers.get("Content-Security-Policy", "")
        check("default-src 'self'" in csp, f"GET / carries the Content-Security-Policy: {csp!r}")
        driver = start_browser(folder)
        c = Console(driver, faxd.base, ARGS.screenshots)
        c.d.get(faxd.base + "/")
        c.one("#login-user")
        c.screenshot("login", "phone")
        c.screenshot("login", "desktop")
        # A wrong password is shown on the login form.
        c.one("#login-user").send_keys(ADMIN)
        c.one("#login-password").send_keys("wrong")
        c.one("#login-submit").click()
        c.wait("the login error", lambda: c.text("#login-error"))

        log_in(c, ADMIN, ADMIN_PASSWORD)
        fax_id, sender = scenario_send_and_watch(c, ARGS.source, faxd.spool)
        scenario_queue(c)
        scenario_admin_edits(c, sender)
        screenshots(c, fax_id)
        c.screenshot("blank", "desktop")
        os.remove(os.path.join(c.shots, "blank-desktop.png"))
        log_out(c)
        log_in(c, VIEWER, VIEWER_PASSWORD)
        scenario_viewer(c, sender)
        c.screenshot("server-as-viewer", "desktop")
        scenario_csrf(c)
        c.collect_logs()
        check_requests(c, faxd.base)
        print(f"ok: every request of the browser went to {faxd.base}; screenshots in {ARGS.screenshots}")
        ok = True
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        if driver:
            try:
                driver.save_screenshot(os.path.join(ARGS.screenshots, "failure.png"))
                print(f"the page then: {ARGS.screenshots}/failure.png", file=sys.stderr)
            except Exception:  # the browser may be gone; the message above is what matters
                pass
        print(f"faxd's log (end):\n{faxd.log_text()}", file=sys.stderr)
    finally:
        if driver:
            driver.quit()
        faxd.stop()
        if ok:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept {folder}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faxd", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--screenshots", required=True)
    ARGS = parser.parse_args()
    sys.exit(main())
