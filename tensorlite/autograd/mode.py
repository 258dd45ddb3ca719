"""Grad mode: whether ops are recorded on the tape (per thread), and the blocks that switch it.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as PyTorch's: as context managers, and
as decorators of functions and of generator functions (the mode then holds on every resumption).
"""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]


class _GradMode(threading.local):
    """Whether ops are recorded; each thread has its own setting, on by default."""

    enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Return True when ops are being recorded for backward (in this thread).

    Examples
    --------
    >>> import tensorlite as tl
    >>> with tl.no_grad():
    ...     tl.is_grad_enabled()
    False
    """
    return _mode.enabled


def _with_mode(func: Callable[..., Any], mode: bool) -> Callable[..., Any]:
    """``func`` wrapped to run with grad mode ``mode``, restoring the caller's mode after.

    A generator function gets the mode on every resumption (each ``next``/``send``/``throw``), and
    the caller's mode back at every ``yield``, as PyTorch's decorators do.
    """
    if inspect.isgeneratorfunction(func):
        @functools.wraps(func)
        def generator_with_mode(*args: Any, **kwargs: Any) -> Any:
            gen = func(*args, **kwargs)
            send, value = gen.send, None
            while True:
                previous = _mode.enabled
                _mode.enabled = mode
                try:
                    item = send(value)
                except StopIteration as stop:
                    return stop.value
                finally:
                    _mode.enabled = previous
                try:
                    value = yield item
                    send = gen.send
                except GeneratorExit:
                    gen.close()
                    raise
                except BaseException as error:  # thrown in by the caller: pass it on
                    send, value = gen.throw, error

        return generator_with_mode

    @functools.wraps(func)
    def with_mode(*args: Any, **kwargs: Any) -> Any:
        previous = _mode.enabled
        _mode.enabled = mode
        try:
            return func(*args, **kwargs)
        finally:
            _mode.enabled = previous

    return with_mode


class _GradModeBlock:
    """Set the grad mode for a ``with`` block or each call of a decorated function (each step of a
    decorated generator), then restore the mode that was in force before. Usable as ``@dec``,
    ``@dec()`` and ``with dec():``."""

    mode = True

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        if func is not None:  # used bare as a decorator: @no_grad
            return _with_mode(func, cls.mode)
        return super().__new__(cls)

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        self._previous: list[bool] = []

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return _with_mode(func, self.mode)

    def __enter__(self) -> None:
        self._previous.append(_mode.enabled)
        _mode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._previous.pop()


class no_grad(_GradModeBlock):
    """Record nothing inside the block or the decorated function (evaluation, optimizer updates).

    Parameters
    ----------
    func : callable, optional
        Used bare as a decorator (``@tl.no_grad``): the function to run with recording off.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, requires_grad=True)
    >>> with tl.no_grad():
    ...     y = x * 2
    >>> y.requires_grad, y.grad_fn
    (False, None)
    >>> @tl.no_grad
    ... def evaluate(t):
    ...     return t * 2
    >>> evaluate(x).requires_grad
    False
    """

    mode = False


class enable_grad(_GradModeBlock):
    """Record ops again inside a ``no_grad`` block (or a decorated function).

    Parameters
    ----------
    func : callable, optional
        Used bare as a decorator (``@tl.enable_grad``): the function to run with recording on.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, requires_grad=True)
    >>> with tl.no_grad():
    ...     with tl.enable_grad():
    ...         y = x * 2
    >>> y.grad_fn
    'MulBackward'
    """

    mode = True


class set_grad_enabled:
    """Switch recording on or off, as PyTorch's ``set_grad_enabled``.

    Called on its own it switches the mode at once; as a context manager it also restores the
    previous mode on exit; as a decorator it sets the mode for each call of the function.

    Parameters
    ----------
    mode : bool
        True records ops, False records nothing.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, requires_grad=True)
    >>> with tl.set_grad_enabled(False):
    ...     (x * 2).requires_grad
    False
    >>> _ = tl.set_grad_enabled(False); tl.is_grad_enabled()
    False
    >>> _ = tl.set_grad_enabled(True)
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.previous = _mode.enabled
        _mode.enabled = self.mode

    def __enter__(self) -> None:
        pass  # the mode was switched when this object was made

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self.previous

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        _mode.enabled = self.previous  # as a decorator, switch on each call instead
        return _with_mode(func, self.mode)
