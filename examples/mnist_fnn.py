"""Train the seed README's fully connected classifier on MNIST, in the seed's explicit-backward style.

    python examples/mnist_fnn.py [--epochs N] [--batch-size B] [--full]

The model class is the seed README's ``FNNClassifier``, unchanged (it ends in ``nn.Softmax()``
and trains with the categorical cross entropy), and the loop is the seed's:
``dout = criterion.backward()`` then ``model.backward(dout)`` fill the parameters' ``.grad``,
exactly as ``loss.backward()`` would. Writes ``output/mnist_fnn_loss.png``,
``output/mnist_fnn_accuracy.png`` and ``output/mnist_fnn_summary.txt``.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mnist_common import is_main, loaders, parallel, parse_args, report  # noqa: E402
from seed_models import FNNClassifier  # noqa: E402

from tensorlite import nn, optim  # noqa: E402
from tensorlite.training import History, accuracy, evaluate  # noqa: E402


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__.splitlines()[0], argv, epochs=10, batch_size=64, lr=1e-3)
    started = time.perf_counter()
    train_loader, val_loader = loaders(args, shard_val=False)
    # under mpiexec the wrapper's inherited backward(dout) walks the whole model in one go, so the
    # gradients are averaged over the ranks; the figures printed are rank 0's
    model = parallel(FNNClassifier(28 * 28, 10))
    criterion = nn.CategoricalCrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    history = History()
    for epoch in range(args.epochs):
        model.train()
        epoch_started, samples = time.perf_counter(), 0
        for x, y in train_loader:
            optimizer.zero_grad()
            probabilities = model.forward(x)
            loss = criterion.forward(probabilities, y)
            dout = criterion.backward()  # dL/d(probabilities)
            model.backward(dout)         # fills every parameter's .grad
            optimizer.step()
            history.train_loss.append(float(loss.data))
            history.train_accuracy.append(accuracy(probabilities, y))
            samples += len(y)
        elapsed = time.perf_counter() - epoch_started
        history.epoch_iteration.append(len(history.train_loss))
        history.epoch_time.append(elapsed)
        history.samples_per_second.append(samples / elapsed)
        val_loss, val_accuracy = evaluate(model, criterion, val_loader)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
        history.lr.append(optimizer.param_groups[0]["lr"])
        if is_main():
            print(f"epoch {epoch + 1}/{args.epochs}: train loss {history.train_loss[-1]:.4f}, "
                  f"validation loss {val_loss:.4f}, validation accuracy {val_accuracy:.4f}", flush=True)
    return report("mnist_fnn", args, history, history.val_accuracy[-1], started)


if __name__ == "__main__":
    main()
