"""Neural-network modules: ``Module``, ``Parameter``, containers, layers, losses, ``functional``, ``init``.

Seed names are the primary classes (``Conv2D``, ``BatchNorm1D``, ``MaxPool2D``); PyTorch's
spellings are aliases bound to the same classes (``Conv2d is Conv2D``).
"""
from tensorlite.nn import functional, init, parallel
from tensorlite.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from tensorlite.nn.containers import ModuleDict, ModuleList, Sequential
from tensorlite.nn.conv import Conv1D, Conv1d, Conv2D, Conv2d, Conv3D, Conv3d
from tensorlite.nn.dropout import Dropout, Dropout1D, Dropout2D, Dropout2d, Dropout3D, Dropout3d
from tensorlite.nn.embedding import Embedding
from tensorlite.nn.linear import Flatten, Identity, Linear, Unflatten
from tensorlite.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CategoricalCrossEntropyLoss,
    CCELoss,
    CrossEntropyLoss,
    MeanSquaredLoss,
    MSELoss,
    NLLLoss,
)
from tensorlite.nn.module import Module, Parameter, StateDictError
from tensorlite.nn.normalization import (
    BatchNorm1D,
    BatchNorm1d,
    BatchNorm2D,
    BatchNorm2d,
    BatchNorm3D,
    BatchNorm3d,
    LayerNorm,
)
from tensorlite.nn.pooling import (
    AvgPool1D,
    AvgPool1d,
    AvgPool2D,
    AvgPool2d,
    AvgPool3D,
    AvgPool3d,
    MaxPool1D,
    MaxPool1d,
    MaxPool2D,
    MaxPool2d,
    MaxPool3D,
    MaxPool3d,
)
from tensorlite.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from tensorlite.nn.sync_batchnorm import SyncBatchNorm
from tensorlite.nn.transformer import (
    GELU,
    MultiheadAttention,
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ = [
    # the framework
    "functional", "init", "Module", "Parameter", "StateDictError", "Sequential", "ModuleList", "ModuleDict",
    # linear
    "Linear", "Identity", "Flatten", "Unflatten",
    # convolution and pooling
    "Conv1D", "Conv2D", "Conv3D", "Conv1d", "Conv2d", "Conv3d",
    "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPool1d", "MaxPool2d", "MaxPool3d",
    "AvgPool1D", "AvgPool2D", "AvgPool3D", "AvgPool1d", "AvgPool2d", "AvgPool3d",
    # normalisation, dropout, embedding
    "BatchNorm1D", "BatchNorm2D", "BatchNorm3D", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm",
    "SyncBatchNorm",
    "Dropout", "Dropout1D", "Dropout2D", "Dropout3D", "Dropout2d", "Dropout3d",
    "Embedding",
    # activations
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softplus", "Softmax", "LogSoftmax",
    # losses
    "MSELoss", "MeanSquaredLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "CategoricalCrossEntropyLoss", "CCELoss",
    # recurrent
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
    # data parallelism over MPI (tensorlite.distributed)
    "parallel",
]

# gradient clipping, parameter vectors, pad_sequence (issue 22)
from tensorlite.nn import utils  # noqa: E402

__all__ += ["utils"]
# -- more activations, distances, Bilinear and losses (issue 15, part C) --------------------------
from tensorlite.nn.activation import (  # noqa: E402
    CELU,
    ELU,
    GLU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    ReLU6,
    SiLU,
    Softmin,
    Softsign,
)
from tensorlite.nn.distance import CosineSimilarity, PairwiseDistance  # noqa: E402
from tensorlite.nn.linear import Bilinear  # noqa: E402
from tensorlite.nn.loss import (  # noqa: E402
    CosineEmbeddingLoss,
    CTCLoss,
    GaussianNLLLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    TripletMarginLoss,
)

__all__ += [
    "SiLU", "ELU", "SELU", "CELU", "Mish", "ReLU6", "Hardswish", "Hardsigmoid", "Hardtanh", "Softsign",
    "LogSigmoid", "Softmin", "GLU", "CosineSimilarity", "PairwiseDistance", "Bilinear",
    "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
    "TripletMarginLoss", "GaussianNLLLoss", "PoissonNLLLoss", "CTCLoss",
]
# attention and transformers (tensorlite.nn.transformer)
__all__ += ["GELU", "MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer",
            "TransformerEncoder", "TransformerDecoder", "Transformer"]
# issue 15 part D: transposed convolution, upsampling, group/instance norm, adaptive pooling, padding
from tensorlite.nn.conv_transpose import (  # noqa: E402
    ConvTranspose1D,
    ConvTranspose1d,
    ConvTranspose2D,
    ConvTranspose2d,
    ConvTranspose3D,
    ConvTranspose3d,
)

__all__ += [
    "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "ConvTranspose1D", "ConvTranspose2D",
    "ConvTranspose3D",
]
from tensorlite.nn.padding import (  # noqa: E402
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)

__all__ += [
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
    "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d", "ZeroPad1d", "ZeroPad2d",
    "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
]
from tensorlite.nn.adaptive_pooling import (  # noqa: E402
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveAvgPool3d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    MaxUnpool1d,
    MaxUnpool2d,
)
from tensorlite.nn.normalization import GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: E402
from tensorlite.nn.upsampling import (  # noqa: E402
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

__all__ += [
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "MaxUnpool1d", "MaxUnpool2d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
]
