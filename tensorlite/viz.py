"""Draw the computation graph of a tensor: ops, parameters and inputs, grouped by module call.

:func:`draw` walks the tape backwards from one or more output tensors (iteratively: a chain of
any depth draws) and builds a :class:`graphviz.Digraph` whose edges follow the data forward:

* each recorded op is a rounded grey box with its name and, with ``show_shapes``, its output
  shape and dtype; ``+N constant`` counts the inputs that needed no gradient (plain arrays,
  tensors without ``requires_grad``): those are not on the tape, so they are not drawn;
* each leaf tensor the tape reached is a square box: a parameter (blue) carries its name, taken
  from ``params`` or, when the graph came from a ``Module`` call, from the outermost module that
  ran (``Convolutional0.weight``); an input (orange) is labelled by its shape;
* the output(s) are green; with ``show_grads=True`` parameters show their gradient norm, and a
  leaf whose value or gradient holds NaN/inf, an output whose value does, or an op whose saved
  arrays do, turns red;
* with ``group_modules=True`` the ops recorded inside a ``Module.forward`` call are drawn in a
  cluster labelled with the module's qualified name and class (``Convolutional0: Conv2D(1, 16,
  kernel_size=(5, 5), stride=(1, 1))``), nested as the calls nest; a module called several
  times (an RNN cell over time steps) gets one cluster per call. A parameter sits in the
  innermost cluster that holds every op reading it.
* a gradient taken with ``tl.grad(..., create_graph=True)`` is a graph too, and drawing what is
  computed from it (a gradient penalty, a Hessian-vector product) shows both parts: the ops that
  an entry's double-backward rule recorded sit in a dashed orange cluster "backward of <op>", so
  the backward part reads apart from the forward ops it feeds on.

:func:`to_dot` returns the DOT source and needs no Graphviz program; :func:`to_svg` and
:func:`save` (``.svg``, ``.png``, ``.pdf``, or ``.dot``/``.gv`` text) run the program
:func:`renderer` finds: the Graphviz program ``dot`` when it is installed, else ``graphviz-pure``,
the self-contained ``dot`` that ``pip install tensorlite`` brings (SVG and PNG; PDF needs
Graphviz's own ``dot``). When neither runs they raise :class:`GraphvizNotFoundError`, which says
what to install. Every function takes the same keyword arguments as :func:`draw`.
"""
from __future__ import annotations

import heapq
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import graphviz

from tensorlite.autograd import Op
from tensorlite.autograd.function import BackwardOf
from tensorlite.backend import ndarray, xp
from tensorlite.tensor import Tensor

__all__ = ["draw", "to_dot", "to_svg", "save", "renderer", "GraphvizNotFoundError", "COLORS"]

#: Fill colours of the node kinds, also shown in the legend drawn on every graph.
COLORS = {
    "parameter": "#a6cee3",
    "input": "#fdd49e",
    "op": "#eeeeee",
    "output": "#b2df8a",
    "NaN/inf": "#fb8072",
    "module call": "#f4f4fb",
    "backward (create_graph)": "#fde0c5",
}
_NOTE_COLOR = "#ffffcc"
_CLUSTER_FILLS = ("#f4f4fb", "#eaf3ea", "#fbf3e6", "#f3eaf3")  # by nesting depth, repeating

