"""The functional form of every layer: ``import tensorlite.nn.functional as F``.

Each function lives beside its op's backward rule in :mod:`tensorlite.ops` (or beside its layer when
it is a composition of ops); this module gathers them under PyTorch's names.
"""
from tensorlite.nn.linear import linear
from tensorlite.ops import log_softmax, relu, sigmoid, softmax, tanh

__all__ = ["linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax"]

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
