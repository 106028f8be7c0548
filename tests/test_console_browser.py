"""The moderator console in a real headless Chromium (Selenium), against a real Kavalu HTTP server in a thread.

Skipped only off CI when Chromium, chromedriver or selenium is missing; with CI=true they fail instead.
The tests also write the screenshots docs/console.md shows (docs/console/*.png).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from service.models import Comment, CommentRevision
from service.review import moderators
from tests.review_support import make_moderator, make_review_comment

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "console"
UNDER_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
pytestmark = pytest.mark.slow  # each module run starts Chromium and chromedriver processes

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.ui import WebDriverWait

    SELENIUM = True
except ImportError:  # pragma: no cover - the test extras install it
    SELENIUM = False


def _missing() -> str | None:
    if not SELENIUM:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module", autouse=True)
def _browser_available():
    missing = _missing()
    if missing:
        if UNDER_CI:
            pytest.fail(f"browser tests cannot run under CI: {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="module")
def server(app):
    """The test app served over real HTTP on a free loopback port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def _chromium(width: int = 1280, height: int = 900):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en-GB",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to see CSP violations and script errors
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def _console_problems(driver) -> list[str]:
    """Messages the page logged since the last call: a CSP violation or a script error would show here."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] in ("SEVERE", "WARNING") and "Failed to load resource" not in entry["message"]
    ]


@pytest.fixture(scope="module")
def browser_pool():
    """Browsers started on first use and shared by the module's tests (each test signs in afresh)."""
    started: list = []

    def get(index: int):
        while len(started) <= index:
            started.append(_chromium())
        return started[index]

    yield get
    for driver in started:
        driver.quit()


@pytest.fixture
def browser(browser_pool, server):
    driver = browser_pool(0)
    _forget_session(driver, server)
    return driver


@pytest.fixture
def second_browser(browser_pool, server):
    driver = browser_pool(1)
    _forget_session(driver, server)
    return driver


def _forget_session(driver, server: str) -> None:
    driver.get(f"{server}/console/signin")
    driver.delete_all_cookies()
    driver.set_window_size(1280, 900)
    driver.get_log("browser")  # what earlier tests' pages logged


def _wait(driver, condition, timeout: float = 10):
    # A page that reloads under the condition leaves its elements stale for a moment: try again.
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def _sign_in(driver, server: str, token: str) -> None:
    """Sign in with the keyboard alone: the token field has focus on load; Enter submits."""
    driver.get(f"{server}/console/signin")
    _wait(driver, lambda d: d.switch_to.active_element.get_attribute("id") == "token")
    driver.switch_to.active_element.send_keys(token, Keys.ENTER)
    _wait(driver, lambda d: "/console/queue" in d.current_url)


def _press(driver, keys: str) -> None:
    ActionChains(driver).send_keys(keys).perform()


def _text(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text


def _statuses(database, ids: list[str]) -> list[str]:
    with database.session() as session:
        return [session.get(Comment, i).status for i in ids]


def _screenshot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / name))


