"""The functional form of every layer: ``import tensorlite.nn.functional as F``.

Each function lives beside its op's backward rule in :mod:`tensorlite.ops` (or beside its layer when
it is a composition of ops); this module gathers them under PyTorch's names.
"""

from tensorlite.nn.dropout import dropout, dropout1d, dropout2d, dropout3d
from tensorlite.nn.embedding import embedding
from tensorlite.ops import log_softmax, relu, sigmoid, softmax, tanh
from tensorlite.ops.activation import leaky_relu, softplus
from tensorlite.ops.attention import gelu, scaled_dot_product_attention
from tensorlite.ops.conv import conv1d, conv2d, conv3d
from tensorlite.ops.grid_sample import affine_grid, grid_sample
from tensorlite.ops.linalg import linear
from tensorlite.ops.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    categorical_cross_entropy,
    cross_entropy,
    mse_loss,
    nll_loss,
)
from tensorlite.ops.norm import batch_norm, layer_norm
from tensorlite.ops.pool import avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d

__all__ = [
    # linear, activations, padding
    "linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "softplus", "pad",
    # convolution and pooling
    "conv1d", "conv2d", "conv3d", "max_pool1d", "max_pool2d", "max_pool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    # normalisation, dropout, embedding
    "batch_norm", "layer_norm", "dropout", "dropout1d", "dropout2d", "dropout3d", "embedding",
    # losses
    "cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "categorical_cross_entropy",
    # spatial transformers
    "affine_grid", "grid_sample",
]
# attention (tensorlite.ops.attention)
__all__ += ["gelu", "scaled_dot_product_attention"]

# -- more activations, distances and losses (issue 15, part C) ------------------------------------
from tensorlite.ops.activation_extra import (  # noqa: E402
    bilinear,
    celu,
    cosine_similarity,
    elu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    normalize,
    pairwise_distance,
    relu6,
    selu,
    silu,
    softmin,
    softsign,
)
from tensorlite.ops.loss_extra import (  # noqa: E402
    cosine_embedding_loss,
    ctc_loss,
    gaussian_nll_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    triplet_margin_loss,
)

__all__ += [
    "silu", "elu", "selu", "celu", "mish", "relu6", "hardswish", "hardsigmoid", "hardtanh", "softsign",
    "logsigmoid", "softmin", "glu", "normalize", "cosine_similarity", "pairwise_distance", "bilinear",
    "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "cosine_embedding_loss", "margin_ranking_loss",
    "triplet_margin_loss", "gaussian_nll_loss", "poisson_nll_loss", "ctc_loss",
]
# gather/scatter (issue 15, part B): PyTorch keeps one_hot in nn.functional
from tensorlite.ops.gather import one_hot  # noqa: E402

__all__ += ["one_hot"]


# issue 15 part D: transposed convolution, upsampling, group/instance norm, adaptive pooling, padding
from tensorlite.ops.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: E402
from tensorlite.ops.padding import pad  # noqa: E402  (all modes; replaces the constant-only pad)

__all__ += ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
from tensorlite.ops.adaptive_pool import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_unpool1d,
    max_unpool2d,
)
from tensorlite.ops.norm import group_norm, instance_norm  # noqa: E402
from tensorlite.ops.resample import interpolate, pixel_shuffle, pixel_unshuffle  # noqa: E402

__all__ += [
    "interpolate", "pixel_shuffle", "pixel_unshuffle", "group_norm", "instance_norm",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices", "max_unpool1d", "max_unpool2d",
]
