"""The ops of one input, a."""

from __future__ import annotations

import math
from typing import Any

from circuitrun.ops.ieee import cos, div, each, exp, log, np, sigmoid, sin, sqrt
from circuitrun.ops.inline import Inline, fixed
from circuitrun.ops.record import Kink, Op


def _sign_arrays(a: Any) -> Any:
    return (a > 0).astype(np.float64) - (a < 0).astype(np.float64)


# np.maximum keeps NaN; adding 0.0 turns the zero it gives for a <= 0 into +0.0 whatever
# its sign (the scalar relu gives 0.0 for -0.0) and changes no other value.  Over
# arrays the local gradient is a mask: g * True is g * 1.0, g * False is g * 0.0.
RELU1 = Inline("a if a > 0 or a != a else 0.0", ("1.0 if a > 0 else 0.0",),
               array="np.add(np.maximum(a, 0.0, out=out), 0.0, out=out)", array_grads=("a > 0",))
_RELU = fixed(RELU1)
_exp_each, _log_each, _sigmoid_each = each(exp), each(log), each(sigmoid)
_tanh_each, _sin_each, _cos_each = each(math.tanh), each(sin), each(cos)


def _kink(what: str, near: str) -> Kink:
    return Kink(f"{what} at 0", f"{near} within eps")


RECORDS = (
    Op(name="neg", min_in=1, max_in=1,
       forward=lambda a: -a, local_grads=lambda ans, a: (-1.0,),
       array_forward=lambda xs, out: np.negative(xs[0], out=out),
       array_local_grads=lambda ans, xs: [-1.0],
       symbol="-x", explain_value="−{(a)}", explain_grads=("−1",), propagates=True),
    Op(name="inv", min_in=1, max_in=1,
       forward=lambda a: div(1.0, a), local_grads=lambda ans, a: (-ans * ans,),
       array_forward=lambda xs, out: np.divide(1.0, xs[0], out=out),
       array_local_grads=lambda ans, xs: [(-ans) * ans],
       symbol="1/x", explain_value="1/{(a)}", explain_grads=("−1/{a}²",),
       kink=_kink("1/x", "1/x pole")),
    Op(name="square", min_in=1, max_in=1,
       forward=lambda a: a * a, local_grads=lambda ans, a: (2.0 * a,),
       array_forward=lambda xs, out: np.multiply(xs[0], xs[0], out=out),
       array_local_grads=lambda ans, xs: [2.0 * xs[0]],
       symbol="x²", explain_value="{(a)}²", explain_grads=("2·{a}",), propagates=True),
    Op(name="sqrt", min_in=1, max_in=1,
       forward=sqrt, local_grads=lambda ans, a: (div(0.5, ans),),
       array_forward=lambda xs, out: np.sqrt(xs[0], out=out),
       array_local_grads=lambda ans, xs: [0.5 / ans],
       symbol="√", explain_value="√{(a)}", explain_grads=("1/(2√{a})",), propagates=True,
       kink=_kink("sqrt", "sqrt domain edge")),
    Op(name="exp", min_in=1, max_in=1,
       forward=exp, local_grads=lambda ans, a: (ans,),
       array_forward=lambda xs, out: _exp_each(xs[0]),
       array_local_grads=lambda ans, xs: [ans],
       symbol="exp", explain_value="e^{(a)}", explain_grads=("e^{a}",)),
    Op(name="log", min_in=1, max_in=1,
       forward=log, local_grads=lambda ans, a: (div(1.0, a),),
       array_forward=lambda xs, out: _log_each(xs[0]),
       array_local_grads=lambda ans, xs: [1.0 / xs[0]],
       symbol="log", explain_value="ln({a})", explain_grads=("1/{a}",), propagates=True,
       kink=_kink("log", "log domain edge")),
    Op(name="sigmoid", min_in=1, max_in=1,
       forward=sigmoid, local_grads=lambda ans, a: (ans * (1.0 - ans),),
       array_forward=lambda xs, out: _sigmoid_each(xs[0]),
       array_local_grads=lambda ans, xs: [ans * (1.0 - ans)],
       symbol="σ", explain_value="σ({a})", explain_grads=("σ(1−σ)",)),
    Op(name="tanh", min_in=1, max_in=1,
       forward=math.tanh, local_grads=lambda ans, a: (1.0 - ans * ans,),
       array_forward=lambda xs, out: _tanh_each(xs[0]),
       array_local_grads=lambda ans, xs: [1.0 - ans * ans],
       symbol="tanh", explain_value="tanh({a})", explain_grads=("1 − tanh²({a})",)),
    Op(name="relu", min_in=1, max_in=1, inline=RELU1,
       forward=_RELU.forward, local_grads=_RELU.local_grads,
       array_forward=_RELU.array_forward, array_local_grads=_RELU.array_local_grads,
       symbol="relu", explain_value="max({a}, 0)", explain_grads=("1 if {a} > 0 else 0",),
       kink=_kink("relu", "relu kink")),
    Op(name="abs", min_in=1, max_in=1,
       forward=math.fabs, local_grads=lambda ans, a: (float((a > 0) - (a < 0)),),
       array_forward=lambda xs, out: np.abs(xs[0], out=out),
       array_local_grads=lambda ans, xs: [_sign_arrays(xs[0])],
       symbol="abs", explain_value="|{a}|", explain_grads=("sign({a})",), propagates=True,
       kink=_kink("abs", "abs kink")),
    Op(name="sin", min_in=1, max_in=1,
       forward=sin, local_grads=lambda ans, a: (cos(a),),
       array_forward=lambda xs, out: _sin_each(xs[0]),
       array_local_grads=lambda ans, xs: [_cos_each(xs[0])],
       symbol="sin", explain_value="sin({a})", explain_grads=("cos({a})",), propagates=True),
    Op(name="cos", min_in=1, max_in=1,
       forward=cos, local_grads=lambda ans, a: (-sin(a),),
       array_forward=lambda xs, out: _cos_each(xs[0]),
       array_local_grads=lambda ans, xs: [-_sin_each(xs[0])],
       symbol="cos", explain_value="cos({a})", explain_grads=("−sin({a})",), propagates=True),
)
