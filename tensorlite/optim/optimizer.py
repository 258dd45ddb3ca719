"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``step`` and ``state_dict``.

A subclass supplies its defaults, checks its options in ``_check_options`` and updates one
parameter at a time in ``_update``. Every write into a parameter goes through :func:`_apply_`.
"""
from __future__ import annotations

import numbers
from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping

from tensorlite.autograd import enable_grad, mark_dirty
from tensorlite.backend import ndarray, xp
from tensorlite.tensor import Tensor


def _ndarray(a: ndarray) -> ndarray:
    """``a`` as a plain ndarray: an Array (a parameter's data, a gradient read through ``.grad``,
    state made like them) as a view of the base class. A ufunc involving an Array calls its Python
    ``__array_wrap__`` (about 0.3 µs each, a dozen per parameter in an Adam step); on the view, none."""
    return a if a.__class__ is ndarray else a.view(ndarray)


def _apply_(param: Tensor, ufunc: Any, operand: Any, part: slice | None = None) -> None:
    """Update ``param.data`` in place as ``ufunc(param.data, operand)``; with ``part``, only that
    slice of the (contiguous) parameter's flat view.

    The one place where optimizers write into parameters: it bumps the parameter's version, so a
    backward through an entry that saved the old values raises instead of using the new ones.
    """
    target = _ndarray(param.data)
    if part is not None:
        target = target.reshape(-1)[part]
    ufunc(target, operand, out=target)
    mark_dirty(param.data, "an optimizer step")


def _effective_grad(grad: ndarray, param: ndarray, weight_decay: float, maximize: bool) -> tuple[ndarray, bool]:
    """``-grad if maximize else grad``, plus ``weight_decay * param`` (L2 penalty), as PyTorch.

    Returns the array and whether it is a fresh temporary the caller may overwrite (``grad`` itself
    is returned, never written, when neither option applies).
    """
    if weight_decay != 0:
        g = xp.multiply(param, weight_decay)
        (xp.subtract if maximize else xp.add)(g, grad, out=g)
        return g, True
    if maximize:
        return xp.negative(grad), True
    return grad, False


def _lerp_(avg: ndarray, end: ndarray, weight: float, scratch: ndarray) -> None:
    """``avg.lerp_(end, weight)`` in place, with PyTorch's two formulas (``scratch`` is overwritten)."""
    xp.subtract(end, avg, out=scratch)
    if abs(weight) < 0.5:
        scratch *= weight
        avg += scratch
    else:
        scratch *= 1.0 - weight
        xp.subtract(end, scratch, out=avg)


def _plain(value: Any) -> Any:
    """A hyper-parameter read back from a file: 0-d arrays become numbers, 1-d arrays tuples."""
    if isinstance(value, ndarray):
        return value.item() if value.ndim == 0 else tuple(value.tolist())
    return value


