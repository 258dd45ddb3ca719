"""The differences page says which exception classes tensorlite raises where PyTorch raises
RuntimeError, and lists the deliberate differences; what it says about errors holds."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn

PAGE = Path(__file__).resolve().parent.parent / "docs" / "guide" / "pytorch_differences.rst"


def _section(title: str) -> str:
    text = PAGE.read_text()
    match = re.search(rf"^{re.escape(title)}\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", text, flags=re.M | re.S)
    assert match, f"the differences page has no section {title!r}"
    return match.group(1)


def test_the_page_says_shape_errors_are_value_errors_and_type_errors_type_errors():
    errors = _section("Errors")
    for claim in ("``ValueError``", "``TypeError``", "``RuntimeError``", "catch ``ValueError``", "StateDictError"):
        assert claim in errors


def test_the_page_lists_the_deliberate_differences():
    listed = _section("The deliberate differences at a glance")
    items = re.findall(r"^\* ", listed, flags=re.M)
    assert len(items) >= 10 and "RuntimeError" in listed


@pytest.mark.parametrize("call, kind", [
    (lambda: tl.ones(2, 3) @ tl.ones(4, 5), ValueError),
    (lambda: tl.ones(2) + tl.ones(3), ValueError),
    (lambda: tl.ones(4).reshape(3, 2), ValueError),
    (lambda: tl.ones(2) + tl.ones(2, dtype=np.float64), TypeError),
    (lambda: tl.tensor([1, 2], requires_grad=True), TypeError),
    (lambda: nn.Linear(3, 2).load_state_dict({}), (KeyError, ValueError)),
    (lambda: tl.ones(3)[5], IndexError),
])
def test_what_the_page_says_about_error_classes_holds(call, kind):
    with pytest.raises(Exception) as info:
        call()
    kinds = kind if isinstance(kind, tuple) else (kind,)
    assert all(isinstance(info.value, k) for k in kinds) and not isinstance(info.value, RuntimeError)


def test_autograd_state_errors_stay_runtime_errors_as_in_pytorch():
    y = (tl.ones(2, requires_grad=True) * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()
    with pytest.raises(RuntimeError):
        (tl.ones(2, requires_grad=True) * 2).backward()
