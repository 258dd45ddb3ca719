"""Regenerate every figure the README and the documentation show.

Run from the repository root, with the examples extra installed (``pip install ".[examples]"``)::

    python docs/make_figures.py

It runs the MNIST examples with their defaults (10 epochs each; about 40 seconds on 2 CPU cores)
and ``examples/draw_graph.py`` in a temporary folder, copies the figures the pages show into
``docs/figures/``, redraws the tape graph of ``docs/guide/tape.rst``
(``docs/_static/guide/tape_graph.svg``), and prints the examples' summary lines, the figures of
the results tables in ``README.md`` and ``docs/guide/training.rst``. The examples themselves
write into the git-ignored ``examples/output/``: running them never changes a committed file.
"""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "figures"

#: The figures the pages show, by the example that makes them.
SHOWN = {
    "mnist_cnn": ["mnist_cnn_loss.png", "mnist_cnn_accuracy.png"],
    "mnist_fnn": ["mnist_fnn_accuracy.png"],
    "mnist_rnn": [],  # its summary line is in the results tables
    "draw_graph": ["cnn_graph.svg", "lstm_graph.svg", "penalty_graph.svg"],
}


def _load(path: Path) -> Any:
    """Import a script by its path, as the examples import each other (their folder on sys.path)."""
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """Make the figures; return the paths written."""
    parser = argparse.ArgumentParser(prog="python docs/make_figures.py",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs for each MNIST example (default: the examples' own, 10)")
    parser.add_argument("--dest", type=Path, default=FIGURES,
                        help="where the figures go (default docs/figures; the tape graph goes beside "
                             "its script only with this default)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing
    import tensorlite as tl

    if tl.viz.renderer() is None:
        raise tl.viz.GraphvizNotFoundError("the graph figures (SVG)")
    args.dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, shown in SHOWN.items():
            script = _load(ROOT / "examples" / f"{name}.py")
            if name == "draw_graph":
                script.main(Path(tmp))
            else:
                extra = ["--epochs", str(args.epochs)] if args.epochs is not None else []
                script.main(["--out", tmp, *extra])
            for figure in shown:
                written.append(Path(shutil.copyfile(Path(tmp) / figure, args.dest / figure)))
    if args.dest == FIGURES:
        written.append(_load(ROOT / "docs" / "_static" / "guide" / "draw_tape_graph.py").main())
    for path in written:
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    main()
