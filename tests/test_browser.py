"""The page in a real browser: `qa app` started as a user starts it (real embedder, the bundled
GGUF answer model) over a copy of the seed articles, driven in Debian's headless Chromium by
Playwright. Each answer costs seconds on a CPU, so these tests are few and ask little.

Screenshots go to $QA_SCREENSHOTS (default: a pytest temporary folder)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from qa.config import Settings
from qa.web import create_app
from tests.conftest import REPO, SEEDS
from tests.fakes import ScriptedGenerator, json_reply, numbered_sentences

pytestmark = pytest.mark.real

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANSWER_TIMEOUT_MS = 300_000  # an answer takes seconds alone; on a shared, loaded CPU, behind another, minutes
RUSSIA = "004_07e1443d25d1940b.txt"
BRIDGE = (
    "Gilgit bridge reopens after repairs\n\n"
    "By Staff Reporter\n\n"
    "GILGIT: The Karakoram Highway bridge at Gilgit reopened to traffic on Monday after repairs that cost "
    "45 million rupees, district engineer Farah Qadir said. The bridge had been closed for six weeks after "
    "a landslide damaged its northern pier.\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    """`qa app` over a copy of the seeds with no index yet (the first start builds it)."""
    shutil.copytree(SEEDS, folder / "corpus")
    port = free_port()
    log = (folder / "server.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    command = [sys.executable, "-m", "qa.cli", "app", "--port", str(port)]
    command += ["--corpus", str(folder / "corpus"), "--index", str(folder / "index")]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 600  # a fresh machine first joins the 1.1 GB model file
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"qa app exited with {process.returncode}:\n{(folder / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"qa app did not serve {url}:\n{(folder / 'server.log').read_text()}")
            time.sleep(1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), "Chromium is missing: scripts/setup --dev installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(folder: Path) -> Path:
    target = Path(os.environ.get("QA_SCREENSHOTS") or folder / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


def open_page(browser: Browser, url: str) -> Page:
    """A new session: its own browser context (cookies, storage) and page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.locator("#question textarea").wait_for()
    return page


