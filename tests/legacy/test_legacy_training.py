"""tensorlite.legacy's training helpers: evaluators, ClassificationTrainer (early stopping, best
model, checkpoints through tl.save, plots), get_loaders/onehot, install(); and the nn changes the
issue asked for (Tensor.__format__, np.asarray, CrossEntropyLoss's warning about probabilities)."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.legacy as legacy
from tensorlite.data import DataLoader, TensorDataset
from tensorlite.legacy import evaluators, nn, optim
from tensorlite.legacy.utils import ClassificationTrainer, get_loaders, onehot

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# -- evaluators --------------------------------------------------------------------------------


def test_multiclass_evaluator_confusion_matrix_accuracy_and_loss():
    rng = np.random.default_rng(0)
    ev = evaluators.MulticlassEvaluator(n_classes=4)
    true_all, pred_all = [], []
    for _ in range(3):
        scores = rng.random((20, 4))
        labels = rng.integers(0, 4, 20)
        ev.update(tl.tensor(scores), np.eye(4)[labels], np.full(20, 0.5))
        true_all.append(labels)
        pred_all.append(scores.argmax(1))
    true, pred = np.concatenate(true_all), np.concatenate(pred_all)
    cm = np.zeros((4, 4), int)
    np.add.at(cm, (true, pred), 1)
    np.testing.assert_array_equal(ev.cm, cm)
    assert ev.accuracy == pytest.approx((true == pred).mean())
    assert ev.evaluation_metric == ev.accuracy and ev.loss == 0.5
    recall = [((pred == c) & (true == c)).sum() / max((true == c).sum(), 1) for c in range(4)]
    np.testing.assert_allclose(ev.tprs, recall)
    assert len(ev.history["accuracy"]) == 3
    ev.reset()
    assert ev.cm.sum() == 0 and np.isnan(ev.loss)


def test_multiclass_evaluator_skips_non_finite_losses_and_infers_classes():
    ev = evaluators.MulticlassEvaluator()
    ev.update(np.eye(3), np.array([0, 1, 1]), np.array([1.0, np.inf, np.nan]))
    assert ev.n_classes == 3 and ev.loss == 1.0 and ev.num_examples == 1
    assert ev.accuracy == pytest.approx(2 / 3)


def test_binary_evaluator_rates_auc_and_decision_boundary():
    rng = np.random.default_rng(1)
    p, t = rng.random(50), rng.integers(0, 2, 50)
    ev = evaluators.BinaryEvaluator()
    ev.update(p[:25], np.eye(2)[t[:25]], None)
    ev.update(np.stack([1 - p[25:], p[25:]], 1), t[25:], None)
    predicted = p >= 0.5
    assert ev.recall == pytest.approx((predicted & (t == 1)).sum() / (t == 1).sum())
    assert ev.fpr == pytest.approx((predicted & (t == 0)).sum() / (t == 0).sum())
    pairs = [(a > b) + 0.5 * (a == b) for a in p[t == 1] for b in p[t == 0]]
    assert ev.auc == pytest.approx(np.mean(pairs))
    boundary = ev.find_decision_boundary(fixed_tpr=0.8)
    assert ev.evaluate_decision_boundary(boundary)["tpr"] >= 0.8
    assert ev.evaluation_metric == ev.recall


def test_regression_evaluator_matches_numpy():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=40), rng.normal(size=40)
    ev = evaluators.RegressionEvaluator()
    ev.update(x[:15], y[:15], None)
    ev.update(tl.tensor(x[15:]), y[15:], None)
    assert ev.pearson == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert ev.mse == pytest.approx(((x - y) ** 2).mean())
    assert ev.r2 == pytest.approx(1 - ((x - y) ** 2).sum() / ((y - y.mean()) ** 2).sum())


# -- the trainer -------------------------------------------------------------------------------

def _loaders(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 1, 4, 4)).astype(np.float32)
    y = (x.reshape(n, -1)[:, :8].sum(1) > 0).astype(np.int64)
    data = TensorDataset(x, y)
    return (DataLoader(data, batch_size=16, shuffle=True, as_tensor=True),
            DataLoader(data, batch_size=32, as_tensor=True))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("flatten", nn.Flatten())
        self.add_module("linear", nn.Linear(16, 2))
        self.add_module("softmax", nn.Softmax())

    def forward(self, x):
        for module in self._modules.values():
            x = module.forward(x)
        return x

    def backward(self, delta):
        for module in reversed(self._modules.values()):
            delta = module.backward(delta)


def _trainer(model, lr, tmp_path, **kw):
    train_loader, val_loader = _loaders()
    return ClassificationTrainer(model, optim.Adam(model.parameters, lr=lr), nn.CrossEntropyLoss(),
                                 train_loader, val_loader, evaluators.MulticlassEvaluator(n_classes=2),
                                 evaluators.MulticlassEvaluator(n_classes=2), checkpoint_dir=str(tmp_path),
                                 verbose=False, **kw)


def test_trainer_trains_saves_the_best_model_and_plots(tmp_path):
    tl.manual_seed(0)
    model = Classifier()
    trainer = _trainer(model, 0.05, tmp_path, max_epochs=6)
    trainer.train()
    assert trainer.epoch == 6
    assert trainer.history["train_loss"][-1] < trainer.history["train_loss"][0]
    assert trainer.best_val_metric == max(trainer.history["val_metric"]) > 0.8
    checkpoint = tl.load(tmp_path / "best_model.npz")  # an .npz that tl.load reads: no pickle
    assert checkpoint.keys() == model.state_dict().keys()
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(checkpoint[key], value)  # the model holds the best parameters
    pytest.importorskip("matplotlib")
    assert (tmp_path / "loss.png").stat().st_size > 0 and (tmp_path / "accuracy.png").stat().st_size > 0


def test_trainer_stops_early_and_restores_the_best_model(tmp_path):
    tl.manual_seed(1)
    model = Classifier()
    trainer = _trainer(model, 0.0, tmp_path, max_epochs=10, max_epochs_no_improvement=2)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    trainer.train()
    assert trainer.epoch == 3 and trainer.epochs_no_improvement == 2  # lr 0: never improves after epoch 0
    # a worse model at the end is replaced by the best one
    tl.manual_seed(2)
    model = Classifier()
    trainer = _trainer(model, 0.05, tmp_path, max_epochs=3)
    trainer.train()
    best = {k: v.copy() for k, v in model.state_dict().items()}
    model.linear.weight.data[...] = 0
    trainer.best_val_metric, trainer.max_epochs = 2.0, 4  # nothing can beat it now
    trainer.train()
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, best[key])
    assert before  # the first model's parameters were never changed by lr 0 either


# -- utils -------------------------------------------------------------------------------------

def test_get_loaders_yields_tensors_the_old_scripts_call_numpy_on():
    train_loader, val_loader = get_loaders("MNIST", 50, full=False, max_samples=120)
    data, targets = next(iter(train_loader))
    assert data.numpy().shape == (50, 1, 28, 28) and data.numpy().dtype == np.float32
    assert targets.numpy().dtype == np.int64 and len(train_loader) == 3 and len(val_loader) == 3
    with pytest.raises(ValueError, match="unknown dataset 'CIFAR10'"):
        get_loaders("CIFAR10", 50)


def test_onehot():
    np.testing.assert_array_equal(onehot(np.array([1, 0, 2]), 3), np.eye(3, dtype=np.float32)[[1, 0, 2]])
    with pytest.raises(ValueError, match=r"outside \[0, 3\)"):
        onehot(np.array([3]), 3)


def test_install_registers_the_old_top_level_names():
    legacy.install()
    try:
        import evaluators as old_evaluators
        import nn as old_nn
        import optim as old_optim
        import utils as old_utils
        from utils.constants import SAVE_DIR
        from utils.trainers import ClassificationTrainer as Trainer
        from utils.utils import get_loaders as loaders
        assert (old_nn, old_optim, old_utils, old_evaluators) == (nn, optim, legacy.utils, evaluators)
        assert SAVE_DIR == "./results" and Trainer is ClassificationTrainer and loaders is get_loaders
        legacy.install()  # twice is fine
    finally:
        legacy.uninstall()
    assert "nn" not in sys.modules and "utils.utils" not in sys.modules


def test_install_refuses_to_shadow_another_module(monkeypatch):
    other = type(sys)("utils")
    monkeypatch.setitem(sys.modules, "utils", other)
    with pytest.raises(ImportError, match="other modules are already imported as 'utils'"):
        legacy.install()
    assert "nn" not in sys.modules
    legacy.install(force=True)
    try:
        assert sys.modules["utils"] is legacy.utils
    finally:
        legacy.uninstall()


# -- the nn changes: Tensor.__format__, np.asarray, CrossEntropyLoss's warning ----------------

def test_format_spec_on_one_element_tensors():
    assert f"{tl.tensor(2.3456):4.2f}" == "2.35" and f"{tl.tensor([[1.5]]):.1f}" == "1.5"
    assert f"{tl.tensor([1.0, 2.0])}" == str(tl.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"needs a one-element tensor, got shape \(2,\)"):
        f"{tl.tensor([1.0, 2.0]):.2f}"


def test_asarray_works_without_grad_and_refuses_a_tensor_that_requires_grad():
    np.testing.assert_array_equal(np.asarray(tl.tensor([1.0, 2.0])), [1.0, 2.0])
    w = tl.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"requires grad .*detach\(\)"):
        np.asarray(w * 2)
    np.testing.assert_array_equal(np.asarray((w * 2).detach()), [2.0, 4.0])


def test_cross_entropy_loss_warns_once_when_fed_probabilities():
    criterion = tl.nn.CrossEntropyLoss()
    probabilities = tl.nn.Softmax()(tl.randn(4, 10))
    with pytest.warns(UserWarning, match="CategoricalCrossEntropyLoss.*tensorlite.legacy"):
        criterion(probabilities, np.array([1, 2, 3, 4]))
    criterion(probabilities, np.array([1, 2, 3, 4]))  # once: filterwarnings=error would raise here
    tl.nn.CrossEntropyLoss()(tl.randn(4, 10), np.array([1, 2, 3, 4]))  # logits: no warning
    tl.nn.CrossEntropyLoss()(tl.rand(4, 10), np.array([1, 2, 3, 4]))  # non-negative, not normalised


# -- a script in the older library's style ----------------------------------------------------

OLD_STYLE_SCRIPT = '''
import os

from context import nn, optim, utils, evaluators
from utils.constants import SAVE_DIR
from utils.utils import get_loaders


class FNNClassifier(nn.Module):
    def __init__(self, in_features, out_classes, hidden_dims=[64, 32], activation=nn.ReLU, batchnorm=False,
                 dropout=False):
        super(FNNClassifier, self).__init__()
        dims = [in_features, *hidden_dims, out_classes]
        for i in range(len(dims) - 1):
            if batchnorm:
                self.add_module('batchnorm_' + str(i), nn.BatchNorm1D(dims[i]))
            if dropout:
                self.add_module('dropout_' + str(i), nn.Dropout(p=dropout))
            if i > 0:
                self.add_module('activation_' + str(i), activation())
            self.add_module('linear_' + str(i), nn.Linear(dims[i], dims[i+1], bias=True))
        self.add_module('activation_' + str(i+1), nn.Softmax())

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        for module in self._modules.values():
            x = module.forward(x)
        return x

    def backward(self, delta):
        for module in reversed(self._modules.values()):
            delta = module.backward(delta)


if __name__ == '__main__':
    dataset_name = 'MNIST'
    train_loader, val_loader = get_loaders(dataset_name, 50, full=False, max_samples=400)
    checkpoint_dir = os.path.join(SAVE_DIR, dataset_name)
    if not os.path.exists(checkpoint_dir):
        os.makedirs(checkpoint_dir)
    classifier = FNNClassifier(28 * 28, 10, activation=nn.ReLU, batchnorm=True, dropout=0.1)
    classifier.summarize()
    optimizer = optim.Adam(classifier.parameters, lr=0.003, l1_weight_decay=0, l2_weight_decay=0)
    loss = nn.CrossEntropyLoss()
    train_evaluator = evaluators.MulticlassEvaluator(n_classes=10)
    val_evaluator = evaluators.MulticlassEvaluator(n_classes=10)
    trainer = utils.trainers.ClassificationTrainer(classifier, optimizer, loss, train_loader, val_loader,
                                                   train_evaluator, val_evaluator,
                                                   lr_scheduler=None, max_epochs=2,
                                                   max_epochs_no_improvement=10,
                                                   checkpoint_dir=checkpoint_dir)
    trainer.train()
'''


def test_an_old_style_script_runs_with_a_two_line_context_file(tmp_path):
    (tmp_path / "context.py").write_text("from tensorlite.legacy import install, nn, optim, utils, evaluators\n"
                                         "install()\n")
    (tmp_path / "mnist_fnn.py").write_text(textwrap.dedent(OLD_STYLE_SCRIPT))
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "mnist_fnn.py"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Total number of parameters: " in done.stdout
    epochs = [line for line in done.stdout.splitlines() if line.startswith("Epoch")]
    losses = [float(line.split("Loss (T/V) ")[1].split(" / ")[0]) for line in epochs]
    accuracy = float(epochs[-1].split("Accuracy (T/V) ")[1].split(" / ")[1])
    assert len(epochs) == 2 and losses[1] < losses[0] and accuracy > 0.4, done.stdout
    assert (tmp_path / "results" / "MNIST" / "best_model.npz").exists()