_INSTALL_HINT = (
    "tensorlite renders with the Graphviz program 'dot' when it is installed, else with "
    "'graphviz-pure', a self-contained dot that installs with tensorlite: reinstall it "
    "(`pip install graphviz-pure`), or install Graphviz (`apt-get install graphviz` on "
    "Debian/Ubuntu, `brew install graphviz` on macOS, `conda install graphviz`). Saving DOT text "
    "needs no program: tl.viz.save(root, 'graph.dot')."
)
_PURE = "graphviz-pure"
_PURE_FORMATS = ("svg", "png")  # what graphviz-pure writes of tl.viz's formats (no PDF)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """No program that renders the format asked for was found; the message says what to install.

    A ``RuntimeError``, and a :class:`graphviz.ExecutableNotFound`, so either ``except`` catches it.

    Parameters
    ----------
    what : str
        What could not be rendered (the format, such as ``"SVG"``), for the message.
    found : str, optional
        The program that was found but cannot write ``what`` (``graphviz-pure`` writes no PDF).

    Examples
    --------
    >>> import graphviz, tensorlite as tl
    >>> error = tl.viz.GraphvizNotFoundError("SVG")     # what to_svg and save raise with no program
    >>> isinstance(error, RuntimeError), isinstance(error, graphviz.ExecutableNotFound)
    (True, True)
    >>> "pip install graphviz-pure" in str(error)
    True
    """

    def __init__(self, what: str, found: str | None = None) -> None:
        chosen = os.environ.get("TENSORLITE_DOT")
        if found is None and chosen:
            reason = f"the environment variable TENSORLITE_DOT={chosen!r} names no program that runs"
        elif found is None:
            reason = (f"neither the Graphviz program 'dot' nor '{_PURE}' was found (on PATH, or "
                      f"beside this Python: {os.path.dirname(sys.executable)})")
        else:
            reason = (f"only {found!r} was found, and it writes {' and '.join(f.upper() for f in _PURE_FORMATS)}, "
                      f"not {what}; save as .svg or .png, or install Graphviz's own 'dot'")
        RuntimeError.__init__(self, f"tensorlite.viz: cannot render {what}: {reason}. {_INSTALL_HINT}")


def renderer() -> str | None:
    """The program :func:`to_svg` and :func:`save` render with, or None when there is none.

    In this order: the program named by the environment variable ``TENSORLITE_DOT`` (a path,
    or a name looked up on ``PATH``), else the Graphviz program ``dot`` on ``PATH``, else
    ``graphviz-pure`` (a dependency of tensorlite) on ``PATH`` or in the scripts folder of the
    running Python (so an environment's ``bin/python`` finds it without being activated).
    Both take the same command-line flags.

    Returns
    -------
    str or None
        The program's full path.

    Examples
    --------
    >>> import os, tensorlite as tl
    >>> program = tl.viz.renderer()        # graphviz-pure comes with tensorlite
    >>> program is None or os.path.basename(program).split(".")[0] in ("dot", "graphviz-pure")
    True
    """
    chosen = os.environ.get("TENSORLITE_DOT")
    if chosen:
        return shutil.which(chosen)
    found = shutil.which("dot") or shutil.which(_PURE)
    if found is None:
        folders = {sysconfig.get_path("scripts"), os.path.dirname(sys.executable)}
        found = next((p for folder in folders if (p := shutil.which(_PURE, path=folder))), None)
    return found


# ----------------------------------------------------------------------------------------------
# Walking the tape


def _roots(root: Any) -> list[Tensor]:
    roots = [root] if isinstance(root, Tensor) else list(root) if isinstance(root, (list, tuple)) else None
    if not roots or not all(isinstance(t, Tensor) for t in roots):
        raise TypeError(f"tensorlite.viz: root must be a Tensor or a non-empty list/tuple of Tensors, "
                        f"got {type(root).__name__}")
    return roots


def _walk(roots: list[Tensor]) -> list[Op]:
    """Every entry reachable from ``roots``, in reverse recording order (a heap, no recursion)."""
    starts = {id(t._ctx): t._ctx for t in roots if t._ctx is not None}
    heap = [(-e.seq, key, e) for key, e in starts.items()]
    heapq.heapify(heap)
    seen = set(starts)
    order = []
    while heap:
        op = heapq.heappop(heap)[2]
        order.append(op)
        for p in op.parents:
            if isinstance(p, Op) and id(p) not in seen:
                seen.add(id(p))
                heapq.heappush(heap, (-p.seq, id(p), p))
    return order


def _chain(frame: Any) -> list[Any]:
    """The module-call frames from the outermost call down to ``frame``."""
    chain = []
    while frame is not None:
        chain.append(frame)
        frame = frame[1]
    chain.reverse()
    return chain


def _describe(module: Any) -> str:
    """``Conv2D(1, 16, kernel_size=(5, 5), stride=(1, 1))`` for a layer; the class for a model."""
    extra = module.extra_repr() if hasattr(module, "extra_repr") else ""
    name = type(module).__name__
    return f"{name}({extra})" if "\n" not in extra and not getattr(module, "_modules", None) else name


def _non_finite(*arrays: Any) -> bool:
    for a in arrays:
        if isinstance(a, ndarray) and a.dtype.kind in "fc" and not xp.isfinite(a).all():
            return True
    return False


def _fmt_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _label(lines: list[str]) -> str:
    """One node label: backslashes escaped, lines joined with DOT's centred line break."""
    return graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in lines if line))


