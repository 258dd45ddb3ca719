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
from tensorlite.nn.conv import Conv1d, Conv1D, Conv2d, Conv2D, Conv3d, Conv3D  # noqa: E402
from tensorlite.nn.pooling import (  # noqa: E402
    AvgPool1d, AvgPool1D, AvgPool2d, AvgPool2D, AvgPool3d, AvgPool3D,
    MaxPool1d, MaxPool1D, MaxPool2d, MaxPool2D, MaxPool3d, MaxPool3D,
)

_conv_all: list[str] = [
    "Conv1D", "Conv2D", "Conv3D", "Conv1d", "Conv2d", "Conv3d",
    "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPool1d", "MaxPool2d", "MaxPool3d",
    "AvgPool1D", "AvgPool2D", "AvgPool3D", "AvgPool1d", "AvgPool2d", "AvgPool3d",
]
# --- end conv ---
# --- norm ---
from tensorlite.nn.dropout import (  # noqa: E402
    Dropout, Dropout1D, Dropout2d, Dropout2D, Dropout3d, Dropout3D,
)
from tensorlite.nn.embedding import Embedding  # noqa: E402
from tensorlite.nn.normalization import (  # noqa: E402
    BatchNorm1d, BatchNorm1D, BatchNorm2d, BatchNorm2D, BatchNorm3d, BatchNorm3D, LayerNorm,
)

_norm_all: list[str] = [
    "BatchNorm1D", "BatchNorm2D", "BatchNorm3D", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
    "LayerNorm", "Dropout", "Dropout1D", "Dropout2D", "Dropout3D", "Dropout2d",
    "Dropout3d", "Embedding",
]
# --- end norm ---
# --- loss ---
from tensorlite.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh  # noqa: E402
from tensorlite.nn.loss import (  # noqa: E402
    BCELoss,
    BCEWithLogitsLoss,
    CategoricalCrossEntropyLoss,
    CCELoss,
    CrossEntropyLoss,
    MeanSquaredLoss,
    MSELoss,
    NLLLoss,
)

_loss_all: list[str] = [
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softplus", "Softmax", "LogSoftmax",
    "MSELoss", "MeanSquaredLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "CategoricalCrossEntropyLoss", "CCELoss",
]
# --- end loss ---
# --- rnn ---
from tensorlite.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

_rnn_all: list[str] = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
# --- end rnn ---

__all__ += _conv_all + _norm_all + _loss_all + _rnn_all
