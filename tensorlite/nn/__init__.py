"""Neural-network modules: ``Module``, ``Parameter``, containers, layers, losses, ``functional``, ``init``.

Seed names are the primary classes (``Conv2D``, ``BatchNorm1D``, ``MaxPool2D``); PyTorch's
spellings are aliases bound to the same classes (``Conv2d is Conv2D``).
"""
from tensorlite.nn import functional, init
from tensorlite.nn.containers import ModuleDict, ModuleList, Sequential
from tensorlite.nn.linear import Flatten, Identity, Linear
from tensorlite.nn.module import Module, Parameter

__all__ = [
    "functional", "init", "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict",
    "Linear", "Identity", "Flatten",
]

# Each layer family adds its imports and names inside its own section.
# --- conv ---
_conv_all: list[str] = []
# --- end conv ---
# --- norm ---
_norm_all: list[str] = []
# --- end norm ---
# --- loss ---
_loss_all: list[str] = []
# --- end loss ---
# --- rnn ---
_rnn_all: list[str] = []
# --- end rnn ---

__all__ += _conv_all + _norm_all + _loss_all + _rnn_all