class Optimizer:
    """Base class of the optimizers: parameter groups, state, ``zero_grad``, ``step``, ``state_dict``.

    Parameters
    ----------
    params : iterable of Tensors, or iterable of dicts
        The tensors to optimize (floating-point leaves, e.g. ``model.parameters()``), or parameter
        groups: dicts with a ``'params'`` entry and any options that override ``defaults`` for that
        group.
    defaults : dict
        Default options of every group (``lr``, ...).

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``'params'`` (a list of tensors) and the group's options.
    state : dict
        Per-parameter state (momentum buffers, moment estimates, ``'step'``), keyed by the tensor.
    defaults : dict

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> w, b = tl.ones(2, requires_grad=True), tl.zeros(1, requires_grad=True)
    >>> opt = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    >>> [g["lr"] for g in opt.param_groups]
    [0.1, 0.5]
    >>> (w.sum() + 2 * b.sum()).backward()
    >>> opt.step()
    >>> w.data, b.data
    (array([0.9, 0.9], dtype=float32), array([-1.], dtype=float32))
    >>> opt.zero_grad()
    >>> w.grad is None
    True
    """

    def __init__(self, params: Iterable[Any], defaults: Mapping[str, Any]) -> None:
        name = type(self).__name__
        self.defaults = dict(defaults)
        self._check_options(self.defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, (Tensor, ndarray, dict)):
            raise TypeError(
                f"{name}: params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {type(params).__name__}" + (" (wrap a single tensor in a list)" if isinstance(
                    params, Tensor) else "")
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: parameters must be given in an ordered collection (a list), not a "
                            f"{type(params).__name__}, whose order changes between runs (and breaks checkpoints)")
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(
                f"{name}: params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {type(params).__name__}"
            ) from None
        if not groups:
            raise ValueError(f"{name}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- for subclasses ----------------------------------------------------------------------
    def _check_options(self, group: Mapping[str, Any]) -> None:
        """Raise ValueError naming the optimizer and the value for an invalid option."""
        lr = group.get("lr", 0)
        self._check_number("lr", lr)
        if not lr >= 0:
            raise ValueError(f"{type(self).__name__}: invalid learning rate {lr} (must be >= 0)")

    def _check_number(self, key: str, value: Any) -> None:
        if not isinstance(value, (numbers.Real, ndarray)) or isinstance(value, ndarray) and (
                value.ndim or value.dtype.kind not in "fiu"):
            raise TypeError(f"{type(self).__name__}: {key} must be a real number, got {value!r}")

    def _check_nonnegative(self, group: Mapping[str, Any], *keys: str) -> None:
        for key in keys:
            self._check_number(key, group[key])
            if not group[key] >= 0:
                raise ValueError(f"{type(self).__name__}: invalid {key} value {group[key]} (must be >= 0)")

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Update one parameter in place from its gradient, its state and its group's options."""
        raise NotImplementedError(f"{type(self).__name__} defines no _update(param, grad, state, group)")

    # -- public API --------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (a dict with ``'params'`` and optional options) to optimize.

        Options missing from the group take the optimizer's defaults. A tensor may belong to one
        group only.

        Examples
        --------
        >>> import tensorlite as tl
        >>> from tensorlite.optim import SGD
        >>> opt = SGD([tl.ones(2, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> opt.add_param_group({"params": [tl.ones(3, requires_grad=True)], "lr": 0.01})
        >>> opt.param_groups[1]["lr"], opt.param_groups[1]["momentum"]
        (0.01, 0.9)
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry, got keys {sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: parameters must be given in an ordered collection (a list), not a "
                            f"{type(params).__name__}, whose order changes between runs")
        else:
            params = list(params)
        index = len(self.param_groups)
        for i, p in enumerate(params):
            where = f"parameter {i} of group {index}"
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, but {where} is a {type(p).__name__}")
            if p.data.dtype.kind != "f":
                raise TypeError(f"{name}: can only optimize floating-point tensors, but {where} has dtype "
                                f"{p.data.dtype}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf tensor: {where} was produced by "
                                 f"{p.grad_fn}; optimize the leaf tensors it was computed from")
        ids = {id(p) for p in params}
        if len(ids) != len(params):
            raise ValueError(f"{name}: parameter group {index} lists the same tensor more than once")
        if any(id(p) in ids for g in self.param_groups for p in g["params"]):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        group = {**self.defaults, **param_group, "params": params}
        self._check_options(group)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter: to None (default), or to zeros in place.

        Examples
        --------
        >>> import tensorlite as tl
        >>> from tensorlite.optim import SGD
        >>> w = tl.ones(2, requires_grad=True)
        >>> opt = SGD([w])
        >>> (2 * w).sum().backward()
        >>> opt.zero_grad(set_to_none=False)
        >>> w.grad
        array([0., 0.], dtype=float32)
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None:  # the stored array (reading .grad would make an Array view)
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient (those whose ``.grad`` is None are skipped).

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (it usually calls ``zero_grad`` and
            ``backward``); it runs with gradient recording on, before the update.

        Returns
        -------
        The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad  # the stored array, seen as a plain ndarray (see _ndarray)
                if grad is None:
                    continue
                if grad.shape != p.data.shape:
                    raise ValueError(f"{type(self).__name__}: the gradient of a parameter of shape {p.data.shape} "
                                     f"has shape {grad.shape}")
                self._update(p, _ndarray(grad), self.state[p], group)
        return loss

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout, holding copies of the state arrays.

        Returns
        -------
        dict
            ``{'state': {index: {name: ndarray or number}}, 'param_groups': [{options..., 'params':
            [index, ...]}]}`` where parameters are numbered in group order.

        Examples
        --------
        >>> import tensorlite as tl
        >>> from tensorlite.optim import SGD
        >>> w = tl.ones(2, requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> w.sum().backward(); opt.step()
        >>> sd = opt.state_dict()
        >>> sd["state"]
        {0: {'momentum_buffer': array([1., 1.], dtype=float32)}}
        >>> sd["param_groups"][0]["params"], sd["param_groups"][0]["lr"]
        ([0], 0.1)
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: {k: v.copy() if isinstance(v, ndarray) else v for k, v in s.items()}
            for p, s in self.state.items() if s and id(p) in index
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the state and the group options saved by :meth:`state_dict`.

        The state arrays are copied and cast to each parameter's dtype, so training continues
        exactly as it would have without the round trip; an option the saved groups lack keeps its
        current value. Every mismatch is reported at once, in one ValueError, before anything
        changes: a missing ``'state'`` or ``'param_groups'`` entry, a different number of groups or
        of parameters in a group, state for a parameter the groups do not list, a state array whose
        shape differs from its parameter's, an invalid option.

        Examples
        --------
        >>> import tensorlite as tl
        >>> from tensorlite.optim import Adam
        >>> w = tl.ones(2, requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> w.sum().backward(); opt.step()
        >>> new = Adam([tl.tensor(w.data.copy(), requires_grad=True)])
        >>> new.load_state_dict(opt.state_dict())
        >>> new.param_groups[0]["lr"], next(iter(new.state.values()))["step"]
        (0.1, 1)
        """
        self.param_groups, self.state = self._checked_state(state_dict)

    def _checked_state(self, state_dict: Mapping[str, Any]) -> tuple[list[dict[str, Any]],
                                                                       defaultdict[Tensor, dict[str, Any]]]:
        """The ``(param_groups, state)`` that :meth:`load_state_dict` installs; changes nothing.

        Raises the ValueError (or TypeError) that :meth:`load_state_dict` documents.
        """
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{name}.load_state_dict: expected a dict with 'state' and 'param_groups', "
                            f"got {type(state_dict).__name__}")
        absent = [key for key in ("state", "param_groups") if key not in state_dict]
        if absent:
            raise ValueError(f"{name}.load_state_dict: the state dict has no "
                             f"{' or '.join(repr(k) for k in absent)} entry (keys: {sorted(state_dict)})")
        problems: list[str] = []
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            problems.append(f"the state dict has {len(saved_groups)} parameter group(s), the optimizer has "
                            f"{len(self.param_groups)}")
        by_index: dict[int, Tensor] = {}
        listed, counts_differ = 0, bool(problems)
        new_groups = []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            listed += len(saved["params"])
            if len(saved["params"]) != len(group["params"]):
                counts_differ = True
                problems.append(f"parameter group {i} has {len(saved['params'])} parameters in the state dict, "
                                f"{len(group['params'])} in the optimizer")
            else:
                by_index.update({int(k): p for k, p in zip(saved["params"], group["params"])})
            new_group = {k: v for k, v in group.items() if k != "params"}  # options it lacks stay
            new_group.update({k: _plain(v) for k, v in saved.items() if k != "params"})
            new_group["params"] = group["params"]
            try:
                self._check_options(new_group)
            except (ValueError, TypeError) as e:
                problems.append(f"parameter group {i}: {str(e).removeprefix(name + ': ')}")
            new_groups.append(new_group)
        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for k, saved_state in state_dict["state"].items():
            if int(k) not in by_index:
                if not counts_differ:  # otherwise the groups' mismatch already explains it
                    problems.append(f"the state dict has state for parameter {k}, but its groups list only "
                                    f"{listed} parameters")
                continue
            p = by_index[int(k)]
            entry = {}
            for key, value in saved_state.items():
                if isinstance(value, Tensor):
                    value = value.data
                if key == "step" or not isinstance(value, ndarray):
                    entry[key] = _plain(value)
                elif value.shape != p.data.shape:
                    problems.append(f"state {key!r} of parameter {k} has shape {value.shape}, the parameter "
                                    f"has shape {p.data.shape}")
                else:
                    entry[key] = value.astype(p.data.dtype, copy=True)
            new_state[p] = entry
        if problems:
            raise ValueError(f"{name}.load_state_dict: {len(problems)} problem(s): " + "; ".join(problems))
        return new_groups, new_state

    def __repr__(self) -> str:
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"
