"""The autograd engine: grad mode, ops and their tape entries, the reverse walk, gradient checks.

- :mod:`~tensorlite.autograd.mode`      grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``
- :mod:`~tensorlite.autograd.function`  ``Op``: an op's forward and backward rule, and its tape entry
- :mod:`~tensorlite.autograd.custom`    ``Function``: PyTorch's custom-function API, recorded as one entry
- :mod:`~tensorlite.autograd.versions`  the version counter that catches in-place writes into saved arrays
- :mod:`~tensorlite.autograd.engine`    the reverse walk: ``backward`` and ``grad``
- :mod:`~tensorlite.autograd.gradcheck` ``gradcheck``/``gradgradcheck``: gradients against finite differences
- :mod:`~tensorlite.autograd.functional` ``vjp jvp jacobian hessian hvp vhp`` of a whole function

Every differentiable op is an :class:`Op` subclass with a ``forward`` (arrays in, one array out)
and a ``backward`` (upstream gradient in, one gradient per input out). ``Op.apply`` runs the
forward and, when grad mode is on and some input requires grad, records the op as one tape entry:
the entry keeps its inputs' entries (or leaf tensors), what ``forward`` saved, and a sequence
number giving its place in recording order. ``backward`` walks the entries reachable from the
root in reverse recording order.
"""
from tensorlite.autograd import functional
from tensorlite.autograd.custom import Function, FunctionCtx
from tensorlite.autograd.engine import backward, grad, queue_callback, run_tensor_backward
from tensorlite.autograd.function import Op, module_path, push_hook, remove_hook
from tensorlite.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from tensorlite.autograd.mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from tensorlite.autograd.versions import mark_dirty, version_of

__all__ = [
    "Op", "Function", "FunctionCtx", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "backward", "grad", "gradcheck", "gradgradcheck", "GradcheckError", "mark_dirty", "version_of",
    "push_hook", "remove_hook", "module_path", "run_tensor_backward", "queue_callback", "functional",
]
