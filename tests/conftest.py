import os

import numpy as np
import pytest

import tensorlite as tl

# TENSORLITE_REQUIRE_TORCH=1 (CI sets it after installing torch): the tests that compare with
# PyTorch must run. torch must import, and a test or module that skips for a reason naming torch
# (pytest.importorskip("torch") and the like) fails instead of skipping.
REQUIRE_TORCH = os.environ.get("TENSORLITE_REQUIRE_TORCH", "") not in ("", "0")


def pytest_configure(config):
    if REQUIRE_TORCH:
        try:
            import torch  # noqa: F401
        except ImportError as error:
            raise pytest.UsageError(
                f"TENSORLITE_REQUIRE_TORCH is set, but torch does not import ({error}); install it with "
                "`pip install torch==2.13.0`, or unset TENSORLITE_REQUIRE_TORCH to skip the PyTorch "
                "comparisons") from None


def _fail_torch_skip(report):
    if REQUIRE_TORCH and report.skipped and "torch" in str(report.longrepr).lower():
        report.outcome = "failed"
        report.longrepr = (f"TENSORLITE_REQUIRE_TORCH is set, but this skipped: {report.longrepr}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_torch_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_torch_skip(outcome.get_result())


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Each test starts with float32 as the default dtype and grad mode on."""
    yield
    tl.set_default_dtype(np.float32)
    assert tl.is_grad_enabled(), "a test left grad mode off"
