"""The older library's evaluators: running loss and metrics over the batches of an epoch.

Each has ``update(predictions, labels, loss)``, ``reset()``, ``.loss`` (the mean per-sample loss
seen since the reset, infinities and NaNs left out) and ``.evaluation_metric`` (the attribute named
by ``evaluation_metric``, which :class:`~tensorlite.legacy.utils.trainers.ClassificationTrainer`
maximises). Inputs may be Tensors or arrays. Only NumPy is needed (the older library used
scikit-learn and pandas).

Corrected on the way: ``MulticlassEvaluator.accuracy`` is the fraction of correct predictions
(the older one averaged the one-vs-rest accuracies of the classes, ``1 - 2 * error / C``, which
reads far higher); ``BinaryEvaluator`` and ``RegressionEvaluator`` work (the old ones failed in
their constructors).
"""
from __future__ import annotations

from typing import Any

from tensorlite.backend import xp
from tensorlite.tensor import Tensor

__all__ = ["Evaluator", "MulticlassEvaluator", "BinaryEvaluator", "RegressionEvaluator"]


def _array(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else xp.asarray(value)


class Evaluator:
    """Base of the evaluators: the running loss and the choice of evaluation metric.

    Parameters
    ----------
    evaluation_metric : str
        The name of the attribute :attr:`evaluation_metric` returns (higher is better).

    Examples
    --------
    >>> from tensorlite.legacy.evaluators import MulticlassEvaluator
    >>> ev = MulticlassEvaluator(n_classes=3)
    >>> ev.evaluation_metric_name
    'accuracy'
    """

    def __init__(self, evaluation_metric: str) -> None:
        self.evaluation_metric_name = evaluation_metric
        self.loss_sum = 0.0
        self.num_examples = 0

    @property
    def evaluation_metric(self) -> float:
        """The value of the metric named by ``evaluation_metric_name``."""
        return float(getattr(self, self.evaluation_metric_name))

    @property
    def loss(self) -> float:
        """The mean per-sample loss since the last reset (NaN before any update)."""
        return self.loss_sum / self.num_examples if self.num_examples else float("nan")

    def _add_loss(self, loss: Any) -> None:
        if loss is None:
            return
        values = _array(loss).astype(xp.float64).ravel()
        values = values[xp.isfinite(values)]
        self.loss_sum += float(values.sum())
        self.num_examples += values.size

    def update(self, predictions: Any, labels: Any, loss: Any) -> None:  # pragma: no cover - abstract
        """Add a batch (each evaluator defines it)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget everything seen (each evaluator extends it)."""
        self.loss_sum = 0.0
        self.num_examples = 0


class MulticlassEvaluator(Evaluator):
    """Running confusion matrix, accuracy and per-class rates of a C-class classifier.

    Parameters
    ----------
    n_classes : int, optional
        C; taken from the first batch's predictions when omitted.
    labels : sequence, optional
        A name per class (kept as ``labels``).
    evaluation_metric : str, default 'accuracy'
        Also ``'tpr'`` (mean recall), ``'ppv'`` (mean precision) or ``'f1_score'``.

    Attributes
    ----------
    cm : ndarray (C, C)
        The confusion matrix: ``cm[i, j]`` counts samples of true class i predicted as j.
    history : dict of lists
        Per batch: ``'loss'`` and ``'accuracy'``.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy.evaluators import MulticlassEvaluator
    >>> ev = MulticlassEvaluator(n_classes=3)
    >>> scores = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    >>> ev.update(scores, np.eye(3)[[0, 1, 2]], np.array([0.2, 0.4, 2.3]))
    >>> ev.accuracy, round(ev.loss, 3)
    (0.6666666666666666, 0.967)
    >>> ev.cm
    array([[1, 0, 0],
           [0, 1, 0],
           [1, 0, 0]])
    """

    def __init__(self, n_classes: int | None = None, labels: Any = None, evaluation_metric: str = "accuracy") -> None:
        super().__init__(evaluation_metric)
        if labels is not None and n_classes is not None and len(labels) != n_classes:
            raise ValueError(f"MulticlassEvaluator: {len(labels)} labels for {n_classes} classes")
        self.n_classes = n_classes if n_classes is not None else (len(labels) if labels is not None else None)
        self.labels = labels
        self.reset()

    def reset(self) -> None:
        """Zero the confusion matrix and the running loss; clear the history."""
        super().reset()
        self.cm = xp.zeros((self.n_classes or 0,) * 2, dtype=xp.int64)
        self.history: dict[str, list[float]] = {"loss": [], "accuracy": []}

    def update(self, predictions: Any, labels: Any, loss: Any) -> None:
        """Add a batch.

        Parameters
        ----------
        predictions : Tensor or ndarray (N, C)
            Scores or probabilities; the prediction is the argmax.
        labels : Tensor or ndarray
            One-hot (N, C) or class indices (N,).
        loss : Tensor, ndarray or number
            The per-sample losses (N,) (or one number per batch); None adds no loss.
        """
        p = _array(predictions)
        if p.ndim != 2:
            raise ValueError(f"MulticlassEvaluator.update: predictions must be (N, C), got shape {p.shape}")
        if self.n_classes is None:
            self.n_classes = p.shape[1]
            self.cm = xp.zeros((self.n_classes,) * 2, dtype=xp.int64)
        c = self.n_classes
        t = _array(labels)
        true = t.argmax(axis=1) if t.ndim == 2 else t.astype(xp.int64)
        if p.shape[1] != c or true.shape != (p.shape[0],):
            raise ValueError(f"MulticlassEvaluator.update: predictions {p.shape} and labels {t.shape} do not "
                             f"match {c} classes and each other")
        batch = xp.bincount(true * c + p.argmax(axis=1), minlength=c * c).reshape(c, c)
        self.cm += batch
        self._add_loss(loss)
        loss_mean = _array(loss).astype(xp.float64).mean() if loss is not None else float("nan")
        self.history["loss"].append(float(loss_mean))
        self.history["accuracy"].append(float(xp.trace(batch) / max(batch.sum(), 1)))

    @property
    def tps(self) -> Any:
        """True positives per class."""
        return xp.diag(self.cm)

    @property
    def fps(self) -> Any:
        """False positives per class (predicted as the class, of another class)."""
        return self.cm.sum(axis=0) - self.tps

    @property
    def fns(self) -> Any:
        """False negatives per class (of the class, predicted as another)."""
        return self.cm.sum(axis=1) - self.tps

    @property
    def tns(self) -> Any:
        """True negatives per class."""
        return self.cm.sum() - self.tps - self.fps - self.fns

    @property
    def accuracy(self) -> float:
        """The fraction of samples predicted correctly."""
        total = self.cm.sum()
        return float(xp.trace(self.cm) / total) if total else float("nan")

    @property
    def accuracies(self) -> Any:
        """Per class, the one-vs-rest accuracy ``(tp + tn) / total`` (the older library's average)."""
        return (self.tps + self.tns) / max(int(self.cm.sum()), 1)

    @property
    def tprs(self) -> Any:
        """Recall (true positive rate) per class."""
        return self.tps / xp.maximum(self.tps + self.fns, 1)

    @property
    def ppvs(self) -> Any:
        """Precision (positive predictive value) per class."""
        return self.tps / xp.maximum(self.tps + self.fps, 1)

    @property
    def f1_scores(self) -> Any:
        """F1 score per class."""
        return 2 * self.tps / xp.maximum(2 * self.tps + self.fps + self.fns, 1)

    @property
    def tpr(self) -> float:
        """Mean recall over the classes."""
        return float(self.tprs.mean())

    @property
    def ppv(self) -> float:
        """Mean precision over the classes."""
        return float(self.ppvs.mean())

    @property
    def f1_score(self) -> float:
        """Mean F1 score over the classes."""
        return float(self.f1_scores.mean())


def _binary_inputs(probabilities: Any, labels: Any) -> tuple[Any, Any]:
    p, t = _array(probabilities).astype(xp.float64), _array(labels)
    if p.ndim == 2:
        p = p[:, -1]  # (N, 1) or (N, 2): the positive class is the last column
    if t.ndim == 2:
        t = t.argmax(axis=1) if t.shape[1] > 1 else t[:, 0]
    if p.shape != t.shape or p.ndim != 1:
        raise ValueError(f"BinaryEvaluator.update: probabilities {p.shape} and labels {t.shape} do not match")
    return p, t.astype(xp.int64)


class BinaryEvaluator(Evaluator):
    """Running metrics of a binary classifier from its positive-class probabilities.

    Parameters
    ----------
    evaluation_metric : str, default 'recall'
        Also ``'fpr'``, ``'precision'``, ``'accuracy'``, ``'auc'``.
    threshold : float, default 0.5
        Probabilities at or above it count as positive predictions.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy.evaluators import BinaryEvaluator
    >>> ev = BinaryEvaluator()
    >>> ev.update(np.array([0.9, 0.4, 0.7, 0.2]), np.array([1, 1, 0, 0]), np.zeros(4))
    >>> ev.recall, ev.fpr, ev.accuracy, ev.auc
    (0.5, 0.5, 0.5, 0.75)
    """

    def __init__(self, evaluation_metric: str = "recall", threshold: float = 0.5) -> None:
        super().__init__(evaluation_metric)
        self.threshold = float(threshold)
        self.reset()

    def reset(self) -> None:
        """Forget the probabilities, labels and losses seen."""
        super().reset()
        self.probabilities = xp.zeros(0)
        self.labels = xp.zeros(0, dtype=xp.int64)

    def update(self, probabilities: Any, labels: Any, loss: Any) -> None:
        """Add a batch.

        Parameters
        ----------
        probabilities : Tensor or ndarray
            Of the positive class, (N,) or (N, 1); or (N, 2) probabilities of both classes.
        labels : Tensor or ndarray
            0/1 labels (N,), or one-hot (N, 2).
        loss : Tensor, ndarray or number
            The per-sample losses; None adds no loss.
        """
        p, t = _binary_inputs(probabilities, labels)
        self.probabilities = xp.concatenate([self.probabilities, p])
        self.labels = xp.concatenate([self.labels, t])
        self._add_loss(loss)

    def _counts(self, threshold: float) -> tuple[int, int, int, int]:
        predicted = self.probabilities >= threshold
        positive = self.labels == 1
        tp = int((predicted & positive).sum())
        fp = int((predicted & ~positive).sum())
        return tp, fp, int((~predicted & ~positive).sum()), int((~predicted & positive).sum())

    def evaluate_decision_boundary(self, decision_boundary: float) -> dict[str, float]:
        """The metrics when probabilities at or above ``decision_boundary`` count as positive.

        Parameters
        ----------
        decision_boundary : float
            The threshold.

        Returns
        -------
        dict
            ``tpr fpr ppv tnr fnr npv`` (rates) and ``tp tn fp fn`` (counts).
        """
        tp, fp, tn, fn = self._counts(decision_boundary)
        return {"tpr": tp / max(tp + fn, 1), "fpr": fp / max(fp + tn, 1), "ppv": tp / max(tp + fp, 1),
                "tnr": tn / max(tn + fp, 1), "fnr": fn / max(fn + tp, 1), "npv": tn / max(tn + fn, 1),
                "tp": tp, "tn": tn, "fp": fp, "fn": fn}

    def find_decision_boundary(self, fixed_tpr: float | None = None, fixed_fpr: float | None = None) -> float:
        """The highest threshold whose recall reaches ``fixed_tpr``, or the lowest whose false
        positive rate stays at or below ``fixed_fpr`` (give exactly one).

        Parameters
        ----------
        fixed_tpr : float, optional
            The recall to reach.
        fixed_fpr : float, optional
            The false positive rate not to exceed.

        Returns
        -------
        float
            The threshold (one of the probabilities seen).
        """
        if (fixed_tpr is None) == (fixed_fpr is None):
            raise ValueError("BinaryEvaluator.find_decision_boundary: give exactly one of fixed_tpr and fixed_fpr")
        candidates = xp.unique(self.probabilities)[::-1]  # high to low: recall and fpr grow
        if candidates.size == 0:
            raise ValueError("BinaryEvaluator.find_decision_boundary: no predictions seen since the reset")
        chosen = candidates[0]
        for threshold in candidates:
            rates = self.evaluate_decision_boundary(float(threshold))
            if fixed_tpr is not None:
                chosen = threshold
                if rates["tpr"] >= fixed_tpr:
                    break
            elif fixed_fpr is not None and rates["fpr"] <= fixed_fpr:
                chosen = threshold
            else:
                break
        return float(chosen)

    @property
    def recall(self) -> float:
        """True positive rate at ``threshold``."""
        return self.evaluate_decision_boundary(self.threshold)["tpr"]

    @property
    def fpr(self) -> float:
        """False positive rate at ``threshold``."""
        return self.evaluate_decision_boundary(self.threshold)["fpr"]

    @property
    def precision(self) -> float:
        """Positive predictive value at ``threshold``."""
        return self.evaluate_decision_boundary(self.threshold)["ppv"]

    @property
    def accuracy(self) -> float:
        """Fraction of correct predictions at ``threshold``."""
        tp, fp, tn, fn = self._counts(self.threshold)
        return (tp + tn) / max(tp + fp + tn + fn, 1)

    @property
    def auc(self) -> float:
        """Area under the ROC curve (the probability that a random positive scores above a random
        negative, ties counting one half); NaN without both classes."""
        positive = self.labels == 1
        n_pos, n_neg = int(positive.sum()), int((~positive).sum())
        if not n_pos or not n_neg:
            return float("nan")
        values, inverse, counts = xp.unique(self.probabilities, return_inverse=True, return_counts=True)
        average_rank = xp.cumsum(counts) - (counts - 1) / 2  # 1-based ranks, ties averaged
        rank_sum = average_rank[inverse][positive].sum()
        return float((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


class RegressionEvaluator(Evaluator):
    """Running error and correlation of a regression model's predictions.

    Parameters
    ----------
    evaluation_metric : str, default 'pearson'
        Also ``'r2'``, or ``'negative_mse'`` (higher is better for each).

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy.evaluators import RegressionEvaluator
    >>> ev = RegressionEvaluator()
    >>> ev.update(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.5, 3.5]), np.array([0.0, 0.125, 0.125]))
    >>> round(ev.pearson, 4), round(ev.mse, 4), round(ev.mae, 4), round(ev.loss, 4)
    (0.9934, 0.1667, 0.3333, 0.0833)
    """

    def __init__(self, evaluation_metric: str = "pearson") -> None:
        super().__init__(evaluation_metric)
        self.reset()

    def reset(self) -> None:
        """Zero the running sums."""
        super().reset()
        self._sums = xp.zeros(7)  # n, sum x, sum y, sum xx, sum yy, sum xy, sum |x - y|

    def update(self, predictions: Any, labels: Any, loss: Any = None) -> None:
        """Add a batch.

        Parameters
        ----------
        predictions : Tensor or ndarray
            Predictions, any shape (flattened).
        labels : Tensor or ndarray
            Targets of the same shape.
        loss : Tensor, ndarray or number, optional
            The per-sample losses; None adds no loss.
        """
        x, y = _array(predictions).astype(xp.float64).ravel(), _array(labels).astype(xp.float64).ravel()
        if x.shape != y.shape:
            raise ValueError(f"RegressionEvaluator.update: {x.size} predictions for {y.size} targets")
        self._sums += [x.size, x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum(), abs(x - y).sum()]
        self._add_loss(loss)

    @property
    def mse(self) -> float:
        """Mean squared error."""
        n, sx, sy, sxx, syy, sxy, _ = self._sums
        return float((sxx - 2 * sxy + syy) / n) if n else float("nan")

    @property
    def negative_mse(self) -> float:
        """Minus the mean squared error (to maximise)."""
        return -self.mse

    @property
    def mae(self) -> float:
        """Mean absolute error."""
        return float(self._sums[6] / self._sums[0]) if self._sums[0] else float("nan")

    @property
    def pearson(self) -> float:
        """Pearson correlation of predictions and targets."""
        n, sx, sy, sxx, syy, sxy, _ = self._sums
        cov, vx, vy = n * sxy - sx * sy, n * sxx - sx * sx, n * syy - sy * sy
        return float(cov / xp.sqrt(vx * vy)) if vx > 0 and vy > 0 else float("nan")

    @property
    def r2(self) -> float:
        """Coefficient of determination, ``1 - SSE / SST``."""
        n, _, sy, _, syy, _, _ = self._sums
        sst = syy - sy * sy / n if n else 0.0
        return float(1 - self.mse * n / sst) if sst > 0 else float("nan")