def _param_names(params: Any) -> dict[int, str]:
    if params is None:
        return {}
    items = params.items() if isinstance(params, Mapping) else params
    names: dict[int, str] = {}
    for item in items:
        try:
            name, tensor = item
        except (TypeError, ValueError):
            raise TypeError("tensorlite.viz: params must be a dict {name: tensor} or pairs (name, tensor) "
                            "such as model.named_parameters()") from None
        if not isinstance(tensor, (Tensor, ndarray)):
            raise TypeError(f"tensorlite.viz: params[{name!r}] is a {type(tensor).__name__}, not a Tensor "
                            "or an ndarray")
        names.setdefault(id(tensor), str(name))
        if isinstance(tensor, Tensor):  # a module wraps an input that needs no gradient, sharing its array
            names.setdefault(id(tensor.data), str(name))
    return names


# ----------------------------------------------------------------------------------------------
# Building the graph


def draw(
    root: Tensor | Sequence[Tensor],
    params: Mapping[str, Tensor] | Iterable[tuple[str, Tensor]] | None = None,
    show_shapes: bool = True,
    group_modules: bool = True,
    show_grads: bool = False,
    max_nodes: int | None = None,
    rankdir: str = "TB",
) -> graphviz.Digraph:
    """Build the computation graph of ``root`` as a :class:`graphviz.Digraph`.

    Parameters
    ----------
    root : Tensor or sequence of Tensors
        The output(s) whose graph is drawn; several (e.g. an LSTM step's ``(h, c)``) are drawn
        together.
    params : mapping of str to Tensor, or iterable of (str, Tensor) pairs, optional
        Names for leaf tensors, e.g. ``model.named_parameters()``; they take precedence over the
        names found automatically from the outermost module that recorded the graph.
    show_shapes : bool, default True
        Show each op's output shape and dtype and each leaf's shape.
    group_modules : bool, default True
        Draw the ops of each ``Module.forward`` call in a cluster, nested as calls nest.
    show_grads : bool, default False
        Show each parameter's gradient norm (after a backward) and colour NaN/inf red.
    max_nodes : int, optional
        Draw at most this many op nodes, the ones nearest the output (every op that reads a drawn
        op's result is drawn too); the others are summarised in one note node.
    rankdir : {'TB', 'LR', 'BT', 'RL'}, default 'TB'
        Graphviz layout direction: top to bottom (reads best for deep models), left to right, or
        their reverses.

    Returns
    -------
    graphviz.Digraph : render it with ``.pipe()``/``.render()``, show it in a notebook, or pass it
    to :func:`to_svg` / :func:`save`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> g = tl.viz.draw((x * x).sum(), params={"x": x})
    >>> [line.strip() for line in g.body if "->" in line]
    ['leaf0 -> op0', 'leaf0 -> op0', 'op0 -> op1']
    """
    roots = _roots(root)
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"tensorlite.viz.draw: max_nodes must be a positive int or None, got {max_nodes!r}")
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"tensorlite.viz.draw: rankdir must be 'TB', 'LR', 'BT' or 'RL', got {rankdir!r}")

    entries = _walk(roots)
    hidden = entries[max_nodes:] if max_nodes is not None else []
    entries = entries[:max_nodes] if max_nodes is not None else entries
    entries.reverse()  # recording order from here on
    # Module calls: each entry keeps the frame (module, outer frame) it was recorded in.
    chains = {id(e.module): _chain(e.module) for e in entries if e.module is not None}
    names, qualnames = _names(params, chains)

    g = graphviz.Digraph(
        "computation_graph",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "10", "ranksep": "0.3",
                    "nodesep": "0.2", "newrank": "true", "ordering": "in"},
        node_attr={"shape": "box", "style": "filled", "fontname": "Helvetica", "fontsize": "10",
                   "height": "0.3", "margin": "0.08,0.03"},
        edge_attr={"arrowsize": "0.6", "color": "#555555"},
    )
    g.node("legend", _legend(), shape="plaintext", style="", margin="0")
    clusters, outer_cluster = _clusters(chains, qualnames) if group_modules else ({}, {})

    def place(frame: Any) -> graphviz.Digraph:
        return clusters.get(id(frame), g) if frame is not None else g

    op_ids: dict[int, str] = {}
    outputs = {id(t._ctx): t for t in roots if t._ctx is not None}
    for i, e in enumerate(entries):
        op_ids[id(e)] = f"op{i}"
        lines, fill = _op_label(e, outputs.get(id(e)), show_shapes, show_grads)
        place(e.module).node(op_ids[id(e)], _label(lines), style="rounded,filled", fillcolor=fill)

    # Leaf nodes: the tensors the drawn ops read (and roots that are leaves themselves).
    readers: dict[int, list[Op]] = {id(t): [] for t in roots if t._ctx is None}
    leaves: dict[int, Tensor] = {id(t): t for t in roots if t._ctx is None}
    for e in entries:
        for p in e.parents:
            if p is not None and not isinstance(p, Op):
                leaves.setdefault(id(p), p)
                readers.setdefault(id(p), []).append(e)
    leaf_ids: dict[int, str] = {}
    for j, (key, t) in enumerate(leaves.items()):
        leaf_ids[key] = f"leaf{j}"
        lines, fill, is_param = _leaf_label(t, names, any(t is r for r in roots), show_shapes, show_grads)
        home = None  # a parameter goes in the innermost module call around every op reading it
        if is_param and readers[key]:
            home = _common_frame([chains[id(e.module)] if e.module is not None else [] for e in readers[key]])
        place(home).node(leaf_ids[key], _label(lines), fillcolor=fill)

    # Attach clusters, innermost first (a graphviz subgraph copies its body when attached).
    for key in reversed(list(clusters)):
        outer = outer_cluster[key]
        (clusters[outer] if outer is not None else g).subgraph(clusters[key])

    # What max_nodes left out: one note node feeding the drawn ops whose inputs it stands for.
    if hidden:
        hidden_leaves = {id(p) for e in hidden for p in e.parents
                         if p is not None and not isinstance(p, Op) and id(p) not in leaves}
        lines = [f"\u2026 {len(hidden):,} more op{'s' if len(hidden) > 1 else ''} not drawn"]
        if hidden_leaves:
            lines.append(f"(and {len(hidden_leaves):,} leaf tensor{'s' if len(hidden_leaves) > 1 else ''})")
        g.node("more", _label([*lines, f"max_nodes={max_nodes}"]), shape="note", fillcolor=_NOTE_COLOR)

    # Edges, forward: from each input's node to the op that read it.
    for e in entries:
        fed_by_note = False
        for p in e.parents:
            if p is None:
                continue
            if not isinstance(p, Op):
                g.edge(leaf_ids[id(p)], op_ids[id(e)])
            elif id(p) in op_ids:
                g.edge(op_ids[id(p)], op_ids[id(e)])
            elif not fed_by_note:
                g.edge("more", op_ids[id(e)], style="dashed")
                fed_by_note = True
    return g


