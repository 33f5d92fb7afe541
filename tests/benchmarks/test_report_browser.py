"""The report of a quickstart-shaped sweep (several simulated students, several teachers, an env where random masters
nothing) as a reader sees it: rendered by a real headless Chromium at 1280 px, checked from the DOM and a screenshot.

Debian's ``chromium`` package (``.ci/run`` installs it where it can); the test is skipped, saying so, where no
Chromium can be found.
"""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from simulated_sweeps import simulated_sweep

from teachgym.benchmarks.report import write_report

WIDTH = 1280
ENVS = ("teachgym/SimulatedStudent-v0", "teachgym/SimulatedStudent-Forgetting-v0",
        "teachgym/SimulatedStudent-Infeasible-v0")
TEACHERS = ("random", "alp-gmm", "covar-gmm")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Appended to a copy of report.html beside it (so that figures/ resolves the same): after the load event (every
# image loaded or failed), what the checks need goes into the DOM, which --dump-dom prints.
PROBE = """<script>
window.addEventListener("load", () => {
  const probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({
    scrollWidth: document.documentElement.scrollWidth,
    images: [...document.images].map(image => [image.getAttribute("src"), image.complete, image.naturalWidth]),
    headings: [...document.querySelectorAll("h2")].map(heading => heading.textContent),
    summaryTable: document.querySelector("h2 + p + .table table") !== null,
  });
  document.body.appendChild(probe);
});
</script>"""


def _browser() -> str:
    for name in BROWSERS:
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip(f"no headless browser: none of {', '.join(BROWSERS)} is on PATH (Debian: apt-get install chromium; "
                f".ci/run installs it where it can)")


def _chromium(browser: str, profile: Path, *arguments: str) -> str:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    root = simulated_sweep(tmp_path_factory.mktemp("quickstart-shaped"), ENVS, TEACHERS, range(2))
    return write_report(root)


def test_the_report_reads_in_a_real_browser(report, tmp_path):
    browser = _browser()
    (report / "probe.html").write_text((report / "report.html").read_text().replace("</body>", PROBE + "</body>"))
    dom = _chromium(browser, tmp_path / "profile", f"--window-size={WIDTH},1000", "--virtual-time-budget=10000",
                    "--dump-dom", (report / "probe.html").as_uri())
    [found] = re.findall(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    probe = json.loads(html.unescape(found))
    sections = [f"{env.removeprefix('teachgym/').removesuffix('-v0')} / simulated" for env in sorted(ENVS)]
    headings = probe["headings"]
    assert headings[0] == "Summary: IQM final share mastered" and probe["summaryTable"]
    assert all(headings.index(section) > 0 for section in sections)  # the summary comes before every env
    assert len(probe["images"]) == 2 * len(ENVS) + 2  # curves and curriculum per env, overview, relative to random
    for source, complete, width in probe["images"]:
        assert source.startswith("figures/") and complete and width > 0, source
    assert probe["scrollWidth"] <= WIDTH  # no horizontal scrollbar

    _chromium(browser, tmp_path / "profile", f"--window-size={WIDTH},1600", f"--screenshot={tmp_path / 'shot.png'}",
              (report / "report.html").as_uri())
    with PIL.Image.open(tmp_path / "shot.png") as shot:
        pixels = np.asarray(shot.convert("L"))
    assert pixels.shape[1] == WIDTH
    assert np.mean(pixels < 128) > 0.01  # text, tables and the overview: not a blank page
    assert np.mean(pixels < 250) > 0.05
