"""The older library's ``utils``: ``trainers`` (``ClassificationTrainer``), ``utils``
(``onehot``, ``get_loaders``) and ``constants`` (``SAVE_DIR``, ``DATA_DIR``).

As in the older library, the helpers are also reachable here directly (``utils.onehot``).
"""
from tensorlite.legacy.utils import constants, trainers, utils
from tensorlite.legacy.utils.trainers import ClassificationTrainer
from tensorlite.legacy.utils.utils import get_loaders, onehot

__all__ = ["constants", "trainers", "utils", "ClassificationTrainer", "get_loaders", "onehot"]
