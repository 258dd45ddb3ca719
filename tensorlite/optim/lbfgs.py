"""``LBFGS``: limited-memory BFGS with a closure, optionally with a strong-Wolfe line search."""
from __future__ import annotations

import numbers
from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping

from tensorlite.autograd import enable_grad, mark_dirty
from tensorlite.backend import ndarray, xp
from tensorlite.optim.optimizer import Optimizer, _apply_
from tensorlite.tensor import Tensor

_FLAT = ("d", "prev_flat_grad")  # state arrays over all parameters, flattened


def _cubic_interpolate(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                       bounds: tuple[float, float] | None = None) -> float:
    """Minimiser of the cubic through ``(x1, f1)``, ``(x2, f2)`` with slopes ``g1``, ``g2``, clipped to ``bounds``."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = d2_square ** 0.5
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, lo), hi)


def _strong_wolfe(obj_func: Callable[[float], tuple[float, ndarray]], t: float, d: ndarray, f: float, g: ndarray,
                  gtd: float, c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
                  max_ls: int = 25) -> tuple[float, ndarray, float, int]:
    """Line search along ``d`` from step ``t`` for a point meeting the strong Wolfe conditions.

    ``obj_func(t)`` gives the loss and flat gradient at ``x + t d``. Returns the loss, gradient and
    step of the point found, and the number of evaluations (bracketing, then cubic zoom).
    """
    d_norm = float(xp.abs(d).max())
    g = g.copy()
    f_new, g_new = obj_func(t)
    evals = 1
    gtd_new = float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list[float] = []
    bracket_f: list[float] = []
    bracket_g: list[ndarray] = []
    bracket_gtd: list[float] = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f, bracket_g = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f, bracket_g = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(t)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # keep the trial away from the ends of the bracket
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = obj_func(t)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS(Optimizer):
    r"""L-BFGS, with PyTorch's iterations: ``step(closure)`` runs up to ``max_iter`` of them.

    Each iteration takes the direction :math:`d = -H g` from the two-loop recursion over the last
    ``history_size`` pairs (step, gradient change), scaled by :math:`s^T y / y^T y`; the step length
    is ``lr`` (``min(1, 1 / |g|_1) * lr`` on the very first iteration), or the one a strong-Wolfe
    line search finds. An iteration stops the step when the gradient's largest entry is at most
    ``tolerance_grad``, the step or the loss changes by less than ``tolerance_change``, or
    ``max_eval`` closure calls are spent.

    Parameters
    ----------
    params : iterable of Tensors
        One parameter group only (PyTorch's restriction).
    lr : float, default 1
    max_iter : int, default 20 (iterations per ``step``)
    max_eval : int or None, default None (``max_iter * 5 // 4``)
    tolerance_grad : float, default 1e-7
    tolerance_change : float, default 1e-9
    history_size : int, default 100
    line_search_fn : {None, 'strong_wolfe'}, default None

    Notes
    -----
    The state (on the first parameter, as in PyTorch) holds the flattened direction ``d`` and
    previous gradient, and the history lists ``old_dirs``, ``old_stps``, ``ro``; it round-trips
    through :meth:`~tensorlite.optim.Optimizer.state_dict` and :func:`tensorlite.training.save_checkpoint`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import LBFGS
    >>> w = tl.tensor([3.0, -1.0], requires_grad=True)
    >>> opt = LBFGS([w], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = ((w - tl.tensor([1.0, 2.0])) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> loss = opt.step(closure)
    >>> w.data.round(4)
    array([1., 2.], dtype=float32)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if isinstance(max_iter, numbers.Integral) and max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(f"LBFGS: doesn't support per-parameter options (parameter groups); got "
                             f"{len(self.param_groups)} groups")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        for key in ("max_iter", "max_eval", "history_size"):
            value = group[key]
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"LBFGS: {key} must be a positive integer, got {value!r}")
        self._check_nonnegative(group, "tolerance_grad", "tolerance_change")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {group['line_search_fn']!r}")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Refused after construction: LBFGS optimizes exactly one parameter group."""
        if self.param_groups:
            raise ValueError("LBFGS: doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # -- flat views over all parameters ------------------------------------------------------
    def _flat_grad(self) -> ndarray:
        return xp.concatenate([xp.zeros(p.data.size, p.data.dtype) if p.grad is None else p.grad.reshape(-1)
                               for p in self._params])

    def _add_grad(self, step_size: float, update: ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p.data.size
            _apply_(p, xp.add, step_size * update[offset:offset + n].reshape(p.data.shape))
            offset += n

    def _set_params(self, values: list[ndarray]) -> None:
        for p, value in zip(self._params, values):
            xp.copyto(p.data, value)
            mark_dirty(p.data, "an optimizer step")

    def _evaluate(self, closure: Callable[[], Any]) -> float:
        with enable_grad():
            loss = closure()
        return float(loss.data if isinstance(loss, Tensor) else loss)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # noqa: C901 - PyTorch's loop, kept whole
        """Run up to ``max_iter`` L-BFGS iterations.

        Parameters
        ----------
        closure : callable
            Clears the gradients, computes the loss, calls ``backward`` and returns the loss.
            Required.

        Returns
        -------
        The loss of the closure's first call (before this step's updates).
        """
        if closure is None:
            raise TypeError("LBFGS.step: needs a closure that re-evaluates the model and returns the loss")
        group = self.param_groups[0]
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = float(group["tolerance_grad"]), float(group["tolerance_change"])
        history_size = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss.data if isinstance(orig_loss, Tensor) else orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if xp.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                h_diag = 1.0
            else:
                assert d is not None and t is not None and old_dirs is not None and old_stps is not None
                assert ro is not None and h_diag is not None
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(y @ s)
                if ys > 1e-10:  # update the history only with curvature information
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(y @ y)
                # two-loop recursion: d = -H g
                al = [0.0] * len(old_dirs)
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = float(old_stps[i] @ q) * ro[i]
                    q -= al[i] * old_dirs[i]
                d = r = q * h_diag
                for i in range(len(old_dirs)):
                    be_i = float(old_dirs[i] @ r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss
            t = min(1.0, 1.0 / float(xp.abs(flat_grad).sum())) * lr if state["n_iter"] == 1 else lr
            gtd = float(flat_grad @ d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            if group["line_search_fn"] is not None:
                x_init = [p.data.copy() for p in self._params]

                def obj_func(step: float, x_init: list[ndarray] = x_init, d: ndarray = d) -> tuple[float, ndarray]:
                    self._add_grad(step, d)
                    value = self._evaluate(closure)
                    grad = self._flat_grad()
                    self._set_params(x_init)
                    return value, grad

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(obj_func, t, d, loss, flat_grad, gtd,
                                                                  max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = xp.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                ls_func_evals = 0
                opt_cond = False
                if n_iter != max_iter:  # re-evaluate, unless this was the last iteration
                    loss = self._evaluate(closure)
                    flat_grad = self._flat_grad()
                    opt_cond = xp.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if xp.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    def _checked_state(self, state_dict: Mapping[str, Any]) -> tuple[list[dict[str, Any]],
                                                                       defaultdict[Tensor, dict[str, Any]]]:
        """As :meth:`Optimizer._checked_state`, with the flattened arrays and history lists set aside."""
        flat: dict[Any, dict[str, Any]] = {}
        plain: dict[Any, dict[str, Any]] = {}
        for k, entry in dict(state_dict.get("state", {})).items():
            plain[k] = {key: v for key, v in entry.items() if key not in _FLAT}
            flat[k] = {key: v for key, v in entry.items() if key in _FLAT}
        groups, state = super()._checked_state({**state_dict, "state": plain})
        if len(groups) != 1:
            raise ValueError(f"LBFGS.load_state_dict: expected 1 parameter group, got {len(groups)}")
        numel = sum(p.data.size for p in self._params)
        dtype = self._params[0].data.dtype
        for k, entry in flat.items():
            p = self._params[int(k)]
            for key, value in entry.items():
                value = value.data if isinstance(value, Tensor) else value
                if value is not None:
                    value = xp.asarray(value).astype(dtype, copy=True)
                    if value.shape != (numel,):
                        raise ValueError(f"LBFGS.load_state_dict: state {key!r} has shape {value.shape}, expected "
                                         f"({numel},) (all parameters flattened)")
                state[p][key] = value
            for key in ("old_dirs", "old_stps"):
                if state[p].get(key) is not None:
                    state[p][key] = [xp.asarray(v).astype(dtype, copy=True) for v in state[p][key]]
            for key in ("ro",):
                if state[p].get(key) is not None:
                    state[p][key] = [float(v) for v in state[p][key]]
        return groups, state
