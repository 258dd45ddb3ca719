"""``tl.profile()``: where a model's time goes, per op, in forward and in backward.

While a :class:`profile` block is active, every op applied (``Op.apply``) and every backward rule
run by the reverse walk is timed and counted under the op's name. Outside a block the engine pays
one ``is None`` check per op and per backward rule.

The forward time of an op is the whole ``Op.apply`` call (argument handling, the NumPy forward,
recording the tape entry); the backward time is the op's backward rule alone. What the block spends
elsewhere (Python between ops, the engine's gradient accumulation, the optimizer) is the
table's last line. Profiles nest: an op inside two blocks is recorded by both. Ops run by other
threads while a block is active are recorded too.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tensorlite import autograd

__all__ = ["profile", "OpStats"]

_clock = time.perf_counter


@dataclass
class OpStats:
    """Calls and seconds of one op name, in forward and in backward."""

    forward_calls: int = 0
    forward_time: float = 0.0
    backward_calls: int = 0
    backward_time: float = 0.0

    @property
    def total_time(self) -> float:
        return self.forward_time + self.backward_time


class profile:
    """Record, per op name, call counts and time in forward and backward while the block runs.

    Attributes
    ----------
    stats : dict
        op name -> :class:`~tensorlite.profiler.OpStats` (``forward_calls``, ``forward_time``, ``backward_calls``,
        ``backward_time``, ``total_time``; times in seconds).
    wall_time : float
        seconds the block ran (so far, while it is still running).

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.profiler import profile   # also tl.profile
    >>> x = tl.ones(3, requires_grad=True)
    >>> with profile() as prof:
    ...     (x * x * x).sum().backward()
    >>> prof.stats["Mul"].forward_calls, prof.stats["Mul"].backward_calls
    (2, 2)
    >>> table = prof.table()   # one row per op, the most expensive first; print(table) shows it
    >>> sorted(row.split()[0] for row in table.splitlines()[2:4])
    ['Mul', 'Sum']
    """

    def __init__(self) -> None:
        self.stats: dict[str, OpStats] = {}
        self._outer: Any = None  # the next active hook (tensorlite.autograd.push_hook)
        self._start: float | None = None
        self._end: float | None = None
        self._busy = False  # inside an op being timed: ops it applies itself are part of its time

    # -- the block -----------------------------------------------------------------------------
    def __enter__(self) -> profile:
        if self._start is not None and self._end is None:
            raise RuntimeError("profile: this profile is already active; use a new profile() to nest")
        self._start, self._end = _clock(), None
        autograd.push_hook(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self._end = _clock()
        autograd.remove_hook(self)

    @property
    def wall_time(self) -> float:
        """Seconds the block ran (so far, while it is still running)."""
        if self._start is None:
            return 0.0
        return (self._end if self._end is not None else _clock()) - self._start

    # -- hooks called by the engine ------------------------------------------------------------
    def apply(self, cls: Any, inputs: tuple[Any, ...], params: dict[str, Any]) -> Any:
        """Run ``cls.apply(*inputs, **params)``, timed (called by ``Op.apply``)."""
        self._busy = True  # ``Op.apply`` skips the hook while set: ops applied inside count here
        start = _clock()
        try:
            outer = self._outer  # an outer profile or anomaly detection sees the call too
            out = outer.apply(cls, inputs, params) if outer is not None else cls.apply(*inputs, **params)
        finally:
            self._busy = False
        self._record(cls.__name__, _clock() - start, backward=False)
        return out

    def backward(self, op: Any, grad: Any) -> Any:
        """Run ``op.backward(grad)``, timed (called by the reverse walk)."""
        start = _clock()
        outer = self._outer
        in_grads = outer.backward(op, grad) if outer is not None else op.backward(grad)
        self._record(type(op).__name__, _clock() - start, backward=True)
        return in_grads

    def _record(self, name: str, seconds: float, backward: bool) -> None:
        s = self.stats.get(name)
        if s is None:
            s = self.stats[name] = OpStats()
        if backward:
            s.backward_calls += 1
            s.backward_time += seconds
        else:
            s.forward_calls += 1
            s.forward_time += seconds

    # -- report --------------------------------------------------------------------------------
    def table(self, sort_by: str = "total", limit: int | None = None) -> str:
        """The stats as a text table, one row per op, the most expensive first.

        Parameters
        ----------
        sort_by : ``'total'``, ``'forward'``, ``'backward'`` (time) or ``'calls'`` (forward calls)
        limit : show only this many rows (None: all)

        Returns
        -------
        str: columns op, forward calls and ms, backward calls and ms, total ms and its share of
        the block's wall time; a last line for the time spent outside ops.
        """
        keys = {"total": lambda s: s.total_time, "forward": lambda s: s.forward_time,
                "backward": lambda s: s.backward_time, "calls": lambda s: s.forward_calls}
        if sort_by not in keys:
            raise ValueError(f"profile.table: sort_by must be one of {sorted(keys)}, got {sort_by!r}")
        key = keys[sort_by]
        rows = sorted(self.stats.items(), key=lambda kv: (-key(kv[1]), kv[0]))
        wall = self.wall_time
        width = max([len("op"), len("(outside ops)"), *(len(n) for n, _ in rows)])
        head = (f"{'op':<{width}} {'fwd calls':>9} {'fwd ms':>10} {'bwd calls':>9} {'bwd ms':>10} "
                f"{'total ms':>10} {'% wall':>7}")
        lines = [head, "-" * len(head)]

        def share(seconds: float) -> str:
            return f"{100 * seconds / wall:6.1f}%" if wall > 0 else f"{'n/a':>7}"

        for name, s in rows[:limit]:
            lines.append(f"{name:<{width}} {s.forward_calls:>9} {s.forward_time * 1e3:>10.3f} "
                         f"{s.backward_calls:>9} {s.backward_time * 1e3:>10.3f} "
                         f"{s.total_time * 1e3:>10.3f} {share(s.total_time)}")
        in_ops = sum(s.total_time for s in self.stats.values())
        outside = max(0.0, wall - in_ops)
        lines.append("-" * len(head))
        lines.append(f"{'(outside ops)':<{width}} {'':>9} {'':>10} {'':>9} {'':>10} "
                     f"{outside * 1e3:>10.3f} {share(outside)}")
        lines.append(f"{'(block wall time)':<{width}} {'':>9} {'':>10} {'':>9} {'':>10} {wall * 1e3:>10.3f}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        state = "active" if self._start is not None and self._end is None else "inactive"
        return f"<profile {state}, {len(self.stats)} ops, {self.wall_time * 1e3:.3f} ms>"

