"""Elementwise math beyond arith: trigonometric and hyperbolic functions and their inverses,
logarithms and exponentials in other bases, ``erf``/``erfc``, rounding, ``fmod``/``remainder``,
``atan2``, ``hypot``, ``logaddexp``, ``lerp``, ``square``, ``reciprocal``.

Each op's forward and backward rule sit together. The piecewise-constant ops (``sign floor ceil
round trunc``) record an entry whose gradient is 0, as in PyTorch. Integer and bool inputs of
the floating math get the default floating dtype; the rounding ops keep an integer tensor as is.
"""
from __future__ import annotations

import math as _math
from typing import Any, Callable

from tensorlite.autograd import Op
from tensorlite.backend import array_module
from tensorlite.ops.args import integer
from tensorlite.ops.operands import as_floating, as_tensor, operands
from tensorlite.tensor import Tensor

_LN2, _LN10 = _math.log(2.0), _math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / _math.sqrt(_math.pi)


# -- erf and erfc, to float64 precision ----------------------------------------------------------
# Three ranges of |x|, each with a form that has no cancellation there; each element is computed
# by its own range's form only:
#   |x| < 0.5      erf(x) = 2/sqrt(pi) exp(-x^2) sum_k 2^k x^(2k+1) / (1 * 3 * ... * (2k+1))
#                  (all terms positive; 13 terms, by Horner's rule); erfc = 1 - erf (>= 0.47)
#   0.5 <= |x| < 5 erfcx(x) = exp(x^2) erfc(x) by its Taylor series around the nearest node
#                  (a multiple of 1/8, so |h| <= 1/16; 12 terms): erfcx' = 2x erfcx - 2/sqrt(pi)
#                  gives the coefficients c_{n+1} = (2 x0 c_n + 2 c_{n-1}) / (n + 1), made once at
#                  import from erfcx(x0) = math.erfc(x0) exp(x0^2). erf = 1 - erfc (erfc <= 0.48).
#   |x| >= 5       erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))
#                  (Laplace's continued fraction, 18 levels evaluated bottom up); erf = 1 - erfc.
# exp(-x^2) is exp(-s^2) exp(-(x - s)(x + s)) with s = x rounded to 1/16, so that the rounding
# of x^2 (up to 676 ulps of x^2 near 26) does not spoil the result. Measured against math.erf and
# math.erfc on 100,000 points in [1e-300, 26.5] (tests/ops/test_math_ops.py): relative error
# below 2e-15 (about 1e-15 at worst). The loops run over terms, each a whole-array operation done
# in place (an element is computed by its own range's form only).

_NODE_STEP = 0.125
_NODES = [0.5 + i * _NODE_STEP for i in range(37)]  # 0.5 .. 5.0
_MIDDLE_TERMS = 12


def _erfcx_taylor(x0: float) -> list[float]:
    """The Taylor coefficients c_0 .. c_11 of erfcx around ``x0`` (see above), in Python floats."""
    c = [_math.erfc(x0) * _math.exp(x0 * x0)]
    c.append(2 * x0 * c[0] - _TWO_OVER_SQRT_PI)
    for n in range(1, _MIDDLE_TERMS - 1):
        c.append((2 * x0 * c[n] + 2 * c[n - 1]) / (n + 1))
    return c


# _TAYLOR[n][i]: the n-th coefficient at node i (one list per power, for one gather per step)
_TAYLOR = [list(column) for column in zip(*[_erfcx_taylor(x0) for x0 in _NODES])]
# the series of erf for small |x|: x * sum_k t^k / (1 * 3 * ... * (2k+1)) with t = 2 x^2
_SMALL = [1.0]
for _k in range(1, 13):
    _SMALL.append(_SMALL[-1] / (2 * _k + 1))


def _exp_minus_square(x: Any) -> Any:
    """exp(-x**2), with x**2 split so that its rounding does not show (see above)."""
    if x.ndim == 0:  # arithmetic on a 0-d array gives scalars, which cannot be written in place
        return _exp_minus_square(x.reshape(1)).reshape(())
    lib = array_module(x)
    s = x * 16
    lib.round(s, out=s)
    s /= 16
    d = x - s
    d *= x + s
    lib.negative(d, out=d)
    lib.exp(d, out=d)
    s *= s
    lib.negative(s, out=s)
    lib.exp(s, out=s)
    s *= d
    return s