def _names(params: Any, chains: dict[int, list[Any]]) -> tuple[dict[int, str], dict[int, dict[int, str]]]:
    """Leaf names by id (from ``params``, then from the outermost modules that ran), and each
    outermost module's ``{id(module): qualified name}``."""
    names = _param_names(params)
    qualnames: dict[int, dict[int, str]] = {}
    for chain in chains.values():
        model = chain[0][0]
        if id(model) in qualnames or isinstance(model, BackwardOf):
            continue
        qualnames[id(model)] = {id(m): n for n, m in model.named_modules()}
        for n, p in model.named_parameters():
            if id(p) not in names:  # two outer modules with the same names: the later one says whose
                names[id(p)] = f"{type(model).__name__}.{n}" if n in names.values() else n
    return names, qualnames


def _clusters(chains: dict[int, list[Any]], qualnames: dict[int, dict[int, str]],
              ) -> tuple[dict[int, graphviz.Digraph], dict[int, int | None]]:
    """One cluster per module call holding a drawn op, and per call around one; by id(frame),
    outer calls first; and each one's enclosing call (None at the top)."""
    frames: dict[int, tuple[Any, int, int | None, str]] = {}  # frame, depth, outer, qualified name
    calls_of: dict[int, list[int]] = {}  # id(module) -> its call frames, in order
    for chain in chains.values():
        names = qualnames.get(id(chain[0][0]), {})
        for depth, frame in enumerate(chain):
            if id(frame) not in frames:
                frames[id(frame)] = (frame, depth, id(chain[depth - 1]) if depth else None,
                                     names.get(id(frame[0]), ""))
                calls_of.setdefault(id(frame[0]), []).append(id(frame))
    clusters, outer_of = {}, {}
    for k, (key, (frame, depth, outer, qualname)) in enumerate(sorted(frames.items(), key=lambda f: f[1][1])):
        if isinstance(frame[0], BackwardOf):  # ops recorded by an entry's rule under create_graph=True
            clusters[key] = graphviz.Digraph(f"cluster_{k}", graph_attr={
                "label": _label([f"backward of {frame[0].op.name}"]), "style": "rounded,dashed,filled",
                "color": "#d95f02", "labeljust": "l", "fillcolor": COLORS["backward (create_graph)"]})
            outer_of[key] = outer
            continue
        text = f"{qualname}: {_describe(frame[0])}" if qualname else _describe(frame[0])
        calls = calls_of[id(frame[0])]
        if len(calls) > 1:
            text += f" (call {calls.index(key) + 1} of {len(calls)})"
        clusters[key] = graphviz.Digraph(f"cluster_{k}", graph_attr={
            "label": _label([text]), "style": "rounded,filled", "color": "#999999", "labeljust": "l",
            "fillcolor": _CLUSTER_FILLS[depth % len(_CLUSTER_FILLS)]})
        outer_of[key] = outer
    return clusters, outer_of