def test_sign_in_and_clear_a_queue_of_five_with_the_keyboard(browser, server, client, database, publisher):
    _mod, token = make_moderator(database, "moderator", "Asha Rao")
    texts = [
        "You are all idiots and liars.",
        "Call me on 98450 12345 for cheap phones!!! Visit spam.example now",
        "The minister took bribes from the contractor, everyone knows it.",
        "What rubbish reporting, total morons at this paper.",
        "Good to see the talks moving, though the idiots in charge will ruin it.",
    ]
    ids = [
        make_review_comment(
            client,
            database,
            publisher,
            f"c-{n}",
            text=text,
            scores={"toxicity": 0.55 + n * 0.08},
            spans=[{"start": 0, "end": min(8, len(text)), "category": "toxicity"}],
        )
        for n, text in enumerate(texts)
    ]
    _sign_in(browser, server, token)
    rows = browser.find_elements(By.CSS_SELECTOR, "#queue-list .row")
    assert len(rows) == 5
    assert _text(browser, "#count-general") == "5"
    # The highest risk first, and it has focus: j and k move, and the page never needs the mouse.
    assert browser.switch_to.active_element.get_attribute("class") == "row-link"
    _press(browser, "j")
    assert "current" in rows[1].get_attribute("class")
    _press(browser, "k")
    assert "current" in rows[0].get_attribute("class")
    _screenshot(browser, "queue.png")
    browser.set_window_size(390, 844)
    _screenshot(browser, "queue-phone.png")
    browser.set_window_size(1280, 900)

    _press(browser, "?")
    _wait(browser, lambda d: d.find_element(By.ID, "keys-dialog").get_attribute("open") is not None)
    assert "Escalate to legal" in _text(browser, "#keys-dialog")
    _press(browser, Keys.ESCAPE)
    _wait(browser, lambda d: d.find_element(By.ID, "keys-dialog").get_attribute("open") is None)

    # Highest risk first: approve, reject (the toolbar's reason), escalate, approve, approve.
    for key, left in zip("areaa", range(4, -1, -1)):
        _press(browser, key)
        _wait(browser, lambda d, left=left: len(d.find_elements(By.CSS_SELECTOR, "#queue-list .row")) == left)
    assert browser.find_element(By.ID, "queue-empty").is_displayed()
    assert _text(browser, "#notice") == "Comment approved."
    assert _statuses(database, ids) == ["approved", "approved", "legal_review", "rejected", "approved"]
    assert _console_problems(browser) == []


def test_two_browsers_claiming_the_same_comment(browser, second_browser, server, client, database, publisher):
    _a, token_a = make_moderator(database, "moderator", "Asha Rao")
    _b, token_b = make_moderator(database, "moderator", "Bilal Khan")
    comment_id = make_review_comment(client, database, publisher, "c-claim")
    _sign_in(browser, server, token_a)
    _sign_in(second_browser, server, token_b)

    browser.get(f"{server}/console/comments/{comment_id}")
    _press(browser, "c")
    _wait(browser, lambda d: "You hold this comment" in _text(d, "#claim-status"))

    second_browser.get(f"{server}/console/comments/{comment_id}")
    assert _text(second_browser, "#holder") == "Asha Rao"
    second_browser.find_element(By.ID, "claim").click()
    _wait(second_browser, lambda d: d.find_elements(By.ID, "error-message"))
    assert "Another moderator holds this comment" in _text(second_browser, "#error-message")
    assert _text(second_browser, "#holder") == "Asha Rao"
    # The second moderator's approve is refused too; the comment stays in review, held by the first.
    claim_refusal = second_browser.find_element(By.ID, "error-message")
    second_browser.find_element(By.ID, "approve").click()
    WebDriverWait(second_browser, 10).until(staleness_of(claim_refusal))
    _wait(second_browser, lambda d: d.find_elements(By.ID, "error-message"))
    assert "holds this comment" in _text(second_browser, "#error-message")
    assert _statuses(database, [comment_id]) == ["review"]


def test_moderator_is_refused_the_legal_queue(browser, server, client, database, publisher):
    _mod, token = make_moderator(database, "moderator")
    _sign_in(browser, server, token)
    assert not browser.find_elements(By.LINK_TEXT, "Legal queue")
    browser.get(f"{server}/console/queue?queue=legal")
    assert "legal queue is for the legal and admin roles" in _text(browser, "#error-message")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not allowed"


