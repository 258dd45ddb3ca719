"""The older library's ``ClassificationTrainer``: the explicit-backward training loop of its
example scripts, with validation, early stopping, checkpoints and plots."""
from __future__ import annotations

import os
from typing import Any

from tensorlite import autograd
from tensorlite.backend import xp
from tensorlite.legacy.utils.utils import onehot
from tensorlite.serialization import save

__all__ = ["ClassificationTrainer"]


def _progress(iterable: Any, description: str, enabled: bool) -> Any:
    """tqdm's progress bar when tqdm is installed and ``enabled``, else the iterable itself."""
    if not enabled:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=description, leave=False)


class ClassificationTrainer:
    """Train a classifier the way the older library's scripts did, on the tape.

    Each training batch: ``data, targets = data.numpy(), targets.numpy()``; the targets are
    one-hot encoded (as many columns as the model's output); ``scores = model.forward(data)``;
    ``loss.forward(scores, targets)``; ``optimizer.zero_grad()``; ``delta =
    loss.backward(scores, targets)``; ``model.backward(delta)``; ``optimizer.step()``; the
    evaluator is updated. After each epoch the model is validated (in eval mode, without
    recording), the scheduler steps, and when the validation metric improves the parameters are
    kept (in memory, and in ``checkpoint_dir/best_model.npz`` through :func:`tensorlite.save`;
    nothing is pickled). Training stops after ``max_epochs``, or after
    ``max_epochs_no_improvement`` epochs without improvement; the model then holds the best
    parameters seen. With ``checkpoint_dir`` and matplotlib installed, ``loss.png`` and
    ``<metric>.png`` there show the training and validation curves per epoch.

    Parameters
    ----------
    model : Module
        With ``forward(x)`` and ``backward(delta)``.
    optimizer : Optimizer
        E.g. ``tensorlite.legacy.optim.Adam(model.parameters)``.
    loss : Loss
        With ``forward(y, t)`` (per-sample losses) and ``backward(y, t)`` (the gradient at ``y``).
    train_loader : iterable
        Of ``(data, targets)`` batches with ``.numpy()`` (or arrays).
    val_loader : iterable
        As ``train_loader``, for validation.
    train_evaluator : Evaluator
        Updated with each training batch.
    val_evaluator : Evaluator
        Updated with each validation batch; its ``evaluation_metric`` picks the best model.
    lr_scheduler : object with ``step()``, optional
        Stepped once per epoch.
    max_epochs : int, default 10
        The most epochs to train.
    max_epochs_no_improvement : int, optional
        Stop after this many epochs without a better validation metric (default: never early).
    checkpoint_dir : str, optional
        Where to write ``best_model.npz`` and the plots (created when missing).
    verbose : bool, default True
        Print a line per epoch and show tqdm progress bars.

    Attributes
    ----------
    epoch : int
        Epochs run.
    best_val_metric : float
    history : dict of lists
        Per epoch: ``train_loss val_loss train_metric val_metric lr``.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> from tensorlite.data import DataLoader, TensorDataset
    >>> from tensorlite.legacy import nn, optim, evaluators
    >>> from tensorlite.legacy.utils.trainers import ClassificationTrainer
    >>> tl.manual_seed(0)
    >>> x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    >>> data = TensorDataset(x, (x[:, 0] > 0).astype(np.int64))
    >>> loader = DataLoader(data, batch_size=16, as_tensor=True)
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.Softmax())
    >>> trainer = ClassificationTrainer(model, optim.Adam(model.parameters, lr=0.05), nn.CrossEntropyLoss(),
    ...                                 loader, loader, evaluators.MulticlassEvaluator(2),
    ...                                 evaluators.MulticlassEvaluator(2), max_epochs=20, verbose=False)
    >>> trainer.train()
    >>> trainer.best_val_metric > 0.9
    True
    """

    def __init__(self, model: Any, optimizer: Any, loss: Any, train_loader: Any, val_loader: Any,
                 train_evaluator: Any, val_evaluator: Any, lr_scheduler: Any = None, max_epochs: int = 10,
                 max_epochs_no_improvement: int | None = None, checkpoint_dir: str | None = None,
                 verbose: bool = True) -> None:
        self.model, self.optimizer, self.loss = model, optimizer, loss
        self.train_loader, self.val_loader = train_loader, val_loader
        self.train_evaluator, self.val_evaluator = train_evaluator, val_evaluator
        self.lr_scheduler = lr_scheduler
        self.max_epochs = int(max_epochs)
        self.max_epochs_no_improvement = (self.max_epochs if max_epochs_no_improvement is None
                                          else int(max_epochs_no_improvement))
        self.checkpoint_dir = checkpoint_dir
        self.verbose = bool(verbose)
        self.epoch = 0
        self.epochs_no_improvement = 0
        self.best_val_metric = -float("inf")
        self.history: dict[str, list[float]] = {k: [] for k in
                                                ("train_loss", "val_loss", "train_metric", "val_metric", "lr")}
        self._best_state: dict[str, Any] | None = None

    @staticmethod
    def _arrays(data: Any, targets: Any) -> tuple[Any, Any]:
        return tuple(v.numpy() if hasattr(v, "numpy") else xp.asarray(v) for v in (data, targets))  # type: ignore[return-value]

    def step(self) -> None:
        """Train one epoch over ``train_loader`` (one optimizer step per batch)."""
        self.model.train()
        self.train_evaluator.reset()
        for data, targets in _progress(self.train_loader, f"Epoch {self.epoch:3d} train", self.verbose):
            data, targets = self._arrays(data, targets)
            scores = self.model.forward(data)
            targets = onehot(targets, scores.shape[-1])
            loss = self.loss.forward(scores, targets)
            self.optimizer.zero_grad()
            delta = self.loss.backward(scores, targets)
            self.model.backward(delta)
            self.optimizer.step()
            self.train_evaluator.update(scores.data, targets, loss.data if hasattr(loss, "data") else loss)

    def validate(self) -> None:
        """Evaluate the model on ``val_loader`` (eval mode, nothing recorded)."""
        self.model.eval()
        self.val_evaluator.reset()
        with autograd.no_grad():
            for data, targets in _progress(self.val_loader, f"Epoch {self.epoch:3d} val", self.verbose):
                data, targets = self._arrays(data, targets)
                scores = self.model.forward(data)
                targets = onehot(targets, scores.shape[-1])
                loss = self.loss.forward(scores, targets)
                self.val_evaluator.update(scores.data, targets, loss.data if hasattr(loss, "data") else loss)

    def train(self) -> None:
        """Run epochs until ``max_epochs`` or early stopping; leave the best parameters in the model."""
        while self.epoch < self.max_epochs and self.epochs_no_improvement < self.max_epochs_no_improvement:
            lr = getattr(self.optimizer, "lr", float("nan"))
            self.step()
            self.validate()
            if self.lr_scheduler is not None:
                self.lr_scheduler.step()
            train, val = self.train_evaluator, self.val_evaluator
            name = val.evaluation_metric_name
            for key, value in (("train_loss", train.loss), ("val_loss", val.loss), ("lr", lr),
                               ("train_metric", train.evaluation_metric), ("val_metric", val.evaluation_metric)):
                self.history[key].append(float(value))
            if self.verbose:
                print(f"Epoch {self.epoch:3d} | lr={lr:4.5f} | Loss (T/V) {train.loss:5.4f} / {val.loss:5.4f} | "
                      f"{name.capitalize()} (T/V) {train.evaluation_metric:5.4f} / {val.evaluation_metric:5.4f}")
            if val.evaluation_metric > self.best_val_metric:
                self.best_val_metric = val.evaluation_metric
                self.epochs_no_improvement = 0
                self._best_state = {k: v.copy() for k, v in self.model.state_dict().items()}
                self._save_checkpoint()
            else:
                self.epochs_no_improvement += 1
            self._update_plots()
            self.epoch += 1
        if self._best_state is not None:
            self.model.load_state_dict(self._best_state)

    def _save_checkpoint(self) -> None:
        if self.checkpoint_dir is None or self._best_state is None:
            return
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        path = os.path.join(self.checkpoint_dir, "best_model.npz")
        save(self._best_state, path)
        if self.verbose:
            print(f'Saved the best model so far to "{path}"')

    def _update_plots(self) -> None:
        if self.checkpoint_dir is None:
            return
        try:
            from matplotlib.figure import Figure
        except ImportError:
            return
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        name = self.val_evaluator.evaluation_metric_name
        epochs = range(1, len(self.history["train_loss"]) + 1)
        for key, label in (("loss", "loss"), ("metric", name)):
            fig = Figure(figsize=(6, 4))
            ax = fig.subplots()
            ax.plot(epochs, self.history[f"train_{key}"], "o-", label="Training")
            ax.plot(epochs, self.history[f"val_{key}"], "o-", label="Validation")
            ax.set_xlabel("Epoch")
            ax.set_ylabel(label)
            ax.legend()
            fig.savefig(os.path.join(self.checkpoint_dir, f"{label}.png"), bbox_inches="tight")
