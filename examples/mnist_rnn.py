"""Classify MNIST digits with an LSTM that reads the image one row at a time.

    python examples/mnist_rnn.py [--epochs N] [--batch-size B] [--full]

Each 28x28 image is a sequence of 28 rows of 28 pixels; the LSTM's last hidden state goes
through a linear layer to the 10 class logits. Writes ``output/mnist_rnn_loss.png``,
``output/mnist_rnn_accuracy.png`` and ``output/mnist_rnn_summary.txt``.
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


class RowLSTM(nn.Module):
    """(N, 1, 28, 28) images -> LSTM over the 28 rows -> Linear on the last hidden state -> (N, 10)."""

    def __init__(self, hidden_size: int = 128, out_classes: int = 10) -> None:
        super().__init__()
        self.lstm = nn.LSTM(28, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, out_classes)

    def forward(self, x: Any) -> Any:
        _, (h, _) = self.lstm(x.reshape(x.shape[0], 28, 28))
        return self.classifier(h[-1])


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__.splitlines()[0], argv, epochs=10, batch_size=64, lr=2e-3)
    started = time.perf_counter()
    train_loader, val_loader = loaders(args)
    model = parallel(RowLSTM())
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=args.lr),
                  train_loader, val_loader, epochs=args.epochs)
    return report("mnist_rnn", args, history, history.val_accuracy[-1], started)


if __name__ == "__main__":
    main()