def _op_label(e: Op, output: Tensor | None, show_shapes: bool, show_grads: bool) -> tuple[list[str], str]:
    lines = [e.name]
    if show_shapes:
        lines.append(f"{_fmt_shape(e.shape)} {e.dtype}")
    constants = sum(p is None for p in e.parents)
    if constants:
        lines.append(f"+{constants} constant")
    fill = COLORS["op"] if output is None else COLORS["output"]
    if show_grads and isinstance(e.saved, tuple) and _non_finite(*e.saved):
        lines.append("NaN/inf in saved arrays")
        fill = COLORS["NaN/inf"]
    if show_grads and output is not None and _non_finite(output.data):
        lines.append("value has NaN/inf")
        fill = COLORS["NaN/inf"]
    return lines, fill


def _leaf_label(t: Tensor, names: dict[int, str], is_output: bool, show_shapes: bool,
                show_grads: bool) -> tuple[list[str], str, bool]:
    from tensorlite.nn.module import Parameter  # local: nn imports the engine, not this module

    name = names.get(id(t))
    is_param = name is not None or isinstance(t, Parameter)
    lines = [name or ("parameter" if is_param else "tensor")]
    if show_shapes:
        lines.append(f"{_fmt_shape(t.shape)} {t.dtype}")
    fill = COLORS["output"] if is_output else COLORS["parameter"] if is_param else COLORS["input"]
    if is_output and not t.requires_grad:
        lines.append("no graph: requires_grad=False")
    if show_grads:
        if t.grad is not None:
            lines.append(f"grad norm {float(xp.linalg.norm(t.grad.ravel())):.4g}")
        elif is_param:
            lines.append("no grad")
        bad = [what for what, a in (("value", t.data), ("grad", t.grad)) if _non_finite(a)]
        if bad:
            lines.append("NaN/inf in " + " and ".join(bad))
            fill = COLORS["NaN/inf"]
    return lines, fill, is_param


def _common_frame(chains: list[list[Any]]) -> Any:
    """The innermost module call that encloses every chain (None: no common call). A parameter
    is never drawn inside a "backward of" cluster: it belongs to the model, not to a gradient."""
    chains = [[f for f in chain if not isinstance(f[0], BackwardOf)] for chain in chains]
    common = chains[0]
    for chain in chains[1:]:
        n = 0
        while n < len(common) and n < len(chain) and common[n] is chain[n]:
            n += 1
        common = common[:n]
    return common[-1] if common else None


def _legend() -> str:
    rows = "".join(f'<tr><td bgcolor="{color}">{kind}</td></tr>' for kind, color in COLORS.items())
    return f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">{rows}</table>>'


# ----------------------------------------------------------------------------------------------
# Output


def _graph(root: Any, kwargs: dict[str, Any]) -> graphviz.Digraph:
    if isinstance(root, graphviz.Digraph):
        if kwargs:
            raise TypeError("tensorlite.viz: options are given to draw(), not with an already drawn graph")
        return root
    return draw(root, **kwargs)


def to_dot(root: Tensor | Sequence[Tensor], **kwargs: Any) -> str:
    """The DOT source of the graph :func:`draw` builds (no Graphviz program needed).

    Parameters
    ----------
    root : Tensor or sequence of Tensors
        The output(s) whose recorded graph is drawn.
    **kwargs
        Options of :func:`draw` (``show_shapes``, ``show_grads``, ``max_nodes``, ...).

    Returns
    -------
    str
        The graph in Graphviz's DOT language.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> print(tl.viz.to_dot(x.exp(), show_shapes=False).splitlines()[0])
    digraph computation_graph {
    """
    return str(_graph(root, kwargs).source)


