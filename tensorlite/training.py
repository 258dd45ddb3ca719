"""A small training loop: ``fit``, ``evaluate``, early stopping, checkpoints and ``plot_history``.

``fit`` is the loop every example would otherwise write by hand: zero the gradients, forward,
loss, ``loss.backward()``, ``optimizer.step()``, with a progress bar, a validation pass after
each epoch, an optional learning-rate scheduler, callbacks such as :class:`EarlyStopping`, and a
checkpoint written with :func:`tensorlite.save` (an ``.npz`` file, nothing pickled) that
``fit(..., resume=True)`` continues from.

Examples
--------
>>> import numpy as np, tensorlite as tl
>>> from tensorlite import nn, optim
>>> from tensorlite.data import DataLoader, TensorDataset
>>> from tensorlite.training import fit
>>> tl.manual_seed(0)
>>> x = np.random.default_rng(0).normal(size=(256, 2)).astype(np.float32)
>>> y = (x[:, 0] > 0).astype(np.int64)              # a separable two-class problem
>>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
>>> history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05),
...               DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True), epochs=5, verbose=0)
>>> len(history.train_loss), history.train_accuracy[-1] > 0.9
(40, True)
"""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
import os
import sys
import time
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from tensorlite import config
from tensorlite.autograd import no_grad
from tensorlite.backend import xp
from tensorlite.serialization import load, save
from tensorlite.tensor import Tensor

__all__ = ["History", "fit", "evaluate", "accuracy", "EarlyStopping", "save_checkpoint",
           "load_checkpoint", "plot_history"]


