"""Classify MNIST digits with a small vision transformer (patch tokens, a class token, TransformerEncoder).

    python examples/mnist_transformer.py [--epochs N] [--batch-size B] [--full]

Each 28x28 image is cut into 16 patches of 7x7 pixels; each patch becomes a token (a linear map
of its 49 pixels), a learned class token is put first and learned position embeddings are added;
a pre-norm ``nn.TransformerEncoder`` mixes the 17 tokens, and the class token's final state goes
through a LayerNorm and a linear layer to the 10 logits. Adam with a cosine learning-rate decay
and label smoothing 0.1 reach about 91% on the bundled subset in 12 epochs. Writes
``output/mnist_transformer_loss.png``, ``output/mnist_transformer_accuracy.png`` and
``output/mnist_transformer_summary.txt``.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mnist_common import loaders, parallel, parse_args, report  # noqa: E402

import tensorlite as tl  # noqa: E402
from tensorlite import nn, optim  # noqa: E402
from tensorlite.training import fit  # noqa: E402


class VisionTransformer(nn.Module):
    """(N, 1, 28, 28) images -> 16 patch tokens + class token -> TransformerEncoder -> (N, 10) logits."""

    def __init__(self, patch: int = 7, d_model: int = 64, nhead: int = 4, num_layers: int = 2,
                 dim_feedforward: int = 128, dropout: float = 0.0, out_classes: int = 10) -> None:
        super().__init__()
        self.patch = patch
        self.num_patches = (28 // patch) ** 2
        self.embed = nn.Linear(patch * patch, d_model)
        self.cls_token = nn.Parameter(tl.zeros(1, 1, d_model).data)
        self.pos_embedding = nn.Parameter(tl.zeros(1, self.num_patches + 1, d_model).data)
        nn.init.normal_(self.pos_embedding, std=0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=dropout,
                                           activation=nn.GELU(approximate="tanh"),
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, norm=nn.LayerNorm(d_model))
        self.head = nn.Linear(d_model, out_classes)

    def forward(self, x: Any) -> Any:
        x = x if isinstance(x, tl.Tensor) else tl.tensor(x)
        n, p, g = x.shape[0], self.patch, 28 // self.patch
        patches = x.reshape(n, g, p, g, p).permute(0, 1, 3, 2, 4).reshape(n, g * g, p * p)
        tokens = tl.cat([self.cls_token.expand(n, 1, self.cls_token.shape[-1]), self.embed(patches)], dim=1)
        h = self.encoder(tokens + self.pos_embedding)
        return self.head(h[:, 0])


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__.splitlines()[0], argv, epochs=12, batch_size=64, lr=2e-3)
    started = time.perf_counter()
    train_loader, val_loader = loaders(args)
    model = parallel(VisionTransformer())
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    # the learning rate falls along a cosine to 0 over the run; label smoothing against overfitting
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    history = fit(model, nn.CrossEntropyLoss(label_smoothing=0.1), optimizer, train_loader, val_loader,
                  epochs=args.epochs, scheduler=scheduler)
    return report("mnist_transformer", args, history, history.val_accuracy[-1], started)


if __name__ == "__main__":
    main()