def test_legal_disclosure_needs_a_request_reference(browser, server, client, database, publisher):
    _legal, token = make_moderator(database, "legal", "Leela Iyer")
    text = "Minister Rao took bribes from the contractor; mail me at tip@leaks.example."
    comment_id = make_review_comment(
        client,
        database,
        publisher,
        "c-legal",
        text=text,
        scores={"defamation": 0.82, "personal": 0.9, "toxicity": 0.2},
        spans=[
            {"start": 0, "end": 12, "category": "defamation", "label": "target"},
            {"start": 13, "end": 45, "category": "defamation", "label": "allegation"},
            {"start": text.index("tip@"), "end": len(text) - 1, "category": "personal", "label": "email"},
        ],
        status="legal_review",
        ip="198.51.100.23",
    )
    _sign_in(browser, server, token)
    browser.get(f"{server}/console/queue?queue=legal")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#queue-list .row")) == 1
    browser.get(f"{server}/console/comments/{comment_id}")
    marks = browser.find_elements(By.CSS_SELECTOR, "#comment-text mark")
    assert [m.text for m in marks] == ["Minister Rao", text[13:45], "tip@leaks.example"]
    assert "198.51.100.23" not in browser.page_source
    browser.set_window_size(1280, 1500)
    _screenshot(browser, "comment.png")
    browser.set_window_size(1280, 900)

    browser.find_element(By.ID, "disclose").click()
    _wait(browser, lambda d: d.find_elements(By.ID, "error-message"))
    assert "request reference" in _text(browser, "#error-message")
    assert "198.51.100.23" not in browser.page_source

    field = browser.find_element(By.ID, "request_reference")
    field.send_keys("DCP-Bengaluru/2026/117", Keys.ENTER)
    _wait(browser, lambda d: d.find_elements(By.ID, "sender-details"))
    assert _text(browser, "#sender-details .sender-ip") == "198.51.100.23"
    assert "DCP-Bengaluru/2026/117" in _text(browser, "#history")
    assert "sender_details_viewed" in _text(browser, "#history")
    assert _console_problems(browser) == []


def test_script_and_img_onerror_are_shown_as_text(browser, server, client, database, publisher):
    _mod, token = make_moderator(database, "moderator")
    text = '<script>window.kavaluPwned = 1</script><img src=x onerror="window.kavaluPwned = 2"> idiots'
    comment_id = make_review_comment(
        client, database, publisher, "c-xss", text=text, spans=[{"start": 0, "end": 8, "category": "toxicity"}]
    )
    _sign_in(browser, server, token)
    assert browser.execute_script("return window.kavaluPwned === undefined")
    assert _console_problems(browser) == []
    assert '<img src=x onerror="window.kavaluPwned = 2">' in _text(browser, "#queue-list .row-link")
    browser.get(f"{server}/console/comments/{comment_id}")
    assert _text(browser, "#comment-text") == text
    assert not browser.find_elements(By.CSS_SELECTOR, "#comment-text img, #comment-text script")
    assert browser.execute_script("return window.kavaluPwned === undefined")


def test_a_form_without_its_csrf_token_is_refused(browser, server, client, database, publisher):
    _mod, token = make_moderator(database, "moderator")
    comment_id = make_review_comment(client, database, publisher, "c-csrf")
    _sign_in(browser, server, token)
    browser.get(f"{server}/console/comments/{comment_id}")
    browser.execute_script("document.querySelector('#decision-form input[name=csrf_token]').remove()")
    browser.find_element(By.ID, "approve").click()
    _wait(browser, lambda d: d.find_elements(By.ID, "error-message"))
    assert "CSRF" in _text(browser, "#error-message")
    assert _statuses(database, [comment_id]) == ["review"]


def test_a_revoked_token_is_signed_out(browser, server, client, database, publisher):
    moderator_id, token = make_moderator(database, "moderator")
    make_review_comment(client, database, publisher, "c-revoke")
    _sign_in(browser, server, token)
    with database.session() as session:
        moderators.revoke(session, moderator_id)
    _refresh_now(browser)  # the queue's next auto-refresh finds the session gone and goes to the sign-in page
    try:
        _wait(browser, lambda d: "/console/signin" in d.current_url)
    except TimeoutException:  # pragma: no cover - shows the page on failure
        pytest.fail(browser.page_source)
    assert "Sign in again" in _text(browser, "#ended")
    assert not browser.find_elements(By.CSS_SELECTOR, "#queue-list")
    browser.get(f"{server}/console/queue")
    assert "/console/signin" in browser.current_url


