import numpy as np
import pytest

import tensorlite as tl


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Each test starts with float32 as the default dtype and grad mode on."""
    yield
    tl.set_default_dtype(np.float32)
    assert tl.is_grad_enabled(), "a test left grad mode off"
