"""Anomaly detection: find the op whose forward or backward rule first produced a NaN or an inf.

NaN and inf are numbers, not errors: ops pass them on silently. Under :class:`detect_anomaly`
(or after ``set_detect_anomaly(True)``) every op checks its result, and the first op that turns
finite inputs into a NaN or an inf -- in its forward, or in its backward rule from a finite
upstream gradient -- raises :class:`AnomalyError`, naming the op, the module that ran it, its
input shapes and the line of your code that called it. An op that merely passes on a NaN it
was given is not the culprit and does not raise.

It is a hook of the engine (:func:`tensorlite.autograd.push_hook`, as ``tl.profile()`` is): when
off, it costs nothing beyond the one check the engine makes for any hook.
"""
from __future__ import annotations

import contextlib
import linecache
import os
import sys
import zlib
from typing import Any

from tensorlite import autograd
from tensorlite.backend import ndarray, xp

__all__ = ["AnomalyError", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


class AnomalyError(RuntimeError):
    """An op produced a NaN or an inf from finite values, under :class:`detect_anomaly`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> issubclass(tl.AnomalyError, RuntimeError)
    True
    """


def _finite(array: Any) -> bool:
    return not isinstance(array, ndarray) or array.dtype.kind != "f" or bool(xp.isfinite(array).all())


def _bad_values(array: Any) -> str:
    kinds = [name for name, mask in (("NaN", xp.isnan(array)), ("inf", xp.isinf(array))) if mask.any()]
    return " and ".join(kinds)


def _crc(array: Any) -> int:
    return zlib.crc32(xp.ascontiguousarray(array).data)


def _checksums(saved: Any) -> list[tuple[Any, int]]:
    """``(array, crc32 of its bytes)`` for each array an entry saved, to catch writes made with
    plain NumPy (``x.data[...] = ...``), which the version counter cannot see."""
    arrays = []
    for item in saved or ():
        for array in (item if isinstance(item, (tuple, list)) else (item,)):
            if isinstance(array, ndarray):
                arrays.append((array, _crc(array)))
    return arrays


def _caller() -> str:
    """``file:line: source`` of the innermost frame outside the tensorlite package."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "an unknown line"
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    source = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f"{where}: {source}" if source else where


class _Record:
    """What anomaly detection keeps on a recorded entry for its backward check."""

    __slots__ = ("caller", "module", "input_shapes", "inputs_finite", "checksums")

    def __init__(self, caller: str, module: str, input_shapes: list[Any], inputs_finite: bool) -> None:
        self.caller, self.module = caller, module
        self.input_shapes, self.inputs_finite = input_shapes, inputs_finite
        self.checksums: list[tuple[Any, int]] = []

    def describe(self) -> str:
        shapes = ", ".join(str(s) for s in self.input_shapes) or "none"
        module = f"\n  module: {self.module}" if self.module else ""
        return f"{module}\n  input shapes: {shapes}\n  called from: {self.caller}"


class _Detector:
    """The engine hook: checks each op's output in ``apply`` and its gradients in ``backward``."""

    def __init__(self) -> None:
        self._busy = False
        self._outer: Any = None

    def apply(self, cls: Any, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
        self._busy = True
        try:  # NumPy's overflow and divide warnings give way to the report below
            outer = self._outer
            with xp.errstate(all="ignore"):
                out = outer.apply(cls, inputs, params) if outer is not None else cls.apply(*inputs, **params)
        finally:
            self._busy = False
        inputs_finite = all(_finite(t.data) for t in inputs)
        if out._ctx is not None or (inputs_finite and not _finite(out.data)):
            record = _Record(_caller(), autograd.module_path(autograd.function._calls.frame),
                             [t.shape for t in inputs], inputs_finite)
            if inputs_finite and not _finite(out.data):
                raise AnomalyError(
                    f"detect_anomaly: the forward of {cls.__name__} produced {_bad_values(out.data)} "
                    f"in its output of shape {out.shape} from finite inputs{record.describe()}"
                )
            record.checksums = _checksums(out._ctx.saved)
            out._ctx.anomaly = record
        return out

    def backward(self, op: Any, grad: Any) -> Any:
        record = getattr(op, "anomaly", None)  # None for entries recorded before detection began
        if record is not None:
            for array, checksum in record.checksums:
                if _crc(array) != checksum:
                    raise AnomalyError(
                        f"detect_anomaly: an array of shape {array.shape} that {op.name} saved for "
                        "its backward rule was changed after it was recorded (a write that bypassed "
                        "the version counter, such as x.data[...] = ... with NumPy); the gradient "
                        f"would be wrong{record.describe()}"
                    )
        outer = self._outer
        with xp.errstate(all="ignore"):
            in_grads = outer.backward(op, grad) if outer is not None else op.backward(grad)
        if record is None or not record.inputs_finite or not _finite(grad):
            return in_grads  # passing on a NaN it was given does not make this op the culprit
        for i, g in enumerate(in_grads if type(in_grads) is tuple else (in_grads,)):
            if g is not None and not _finite(xp.asarray(g)):
                raise AnomalyError(
                    f"detect_anomaly: the backward rule of {op.name} produced "
                    f"{_bad_values(xp.asarray(g))} in the gradient of input {i} (shape {xp.shape(g)}) "
                    f"from a finite upstream gradient{record.describe()}"
                )
        return in_grads


_global: _Detector | None = None  # the detector switched on by set_detect_anomaly(True)


def is_anomaly_enabled() -> bool:
    """Return True while anomaly detection is on (a :class:`detect_anomaly` block or the switch).

    Examples
    --------
    >>> import tensorlite as tl
    >>> with tl.detect_anomaly():
    ...     tl.is_anomaly_enabled()
    True
    >>> tl.is_anomaly_enabled()
    False
    """
    hook = autograd.function._hook
    while hook is not None:
        if isinstance(hook, _Detector):
            return True
        hook = hook._outer
    return False


def set_detect_anomaly(mode: bool) -> None:
    """Switch anomaly detection on or off for everything that follows (see :class:`detect_anomaly`).

    Parameters
    ----------
    mode : bool
        True turns anomaly detection on, False off.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.set_detect_anomaly(True); tl.is_anomaly_enabled()
    True
    >>> tl.set_detect_anomaly(False); tl.is_anomaly_enabled()
    False
    """
    global _global
    if mode and _global is None:
        _global = _Detector()
        autograd.push_hook(_global)
    elif not mode and _global is not None:
        autograd.remove_hook(_global)
        _global = None


class detect_anomaly(contextlib.ContextDecorator):
    """Raise at the first op that produces a NaN or an inf, in forward or in backward.

    Use it as a ``with`` block or as a decorator. Inside, every op checks its output, and every
    backward rule checks the gradients it returns; the first op that makes a NaN or an inf out of
    finite values raises :class:`AnomalyError` naming the op, the module path that ran it (such as
    ``Net.classifier.0 (Linear)``), its input shapes and the file, line and source text that called
    it. NumPy's divide and overflow warnings are silenced inside: the report replaces them.
    It also checksums what each op saves for backward, so a write into saved memory made with
    plain NumPy (``x.data[...] = 0``), which the version counter does not see, raises at backward.
    Backward checks cover the ops recorded inside the block; call ``backward()`` inside it too.
    The checks scan every array, so expect the code to run several times slower: use it to debug.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([1.0, 0.0], requires_grad=True)
    >>> with tl.detect_anomaly():  # doctest: +ELLIPSIS
    ...     y = x.log()                      # log(0) = -inf from finite inputs
    Traceback (most recent call last):
    ...
    tensorlite.anomaly.AnomalyError: detect_anomaly: the forward of Log produced inf in its output ...
    >>> with tl.detect_anomaly():  # doctest: +ELLIPSIS
    ...     x.sqrt().sum().backward()        # d sqrt(x)/dx = inf at 0
    Traceback (most recent call last):
    ...
    tensorlite.anomaly.AnomalyError: detect_anomaly: the backward rule of Sqrt produced inf in ...
    """

    def __init__(self) -> None:
        self._detectors: list[_Detector] = []

    def __enter__(self) -> detect_anomaly:
        detector = _Detector()
        self._detectors.append(detector)
        autograd.push_hook(detector)
        return self

    def __exit__(self, *exc: object) -> None:
        autograd.remove_hook(self._detectors.pop())