def _erf_small(x: Any) -> Any:
    t = 2 * x * x
    total = t * _SMALL[-1]
    for coefficient in reversed(_SMALL[1:-1]):  # Horner, in place
        total += coefficient
        total *= t
    total += 1.0
    total *= x
    total *= _exp_minus_square(x)
    total *= _TWO_OVER_SQRT_PI
    return total


def _erfc_middle(x: Any) -> Any:
    lib = array_module(x)
    i = lib.round((x - 0.5) / _NODE_STEP)
    lib.clip(i, 0, len(_NODES) - 1, out=i)
    h = i * _NODE_STEP
    h += 0.5
    lib.subtract(x, h, out=h)  # x - x0, |h| <= 1/16
    i = i.astype(lib.intp)
    total = lib.asarray(_TAYLOR[-1], dtype=lib.float64)[i]
    for column in reversed(_TAYLOR[:-1]):  # Horner, in place
        total *= h
        total += lib.asarray(column, dtype=lib.float64)[i]
    total *= _exp_minus_square(x)
    return total


def _erfc_large(x: Any) -> Any:
    lib = array_module(x)
    f = x.copy()
    for k in range(18, 0, -1):
        lib.divide(k / 2, f, out=f)
        f += x
    f *= _math.sqrt(_math.pi)
    out = _exp_minus_square(x)
    out /= f
    return out


def _erf_erfc(a: Any, want_erfc: bool) -> Any:
    """erf(a) or erfc(a) in float64 (computed for ``|a|``, then by symmetry), cast to a's dtype."""
    if a.ndim == 0:
        return _erf_erfc(a.reshape(1), want_erfc).reshape(())
    lib = array_module(a)
    x = lib.abs(a.astype(lib.float64))  # NaN falls in no range below; it comes back at the end
    small, large = x < 0.5, x >= 5.0
    middle = (x >= 0.5) & ~large
    erfc_abs = lib.zeros(x.shape, dtype=lib.float64)
    erf_small = None
    with lib.errstate(under="ignore"):
        if small.any():
            erf_small = _erf_small(x[small])
            erfc_abs[small] = 1 - erf_small
        if middle.any():
            erfc_abs[middle] = _erfc_middle(x[middle])
        if large.any():
            erfc_abs[large] = _erfc_large(lib.minimum(x[large], 30.0))  # erfc(30) underflows to 0 anyway
    negative = lib.signbit(a)
    if want_erfc:
        out = lib.where(negative, 2 - erfc_abs, erfc_abs)
    else:
        erf_abs = 1 - erfc_abs
        if erf_small is not None:
            erf_abs[small] = erf_small
        out = lib.where(negative, -erf_abs, erf_abs)
    out = lib.where(lib.isnan(a), a, out)
    return out.astype(a.dtype)


# -- unary ops ------------------------------------------------------------------------------------

