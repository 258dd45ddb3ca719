"""The older library's user-facing API on top of tensorlite, so its scripts run unchanged.

Four modules give the older library's names, signatures and semantics, with gradients from the
tape (its ``backward`` entry points run the tape) and correct maths where the old code was wrong:

* :mod:`tensorlite.legacy.nn` — layers, ``Module.summarize()``, probability/one-hot losses with
  ``backward(y, t)``, ``RNN``, ``Reshape``, ``BiLinear``;
* :mod:`tensorlite.legacy.optim` — ``SGD`` and ``Adam`` taking ``model.parameters``, with
  ``l1_weight_decay``, ``l2_weight_decay``, ``gradient_clip`` and a settable ``lr``;
* :mod:`tensorlite.legacy.utils` — ``trainers.ClassificationTrainer``, ``utils.get_loaders``,
  ``utils.onehot``, ``constants.SAVE_DIR``;
* :mod:`tensorlite.legacy.evaluators` — ``MulticlassEvaluator``, ``BinaryEvaluator``,
  ``RegressionEvaluator``.

An old script imports them through its ``context.py``; replace that file by these two lines::

    from tensorlite.legacy import install, nn, optim, utils, evaluators
    install()

:func:`install` registers the four under their old top-level names, so the scripts' own
``from utils.constants import SAVE_DIR`` and ``from utils.utils import get_loaders`` work too.
"""
from __future__ import annotations

import sys

from tensorlite.legacy import evaluators, nn, optim, utils
from tensorlite.legacy.utils import constants as _constants
from tensorlite.legacy.utils import trainers as _trainers
from tensorlite.legacy.utils import utils as _utils

__all__ = ["install", "uninstall", "nn", "optim", "utils", "evaluators"]

_MODULES = {
    "nn": nn, "optim": optim, "utils": utils, "evaluators": evaluators,
    "utils.trainers": _trainers, "utils.utils": _utils, "utils.constants": _constants,
}


def install(force: bool = False) -> None:
    """Make ``nn``, ``optim``, ``utils`` and ``evaluators`` importable under their old top-level
    names (and ``utils.trainers``, ``utils.utils``, ``utils.constants``), as the older library's
    ``context.py`` did.

    Parameters
    ----------
    force : bool, default False
        Replace modules already imported under those names. Without it, a different module
        already imported as ``nn`` (say) is an error, so nothing is silently shadowed.

    Raises
    ------
    ImportError
        When another module already holds one of the names and ``force`` is False.

    Examples
    --------
    >>> import tensorlite.legacy
    >>> tensorlite.legacy.install()
    >>> import nn, optim
    >>> from utils.utils import get_loaders
    >>> nn is tensorlite.legacy.nn, get_loaders is tensorlite.legacy.utils.get_loaders
    (True, True)
    >>> tensorlite.legacy.uninstall()
    """
    taken = [name for name, module in _MODULES.items()
             if sys.modules.get(name, module) is not module]
    if taken and not force:
        raise ImportError(
            "tensorlite.legacy.install(): other modules are already imported as "
            + ", ".join(f"{name!r} ({getattr(sys.modules[name], '__file__', None) or sys.modules[name]!r})"
                        for name in taken)
            + "; rename them, or pass force=True to replace them")
    sys.modules.update(_MODULES)


def uninstall() -> None:
    """Undo :func:`install`: remove the old top-level names that point at these modules.

    Examples
    --------
    >>> import sys, tensorlite.legacy
    >>> tensorlite.legacy.install(); tensorlite.legacy.uninstall()
    >>> "utils.constants" in sys.modules
    False
    """
    for name, module in _MODULES.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]
