"""Headless Chromium for the tests of the HTML pages and for the screenshots in docs/.

Debian's ``chromium`` (``.ci/run`` installs it where it can); ``CNNCALC_CHROMIUM`` names another
binary. Each run gets a fresh profile directory and no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--hide-scrollbars",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
)


def chromium() -> str | None:
    """The browser binary, or None when there is none."""
    named = os.environ.get("CNNCALC_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the browser on ``url`` with the test flags, a fresh profile and console logging on stderr."""
    binary = chromium()
    if binary is None:
        raise RuntimeError("no chromium")
    with tempfile.TemporaryDirectory(prefix="cnncalc-chromium-") as profile:
        return subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, url],
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def dump_dom(path: Path, fragment: str = "") -> tuple[str, str]:
    """The DOM after the page's scripts ran, and the browser's log (stderr)."""
    result = run_chromium(path.resolve().as_uri() + fragment, "--virtual-time-budget=5000", "--dump-dom")
    return result.stdout, result.stderr


def console_messages(log: str) -> list[str]:
    """Every console message in the browser's log: uncaught exceptions, console.error, blocked
    loads. Chromium logs them all at INFO level, so the pages (which log nothing) must have none."""
    return [line for line in log.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def screenshot(path: Path, png: Path, width: int, height: int, fragment: str = "") -> None:
    """A PNG of the top ``width`` × ``height`` pixels of the page or SVG at ``path`` (of the part
    that ``fragment``, e.g. ``#table``, scrolls to)."""
    result = run_chromium(
        path.resolve().as_uri() + fragment,
        f"--screenshot={png}",
        f"--window-size={width},{height}",
        "--virtual-time-budget=3000",
    )
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot: {result.stderr[-800:]}")
