"""What fit reports while it trains: verbose=0 (nothing), 1 (a progress bar with the validation
figures), 2 (one line per epoch), and 'auto', which picks the bar on a terminal and the lines
everywhere else (logs, CI, ``> log.txt``), checked with real terminals (pseudo-terminals) and real
redirections in subprocesses."""
from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn, optim
from tensorlite.data import DataLoader, TensorDataset
from tensorlite.training import fit

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"epoch (\d+)/(\d+) \| train loss (\d+\.\d{4}), accuracy (\d\.\d{4}) \| "
                  r"validation loss (\d+\.\d{4}), accuracy (\d\.\d{4}) \| (\S+) s, ([\d,]+) samples/s")


def _setup(batch_size=100):
    """Four Gaussian blobs: 384 training samples (batches of 100, 100, 100, 84) and 128 to validate."""
    tl.manual_seed(0)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, size=512)
    x = (np.array([[2, 2], [-2, 2], [-2, -2], [2, -2]], np.float32)[y]
         + rng.normal(scale=0.6, size=(512, 2))).astype(np.float32)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 4))
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    train = DataLoader(TensorDataset(x[:384], y[:384]), batch_size=batch_size, shuffle=True)
    val = DataLoader(TensorDataset(x[384:], y[384:]), batch_size=50)
    return model, optimizer, train, val


def test_verbose_2_prints_one_line_per_epoch_with_the_epoch_figures(capsys):
    model, optimizer, train, val = _setup()
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=3, verbose=2)
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    sizes = [100, 100, 100, 84]
    for epoch, line in enumerate(lines):
        m = LINE.fullmatch(line)
        assert m, line
        assert (int(m[1]), int(m[2])) == (epoch + 1, 3)
        its = slice(history.epoch_iteration[epoch] - 4, history.epoch_iteration[epoch])
        # the epoch's means over samples: the short last batch weighs what it holds
        assert float(m[3]) == pytest.approx(np.average(history.train_loss[its], weights=sizes), abs=5e-5)
        assert float(m[4]) == pytest.approx(np.average(history.train_accuracy[its], weights=sizes), abs=5e-5)
        assert (m[5], m[6]) == (f"{history.val_loss[epoch]:.4f}", f"{history.val_accuracy[epoch]:.4f}")
        assert float(m[7]) >= history.epoch_time[epoch]  # wall time, validation included
        assert int(m[8].replace(",", "")) == round(history.samples_per_second[epoch])


def test_verbose_2_without_validation_or_accuracy_and_with_a_scheduler(capsys):
    tl.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    model = nn.Linear(3, 1)  # a regression: outputs (N, 1), no accuracy
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    fit(model, nn.MSELoss(), optimizer, DataLoader(TensorDataset(x, x[:, :1] * 2), batch_size=16), epochs=2,
        scheduler=scheduler, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert [re.sub(r"loss \d\.\d{4}", "loss L", re.sub(r"\| \S+ s, [\d,]+ samples/s$", "| T", line))
            for line in lines] == ["epoch 1/2 | train loss L | lr 0.05 | T", "epoch 2/2 | train loss L | lr 0.025 | T"]


def test_verbose_0_prints_nothing(capsys):
    model, optimizer, train, val = _setup()
    fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=2, verbose=0)
    assert capsys.readouterr() == ("", "")


def test_verbose_1_shows_a_bar_with_the_validation_figures_in_its_postfix(capsys):
    pytest.importorskip("tqdm", reason="the progress bar needs tqdm (the examples extra)")
    model, optimizer, train, val = _setup()
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=2, verbose=1)
    out, err = capsys.readouterr()
    assert out == ""
    assert "epoch 1/2" in err and "epoch 2/2" in err and "4/4" in err and "batch/s" in err
    for epoch in range(2):
        assert (f"val_loss={history.val_loss[epoch]:.4f}, val_acc={history.val_accuracy[epoch]:.4f}"
                in err), err


def test_progress_is_the_older_spelling_of_verbose(capsys):
    model, optimizer, train, val = _setup()
    fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=1, progress=False)
    assert capsys.readouterr() == ("", "")
    with pytest.raises(ValueError, match="give verbose or progress"):
        fit(model, nn.CrossEntropyLoss(), optimizer, train, epochs=1, progress=True, verbose=2)
    for bad in (3, -1, "yes", True):
        with pytest.raises(ValueError, match=r"verbose must be 0 \(silent\), 1 .* or 'auto', got"):
            fit(model, nn.CrossEntropyLoss(), optimizer, train, epochs=1, verbose=bad)


