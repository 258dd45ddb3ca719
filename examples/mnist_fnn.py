"""Train the seed README's fully connected classifier on MNIST, in the seed's explicit-backward style.

    python examples/mnist_fnn.py [--epochs N] [--batch-size B] [--full]

The model class is the seed README's ``FNNClassifier``, unchanged (it ends in ``nn.Softmax()``
and trains with the categorical cross entropy), and the loop is the seed's:
``dout = criterion.backward()`` then ``model.backward(dout)`` fill the parameters' ``.grad``,
exactly as ``loss.backward()`` would. Writes ``results/mnist_fnn_loss.png``,
``results/mnist_fnn_accuracy.png`` and ``results/mnist_fnn_summary.txt``.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mnist_common import loaders, parse_args, report  # noqa: E402

from tensorlite import nn, optim  # noqa: E402
from tensorlite.training import History, accuracy, evaluate  # noqa: E402


class FNNClassifier(nn.Module):  # the seed README's class, word for word
    def __init__(self, in_features, out_classes, hidden_dims=[256, 128, 64], activation=nn.ReLU, batchnorm=False, dropout=False):  # noqa: B006, E501
        super(FNNClassifier, self).__init__()  # noqa: UP008
        dims = [in_features, *hidden_dims, out_classes]
        for i in range(len(dims) - 1):
            is_output_layer = i == len(dims) - 2
            self.add_module("Linear" + str(i), nn.Linear(dims[i], dims[i+1]))
            if batchnorm and not is_output_layer:
                self.add_module("BatchNorm" + str(i), nn.BatchNorm1D(dims[i+1]))
            if dropout and not is_output_layer:
                self.add_module("Dropout" + str(i), nn.Dropout(p=dropout))
            if not is_output_layer:
                self.add_module("Activation" + str(i), activation())
            else:
                self.add_module("Activation" + str(i), nn.Softmax())

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        for module in self._modules.values():
            x = module.forward(x)
        return x

    def backward(self, dout):
        for module in reversed(self._modules.values()):
            dout = module.backward(dout)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__.splitlines()[0], argv, epochs=10, batch_size=64, lr=1e-3)
    started = time.perf_counter()
    train_loader, val_loader = loaders(args)
    model = FNNClassifier(28 * 28, 10)
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
        print(f"epoch {epoch + 1}/{args.epochs}: train loss {history.train_loss[-1]:.4f}, "
              f"validation loss {val_loss:.4f}, validation accuracy {val_accuracy:.4f}", flush=True)
    return report("mnist_fnn", args, history, history.val_accuracy[-1], started)


if __name__ == "__main__":
    main()
