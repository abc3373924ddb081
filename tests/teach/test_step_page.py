"""The step-through page (`graph --format html`) in a real browser: the system's headless
Chromium driven by Playwright.  Every step is taken and the numbers shown are checked
against the run; the page fetches nothing; the screenshot in the README is saved here.
Needs /usr/bin/chromium (Debian's `chromium` package): skipped without it, failed in CI."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import circuitrun
from circuitrun.cli import app
from circuitrun.diagram import fmt

from support.needs import need
from support.paths import ROOT

pytestmark = pytest.mark.browser

SCREENSHOT = ROOT / "docs" / "step-through.png"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = need("/usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=FLAGS,
            viewport={"width": 1000, "height": 700})
        yield context
        context.close()


def _page(browser: object, spec: Path, folder: Path) -> tuple[object, list[str]]:
    """The page `circuitrun graph` writes, opened; and the list its troubles go to."""
    out = folder / "page.html"
    result = CliRunner().invoke(app, ["graph", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    page = browser.new_page()  # type: ignore[attr-defined]
    troubles: list[str] = []
    page.on("console", lambda m: troubles.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: troubles.append(str(e)))
    # Anything but the page itself would be a fetch from the network (or the disk).
    page.on("request", lambda r: troubles.append(r.url) if r.url != out.as_uri() else None)
    page.goto(out.as_uri())
    return page, troubles


def _labels(page: object) -> dict[tuple[str, str], str]:
    return page.evaluate(  # type: ignore[attr-defined, no-any-return]
        "Object.fromEntries(Array.from(document.querySelectorAll('text[data-part]'))"
        ".map(t => [t.dataset.node + ' ' + t.dataset.part, t.textContent]))")


@pytest.mark.parametrize("name", ["sigmoid.yaml", "powers.yaml", "ties.yaml"])
def test_every_step_shows_the_runs_numbers(browser: object, tmp_path: Path, name: str) -> None:
    spec = ROOT / "circuits" / name
    result = circuitrun.load(spec).run()
    steps = result.explain().steps
    value = {n.name: fmt(n.value) for n in result.nodes}
    grad = {n.name: fmt(n.grad) for n in result.nodes if n.grad is not None}
    page, troubles = _page(browser, spec, tmp_path)
    assert page.inner_text("#counter") == f"step 0 / {len(steps)}"  # type: ignore[attr-defined]
    assert set(_labels(page).values()) == {""}  # nothing computed yet
    seen_values: set[str] = set()
    seen_grads: set[str] = set()
    for k, step in enumerate(steps, 1):
        page.keyboard.press("ArrowRight")  # type: ignore[attr-defined]
        assert page.inner_text("#counter") == f"step {k} / {len(steps)}"  # type: ignore[attr-defined]
        assert page.inner_text("#line") == step.text  # type: ignore[attr-defined]
        shown = _labels(page)
        if step.phase == "forward":  # the node's value appears, as the run computed it
            seen_values.add(step.node)
            assert shown[f"{step.node} value"] == value[step.node]
        elif step.number is not None:  # its gradient so far
            seen_grads.add(step.node)
            assert shown[f"{step.node} grad"] == fmt(step.number)
        # every other label: the run's number once its step has passed, else nothing
        for key, text in shown.items():
            node, part = key.split(" ")
            done = node in (seen_values if part == "value" else seen_grads)
            assert (text != "") == done, (k, key)
    assert _labels(page) == {f"{n} value": v for n, v in value.items()} | {
        f"{n} grad": g for n, g in grad.items()}  # the end: every number of the run
    assert troubles == []


def test_keys_buttons_and_the_chain_of_a_node(browser: object, tmp_path: Path) -> None:
    spec = ROOT / "circuits" / "sigmoid.yaml"
    result = circuitrun.load(spec).run()
    ex = result.explain()
    n = len(ex.steps)
    page, troubles = _page(browser, spec, tmp_path)
    p = page  # the Playwright page; its methods are untyped here
    p.keyboard.press("End")  # type: ignore[attr-defined]
    assert p.get_attribute("body", "data-step") == str(n)  # type: ignore[attr-defined]
    assert p.is_disabled("#next") and p.is_disabled("#end")  # type: ignore[attr-defined]
    p.keyboard.press("ArrowLeft")  # type: ignore[attr-defined]
    assert p.inner_text("#line") == ex.steps[n - 2].text  # type: ignore[attr-defined]
    p.keyboard.press("Home")  # type: ignore[attr-defined]
    assert p.get_attribute("body", "data-step") == "0"  # type: ignore[attr-defined]
    assert p.is_disabled("#prev") and p.is_disabled("#home")  # type: ignore[attr-defined]
    p.click("#next")  # type: ignore[attr-defined]
    p.click("#next")  # type: ignore[attr-defined]
    assert p.inner_text("#line") == ex.steps[1].text  # type: ignore[attr-defined]
    p.click("#end")  # type: ignore[attr-defined]
    # a click on a box (on its text, too) shows the node's value and gradient, term by term
    p.click('g[data-node="x0"]')  # type: ignore[attr-defined]
    assert p.inner_text("#chain-title") == "x0: its value and its gradient"  # type: ignore[attr-defined]
    items = p.locator("#chain-lines li").all_inner_texts()  # type: ignore[attr-defined]
    assert items == ex.chain("x0") == [
        "x0 = -1",
        "df/dx0 += df/dwx0 · ∂wx0/∂x0 = 0.19661193324148185 · 2 = 0.3932238664829637"
        "   (∂wx0/∂x0 = w0 = 2)"]
    p.screenshot(path=str(SCREENSHOT), full_page=True)  # type: ignore[attr-defined]
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert troubles == []


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    """No script, style or picture from elsewhere: the page works offline, from a file."""
    out = tmp_path / "page.html"
    assert CliRunner().invoke(app, ["graph", str(ROOT / "circuits" / "add_mul.yaml"),
                                    "--format", "html", "-o", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"\s(?:src|href)\s*=|@import|url\((?!#)", html)  # url(#arrow): local
    assert re.findall(r"https?://[^\s\"']*", html) == ["http://www.w3.org/2000/svg"]  # a name
    assert html.count("<script") == 2 and html.count("<style>") == 1


def test_the_page_follows_digits_and_no_values(tmp_path: Path) -> None:
    spec = str(ROOT / "circuits" / "sigmoid.yaml")
    out = CliRunner().invoke(app, ["graph", spec, "-f", "html", "--digits", "4"])
    assert out.exit_code == 0, out.stderr
    # f = σ(1) = 0.7311 to 4 decimals: the label of f's forward step
    assert '"node":"f","gate":null,"text":"f = σ(dot) = σ(1) = 0.7310585786300049",' \
           '"label":"0.7311"' in out.stdout
    out = CliRunner().invoke(app, ["graph", spec, "-f", "html", "--no-values"])
    assert out.exit_code == 0, out.stderr
    assert '"steps":[],"chains":{}' in out.stdout and "0.73" not in out.stdout