@dataclasses.dataclass
class History:
    """What :func:`fit` measured: one list per figure, per iteration or per epoch.

    Parameters
    ----------
    train_loss, train_accuracy, epoch_iteration, val_loss : list, optional
        The initial contents of the attributes of the same names (each empty by default).
    val_accuracy, lr, epoch_time, samples_per_second : list, optional
        Likewise.

    Attributes
    ----------
    train_loss, train_accuracy : list of float
        Per iteration (one optimizer step); the accuracy is ``nan`` where the task has none.
    epoch_iteration : list of int
        Per epoch: the iteration count at the end of the epoch (the x position of the
        validation points).
    val_loss, val_accuracy : list of float
        Per epoch; empty without a validation loader.
    lr : list of float
        Per epoch: the learning rate of the first parameter group at the end of the epoch.
    epoch_time : list of float
        Per epoch: seconds of training, validation excluded.
    samples_per_second : list of float
        Per epoch: training samples over ``epoch_time``.

    Examples
    --------
    >>> from tensorlite.training import History
    >>> h = History(train_loss=[0.9, 0.7, 0.6, 0.4], epoch_iteration=[2, 4], val_loss=[0.8, 0.5])
    >>> h.epochs, h.train_loss[h.epoch_iteration[0]:]     # the second epoch's iterations
    (2, [0.6, 0.4])
    >>> History.from_arrays(h.as_arrays()) == h           # the form a checkpoint stores
    True
    """

    train_loss: list[float] = dataclasses.field(default_factory=list)
    train_accuracy: list[float] = dataclasses.field(default_factory=list)
    epoch_iteration: list[int] = dataclasses.field(default_factory=list)
    val_loss: list[float] = dataclasses.field(default_factory=list)
    val_accuracy: list[float] = dataclasses.field(default_factory=list)
    lr: list[float] = dataclasses.field(default_factory=list)
    epoch_time: list[float] = dataclasses.field(default_factory=list)
    samples_per_second: list[float] = dataclasses.field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.epoch_iteration)

    def as_arrays(self) -> dict[str, Any]:
        """Every field as a float64 (or int64) array: the form a checkpoint stores."""
        return {f.name: xp.asarray(getattr(self, f.name), dtype=xp.int64 if f.name == "epoch_iteration"
                                   else xp.float64) for f in dataclasses.fields(self)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> History:
        """Inverse of :meth:`as_arrays`."""
        return cls(**{f.name: arrays[f.name].tolist() for f in dataclasses.fields(cls)})


def accuracy(output: Any, target: Any) -> float:
    """Fraction of rows whose largest output is at the target class; ``nan`` when undefined.

    Parameters
    ----------
    output : Tensor or ndarray of shape (N, C)
        Scores (logits or probabilities).
    target : Tensor or ndarray of shape (N,) or (N, C)
        Integer class indices, or one-hot / probability rows.

    Returns
    -------
    float
        In [0, 1]; ``nan`` when the shapes do not describe a classification: N is 0, or the
        output has a single column (a regression, or one logit whose threshold is not known).

    Examples
    --------
    >>> import numpy as np
    >>> accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]))
    0.5
    >>> accuracy(np.array([[0.3], [0.8]]), np.array([[0.2], [1.0]]))    # a regression: no accuracy
    nan
    """
    out = output.data if isinstance(output, Tensor) else xp.asarray(output)
    tgt = target.data if isinstance(target, Tensor) else xp.asarray(target)
    if out.ndim != 2 or out.shape[1] < 2 or len(tgt) != len(out) or len(out) == 0:
        return math.nan
    if tgt.ndim == 1 and tgt.dtype.kind in "iu":
        return float((out.argmax(axis=1) == tgt).mean())
    if tgt.shape == out.shape:
        return float((out.argmax(axis=1) == tgt.argmax(axis=1)).mean())
    return math.nan


def evaluate(model: Any, loss_fn: Callable[..., Any], loader: Iterable[Any]) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` over ``loader``, in eval mode and without recording.

    The mean is over samples (batches are weighted by their size), so a smaller last batch
    counts for what it holds. The model's training mode is restored afterwards.

    Parameters
    ----------
    model : Module
        A :class:`tensorlite.nn.Module`.
    loss_fn : callable
        Called as ``loss_fn(model(x), y)``; returns a scalar tensor (a batch mean).
    loader : iterable of (x, y) batches
        Such as a :class:`tensorlite.data.DataLoader`.

    Returns
    -------
    (loss, accuracy) : tuple of float
        The accuracy is ``nan`` when the outputs and targets do not describe a classification
        (see :func:`accuracy`).

    Raises
    ------
    ValueError
        When the loader yields no samples.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite import nn
    >>> from tensorlite.data import DataLoader, TensorDataset
    >>> from tensorlite.training import evaluate
    >>> model = nn.Linear(3, 2)
    >>> _ = nn.init.zeros_(model.weight), nn.init.zeros_(model.bias)   # equal logits: class 0 everywhere
    >>> x, y = np.ones((5, 3), np.float32), np.array([0, 1, 0, 1, 0])
    >>> loss, acc = evaluate(model, nn.CrossEntropyLoss(), DataLoader(TensorDataset(x, y), batch_size=2))
    >>> round(loss, 4), acc        # ln 2 per sample; 3 of the 5 targets are class 0
    (0.6931, 0.6)
    >>> model.training             # the mode is restored
    True
    """
    was_training = model.training
    model.eval()
    total_loss = total_correct = 0.0
    count = 0
    has_accuracy = True
    try:
        with no_grad():
            for x, y in loader:
                out = model(x)
                n = len(y)
                total_loss += float(loss_fn(out, y).data) * n
                acc = accuracy(out, y)
                has_accuracy = has_accuracy and not math.isnan(acc)
                total_correct += (acc if has_accuracy else 0.0) * n
                count += n
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("evaluate: the loader yielded no samples")
    return total_loss / count, (total_correct / count if has_accuracy else math.nan)


class EarlyStopping:
    """Stop :func:`fit` when a monitored figure has not improved for ``patience`` epochs.

    Parameters
    ----------
    monitor : {'val_loss', 'val_accuracy', 'train_loss'}, default 'val_loss'
        The figure watched ('train_loss' is the epoch's mean).
    patience : int, default 3
        Stop after this many epochs in a row without improvement (as Keras counts).
    min_delta : float, default 0.0
        The least change that counts as an improvement.
    mode : {'min', 'max'}, optional
        Whether lower or higher is better; by default 'max' for accuracies, 'min' otherwise.
    restore_best : bool, default False
        Load the parameters of the best epoch back into the model when stopping.

    Examples
    --------
    >>> stop = EarlyStopping(patience=2)
    >>> h = History(val_loss=[1.0, 0.5, 0.6, 0.7])
    >>> [stop(epoch, History(val_loss=h.val_loss[:epoch + 1]), None) for epoch in range(4)]
    [False, False, False, True]
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 3, min_delta: float = 0.0,
                 mode: str | None = None, restore_best: bool = False) -> None:
        if monitor not in ("val_loss", "val_accuracy", "train_loss"):
            raise ValueError(f"EarlyStopping: monitor must be 'val_loss', 'val_accuracy' or 'train_loss', "
                             f"got {monitor!r}")
        mode = mode or ("max" if monitor.endswith("accuracy") else "min")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode
        self.restore_best = restore_best
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.bad_epochs = 0
        self._best_state: dict[str, Any] | None = None

    def _value(self, history: History) -> float:
        if self.monitor == "train_loss":
            start = history.epoch_iteration[-2] if len(history.epoch_iteration) > 1 else 0
            return float(xp.mean(history.train_loss[start:]))
        values = getattr(history, self.monitor)
        if not values:
            raise ValueError(f"EarlyStopping: monitors {self.monitor!r}, but fit has no validation loader")
        return float(values[-1])

    def __call__(self, epoch: int, history: History, model: Any) -> bool:
        """Record the epoch's figure; return True to stop training."""
        value = self._value(history)
        improved = (value < self.best - self.min_delta if self.mode == "min"
                    else value > self.best + self.min_delta)
        if improved:
            self.best, self.best_epoch, self.bad_epochs = value, epoch, 0
            if self.restore_best and model is not None:
                self._best_state = {k: v.copy() for k, v in model.state_dict().items()}
            return False
        self.bad_epochs += 1
        if self.bad_epochs < self.patience:
            return False
        if self._best_state is not None:
            model.load_state_dict(self._best_state)
        return True


# ----------------------------------------------------------------------------------------------
# Checkpoints: one .npz file, arrays stored as arrays and everything else as one JSON string

_FORMAT = 2  # 1: plain JSON (dict keys became strings, tuples lists); 2: typed JSON, see _encode


def _encode(value: Any, where: str) -> Any:
    """``value`` as JSON data that :func:`_decode` turns back into an equal value of the same types.

    JSON keeps None, bools, ints, floats (``NaN`` and ``Infinity`` included), strings and lists;
    everything else is a one-key object naming its type: ``{"tuple": [...]}``, ``{"dict": [[key,
    value], ...]}`` (keys of any type, in order), ``{"Counter": [...]}``, and ``{"ndarray": [dtype,
    shape, values]}`` / ``{"numpy": [dtype, value]}`` for NumPy arrays and scalars.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and type(value) in (int, float):
        return value
    if isinstance(value, xp.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"save_checkpoint: {where} is an array of dtype {value.dtype}, which a checkpoint "
                            "cannot store")
        return {"ndarray": [value.dtype.str, list(value.shape), value.ravel().tolist()]}
    if isinstance(value, xp.generic) and value.dtype.kind in "biuf":
        return {"numpy": [value.dtype.str, value.item()]}
    if isinstance(value, list):
        return [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple) and type(value) is tuple:
        return {"tuple": [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, dict) and type(value) in (dict, Counter):
        return {type(value).__name__: [[_encode(k, f"a key of {where}"), _encode(v, f"{where}[{k!r}]")]
                                       for k, v in value.items()]}
    raise TypeError(f"save_checkpoint: {where} holds a {type(value).__name__} ({value!r:.60}), which a "
                    "checkpoint cannot store (it keeps numbers, strings, None, lists, tuples, dicts and "
                    "NumPy arrays)")


def _decode(value: Any) -> Any:
    """Inverse of :func:`_encode`; raises ValueError (or TypeError) on data it did not write."""
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise ValueError(f"unexpected JSON value {value!r:.60}")  # pragma: no cover - json gives no other
    if len(value) != 1:
        raise ValueError(f"an object with keys {sorted(value)} where a typed value was expected")
    (kind, body), = value.items()
    if kind == "tuple" and isinstance(body, list):
        return tuple(_decode(v) for v in body)
    if kind in ("dict", "Counter") and isinstance(body, list):
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in body):
            raise ValueError(f"a {kind} whose items are not [key, value] pairs")
        items = [(_decode(k), _decode(v)) for k, v in body]
        return Counter(dict(items)) if kind == "Counter" else dict(items)
    if kind == "numpy" and isinstance(body, list) and len(body) == 2:
        return xp.asarray(body[1], dtype=_numeric_dtype(body[0]))[()]
    if kind == "ndarray" and isinstance(body, list) and len(body) == 3:
        dtype, shape, values = body
        return xp.asarray(values, dtype=_numeric_dtype(dtype)).reshape(shape)
    raise ValueError(f"an object of unknown type {kind!r:.40}")


def _numeric_dtype(name: Any) -> Any:
    dtype = xp.dtype(name)
    if dtype.kind not in "biuf":
        raise ValueError(f"dtype {name!r:.40} is not numeric")
    return dtype


def _scheduler_state(scheduler: Any) -> dict[str, Any]:
    """The scheduler's state dict without its callables (such as LambdaLR's functions)."""
    return {k: v for k, v in scheduler.state_dict().items()
            if not callable(v) and not (isinstance(v, list) and any(callable(x) for x in v))}


def save_checkpoint(path: str | os.PathLike[str], model: Any, optimizer: Any = None, scheduler: Any = None,
                    epoch: int = 0, history: History | None = None) -> None:
    """Write model, optimizer and scheduler state, the epoch and the history to ``path`` atomically.

    The file is an ``.npz`` written by :func:`tensorlite.save`: parameters and buffers under
    ``model/<name>``, optimizer state arrays under ``optimizer/<index>/<name>``, the history
    under ``history/<field>``, and the rest (hyper-parameters, scheduler state, the random
    generator's state) as one JSON string under ``meta``, which keeps the type of every value
    (tuples stay tuples, a ``MultiStepLR``'s milestone counter keeps its int keys, a NumPy scalar
    its dtype), so a resumed run continues bit for bit as if it had never stopped. Nothing is
    pickled.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (replaced atomically by :func:`tensorlite.save`).
    model : Module
        Its ``state_dict()`` is stored.
    optimizer : Optimizer, optional
        Its ``state_dict()`` is stored too.
    scheduler : lr scheduler, optional
        Its ``state_dict()`` is stored too (a scheduler's callables, such as ``LambdaLR``'s
        lambdas, are not: they stay with the scheduler object).
    epoch : int, default 0
        The epoch just completed (``fit(resume=True)`` continues with the next one).
    history : History, optional
        The figures measured so far, stored under ``history/<field>``.

    Raises
    ------
    TypeError
        when the optimizer's or the scheduler's state holds a value a checkpoint cannot store
        (anything but numbers, strings, None, lists, tuples, dicts and numeric NumPy arrays);
        nothing is written then.

    Examples
    --------
    >>> import os, tempfile, tensorlite as tl
    >>> from tensorlite import nn, optim
    >>> from tensorlite.training import History, save_checkpoint
    >>> model = nn.Linear(2, 1)
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")
    >>> save_checkpoint(path, model, optim.SGD(model.parameters(), lr=0.1), epoch=3,
    ...                 history=History(train_loss=[0.5]))
    >>> [key for key in sorted(tl.load(path)) if not key.startswith("history/")]   # a plain .npz
    ['meta', 'model/bias', 'model/weight']
    """
    arrays: dict[str, Any] = {f"model/{k}": v for k, v in model.state_dict().items()}
    meta: dict[str, Any] = {"epoch": epoch, "rng": config.generator().bit_generator.state}
    if optimizer is not None:
        sd = optimizer.state_dict()
        scalars: dict[int, dict[str, Any]] = {}
        for index, entry in sd["state"].items():
            for name, value in entry.items():
                if isinstance(value, xp.ndarray) and value.ndim > 0:
                    arrays[f"optimizer/{index}/{name}"] = value
                else:
                    scalars.setdefault(index, {})[name] = value
        meta["optimizer"] = {"class": type(optimizer).__name__, "param_groups": sd["param_groups"],
                             "scalars": scalars}
    if scheduler is not None:
        meta["scheduler"] = {"class": type(scheduler).__name__, "state": _scheduler_state(scheduler)}
    if history is not None:
        arrays.update({f"history/{k}": v for k, v in history.as_arrays().items()})
    meta = {"format": _FORMAT, **{key: _encode(value, f"the {key} entry") for key, value in meta.items()}}
    arrays["meta"] = xp.asarray(json.dumps(meta))
    save(arrays, path)


def load_checkpoint(path: str | os.PathLike[str], model: Any, optimizer: Any = None,
                    scheduler: Any = None) -> dict[str, Any]:
    """Restore what :func:`save_checkpoint` wrote; return ``{"epoch": e, "history": History | None}``.

    The model's parameters are loaded in place (``load_state_dict(strict=True)``), so an
    optimizer built on them keeps working. The random generator's state is restored too, so
    shuffling and dropout continue as if training had never stopped. Everything is checked
    first (the model's, the optimizer's and the scheduler's state, the generator's state, the
    history): when anything does not fit, the error is raised before any of them has changed.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_checkpoint`.
    model : Module
        The :class:`tensorlite.nn.Module` to load into (of the saved architecture).
    optimizer : Optimizer, optional
        Loaded from the checkpoint when given (of the saved class and parameter groups).
    scheduler : lr scheduler, optional
        Loaded from the checkpoint when given and the checkpoint holds a scheduler's state (of
        the saved class).

    Returns
    -------
    dict
        ``{"epoch": int, "history": History or None}``.

    Raises
    ------
    ValueError
        naming the file, when it is not a readable checkpoint (truncated, corrupt, not an
        ``.npz``: see :func:`tensorlite.load`), when an entry is damaged (naming the entry), or
        when its model, optimizer or scheduler state does not fit ``model``, ``optimizer`` or
        ``scheduler`` (every mismatch of the model, or of the optimizer, listed at once).

    Examples
    --------
    >>> import os, tempfile
    >>> from tensorlite import nn
    >>> from tensorlite.training import History, load_checkpoint, save_checkpoint
    >>> model = nn.Linear(2, 1)
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")
    >>> save_checkpoint(path, model, epoch=3, history=History(train_loss=[0.5]))
    >>> restored = nn.Linear(2, 1)                  # other random weights
    >>> info = load_checkpoint(path, restored)
    >>> info["epoch"], info["history"].train_loss
    (3, [0.5])
    >>> bool((restored.weight.data == model.weight.data).all())
    True
    """
    name = os.fspath(path)
    stored = load(path)

    def damaged(entry: str, why: str) -> ValueError:
        return ValueError(f"load_checkpoint: {name!r}: entry {entry!r} is damaged: {why}")

    if "meta" not in stored:
        raise ValueError(f"load_checkpoint: {name!r} is not a tensorlite training checkpoint "
                         "(no 'meta' entry); use tl.load for plain state dicts")
    try:
        meta = json.loads(str(stored["meta"]))
    except ValueError as e:
        raise damaged("meta", f"it is not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise damaged("meta", f"it holds a JSON {type(meta).__name__}, not an object")
    version = meta.get("format")
    if version not in (1, _FORMAT):
        raise damaged("meta", f"unknown format {version!r:.40} (this tensorlite reads formats 1 and {_FORMAT})")
    decode = _decode if version == _FORMAT else (lambda value: value)

    def field(key: str, check: Callable[[Any], bool], expected: str) -> Any:
        if key not in meta:
            raise damaged("meta", f"it has no {key!r}")
        try:
            value = decode(meta[key])
        except (ValueError, TypeError) as e:
            raise damaged("meta", f"its {key!r} cannot be read ({e})") from None
        if not check(value):
            raise damaged("meta", f"its {key!r} is {value!r:.60}, not {expected}")
        return value

    epoch = field("epoch", lambda v: isinstance(v, int) and not isinstance(v, bool), "an int")
    rng = field("rng", lambda v: isinstance(v, dict), "a generator state")
    bit_generator = config.generator().bit_generator
    try:
        type(bit_generator)().state = rng  # check it on a scratch generator of the same kind
    except (ValueError, TypeError, KeyError) as e:
        raise damaged("meta", f"its 'rng' is not a state of {type(bit_generator).__name__} ({e!r:.80})") from None

    fields = {k[len("history/"):]: v for k, v in stored.items() if k.startswith("history/")}
    history = None
    if fields:
        names = [f.name for f in dataclasses.fields(History)]
        for key in names:
            if key not in fields:
                raise ValueError(f"load_checkpoint: {name!r}: the history has no entry 'history/{key}'")
            value = fields[key]
            if value.ndim != 1 or value.dtype.kind not in "biuf":
                raise damaged(f"history/{key}", f"it holds a {value.dtype} array of shape {value.shape}, not "
                                                "a 1-D array of numbers")
        history = History.from_arrays(fields)

    new_optimizer_state = None
    if optimizer is not None:
        if "optimizer" not in meta:
            raise ValueError(f"load_checkpoint: {name!r} holds no optimizer state")
        saved = field("optimizer", lambda v: isinstance(v, dict), "an object")
        if version == _FORMAT and saved.get("class") != type(optimizer).__name__:
            raise ValueError(f"load_checkpoint: {name!r} holds the state of a {saved.get('class')!s:.40} "
                             f"optimizer, not of a {type(optimizer).__name__}")
        state: dict[int, dict[str, Any]] = {}
        for key, value in stored.items():
            if key.startswith("optimizer/"):
                parts = key.split("/", 2)
                if len(parts) != 3 or not parts[1].isdigit():
                    raise damaged(key, "an optimizer entry is named optimizer/<parameter index>/<name>")
                state.setdefault(int(parts[1]), {})[parts[2]] = value
        try:
            scalars = saved["scalars"]
            groups = saved["param_groups"]
            for index, entry in scalars.items():
                state.setdefault(int(index), {}).update(entry)
            if version == 1:  # format 1 turned tuples (Adam's betas) into lists
                groups = [{k: (tuple(v) if isinstance(v, list) and k != "params" else v) for k, v in g.items()}
                          for g in groups]
            new_optimizer_state = optimizer._checked_state({"state": state, "param_groups": groups})
        except ValueError as e:
            raise ValueError(f"load_checkpoint: {name!r}: {e}") from None
        except (TypeError, KeyError, AttributeError) as e:
            raise damaged("meta", f"its optimizer state cannot be read ({e!r:.80})") from None

    scheduler_state = None
    if scheduler is not None and "scheduler" in meta:
        saved = field("scheduler", lambda v: isinstance(v, dict), "an object")
        current = _scheduler_state(scheduler)
        if version == _FORMAT:
            if saved.get("class") != type(scheduler).__name__:
                raise ValueError(f"load_checkpoint: {name!r} holds the state of a {saved.get('class')!s:.40} "
                                 f"scheduler, not of a {type(scheduler).__name__}")
            saved = saved.get("state")
        else:
            saved = _like(saved, current)
        problems = _scheduler_problems(saved, current)
        if problems:
            raise ValueError(f"load_checkpoint: {name!r}: the {type(scheduler).__name__} state does not fit the "
                             "scheduler: " + "; ".join(problems))
        scheduler_state = {**scheduler.state_dict(), **saved}

    # Everything is checked: now change things, the model first (it checks before it copies).
    try:
        model.load_state_dict({k[len("model/"):]: v for k, v in stored.items() if k.startswith("model/")})
    except ValueError as e:  # StateDictError too: name the file as well
        raise type(e)(f"load_checkpoint: {name!r}: {e}") from None
    if new_optimizer_state is not None:
        optimizer.param_groups, optimizer.state = new_optimizer_state
    if scheduler_state is not None:
        scheduler.load_state_dict(scheduler_state)
    bit_generator.state = rng
    return {"epoch": epoch, "history": history}


def _like(saved: Any, template: Any) -> Any:
    """A format-1 value (plain JSON) given back the types of the live ``template``: int keys of a
    dict (a MultiStepLR's milestones) and tuples, which JSON had turned into strings and lists."""
    if isinstance(saved, dict) and isinstance(template, dict):
        kinds = {type(k) for k in template}
        out = {(int(k) if kinds == {int} and isinstance(k, str) and k.lstrip("-").isdigit() else k):
               _like(v, next(iter(template.values()), None)) for k, v in saved.items()}
        return type(template)(out) if isinstance(template, Counter) else out
    if isinstance(saved, list) and isinstance(template, (list, tuple)):
        items = [_like(v, template[0] if template else None) for v in saved]
        return tuple(items) if isinstance(template, tuple) else items
    return saved


def _scheduler_problems(saved: Any, current: dict[str, Any]) -> list[str]:
    """Why a saved scheduler state does not fit a scheduler whose state is ``current`` (empty: it fits)."""
    if not isinstance(saved, dict):
        return [f"it is a {type(saved).__name__}, not a dict"]
    problems = [f"unknown entry {key!r}" for key in saved if key not in current]
    for key, value in saved.items():
        if key not in current or value is None or current[key] is None:
            continue
        mine = current[key]
        if isinstance(mine, numbers.Real) and isinstance(value, numbers.Real) and \
                isinstance(mine, bool) == isinstance(value, bool):
            continue
        if type(mine) is not type(value):
            problems.append(f"{key!r} is a {type(value).__name__}, the scheduler's is a {type(mine).__name__}")
        elif isinstance(mine, list) and len(mine) != len(value):
            problems.append(f"{key!r} has {len(value)} entries (one per parameter group?), the scheduler's "
                            f"has {len(mine)}")
    return problems


# ----------------------------------------------------------------------------------------------
# The loop


def _report_mode(verbose: int | str, progress: bool | None) -> int:
    """What ``fit`` reports: 0 nothing, 1 a progress bar, 2 one line per epoch."""
    if progress is not None:
        if verbose != "auto":
            raise ValueError(f"fit: give verbose or progress (its older spelling), not both; got "
                             f"verbose={verbose!r}, progress={progress!r}")
        verbose = 1 if progress else 0
    if verbose == "auto":
        notebook = type(sys.stdout).__module__.startswith("ipykernel")
        terminal = _isatty(sys.stdout) and _isatty(sys.stderr)
        return 1 if terminal or notebook else 2
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"fit: verbose must be 0 (silent), 1 (a progress bar), 2 (one line per epoch) "
                         f"or 'auto', got {verbose!r}")
    return int(verbose)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _progress_bar(loader: Any, description: str) -> Any:
    """A tqdm bar on stderr for one epoch over ``loader`` (advanced by hand, so that it stays open
    for the validation figures), or None without tqdm."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    total = len(loader) if hasattr(loader, "__len__") else None
    return tqdm(total=total, desc=description, unit="batch", leave=True, dynamic_ncols=True, disable=False)


def _figures(loss: float, accuracy: float) -> dict[str, str]:
    """``{"loss": "0.1234", "acc": "0.956"}``; no accuracy where the task has none."""
    return {"loss": f"{loss:.4f}", **({} if math.isnan(accuracy) else {"acc": f"{accuracy:.4f}"})}


def _epoch_line(epoch: int, epochs: int, history: History, train_loss: float, train_acc: float,
                seconds: float, lr: float | None) -> str:
    """One line of the per-epoch log: epoch, training and validation figures, time and speed."""
    def part(name: str, loss: float, acc: float) -> str:
        return f"{name} " + ", ".join(f"{k} {v}" for k, v in _figures(loss, acc).items()).replace("acc ", "accuracy ")

    width = len(str(epochs))
    parts = [f"epoch {epoch + 1:>{width}}/{epochs}", part("train", train_loss, train_acc)]
    if history.val_loss:
        parts.append(part("validation", history.val_loss[-1], history.val_accuracy[-1]))
    if lr is not None:
        parts.append(f"lr {lr:.3g}")
    parts.append(f"{seconds:.3g} s, {history.samples_per_second[-1]:,.0f} samples/s")
    return " | ".join(parts)


def fit(model: Any, loss_fn: Callable[..., Any], optimizer: Any, train_loader: Iterable[Any],
        val_loader: Iterable[Any] | None = None, epochs: int = 1, scheduler: Any = None,
        callbacks: Sequence[Callable[[int, History, Any], Any]] = (),
        checkpoint_path: str | os.PathLike[str] | None = None, resume: bool = False,
        progress: bool | None = None, verbose: int | str = "auto") -> History:
    """Train ``model`` for ``epochs`` epochs; return the :class:`History`.

    Parameters
    ----------
    model : Module
        The :class:`tensorlite.nn.Module` to train; put in train mode for each epoch.
    loss_fn : callable
        Called as ``loss_fn(model(x), y)``; returns a scalar tensor.
    optimizer : Optimizer
        A :class:`tensorlite.optim.Optimizer` over the model's parameters.
    train_loader : iterable of (x, y) batches
        E.g. a :class:`tensorlite.data.DataLoader`.
    val_loader : iterable of (x, y) batches, optional
        Evaluated (see :func:`evaluate`) after each epoch.
    epochs : int, default 1
        The total number of epochs, counting those a resumed checkpoint already did.
    scheduler : lr scheduler, optional
        Stepped once per epoch; a ``ReduceLROnPlateau`` is given the validation loss (or the
        epoch's mean training loss without a validation loader).
    callbacks : sequence of callable, default ()
        Called as ``callback(epoch, history, model)`` after each epoch; a true return value
        stops training (see :class:`EarlyStopping`).
    checkpoint_path : str or os.PathLike, optional
        Write a checkpoint there after every epoch (see :func:`save_checkpoint`).
    resume : bool, default False
        When ``checkpoint_path`` exists, restore model, optimizer, scheduler, random state and
        history from it and continue with the next epoch. Callbacks are not in the checkpoint:
        an :class:`EarlyStopping` starts counting afresh after a resume.
    progress : bool, optional
        The older spelling of ``verbose``: True is ``verbose=1``, False is ``verbose=0``.
    verbose : {'auto', 0, 1, 2}, default 'auto'
        What ``fit`` reports while it trains. 0: nothing. 1: a tqdm bar per epoch on stderr
        (batch x/y, rate, the epoch's running training loss and accuracy, and at the end of the
        epoch the validation loss and accuracy). 2: one line per epoch on stdout, flushed at
        once: the epoch, training loss and accuracy (the epoch's means), validation loss and
        accuracy, the learning rate when there is a scheduler, the epoch's wall time
        (validation included) and training samples per second. 'auto': 1 when stdout and
        stderr are both terminals (or in a Jupyter notebook), else 2 (logs, CI, ``nohup``,
        ``python train.py > log.txt``). Without tqdm installed, 1 falls back to 2.

    Notes
    -----
    Under ``mpiexec`` (a :mod:`tensorlite.distributed` process group with several ranks, a
    :class:`~tensorlite.nn.parallel.DistributedDataParallel` model and loaders with a
    :class:`~tensorlite.data.DistributedSampler`), every rank calls ``fit`` alike: the samplers
    get ``set_epoch(epoch)``, the history's losses and accuracies are the means over the ranks
    (the same on every rank, so callbacks and schedulers decide alike; a stop on any rank stops
    all), ``samples_per_second`` counts every rank's samples, only rank 0 shows the progress bar
    and writes the checkpoint (of the wrapped model, without the ``module.`` prefix), and a
    resume reads it on every rank.

    Returns
    -------
    History
        per-iteration training loss and accuracy, per-epoch validation figures, lr and speed.

    Examples
    --------
    >>> import os, tempfile, numpy as np, tensorlite as tl
    >>> from tensorlite import nn, optim
    >>> from tensorlite.data import DataLoader, TensorDataset
    >>> from tensorlite.training import fit
    >>> tl.manual_seed(0)
    >>> x = np.random.default_rng(0).normal(size=(200, 2)).astype(np.float32)
    >>> y = (x[:, 0] > 0).astype(np.int64)               # two classes, split by the first feature
    >>> train = DataLoader(TensorDataset(x[:160], y[:160]), batch_size=32, shuffle=True)
    >>> val = DataLoader(TensorDataset(x[160:], y[160:]), batch_size=40)
    >>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    >>> optimizer = optim.Adam(model.parameters(), lr=0.05)
    >>> path = os.path.join(tempfile.mkdtemp(), "run.npz")
    >>> history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=2,
    ...               checkpoint_path=path, verbose=0)
    >>> len(history.train_loss), history.epochs       # 5 batches an epoch
    (10, 2)
    >>> history = fit(model, nn.CrossEntropyLoss(), optimizer, train, val, epochs=4,
    ...               checkpoint_path=path, resume=True, verbose=2)   # runs epochs 3 and 4
    ... # doctest: +ELLIPSIS
    epoch 3/4 | train loss ..., accuracy ... | validation loss ..., accuracy ... | ... s, ... samples/s
    epoch 4/4 | train loss ..., accuracy ... | validation loss ..., accuracy ... | ... s, ... samples/s
    >>> history.epochs, history.val_accuracy[-1] > 0.9
    (4, True)
    """
    history = History()
    start_epoch = 0
    ranks = _ranks()  # several ranks under mpiexec: (rank, world size), else None
    mode = 0 if ranks is not None and ranks[0] != 0 else _report_mode(verbose, progress)  # rank 0 reports
    if resume and checkpoint_path is not None and os.path.exists(checkpoint_path):
        restored = load_checkpoint(checkpoint_path, _unwrapped(model), optimizer, scheduler)
        start_epoch = restored["epoch"] + 1
        history = restored["history"] or history
    for epoch in range(start_epoch, epochs):
        model.train()
        for loader in (train_loader, val_loader):
            if hasattr(getattr(loader, "sampler", None), "set_epoch"):
                loader.sampler.set_epoch(epoch)  # type: ignore[union-attr]
        started, samples, first = time.perf_counter(), 0, len(history.train_loss)
        loss_sum = correct = 0.0  # the epoch's running sums, weighted by batch size
        bar = _progress_bar(train_loader, f"epoch {epoch + 1}/{epochs}") if mode == 1 else None
        for x, y in train_loader:
            optimizer.zero_grad()
            output = model(x)
            loss = loss_fn(output, y)
            loss.backward()
            optimizer.step()
            history.train_loss.append(float(loss.data))
            history.train_accuracy.append(accuracy(output, y))
            samples += len(y)
            loss_sum += history.train_loss[-1] * len(y)
            correct += history.train_accuracy[-1] * len(y)
            if bar is not None:
                bar.set_postfix(_figures(loss_sum / samples, correct / samples), refresh=False)
                bar.update()
        elapsed = time.perf_counter() - started
        if ranks is not None:  # every rank's mean figures: the same history and line on each
            samples, elapsed = _mean_over_ranks(history, first, samples, elapsed)
            count = len(history.train_loss) - first
            loss_sum = sum(history.train_loss[first:]) * samples / count if count else 0.0
            correct = sum(history.train_accuracy[first:]) * samples / count if count else 0.0
        history.epoch_iteration.append(len(history.train_loss))
        history.epoch_time.append(elapsed)
        history.samples_per_second.append(samples / elapsed if elapsed > 0 else math.nan)
        if val_loader is not None:
            val_loss, val_acc = evaluate(model, loss_fn, val_loader)
            if ranks is not None:
                val_loss, val_acc = _all_reduce_floats([val_loss, val_acc], "mean")
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_acc)
        train_loss, train_acc = (loss_sum / samples, correct / samples) if samples else (math.nan, math.nan)
        if bar is not None:  # the epoch's means, and the validation figures, stay on the finished bar
            val = _figures(history.val_loss[-1], history.val_accuracy[-1]) if val_loader is not None else {}
            bar.set_postfix({**_figures(train_loss, train_acc), **{f"val_{k}": v for k, v in val.items()}},
                            refresh=False)
            bar.close()
        if scheduler is not None:
            if hasattr(scheduler, "num_bad_epochs"):  # ReduceLROnPlateau steps on a figure
                scheduler.step(history.val_loss[-1] if history.val_loss
                               else float(xp.mean(history.train_loss[first:])))
            else:
                scheduler.step()
        history.lr.append(float(optimizer.param_groups[0]["lr"]))
        if mode == 2 or (mode == 1 and bar is None):
            print(_epoch_line(epoch, epochs, history, train_loss, train_acc, time.perf_counter() - started,
                              history.lr[-1] if scheduler is not None else None), flush=True)
        if checkpoint_path is not None and (ranks is None or ranks[0] == 0):
            save_checkpoint(checkpoint_path, _unwrapped(model), optimizer, scheduler, epoch, history)
        stop = any([bool(callback(epoch, history, model)) for callback in callbacks])
        if ranks is not None:
            stop = bool(_all_reduce_floats([float(stop)], "max")[0])
        if stop:
            break
    return history


# ----------------------------------------------------------------------------------------------
# Under mpiexec (tensorlite.distributed)


def _ranks() -> tuple[int, int] | None:
    """(rank, world size) when a process group of several ranks exists, else None."""
    from tensorlite import distributed as dist

    if not dist.is_initialized() or dist.get_world_size() == 1:
        return None
    return dist.get_rank(), dist.get_world_size()


def _unwrapped(model: Any) -> Any:
    """The model inside a DistributedDataParallel wrapper (what checkpoints hold), or ``model``."""
    from tensorlite.nn.parallel import DistributedDataParallel

    return model.module if isinstance(model, DistributedDataParallel) else model


def _all_reduce_floats(values: list[float], op: str) -> list[float]:
    from tensorlite import distributed as dist

    array = xp.asarray(values, dtype=xp.float64)
    dist.all_reduce(array, op=op)
    return array.tolist()


def _mean_over_ranks(history: History, first: int, samples: int, elapsed: float) -> tuple[int, float]:
    """Replace the epoch's per-iteration figures by their means over the ranks; return every
    rank's samples and the slowest rank's time."""
    count = len(history.train_loss) - first
    low, high = _all_reduce_floats([-count, count], "max")
    if -low != high:
        raise RuntimeError(f"fit: the ranks ran between {-low:.0f} and {high:.0f} batches this epoch; give "
                           "every rank an equal share, e.g. with tensorlite.data.DistributedSampler")
    merged = _all_reduce_floats(history.train_loss[first:] + history.train_accuracy[first:], "mean")
    history.train_loss[first:], history.train_accuracy[first:] = merged[:count], merged[count:]
    total = _all_reduce_floats([float(samples)], "sum")[0]
    return int(total), _all_reduce_floats([elapsed], "max")[0]


# ----------------------------------------------------------------------------------------------
# Plots


def plot_history(history: History, path: str | os.PathLike[str], title: str = "") -> tuple[str, str]:
    """Draw the loss and the accuracy against the iteration, as two PNG files.

    Training values are dots (one per iteration); validation values are a line through the
    epoch ends, which are marked on a second axis, "epoch", along the top. The accuracy axis is
    in percent and leaves room above 100%, so points at 100% show whole. ``path`` is a prefix:
    ``plot_history(h, "results/cnn")`` writes ``results/cnn_loss.png`` and
    ``results/cnn_accuracy.png`` (a trailing ``.png`` is dropped). Uses matplotlib's Agg backend,
    so it works without a display (matplotlib is in the ``examples`` extra).

    Parameters
    ----------
    history : History
        What :func:`fit` returned.
    path : str or os.PathLike
        The prefix of the two file names.
    title : str, default ''
        What was trained, for the plot titles: ``"CNN on the MNIST subset"`` gives "CNN on the
        MNIST subset: loss" and "CNN on the MNIST subset: accuracy".

    Returns
    -------
    (loss_path, accuracy_path) : tuple of str

    Examples
    --------
    >>> import os, tempfile
    >>> from tensorlite.training import History, plot_history
    >>> h = History(train_loss=[0.9, 0.7, 0.5, 0.4], train_accuracy=[0.5, 0.6, 0.8, 0.9],
    ...             epoch_iteration=[2, 4], val_loss=[0.8, 0.5], val_accuracy=[0.7, 0.85])
    >>> loss_png, accuracy_png = plot_history(h, os.path.join(tempfile.mkdtemp(), "run"), title="demo")
    >>> os.path.basename(loss_png), os.path.basename(accuracy_png), os.path.getsize(loss_png) > 0
    ('run_loss.png', 'run_accuracy.png', True)
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    prefix = os.fspath(path)
    if prefix.endswith(".png"):
        prefix = prefix[:-4]
    paths = []
    for name in ("loss", "accuracy"):
        fig = _history_figure(history, name, title)
        out = f"{prefix}_{name}.png"
        fig.savefig(out)
        plt.close(fig)
        paths.append(out)
    return paths[0], paths[1]


def _history_figure(history: History, name: str, title: str) -> Any:
    """The matplotlib figure of one of :func:`plot_history`'s plots (``name``: loss or accuracy)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    train = getattr(history, f"train_{name}")
    val = getattr(history, f"val_{name}")
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    ax.plot(xp.arange(1, len(train) + 1), train, ".", markersize=2, alpha=0.35, label="training (per iteration)")
    if val:
        ax.plot(history.epoch_iteration[-len(val):], val, "-o", linewidth=2, markersize=4,
                label="validation (per epoch)")
    ax.set_xlabel("iteration")
    ax.set_ylabel(name)
    if name == "accuracy":
        values = [v for v in (*train, *val) if not math.isnan(v)]
        low = min(0.8, *values) if values else 0.0
        ax.set_ylim(low, 1.0 + 0.03 * (1.0 - low))  # room above 100%: a point there shows whole
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(f"{title}: {name}" if title else f"training and validation {name}")
    ends = history.epoch_iteration
    if ends:  # epoch marks: faint lines at each epoch's end, numbered along the top
        for end in ends:
            ax.axvline(end, color="0.85", linewidth=0.8, zorder=0)
        step = max(1, math.ceil(len(ends) / 12))
        shown = [e for e in range(len(ends)) if (e + 1) % step == 0 or e == len(ends) - 1]
        top = ax.secondary_xaxis("top")
        top.set_xticks([ends[e] for e in shown], labels=[str(e + 1) for e in shown])
        top.set_xlabel("epoch (marks at each epoch's end)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="lower right" if name == "accuracy" else "upper right")
    fig.tight_layout()
    return fig
