"""Optimizers (``SGD``, ``Adam``, ``AdamW``, ``RMSprop``) and learning-rate schedulers (``lr_scheduler``).

The update arithmetic follows PyTorch's ``torch.optim`` step for step; parameters are updated in
place on ``.data`` and keep their dtype.
"""
from tensorlite.optim import lr_scheduler
from tensorlite.optim.adam import Adam, AdamW
from tensorlite.optim.optimizer import Optimizer
from tensorlite.optim.rmsprop import RMSprop
from tensorlite.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]

# more of PyTorch's optimizers (issue 22)
from tensorlite.optim.adagrad import Adadelta, Adagrad  # noqa: E402
from tensorlite.optim.adam_variants import Adamax, NAdam, RAdam  # noqa: E402
from tensorlite.optim.asgd import ASGD  # noqa: E402
from tensorlite.optim.lbfgs import LBFGS  # noqa: E402

__all__ += ["Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "LBFGS"]