def _pipe(graph: graphviz.Digraph, fmt: str) -> bytes:
    """Run the :func:`renderer` program on the graph's DOT text; its output in format ``fmt``.

    The Python ``graphviz`` package's own ``pipe`` calls ``dot`` by name only, so the program
    runs here."""
    program = renderer()
    if program is None:
        raise GraphvizNotFoundError(fmt.upper())
    name = os.path.basename(program).split(".")[0]
    if name == _PURE and fmt not in _PURE_FORMATS:
        raise GraphvizNotFoundError(fmt.upper(), found=program)
    try:
        done = subprocess.run([program, f"-K{graph.engine}", f"-T{fmt}"], input=graph.source.encode("utf-8"),
                              capture_output=True, check=False)
    except OSError as error:  # found, but cannot run (not executable, wrong architecture)
        raise RuntimeError(f"tensorlite.viz: cannot run {program} to render {fmt.upper()}: {error}. "
                           f"{_INSTALL_HINT}") from error
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"tensorlite.viz: {program} failed to render {fmt.upper()} (exit status "
                           f"{done.returncode}): {message or 'no output'}")
    return done.stdout


def to_svg(root: Tensor | Sequence[Tensor] | graphviz.Digraph, **kwargs: Any) -> str:
    """Render the graph to SVG text with the program :func:`renderer` finds.

    That is Graphviz's ``dot`` when it is installed, else ``graphviz-pure`` (installed with
    tensorlite). ``root`` may also be a graph :func:`draw` returned. Keyword arguments go to
    :func:`draw`.

    Parameters
    ----------
    root : Tensor, sequence of Tensors, or graphviz.Digraph
        The output(s) whose recorded graph is drawn, or a graph :func:`draw` returned.
    **kwargs
        Options of :func:`draw` (``show_grads``, ``max_nodes``, ...).

    Returns
    -------
    str
        The SVG document.

    Raises
    ------
    GraphvizNotFoundError
        when neither ``dot`` nor ``graphviz-pure`` is found (the message says what to install).
    RuntimeError
        when the program fails (its own message is included).

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> svg = tl.viz.to_svg(x.exp().sum())
    >>> svg.lstrip().startswith("<?xml"), svg.rstrip().endswith("</svg>")
    (True, True)
    """
    return _pipe(_graph(root, kwargs), "svg").decode("utf-8")


_FORMATS = (".svg", ".png", ".pdf", ".dot", ".gv")


def save(root: Tensor | Sequence[Tensor] | graphviz.Digraph, path: str | Path, **kwargs: Any) -> Path:
    """Write the graph to ``path``, in the format its extension names.

    ``.svg`` and ``.png`` are rendered with the program :func:`renderer` finds (Graphviz's
    ``dot``, else ``graphviz-pure``), ``.pdf`` with Graphviz's ``dot`` only; ``.dot`` and ``.gv``
    are DOT text and need no program. Keyword arguments go to :func:`draw`. Returns the path
    written.

    Parameters
    ----------
    root : Tensor, sequence of Tensors, or graphviz.Digraph
        The output(s) whose recorded graph is drawn, or a graph :func:`draw` returned.
    path : str or pathlib.Path
        The file to write; its extension (``.svg .png .pdf .dot .gv``) picks the format.
    **kwargs
        Options of :func:`draw`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For another extension.
    GraphvizNotFoundError
        For ``.svg`` or ``.png`` when neither ``dot`` nor ``graphviz-pure`` is found; for
        ``.pdf`` when ``dot`` is not.
    RuntimeError
        When the program fails (its own message is included).

    Examples
    --------
    >>> import os, tempfile, tensorlite as tl
    >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> folder = tempfile.mkdtemp()
    >>> path = tl.viz.save(x.exp().sum(), os.path.join(folder, "graph.svg"))
    >>> path.name, path.read_text().rstrip().endswith("</svg>")
    ('graph.svg', True)
    >>> tl.viz.save(x.exp().sum(), os.path.join(folder, "graph.dot")).read_text().startswith("digraph")
    True
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in _FORMATS:
        raise ValueError(f"tensorlite.viz.save: cannot tell the format of {str(path)!r}; use one of the "
                         f"extensions {', '.join(_FORMATS)}")
    graph = _graph(root, kwargs)
    if ext in (".dot", ".gv"):
        path.write_text(graph.source, encoding="utf-8")
    else:
        path.write_bytes(_pipe(graph, ext[1:]))
    return path