def ask(page: Page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


FINISHED = "#chat .qa-answer:not(.qa-writing), #chat .qa-abstain, #chat .qa-error"


def wait_for_answers(page: Page, count: int) -> Locator:
    """The ``count``-th finished answer (or abstention, or error) of the chat."""
    page.wait_for_function(f"document.querySelectorAll({FINISHED!r}).length >= {count}", timeout=ANSWER_TIMEOUT_MS)
    return page.locator(FINISHED).nth(count - 1)


def test_ask_read_the_cited_passage_and_follow_up(server: str, browser: Browser, shots: Path) -> None:
    page = open_page(browser, server)
    expect(page.locator("#status")).to_contain_text("5 articles indexed")
    ask(page, "Which Russian foreign minister visited Islamabad?")
    # The answer streams: the draft grows in place before the checked answer replaces it.
    page.wait_for_function(
        "[...document.querySelectorAll('#chat .qa-writing p:first-child')].some(p => p.textContent.length > 3)",
        timeout=ANSWER_TIMEOUT_MS,
    )
    first = wait_for_answers(page, 1)
    expect(first.locator("p").first).to_contain_text("Lavrov")
    source = first.locator("a.qa-source").first
    expect(source).to_have_text(RUSSIA)
    expect(first.locator("a.qa-marker").first).to_have_text("[1]")
    quote = " ".join(first.locator(".qa-quote").first.inner_text().strip("“” ").split())
    page.screenshot(path=str(shots / "answer.png"))

    with page.context.expect_page() as opened:
        source.click()
    article = opened.value
    article.wait_for_load_state()
    mark = article.locator("mark#cited")
    expect(mark).to_be_in_viewport()
    assert " ".join(mark.inner_text().split()) == quote
    assert article.locator("h1").inner_text() == RUSSIA
    article.screenshot(path=str(shots / "article.png"))

    ask(page, "By what percentage did trade between his country and Pakistan increase?")
    second = wait_for_answers(page, 2)
    expect(second.locator("p").first).to_contain_text("46 percent")
    expect(second.locator("a.qa-source").first).to_have_text(RUSSIA)
    expect(page.locator(FINISHED)).to_have_count(2)
    page.screenshot(path=str(shots / "follow-up.png"))

    page.locator("#clear").click()
    expect(page.locator(FINISHED)).to_have_count(0)


def test_two_sessions_asking_at_once_each_get_their_own_answer(server: str, browser: Browser, shots: Path) -> None:
    one, two = open_page(browser, server), open_page(browser, server)
    ask(one, "How many tourists were killed in the attack in Pahalgam?")
    ask(two, "Which Russian foreign minister visited Islamabad?")
    answer_one, answer_two = wait_for_answers(one, 1), wait_for_answers(two, 1)
    expect(answer_one.locator("p").first).to_contain_text("26")
    expect(answer_two.locator("p").first).to_contain_text("Lavrov")
    for page, asked, other in [(one, "Pahalgam", "Russian"), (two, "Russian", "Pahalgam")]:
        chat = page.locator("#chat")
        expect(chat).to_contain_text(asked)
        expect(chat).not_to_contain_text(other)
        expect(page.locator(FINISHED)).to_have_count(1)


def cite_the_sentence_holding(user: str) -> str:
    """The scripted model's answer: 26 or Lavrov, citing the evidence sentence that holds it."""
    word, answer = ("26", "26 tourists") if "tourists" in user else ("Lavrov", "Sergey Lavrov")
    sentences = numbered_sentences(user)
    return json_reply([next(n for n, text in sentences.items() if word in text)], True, answer)


@pytest.fixture()
def held_server(folder: Path, server: str) -> Iterator[tuple[str, threading.Event]]:
    """The page served in this process over the index `server` built, its answer model scripted to
    write nothing until the event is set: the first answer runs for as long as the test needs."""
    held = threading.Event()
    generator = ScriptedGenerator(lambda system, user: cite_the_sentence_holding(user), hold=held)
    settings = Settings(corpus_dir=folder / "corpus", index_dir=folder / "index")
    port = free_port()
    served = uvicorn.Server(uvicorn.Config(create_app(settings, generator), port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    try:
        while not served.started:
            assert thread.is_alive(), "the page's server stopped before it started"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", held
    finally:
        held.set()
        served.should_exit = True
        thread.join(timeout=30)


def test_a_second_session_waits_in_the_queue_while_the_first_is_answered(
    held_server: tuple[str, threading.Event], browser: Browser, shots: Path
) -> None:
    url, held = held_server
    one, two = open_page(browser, url), open_page(browser, url)
    ask(one, "How many tourists were killed in the attack in Pahalgam?")
    expect(one.locator("#chat .qa-writing")).to_have_count(1)
    ask(two, "Which Russian foreign minister visited Islamabad?")
    # One model, one answer at a time: the second session waits with its place in the queue shown.
    expect(two.locator("#chat")).to_contain_text("queue", timeout=30_000)
    expect(two.locator(FINISHED)).to_have_count(0)
    two.screenshot(path=str(shots / "queued.png"))
    held.set()
    expect(wait_for_answers(one, 1).locator("p").first).to_have_text("26 tourists [1]")
    expect(wait_for_answers(two, 1).locator("p").first).to_have_text("Sergey Lavrov [1]")


def test_an_uploaded_article_becomes_answerable(server: str, browser: Browser, folder: Path, shots: Path) -> None:
    upload = folder / "to-upload" / "gilgit_bridge.txt"
    upload.parent.mkdir()
    upload.write_text(BRIDGE, encoding="utf-8")
    page = open_page(browser, server)
    before = len(list((folder / "corpus").iterdir()))
    page.locator("#upload input[type=file]").set_input_files(str(upload))
    expect(page.locator("#upload-result")).to_contain_text(
        "added and indexed: gilgit_bridge.txt", timeout=ANSWER_TIMEOUT_MS
    )
    expect(page.locator("#status")).to_contain_text(f"{before + 1} articles indexed")
    expect(page.locator("#status")).to_contain_text("gilgit_bridge.txt")
    assert (folder / "corpus" / "gilgit_bridge.txt").read_text(encoding="utf-8") == BRIDGE
    ask(page, "How much did the repairs of the Gilgit bridge cost?")
    answer = wait_for_answers(page, 1)
    expect(answer.locator("p").first).to_contain_text("45 million rupees")
    expect(answer.locator("a.qa-source").first).to_have_text("gilgit_bridge.txt")
    page.screenshot(path=str(shots / "upload.png"))
