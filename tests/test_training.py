"""The fit loop: learning, history, early stopping, schedulers, checkpoints and resume, plots, progress
(what fit prints: tests/test_training_report.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn, optim
from tensorlite.data import DataLoader, TensorDataset
from tensorlite.training import (
    EarlyStopping,
    History,
    accuracy,
    evaluate,
    fit,
    load_checkpoint,
    plot_history,
    save_checkpoint,
)


def _blobs(n=512, seed=0):
    """Four well separated Gaussian blobs in 2-D, labels 0..3."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, size=n)
    centres = np.array([[2, 2], [-2, 2], [-2, -2], [2, -2]], dtype=np.float32)
    x = (centres[y] + rng.normal(scale=0.6, size=(n, 2))).astype(np.float32)
    return x, y.astype(np.int64)


def _setup(seed=0, lr=0.02, dropout=0.0):
    tl.manual_seed(seed)
    x, y = _blobs()
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Dropout(dropout), nn.Linear(32, 4))
    optimizer = optim.Adam(model.parameters(), lr=lr)
    train = DataLoader(TensorDataset(x[:384], y[:384]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x[384:], y[384:]), batch_size=50)
    return model, optimizer, train, val


def test_fit_learns_a_separable_problem_and_fills_the_history():
    model, optimizer, train, val = _setup()
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=4, progress=False)
    assert len(history.train_loss) == len(history.train_accuracy) == 4 * 12
    assert history.epoch_iteration == [12, 24, 36, 48]
    assert len(history.val_loss) == len(history.val_accuracy) == len(history.lr) == history.epochs == 4
    assert history.val_accuracy[-1] > 0.95
    assert history.val_loss[-1] < history.val_loss[0]
    assert all(s > 0 for s in history.samples_per_second)
    # the reported validation figures are the model's, recomputed independently
    loss, acc = evaluate(model, nn.CrossEntropyLoss(), val)
    assert (loss, acc) == pytest.approx((history.val_loss[-1], history.val_accuracy[-1]))
    assert model.training  # evaluate restored the mode


def test_evaluate_weights_batches_by_size():
    model, _, _, _ = _setup()
    x, y = _blobs(n=70, seed=3)
    uneven = evaluate(model, nn.CrossEntropyLoss(), DataLoader(TensorDataset(x, y), batch_size=32))
    whole = evaluate(model, nn.CrossEntropyLoss(), DataLoader(TensorDataset(x, y), batch_size=70))
    assert uneven == pytest.approx(whole, rel=1e-5)


def test_accuracy_handles_indices_one_hot_and_undefined_cases():
    out = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(out, np.array([1, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(out, np.eye(2)[[1, 0, 0]]) == pytest.approx(2 / 3)
    assert math.isnan(accuracy(np.zeros((3, 1, 2)), np.array([0, 1, 0])))
    assert math.isnan(accuracy(out, np.array([0.5, 0.1, 0.2])))


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    model, optimizer, train, val = _setup(lr=0.02)
    # a validation set whose labels are noise: its loss stops improving quickly
    x, y = _blobs(n=64, seed=5)
    noise = DataLoader(TensorDataset(x, np.random.default_rng(1).integers(0, 4, 64)), batch_size=64)
    snapshots = []
    stopper = EarlyStopping(patience=1, restore_best=True)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, noise, epochs=30, progress=False,
                  callbacks=[stopper, lambda e, h, m: snapshots.append(m.state_dict()["0.weight"].copy())])
    assert history.epochs < 30
    best = int(np.argmin(history.val_loss))
    assert stopper.best_epoch == best and history.epochs == best + 2  # one bad epoch after the best
    np.testing.assert_array_equal(model.state_dict()["0.weight"], snapshots[best])


def test_early_stopping_rejects_a_monitor_without_data():
    with pytest.raises(ValueError, match="no validation loader"):
        EarlyStopping()(0, History(train_loss=[1.0], epoch_iteration=[1]), None)
    with pytest.raises(ValueError, match="monitor"):
        EarlyStopping(monitor="val_acc")


def test_schedulers_step_once_per_epoch_and_plateau_gets_the_validation_loss():
    model, optimizer, train, val = _setup()
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=3, progress=False,
                  scheduler=optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5))
    assert history.lr == pytest.approx([0.01, 0.005, 0.0025])
    model, optimizer, train, val = _setup()
    plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.1)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=3, progress=False,
                  scheduler=plateau)
    assert plateau.best == pytest.approx(min(history.val_loss))


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_resuming_from_a_checkpoint_continues_exactly(tmp_path, dropout):
    path = tmp_path / "ckpt.npz"
    model, optimizer, train, val = _setup(dropout=dropout)
    straight = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=3, progress=False)
    expected = model.state_dict()

    model, optimizer, train, val = _setup(dropout=dropout)
    fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=2, progress=False, checkpoint_path=path)
    tl.manual_seed(123)  # a different process would have a different random state; resume restores it
    model, optimizer, train, val = _setup(seed=99, dropout=dropout)  # fresh weights, to be overwritten
    resumed = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=3, progress=False,
                  checkpoint_path=path, resume=True)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, expected[key], err_msg=key)
    assert resumed.train_loss == straight.train_loss
    assert resumed.val_accuracy == straight.val_accuracy
    assert load_checkpoint(path, model)["epoch"] == 2


