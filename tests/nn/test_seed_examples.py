"""The seed README's two model classes, copied exactly as written there, run and train unchanged
with ``tensorlite.nn`` imported as ``nn``, and their hand-written ``backward`` loops give the same
gradients as ``loss.backward()``."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn

# ---- copied verbatim from the seed README ("FNN example", "CNN example") --------------------


class FNNClassifier(nn.Module):
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


class CNNClassifier(nn.Module):
    def __init__(self, in_features, out_classes, feature_maps=[16, 32], hidden_dims=[512], activation=nn.ReLU, batchnorm=False, dropout=False):  # noqa: B006, E501
        super(CNNClassifier, self).__init__()  # noqa: UP008
        # Convolutional layers
        self.add_module("Convolutional0", nn.Conv2D(1, feature_maps[0], kernel_size=(5, 5)))
        self.add_module("Maxpool0", nn.MaxPool2D(kernel_size=(2, 2), stride=2, padding=0))
        self.add_module("Activation0", activation())
        self.add_module("Convolutional1", nn.Conv2D(feature_maps[0], feature_maps[1], kernel_size=(5, 5)))
        self.add_module("Maxpool1", nn.MaxPool2D(kernel_size=(2, 2), stride=2, padding=0))
        self.add_module("Activation1", activation())
        self.add_module("Flatten", nn.Flatten())
        # Feedforward classifier
        dims = [*hidden_dims, out_classes]
        for i in range(len(dims) - 1):
            is_output_layer = i == len(dims) - 2
            if batchnorm:
                self.add_module("BatchNorm" + str(i), nn.BatchNorm1D(dims[i]))
            self.add_module("Linear" + str(i), nn.Linear(dims[i], dims[i+1]))
            if dropout and not is_output_layer:
                self.add_module("Dropout" + str(i), nn.Dropout(p=dropout))
            if not is_output_layer:
                self.add_module("Activation" + str(i+2), activation())
            else:
                self.add_module("Activation" + str(i+2), nn.Softmax())

    def forward(self, x):
        for module in self._modules.values():
            x = module.forward(x)
        return x

    def backward(self, dout):
        for module in reversed(self._modules.values()):
            dout = module.backward(dout)

# ---- end of the copied code -----------------------------------------------------------------


def _digits(n, seed):
    """A learnable 10-class problem of 28x28 images: a fixed random template per class plus noise
    (the real MNIST runs belong to the examples; this keeps the test self-contained)."""
    templates = (np.random.default_rng(1234).random((10, 28, 28)) > 0.7).astype(np.float32)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = templates[y] + 0.5 * rng.standard_normal((n, 28, 28)).astype(np.float32)
    return x[:, None], y  # (N, 1, 28, 28) as the CNN takes it; the FNN flattens it itself


MODELS = {
    "FNN": lambda: FNNClassifier(28 * 28, 10, batchnorm=True, dropout=0.3),
    "CNN": lambda: CNNClassifier(28 * 28, 10, batchnorm=True, dropout=0.3, hidden_dims=[512, 64]),
}


@pytest.mark.parametrize("name", MODELS)
def test_seed_backward_loop_matches_loss_backward(name):
    tl.manual_seed(0)
    model = MODELS[name]()
    criterion = nn.CategoricalCrossEntropyLoss()
    x, y = _digits(16, seed=1)

    tl.manual_seed(7)  # the same dropout masks in both passes
    loss = criterion(model(x), y)
    loss.backward()
    modern = {n: p.grad.copy() for n, p in model.named_parameters()}
    assert len(modern) == len(list(model.parameters())) > 0

    model.zero_grad()
    tl.manual_seed(7)
    out = model.forward(x)
    legacy_loss = criterion.forward(out, y)
    dout = criterion.backward()
    assert isinstance(dout, np.ndarray) and dout.shape == out.shape
    model.backward(dout)
    assert legacy_loss.item() == pytest.approx(loss.item(), rel=1e-6)
    for n, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, modern[n], rtol=1e-4, atol=1e-6, err_msg=n)


@pytest.mark.parametrize("name", MODELS)
def test_inherited_backward_returns_input_gradient(name):
    tl.manual_seed(0)
    model = MODELS[name]()
    model.eval()  # deterministic: running statistics, no dropout
    x, y = _digits(4, seed=2)
    xt = tl.tensor(x, requires_grad=True)
    criterion = nn.CategoricalCrossEntropyLoss()
    (expected,) = tl.grad(criterion(model(xt), y), [xt])
    loss = criterion.forward(model.forward(xt), y)  # an input that requires grad gets dL/dx
    dx = nn.Module.backward(model, criterion.backward())  # the seed's own loop returns None
    assert loss.shape == ()
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, expected, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("name, steps, lr", [("FNN", 60, 0.1), ("CNN", 40, 0.05)])
def test_seed_models_train_in_the_legacy_style(name, steps, lr):
    tl.manual_seed(0)
    model = MODELS[name]()
    criterion = nn.CategoricalCrossEntropyLoss()
    x_val, y_val = _digits(200, seed=99)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(steps):
        x, y = _digits(32, seed=int(rng.integers(1 << 30)))
        model.train()
        out = model.forward(x)
        loss = criterion.forward(out, y)  # held until backward: it keeps the loss's graph
        losses.append(loss.item())
        model.zero_grad()
        model.backward(criterion.backward())
        for p in model.parameters():  # plain SGD (the optimizers arrive with the training stack)
            p.data -= lr * p.grad
    model.eval()
    with tl.no_grad():
        accuracy = (model(x_val).data.argmax(axis=1) == y_val).mean()
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
    assert accuracy > 0.9, f"{name}: validation accuracy {accuracy:.3f}"


def test_summary_of_the_seed_cnn_runs_in_eval_mode_and_restores_the_modes(capsys):
    model = MODELS["CNN"]()
    model.BatchNorm0.running_mean.data[:] = 0.5
    tl.manual_seed(3)
    model.summary((1, 1, 28, 28))  # batch 1 would be refused by BatchNorm in training mode
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == ["CNNClassifier", "(1,", "10)", "0"]
    rows = [line.split() for line in lines]
    assert ["Convolutional0:", "Conv2D", "(1,", "16,", "24,", "24)", "416"] in rows  # 16 * 25 + 16
    assert ["Linear0:", "Linear", "(1,", "64)", "32,832"] in rows  # 512 * 64 + 64
    assert all(m.training for m in model.modules())
    assert (model.BatchNorm0.running_mean.data == 0.5).all()  # no statistic moved
    after = tl.rand(3).numpy()
    tl.manual_seed(3)
    assert (tl.rand(3).numpy() == after).all()  # no dropout mask drawn