def test_ops_page(browser, server, client, database, publisher):
    _admin, token = make_moderator(database, "admin", "Ops Admin")
    make_review_comment(client, database, publisher, "c-ops-1")
    make_review_comment(client, database, publisher, "c-ops-2", status="legal_review")
    _sign_in(browser, server, token)
    browser.find_element(By.LINK_TEXT, "Ops").click()
    _wait(browser, lambda d: d.find_elements(By.ID, "ops-general"))
    assert _text(browser, "#ops-general") == "1"
    assert _text(browser, "#ops-legal") == "1"
    assert browser.find_elements(By.CSS_SELECTOR, "#task-queues tbody tr")
    _screenshot(browser, "ops.png")
    assert _console_problems(browser) == []


def _refresh_now(driver) -> None:
    driver.execute_script("document.dispatchEvent(new Event('kavalu:refresh'))")


def test_auto_refresh_does_not_steal_focus(browser, server, client, database, publisher):
    _mod, token = make_moderator(database, "moderator")
    ids = [
        make_review_comment(client, database, publisher, f"c-{n}", scores={"toxicity": 0.6 + n / 10}) for n in range(2)
    ]
    _sign_in(browser, server, token)
    _press(browser, "j")  # the second row (the lower risk) is current and has focus
    assert browser.switch_to.active_element.find_element(By.XPATH, "../..").get_attribute("data-id") == ids[0]
    make_review_comment(client, database, publisher, "c-new", scores={"toxicity": 0.99})
    _refresh_now(browser)
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#queue-list .row")) == 3)
    _wait(browser, lambda d: _text(d, "#count-general") == "3")
    # The same comment keeps focus, though a new one arrived above it.
    assert browser.switch_to.active_element.find_element(By.XPATH, "../..").get_attribute("data-id") == ids[0]

    language = browser.find_element(By.ID, "f-language")
    language.send_keys("e")
    make_review_comment(client, database, publisher, "c-newer", scores={"toxicity": 0.98})
    _refresh_now(browser)
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#queue-list .row")) == 4)
    assert browser.switch_to.active_element.get_attribute("id") == "f-language"
    language.send_keys("n")
    assert language.get_attribute("value") == "en"


def test_bulk_approve_of_a_keyboard_selection(browser, server, client, database, publisher):
    _mod, token = make_moderator(database, "moderator")
    ids = [
        make_review_comment(client, database, publisher, f"c-{n}", scores={"toxicity": 0.9 - n / 10}) for n in range(3)
    ]
    _sign_in(browser, server, token)
    _press(browser, "x")
    _press(browser, "j")
    _press(browser, "x")
    assert _text(browser, "#selected-count") == "2 selected"
    browser.find_element(By.ID, "bulk-approve").send_keys(Keys.ENTER)
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#queue-list .row")) == 1)
    assert _text(browser, "#notice") == "2 decided, 0 refused."
    assert _statuses(database, ids) == ["approved", "approved", "review"]


@pytest.mark.parametrize(
    "text",
    [
        "😀 ಕರೆ ಮಾಡಿ 98450 12345 now",  # the emoji is two UTF-16 units in the browser, one code point here
        "Line one\r\nLine two\r\nCall 98450 12345 now",  # a form's line breaks: the CRs must stay in the page
    ],
)
def test_redact_a_selected_span(browser, server, client, database, publisher, text):
    _mod, token = make_moderator(database, "moderator")
    comment_id = make_review_comment(client, database, publisher, "c-redact", text=text)
    _sign_in(browser, server, token)
    browser.get(f"{server}/console/comments/{comment_id}")
    start = text.index("98450")
    # Selected as a person would: the phone number where the page shows it.
    browser.execute_script(
        """
        const node = document.getElementById('comment-text').firstChild;
        const at = node.data.indexOf(arguments[0]);
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + arguments[0].length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        """,
        "98450 12345",
    )
    browser.find_element(By.ID, "add-selection").click()
    assert browser.find_element(By.ID, "spans").get_attribute("value") == f"{start}-{start + 11}"
    browser.find_element(By.ID, "redact").click()
    _wait(browser, lambda d: "/console/queue" in d.current_url)
    with database.session() as session:
        revision = session.query(CommentRevision).filter_by(comment_id=comment_id).one()
        assert revision.redacted_text == text.replace("98450 12345", "█" * 11)