def test_auto_prints_lines_when_the_output_is_not_a_terminal(capsys):
    model, optimizer, train, val = _setup()
    fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=2)  # pytest's capture is no terminal
    out, err = capsys.readouterr()
    assert err == "" and [LINE.fullmatch(line) is not None for line in out.splitlines()] == [True, True]


SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
if sys.argv[1] == "no-tqdm":
    sys.modules["tqdm"] = None          # as if tqdm were not installed
from test_training_report import _setup
from tensorlite import nn
from tensorlite.training import fit
model, optimizer, train, val = _setup()
fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=2, verbose=int(sys.argv[2]) if sys.argv[2:] else "auto")
""".format(tests=str(ROOT / "tests"))


def _run(*args, stdout, stderr):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], stdout=stdout, stderr=stderr, env=env,
                          timeout=120)


def _terminal():
    """A pseudo-terminal 120 columns wide (a new one is 0 wide, and tqdm would draw nothing)."""
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return master, slave


def _read_terminal(master):
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs pseudo-terminals (POSIX)")
def test_auto_on_a_terminal_shows_the_bar_and_with_stdout_to_a_file_writes_the_lines(tmp_path):
    pytest.importorskip("tqdm", reason="the progress bar needs tqdm (the examples extra)")
    master, slave = _terminal()
    try:  # both streams on a terminal: the bar, with the validation figures, and no lines
        done = _run("bar", stdout=slave, stderr=slave)
        os.close(slave)
        screen = _read_terminal(master)
    finally:
        os.close(master)
    assert done.returncode == 0, screen
    assert "epoch 2/2" in screen and "4/4" in screen and "val_loss=" in screen and "val_acc=" in screen
    assert "| train loss" not in screen

    master, slave = _terminal()  # python train.py > log.txt: stderr still a terminal
    try:
        with open(tmp_path / "log.txt", "w") as log:
            done = _run("bar", stdout=log, stderr=slave)
        os.close(slave)
        screen = _read_terminal(master)
    finally:
        os.close(master)
    assert done.returncode == 0, screen
    lines = (tmp_path / "log.txt").read_text().splitlines()
    assert [LINE.fullmatch(line)[1] for line in lines] == ["1", "2"]
    assert screen == ""


def test_without_tqdm_verbose_1_falls_back_to_lines():
    done = _run("no-tqdm", "1", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert [LINE.fullmatch(line)[1] for line in done.stdout.decode().splitlines()] == ["1", "2"]


def test_plots_say_what_they_show_mark_the_epochs_and_do_not_clip_accuracy_at_100_percent(tmp_path):
    pytest.importorskip("matplotlib", reason="plot_history needs matplotlib (the examples extra)")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tensorlite.training import History, _history_figure, plot_history

    h = History(train_loss=[0.9, 0.5, 0.3, 0.2, 0.1, 0.1], train_accuracy=[0.5, 0.9, 1.0, 1.0, 1.0, 1.0],
                epoch_iteration=[2, 4, 6], val_loss=[0.6, 0.3, 0.2], val_accuracy=[0.8, 0.95, 1.0])
    for name in ("loss", "accuracy"):
        fig = _history_figure(h, name, "CNN on the MNIST subset")
        ax = fig.axes[0]
        assert ax.get_title() == f"CNN on the MNIST subset: {name}" and ax.get_xlabel() == "iteration"
        (top,) = ax.child_axes  # the epoch axis along the top: a mark at each epoch's end
        assert top.get_xlabel().startswith("epoch")
        assert list(top.get_xticks()) == [2, 4, 6]
        assert [t.get_text() for t in top.get_xticklabels()] == ["1", "2", "3"]
        if name == "accuracy":
            assert ax.get_ylim()[1] > 1.0  # the points at 100% show whole
            assert ax.yaxis.get_major_formatter()(1.0, 0) == "100%"
        plt.close(fig)
    fig = _history_figure(h, "loss", "")
    assert fig.axes[0].get_title() == "training and validation loss"
    plt.close(fig)
    many = History(train_loss=[1.0] * 100, train_accuracy=[0.5] * 100, epoch_iteration=list(range(1, 101)))
    fig = _history_figure(many, "accuracy", "x")
    labels = [t.get_text() for t in fig.axes[0].child_axes[0].get_xticklabels()]
    assert len(labels) <= 12 and labels[-1] == "100"  # thinned out, the last epoch always marked
    plt.close(fig)
    assert [p.rsplit("/", 1)[-1] for p in plot_history(h, tmp_path / "run")] == ["run_loss.png", "run_accuracy.png"]