def test_checkpoint_round_trips_optimizer_and_scheduler_state(tmp_path):
    model, optimizer, train, _ = _setup()
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    fit(model, nn.CrossEntropyLoss(), optimizer, train, epochs=3, scheduler=scheduler, progress=False)
    save_checkpoint(tmp_path / "c.npz", model, optimizer, scheduler, epoch=2)
    model2, optimizer2, _, _ = _setup(seed=7)
    scheduler2 = optim.lr_scheduler.StepLR(optimizer2, step_size=2, gamma=0.1)
    load_checkpoint(tmp_path / "c.npz", model2, optimizer2, scheduler2)
    assert scheduler2.last_epoch == scheduler.last_epoch == 3
    assert optimizer2.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]
    a, b = optimizer.state_dict(), optimizer2.state_dict()
    assert a["param_groups"] == b["param_groups"]
    for index, entry in a["state"].items():
        for name, value in entry.items():
            np.testing.assert_array_equal(b["state"][index][name], value)


def test_load_checkpoint_refuses_a_plain_state_dict(tmp_path):
    model = nn.Linear(2, 2)
    tl.save(model.state_dict(), tmp_path / "plain.npz")
    with pytest.raises(ValueError, match="not a tensorlite training checkpoint"):
        load_checkpoint(tmp_path / "plain.npz", model)


def test_plot_history_writes_two_valid_pngs(tmp_path):
    pytest.importorskip("matplotlib", reason="plot_history needs matplotlib (the examples extra)")
    import matplotlib.image

    model, optimizer, train, val = _setup()
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=2, progress=False)
    loss_png, accuracy_png = plot_history(history, tmp_path / "run.png", title="blobs")
    assert (loss_png, accuracy_png) == (str(tmp_path / "run_loss.png"), str(tmp_path / "run_accuracy.png"))
    for png in (loss_png, accuracy_png):
        with open(png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        image = matplotlib.image.imread(png)
        assert image.shape[0] > 100 and image.shape[1] > 100 and image.std() > 0


def test_progress_bar_shows_batches_loss_and_accuracy(capsys):
    pytest.importorskip("tqdm", reason="the progress bar needs tqdm (the examples extra)")
    model, optimizer, train, _ = _setup()
    fit(model, nn.CrossEntropyLoss(), optimizer, train, epochs=1, progress=True)
    err = capsys.readouterr().err
    assert "epoch 1/1" in err and "12/12" in err and "loss=" in err and "acc=" in err


def test_history_round_trips_through_arrays():
    h = History(train_loss=[1.0, 0.5], train_accuracy=[0.5, float("nan")], epoch_iteration=[2],
                val_loss=[0.4], val_accuracy=[0.9], lr=[0.1], epoch_time=[1.5], samples_per_second=[10.0])
    back = History.from_arrays(h.as_arrays())
    assert back.epoch_iteration == [2] and back.train_loss == [1.0, 0.5] and math.isnan(back.train_accuracy[1])