class Tan(Op):
    def forward(self, a):
        with self.xp.errstate(invalid="ignore"):  # tan(inf) is NaN, as in PyTorch
            out = self.xp.tan(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (1 + out * out)

    def backward_graph(self, grad):
        out = self.output_tensor(self.saved[0])
        return grad * (1 + out * out)


class Asin(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(invalid="ignore"):  # NaN outside [-1, 1], as in PyTorch
            return self.xp.arcsin(a)

    def backward(self, grad):
        (a,) = self.saved
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            return grad / self.xp.sqrt((1 - a) * (1 + a))

    def backward_graph(self, grad):
        a = self.input_tensor(0, self.saved[0])
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            return grad / ((1 - a) * (1 + a)).sqrt()


class Acos(Asin):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(invalid="ignore"):
            return self.xp.arccos(a)

    def backward(self, grad):
        return -super().backward(grad)

    def backward_graph(self, grad):
        return -super().backward_graph(grad)


class Atan(Op):
    def forward(self, a):
        self.save(a)
        return self.xp.arctan(a)

    def backward(self, grad):
        (a,) = self.saved
        with self.xp.errstate(over="ignore"):
            return grad / (1 + a * a)

    def backward_graph(self, grad):
        a = self.input_tensor(0, self.saved[0])
        with self.xp.errstate(over="ignore"):
            return grad / (1 + a * a)


class Sinh(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(over="ignore"):  # inf, as in PyTorch
            return self.xp.sinh(a)

    def backward(self, grad):
        (a,) = self.saved
        with self.xp.errstate(over="ignore"):
            return grad * self.xp.cosh(a)

    def backward_graph(self, grad):
        with self.xp.errstate(over="ignore"):
            return grad * self.input_tensor(0, self.saved[0]).cosh()


class Cosh(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(over="ignore"):
            return self.xp.cosh(a)

    def backward(self, grad):
        (a,) = self.saved
        with self.xp.errstate(over="ignore"):
            return grad * self.xp.sinh(a)

    def backward_graph(self, grad):
        with self.xp.errstate(over="ignore"):
            return grad * self.input_tensor(0, self.saved[0]).sinh()


class Asinh(Op):
    def forward(self, a):
        self.save(a)
        return self.xp.arcsinh(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad / self.xp.hypot(a, 1)  # sqrt(a^2 + 1) without overflow

    def backward_graph(self, grad):
        return grad / self.input_tensor(0, self.saved[0]).hypot(1.0)


class Acosh(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(invalid="ignore"):
            return self.xp.arccosh(a)

    def backward(self, grad):
        (a,) = self.saved
        with self.xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return grad / (self.xp.sqrt(a - 1) * self.xp.sqrt(a + 1))

    def backward_graph(self, grad):
        a = self.input_tensor(0, self.saved[0])
        with self.xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return grad / ((a - 1).sqrt() * (a + 1).sqrt())


class Atanh(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(invalid="ignore", divide="ignore"):
            return self.xp.arctanh(a)

    def backward(self, grad):
        (a,) = self.saved
        with self.xp.errstate(divide="ignore"):
            return grad / ((1 - a) * (1 + a))

    def backward_graph(self, grad):
        a = self.input_tensor(0, self.saved[0])
        with self.xp.errstate(divide="ignore"):
            return grad / ((1 - a) * (1 + a))


class Rsqrt(Op):
    def forward(self, a):
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            out = 1 / self.xp.sqrt(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (-0.5 * out * out * out)

    def backward_graph(self, grad):
        out = self.output_tensor(self.saved[0])
        return grad * (-0.5 * out * out * out)


class Log2(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            return self.xp.log2(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad / (a * _LN2)

    def backward_graph(self, grad):
        return grad / (self.input_tensor(0, self.saved[0]) * _LN2)


class Log10(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            return self.xp.log10(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad / (a * _LN10)

    def backward_graph(self, grad):
        return grad / (self.input_tensor(0, self.saved[0]) * _LN10)


class Log1p(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            return self.xp.log1p(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad / (1 + a)

    def backward_graph(self, grad):
        return grad / (1 + self.input_tensor(0, self.saved[0]))


class Expm1(Op):
    def forward(self, a):
        with self.xp.errstate(over="ignore"):
            out = self.xp.expm1(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (out + 1)

    def backward_graph(self, grad):
        return grad * (self.output_tensor(self.saved[0]) + 1)


class Exp2(Op):
    def forward(self, a):
        with self.xp.errstate(over="ignore"):
            out = self.xp.exp2(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (out * _LN2)

    def backward_graph(self, grad):
        return grad * (self.output_tensor(self.saved[0]) * _LN2)


class Erf(Op):
    sign = 1

    def forward(self, a):
        self.save(a)
        return _erf_erfc(a, want_erfc=self.sign < 0)

    def backward(self, grad):
        (a,) = self.saved
        with self.xp.errstate(under="ignore"):
            return grad * (self.sign * _TWO_OVER_SQRT_PI * _exp_minus_square(a))

    def backward_graph(self, grad):
        a = self.input_tensor(0, self.saved[0])
        with self.xp.errstate(under="ignore"):
            return grad * (self.sign * _TWO_OVER_SQRT_PI * (-(a * a)).exp())


class Erfc(Erf):
    sign = -1


class Square(Op):
    def forward(self, a):
        self.save(a)
        with self.xp.errstate(over="ignore"):
            return a * a

    def backward(self, grad):
        (a,) = self.saved
        return grad * (2 * a)

    def backward_graph(self, grad):
        return grad * (2 * self.input_tensor(0, self.saved[0]))


class Reciprocal(Op):
    def forward(self, a):
        with self.xp.errstate(divide="ignore"):
            out = 1 / a
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return -grad * (out * out)

    def backward_graph(self, grad):
        out = self.output_tensor(self.saved[0])
        return -grad * (out * out)


class Frac(Op):
    """``a - trunc(a)``; the gradient passes unchanged, as in PyTorch."""

    def forward(self, a):
        with self.xp.errstate(invalid="ignore"):  # frac(inf) is NaN, as in PyTorch
            return a - self.xp.trunc(a)

    def backward(self, grad):
        return grad

    backward_graph = backward


class PiecewiseConstant(Op):
    """A piecewise-constant function (the subclasses: sign, floor, ceil, round, trunc): its
    gradient is 0 everywhere, as in PyTorch (which also treats the jumps so)."""

    how = ""

    def forward(self, a, decimals=0):
        lib, how = self.xp, self.how
        if how == "sign":
            return lib.where(lib.isnan(a), 0, lib.sign(a)).astype(a.dtype) if a.dtype.kind == "f" else lib.sign(a)
        if how == "round":
            return lib.round(a, decimals)  # half to even, as in PyTorch
        return getattr(lib, how)(a)

    def backward(self, grad):
        return self.xp.zeros_like(grad)

    def backward_graph(self, grad):
        return self.xp.zeros_like(grad.data)  # a constant: its derivatives are 0 too


class Sign(PiecewiseConstant):
    how = "sign"


class Floor(PiecewiseConstant):
    how = "floor"


class Ceil(PiecewiseConstant):
    how = "ceil"


class Round(PiecewiseConstant):
    how = "round"


class Trunc(PiecewiseConstant):
    how = "trunc"


_PIECEWISE = {"sign": Sign, "floor": Floor, "ceil": Ceil, "round": Round, "trunc": Trunc}


def _unary(op: type[Op], name: str, example: str, result: str, what: str,
           floating: bool = True) -> Callable[[Any], Tensor]:
    def function(a: Any) -> Tensor:
        t = as_floating(a, name) if floating else as_tensor(a, name)
        return op.apply(t)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"""Elementwise {what}.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape; {"integer and bool inputs get the default floating dtype"
                                  if floating else "any dtype"}.

    Returns
    -------
    Tensor
        Of ``a``'s shape and {"floating " if floating else ""}dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.{name}({example})
    {result}
    """
    return function


tan = _unary(Tan, "tan", "tl.tensor([0.0, 1.0])", "tensor([0.      , 1.557408])", "tangent")
asin = _unary(Asin, "asin", "tl.tensor([0.0, 1.0])", "tensor([0.      , 1.570796])",
              "inverse sine (NaN outside [-1, 1])")
acos = _unary(Acos, "acos", "tl.tensor([1.0, 0.0])", "tensor([0.      , 1.570796])",
              "inverse cosine (NaN outside [-1, 1])")
atan = _unary(Atan, "atan", "tl.tensor([0.0, 1.0])", "tensor([0.      , 0.785398])", "inverse tangent")
sinh = _unary(Sinh, "sinh", "tl.tensor([0.0, 1.0])", "tensor([0.      , 1.175201])", "hyperbolic sine")
cosh = _unary(Cosh, "cosh", "tl.tensor([0.0, 1.0])", "tensor([1.      , 1.543081])", "hyperbolic cosine")
asinh = _unary(Asinh, "asinh", "tl.tensor([0.0, 1.0])", "tensor([0.      , 0.881374])",
               "inverse hyperbolic sine")
acosh = _unary(Acosh, "acosh", "tl.tensor([1.0, 2.0])", "tensor([0.      , 1.316958])",
               "inverse hyperbolic cosine (NaN below 1)")
atanh = _unary(Atanh, "atanh", "tl.tensor([0.0, 0.5])", "tensor([0.      , 0.549306])",
               "inverse hyperbolic tangent (NaN outside [-1, 1])")
rsqrt = _unary(Rsqrt, "rsqrt", "tl.tensor([4.0, 0.25])", "tensor([0.5, 2. ])", "reciprocal square root ``1 / sqrt(a)``")
log2 = _unary(Log2, "log2", "tl.tensor([1.0, 8.0])", "tensor([0., 3.])", "base-2 logarithm")
log10 = _unary(Log10, "log10", "tl.tensor([1.0, 10.0])", "tensor([0., 1.])", "base-10 logarithm")
log1p = _unary(Log1p, "log1p", "tl.tensor([0.0, 1e-10])", "tensor([0.e+00, 1.e-10])",
               "``log(1 + a)``, exact for small ``a``")
expm1 = _unary(Expm1, "expm1", "tl.tensor([0.0, 1e-10])", "tensor([0.e+00, 1.e-10])",
               "``exp(a) - 1``, exact for small ``a``")
exp2 = _unary(Exp2, "exp2", "tl.tensor([0.0, 3.0])", "tensor([1., 8.])", "``2 ** a``")
erf = _unary(Erf, "erf", "tl.tensor([0.0, 1.0])", "tensor([0.      , 0.842701])",
             "error function ``2/sqrt(pi) * integral of exp(-t**2) from 0 to a`` (to float64 precision)")
erfc = _unary(Erfc, "erfc", "tl.tensor([0.0, 5.0])", "tensor([1.0000000e+00, 1.5374598e-12])",
              "complementary error function ``1 - erf(a)``, with full relative precision in the tail")
square = _unary(Square, "square", "tl.tensor([-2.0, 3.0])", "tensor([4., 9.])", "square ``a * a``", floating=False)
reciprocal = _unary(Reciprocal, "reciprocal", "tl.tensor([2.0, -4.0])", "tensor([ 0.5 , -0.25])", "``1 / a``")
frac = _unary(Frac, "frac", "tl.tensor([1.5, -2.25])", "tensor([ 0.5 , -0.25])",
              "fractional part ``a - trunc(a)`` (the sign of ``a``); the gradient passes unchanged")


def _rounding(how: str, what: str, example: str, result: str) -> Callable[[Any], Tensor]:
    def function(a: Any) -> Tensor:
        t = as_tensor(a, how)
        if t.dtype.kind == "b":
            raise TypeError(f"{how}: not defined for a bool tensor (shape {t.shape})")
        if t.dtype.kind != "f" and how != "sign":
            return t  # an integer is its own floor, ceil, round and trunc, as in PyTorch
        return _PIECEWISE[how].apply(t)
    function.__name__ = function.__qualname__ = how
    function.__doc__ = f"""Elementwise {what}; piecewise constant, so its gradient is 0.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape; an integer tensor is returned {"as its sign" if how == "sign" else "unchanged"}.

    Returns
    -------
    Tensor
        Of ``a``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.{how}({example})
    {result}
    """
    return function


sign = _rounding("sign", "sign: -1, 0 or 1 (0 for NaN, as in PyTorch)", "tl.tensor([-2.0, 0.0, 3.0])",
                 "tensor([-1.,  0.,  1.])")
floor = _rounding("floor", "floor (round towards -inf)", "tl.tensor([-1.5, 1.5])", "tensor([-2.,  1.])")
ceil = _rounding("ceil", "ceiling (round towards +inf)", "tl.tensor([-1.5, 1.5])", "tensor([-1.,  2.])")
trunc = _rounding("trunc", "truncation (round towards 0)", "tl.tensor([-1.5, 1.5])", "tensor([-1.,  1.])")


def round(a: Any, decimals: int = 0) -> Tensor:
    """Round to ``decimals`` decimal places, halves to even (as PyTorch and NumPy); gradient 0.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape; an integer tensor is returned unchanged.
    decimals : int, default 0
        The number of decimal places (negative: round to tens, hundreds, ...).

    Returns
    -------
    Tensor
        Of ``a``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.round(tl.tensor([0.5, 1.5, 2.5, -0.5]))
    tensor([ 0.,  2.,  2., -0.])
    >>> tl.round(tl.tensor([1.2345]), decimals=2)
    tensor([1.23])
    """
    decimals = integer(decimals, "decimals", "round")
    t = as_tensor(a, "round")
    if t.dtype.kind == "b":
        raise TypeError(f"round: not defined for a bool tensor (shape {t.shape})")
    if t.dtype.kind != "f":
        return t
    return Round.apply(t, decimals=decimals)


# -- binary ops -----------------------------------------------------------------------------------

def _broadcast(name: str, op: type[Op], a: Tensor, b: Tensor, **params: Any) -> Tensor:
    try:
        return op.apply(a, b, **params)
    except ValueError as e:
        if "broadcast" in str(e):
            raise ValueError(f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast "
                             "together (trailing dimensions must be equal or 1)") from None
        raise


def _floating_pair(name: str, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    a, b = operands(name, a, b)
    return as_floating(a, name), as_floating(b, name)


class Atan2(Op):
    def forward(self, a, b):
        self.save(a, b)
        with self.xp.errstate(invalid="ignore"):
            return self.xp.arctan2(a, b)

    def backward(self, grad):
        a, b = self.saved
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            g = grad / (a * a + b * b)
        return g * b, -g * a

    def backward_graph(self, grad):
        a, b = (self.input_tensor(i, v) for i, v in enumerate(self.saved))
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            g = grad / (a * a + b * b)
        return (g * b if self.parents[0] is not None else None), (-g * a if self.parents[1] is not None else None)


class Hypot(Op):
    """``sqrt(a**2 + b**2)`` without overflow; at ``a = b = 0`` the gradient is NaN, as in PyTorch."""

    def forward(self, a, b):
        out = self.xp.hypot(a, b)
        self.save(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            return grad * (a / out), grad * (b / out)

    def backward_graph(self, grad):
        a, b, out = self.saved
        out = self.output_tensor(out)
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            return tuple(grad * (self.input_tensor(i, v) / out) if self.parents[i] is not None else None
                         for i, v in enumerate((a, b)))


class Logaddexp(Op):
    def forward(self, a, b):
        with self.xp.errstate(invalid="ignore"):
            out = self.xp.logaddexp(a, b)
        self.save(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        with self.xp.errstate(invalid="ignore"):  # both -inf: NaN, as in PyTorch
            return grad * self.xp.exp(a - out), grad * self.xp.exp(b - out)

    def backward_graph(self, grad):
        a, b, out = self.saved
        out = self.output_tensor(out)
        with self.xp.errstate(invalid="ignore"):
            return tuple(grad * (self.input_tensor(i, v) - out).exp() if self.parents[i] is not None else None
                         for i, v in enumerate((a, b)))


class Fmod(Op):
    """C's ``fmod``: the remainder of truncated division, with the sign of ``a``. d/da = 1,
    d/db = -trunc(a / b), as in PyTorch."""

    lib_name = "fmod"

    def forward(self, a, b):
        if self.parents:
            self.save(a, b)
        with self.xp.errstate(invalid="ignore", divide="ignore"):
            return getattr(self.xp, self.lib_name)(a, b)

    def backward(self, grad):
        a, b = self.saved
        with self.xp.errstate(invalid="ignore", divide="ignore"):
            q = self.xp.trunc(a / b) if self.lib_name == "fmod" else self.xp.floor(a / b)
        return grad, -grad * q

    def backward_graph(self, grad):
        a, b = self.saved
        with self.xp.errstate(invalid="ignore", divide="ignore"):  # the quotient: piecewise constant
            q = self.xp.trunc(a / b) if self.lib_name == "fmod" else self.xp.floor(a / b)
        return grad, (-grad * Tensor._wrap(q) if self.parents[1] is not None else None)


class Remainder(Fmod):
    """Python's ``%``: the remainder of floor division, with the sign of ``b``. d/da = 1,
    d/db = -floor(a / b), as in PyTorch."""

    lib_name = "remainder"


class FloorDivide(Op):
    """``a // b`` (``how='floor'``) or the truncated quotient (``how='trunc'``); piecewise
    constant, so the gradient is 0."""

    def forward(self, a, b, how):
        lib = self.xp
        with lib.errstate(invalid="ignore", divide="ignore"):
            if a.dtype.kind == "f":
                return lib.floor_divide(a, b) if how == "floor" else lib.trunc(a / b)
            q = lib.floor_divide(a, b)
            if how == "trunc":  # floor rounds down where the signs differ and it is inexact
                q = q + ((q < 0) & (q * b != a))
            return q

    def backward(self, grad):
        return self.xp.zeros_like(grad), self.xp.zeros_like(grad)

    def backward_graph(self, grad):
        zero = self.xp.zeros_like(grad.data)  # a constant: its derivatives are 0 too
        return zero, zero


class Lerp(Op):
    """``start + weight * (end - start)``, computed as PyTorch does (from ``end`` when
    ``|weight| >= 0.5``, so that weight 1 gives ``end`` exactly)."""

    def forward(self, start, end, weight):
        self.save(start, end, weight)
        with self.xp.errstate(invalid="ignore", over="ignore"):
            diff = end - start
            return self.xp.where(self.xp.abs(weight) < 0.5, start + weight * diff, end - diff * (1 - weight))

    def backward(self, grad):
        start, end, weight = self.saved
        return grad * (1 - weight), grad * weight, grad * (end - start)

    def backward_graph(self, grad):
        start, end, weight = (self.input_tensor(i, v) for i, v in enumerate(self.saved))
        need = self.needs_input_grad
        return (grad * (1 - weight) if need[0] else None, grad * weight if need[1] else None,
                grad * (end - start) if need[2] else None)


def atan2(input: Any, other: Any) -> Tensor:
    """Elementwise angle of the point ``(other, input)``: ``atan(input / other)`` in the right
    quadrant, in ``[-pi, pi]``.

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        The y coordinates.
    other : Tensor, ndarray, number or list
        The x coordinates; broadcasts with ``input``.

    Returns
    -------
    Tensor
        Of the broadcast shape, floating.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.atan2(tl.tensor([1.0, 1.0]), tl.tensor([1.0, -1.0]))
    tensor([0.785398, 2.356194])
    """
    a, b = _floating_pair("atan2", input, other)
    return _broadcast("atan2", Atan2, a, b)


def hypot(input: Any, other: Any) -> Tensor:
    """Elementwise ``sqrt(input**2 + other**2)``, without overflow; the gradient at the origin is NaN.

    Parameters
    ----------
    input, other : Tensor, ndarray, number or list
        The legs; their shapes broadcast together.

    Returns
    -------
    Tensor
        Of the broadcast shape, floating.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.hypot(tl.tensor([3.0, 1e30]), tl.tensor([4.0, 1e30]))
    tensor([5.000000e+00, 1.414214e+30])
    """
    a, b = _floating_pair("hypot", input, other)
    return _broadcast("hypot", Hypot, a, b)


def logaddexp(input: Any, other: Any) -> Tensor:
    """Elementwise ``log(exp(input) + exp(other))``, without overflow.

    Parameters
    ----------
    input, other : Tensor, ndarray, number or list
        The operands; their shapes broadcast together.

    Returns
    -------
    Tensor
        Of the broadcast shape, floating.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.logaddexp(tl.tensor([0.0, 1.0]), tl.tensor([0.0, 1000.0]))
    tensor([6.931472e-01, 1.000000e+03])
    """
    a, b = _floating_pair("logaddexp", input, other)
    return _broadcast("logaddexp", Logaddexp, a, b)


def _integer_zero_division(name: str, a: Tensor, b: Tensor) -> None:
    if a.dtype.kind in "iub" and b.dtype.kind in "iub" and not array_module(b.data).all(b.data != 0):
        raise ZeroDivisionError(f"{name}: integer division by zero (divisor of shape {tuple(b.shape)} "
                                "holds a 0)")


def fmod(input: Any, other: Any) -> Tensor:
    """Elementwise remainder of the division truncated towards 0 (C's ``fmod``): it has the sign
    of ``input``. See :func:`remainder` for Python's ``%``.

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        The dividend.
    other : Tensor, ndarray, number or list
        The divisor; broadcasts with ``input``. An integer 0 raises ``ZeroDivisionError``; a
        floating 0 gives NaN.

    Returns
    -------
    Tensor
        Of the broadcast shape. Gradients: 1 for ``input``, ``-trunc(input / other)`` for ``other``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.fmod(tl.tensor([-3.0, 3.0]), 2)
    tensor([-1.,  1.])
    """
    a, b = operands("fmod", input, other)
    _integer_zero_division("fmod", a, b)
    return _broadcast("fmod", Fmod, a, b)


def remainder(input: Any, other: Any) -> Tensor:
    """Elementwise remainder of the floor division (Python's ``%``): it has the sign of ``other``.

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        The dividend.
    other : Tensor, ndarray, number or list
        The divisor; broadcasts with ``input``. An integer 0 raises ``ZeroDivisionError``; a
        floating 0 gives NaN.

    Returns
    -------
    Tensor
        Of the broadcast shape. Gradients: 1 for ``input``, ``-floor(input / other)`` for ``other``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.remainder(tl.tensor([-3.0, 3.0]), 2), tl.tensor([-7, 7]) % 3
    (tensor([1., 1.]), tensor([2, 1]))
    """
    a, b = operands("remainder", input, other)
    _integer_zero_division("remainder", a, b)
    return _broadcast("remainder", Remainder, a, b)


def floor_divide(input: Any, other: Any) -> Tensor:
    """Elementwise ``input // other``, rounded towards -inf (Python's rule); gradient 0.

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        The dividend.
    other : Tensor, ndarray, number or list
        The divisor; broadcasts with ``input``. An integer 0 raises ``ZeroDivisionError``.

    Returns
    -------
    Tensor
        Of the broadcast shape and the operands' dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.floor_divide(tl.tensor([-7, 7]), 2), tl.tensor([-7.0, 7.0]) // 2
    (tensor([-4,  3]), tensor([-4.,  3.]))
    """
    return _divide("floor_divide", input, other, "floor")


def _divide(name: str, input: Any, other: Any, how: str) -> Tensor:
    a, b = operands(name, input, other)
    if a.dtype.kind == "b" and b.dtype.kind == "b":
        raise TypeError(f"{name}: not defined for two bool tensors")
    _integer_zero_division(name, a, b)
    return _broadcast(name, FloorDivide, a, b, how=how)


def lerp(input: Any, end: Any, weight: Any) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``.

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        The start points.
    end : Tensor, ndarray, number or list
        The end points; broadcasts with ``input``.
    weight : float or Tensor
        The weight (0 gives ``input``, 1 gives ``end``); a tensor broadcasts with both and gets a
        gradient.

    Returns
    -------
    Tensor
        Of the broadcast shape, floating.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.lerp(tl.tensor([0.0, 1.0]), tl.tensor([10.0, 3.0]), 0.5)
    tensor([5., 2.])
    """
    start, stop, w = operands("lerp", input, end, weight)
    start, stop, w = (as_floating(t, "lerp") for t in (start, stop, w))
    try:
        return Lerp.apply(start, stop, w)
    except ValueError as e:
        if "broadcast" in str(e):
            raise ValueError(f"lerp: shapes {tuple(start.shape)}, {tuple(stop.shape)} and {tuple(w.shape)} "
                             "cannot be broadcast together") from None
        raise


__all__ = [
    "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "asinh", "acosh", "atanh", "rsqrt",
    "log2", "log10", "log1p", "expm1", "exp2", "erf", "erfc", "sign", "floor", "ceil", "round",
    "trunc", "frac", "fmod", "remainder", "floor_divide", "logaddexp", "lerp", "hypot", "square",
    "reciprocal",
]
