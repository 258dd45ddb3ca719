"""tensorlite.viz: the DOT it writes, parsed back (no Graphviz program needed), module clusters,
gradient and NaN annotations, deep graphs, max_nodes, and rendering with each program that can
render: Graphviz's ``dot`` and ``graphviz-pure`` (a dependency of tensorlite; each test skips,
with the reason, only for a program that is not installed), and the errors when neither runs."""
from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import autograd, nn, viz

ROOT = Path(__file__).resolve().parent.parent


def _graphviz_pure():
    """graphviz-pure where pip put it: on PATH, or in this Python's scripts folder."""
    return shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=sysconfig.get_path("scripts"))


PROGRAMS = {"dot": shutil.which("dot"), "graphviz-pure": _graphviz_pure()}
program = pytest.mark.parametrize("program", [
    pytest.param(name, marks=pytest.mark.skipif(path is None, reason=f"the program {name!r} is not installed"
                                                + (" (apt-get install graphviz)" if name == "dot" else "")))
    for name, path in PROGRAMS.items()])


@pytest.fixture
def use(monkeypatch):
    """use(name): make tl.viz render with that program (through TENSORLITE_DOT)."""
    def choose(name):
        monkeypatch.setenv("TENSORLITE_DOT", PROGRAMS[name])
        assert viz.renderer() == PROGRAMS[name]
    return choose


# ---- a small DOT reader: enough of the grammar for what graphviz.Digraph writes ---------------

_TOKEN = re.compile(r'\s*(?:(->)|([{}\[\];=,])|("(?:\\.|[^"\\])*")|([A-Za-z0-9_.#\-]+)|(<))', re.S)


def _tokens(text):
    pos, out = 0, []
    while True:
        m = _TOKEN.match(text, pos)
        if not m:
            assert not text[pos:].strip(), f"cannot read DOT at: {text[pos:pos + 40]!r}"
            return out
        arrow, punct, quoted, ident, html = m.groups()
        pos = m.end()
        if quoted:
            out.append(re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), quoted[1:-1]))
        elif html:  # an HTML-like label: up to the matching '>'
            depth, start = 1, pos
            while depth:
                depth += {"<": 1, ">": -1}.get(text[pos], 0)
                pos += 1
            out.append("<" + text[start:pos])
        else:
            out.append(arrow or punct or ident)


def parse_dot(text):
    """Return (nodes, edges, clusters): nodes {id: {"attrs", "cluster"}}, edges [(src, dst, attrs)],
    clusters {name: {"attrs", "parent"}} (the parent cluster's name, or None)."""
    toks = _tokens(text)
    nodes, edges, clusters, stack = {}, [], {}, []
    i = 0

    def attrs_at(i):
        attrs = {}
        if i < len(toks) and toks[i] == "[":
            i += 1
            while toks[i] != "]":
                key, eq, value = toks[i:i + 3]
                assert eq == "=", toks[i:i + 3]
                attrs[key] = value
                i += 3
                if toks[i] in ",;":
                    i += 1
            i += 1
        return attrs, i

    while i < len(toks):
        t = toks[i]
        if t in ("digraph", "subgraph"):
            name = toks[i + 1]
            assert toks[i + 2] == "{"
            if t == "subgraph":
                clusters[name] = {"attrs": {}, "parent": stack[-1] if stack else None}
                stack.append(name)
            else:
                stack.append(None)
            i += 3
        elif t == "}":
            stack.pop()
            i += 1
        elif t in ("graph", "node", "edge"):
            attrs, i = attrs_at(i + 1)
            if t == "graph" and stack and stack[-1] is not None:
                clusters[stack[-1]]["attrs"].update(attrs)
        elif t == ";":
            i += 1
        elif i + 1 < len(toks) and toks[i + 1] == "->":
            attrs, j = attrs_at(i + 3)
            edges.append((t, toks[i + 2], attrs))
            i = j
        else:
            attrs, i = attrs_at(i + 1)
            nodes[t] = {"attrs": attrs, "cluster": stack[-1] if stack else None}
    return nodes, edges, clusters


def labels(nodes):
    return {nid: n["attrs"].get("label") for nid, n in nodes.items() if nid != "legend"}


def labelled_edges(nodes, edges):
    names = labels(nodes)
    return Counter((names[a], names[b]) for a, b, _ in edges)


def load_example():
    spec = importlib.util.spec_from_file_location("draw_graph", ROOT / "examples" / "draw_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- structure --------------------------------------------------------------------------------


def test_small_expression_has_exactly_the_expected_nodes_and_edges():
    a = tl.tensor([1.0, 2.0], requires_grad=True)
    b = tl.tensor([3.0, 4.0], requires_grad=True)
    y = ((a * b + a) * 2).tanh().sum()
    nodes, edges, clusters = parse_dot(viz.to_dot(y, params={"a": a, "b": b}))

    assert clusters == {}
    assert sorted(labels(nodes).values()) == sorted([
        "a\n(2,) float32", "b\n(2,) float32",
        "Mul\n(2,) float32", "Add\n(2,) float32", "Mul\n(2,) float32\n+1 constant",
        "Tanh\n(2,) float32", "Sum\n() float32",
    ])
    assert labelled_edges(nodes, edges) == Counter({
        ("a\n(2,) float32", "Mul\n(2,) float32"): 1,
        ("b\n(2,) float32", "Mul\n(2,) float32"): 1,
        ("Mul\n(2,) float32", "Add\n(2,) float32"): 1,
        ("a\n(2,) float32", "Add\n(2,) float32"): 1,
        ("Add\n(2,) float32", "Mul\n(2,) float32\n+1 constant"): 1,
        ("Mul\n(2,) float32\n+1 constant", "Tanh\n(2,) float32"): 1,
        ("Tanh\n(2,) float32", "Sum\n() float32"): 1,
    })
    fill = {nodes[n]["attrs"]["label"].split("\n")[0]: nodes[n]["attrs"]["fillcolor"] for n in labels(nodes)}
    assert fill["a"] == fill["b"] == viz.COLORS["parameter"]
    assert fill["Sum"] == viz.COLORS["output"] and fill["Tanh"] == viz.COLORS["op"]
    for kind, color in viz.COLORS.items():  # the legend shows every colour with its meaning
        assert f'<td bgcolor="{color}">{kind}</td>' in nodes["legend"]["attrs"]["label"]


def test_unnamed_leaves_shapes_off_and_input_used_twice():
    x = tl.tensor([[1.0, 2.0]], requires_grad=True)
    nodes, edges, _ = parse_dot(viz.to_dot((x * x).sum(), show_shapes=False))
    assert sorted(labels(nodes).values()) == ["Mul", "Sum", "tensor"]
    assert labelled_edges(nodes, edges) == Counter({("tensor", "Mul"): 2, ("Mul", "Sum"): 1})


def test_several_roots_and_roots_without_a_graph():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    nodes, edges, _ = parse_dot(viz.to_dot([h, h.sin(), x], show_shapes=False))
    fill = {n["attrs"]["label"]: n["attrs"]["fillcolor"] for nid, n in nodes.items() if nid != "legend"}
    assert fill == {"Exp": viz.COLORS["output"], "Sin": viz.COLORS["output"], "tensor": viz.COLORS["output"]}
    assert labelled_edges(nodes, edges) == Counter({("tensor", "Exp"): 1, ("Exp", "Sin"): 1})
    nodes, edges, _ = parse_dot(viz.to_dot(tl.ones(3)))
    assert list(labels(nodes).values()) == ["tensor\n(3,) float32\nno graph: requires_grad=False"] and not edges


def test_bad_arguments_are_named():
    x = tl.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="root must be a Tensor"):
        viz.draw(np.ones(2))
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        viz.draw(x * 2, max_nodes=0)
    with pytest.raises(TypeError, match=r"params\['w'\] is a str"):
        viz.draw(x * 2, params={"w": "x"})
    with pytest.raises(ValueError, match=r"cannot tell the format of .*\.jpg"):
        viz.save(x * 2, "graph.jpg")


def test_ten_thousand_op_chain_draws_iteratively_and_fast():
    x = tl.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # any recursion over the chain would fail at once
    try:
        start = time.perf_counter()
        dot = viz.to_dot(y)
        elapsed = time.perf_counter() - start
    finally:
        sys.setrecursionlimit(limit)
    nodes, edges, _ = parse_dot(dot)
    assert len(labels(nodes)) == 10_001 and len(edges) == 10_000
    assert elapsed < 10, f"drawing a 10,000-op chain took {elapsed:.1f} s"


def test_max_nodes_keeps_the_ops_nearest_the_output_and_says_what_it_left_out():
    x = tl.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100):
        y = y.sin()
    nodes, edges, _ = parse_dot(viz.to_dot(y, max_nodes=10, show_shapes=False))
    names = labels(nodes)
    note = "\u2026 90 more ops not drawn\n(and 1 leaf tensor)\nmax_nodes=10"
    assert Counter(names.values()) == Counter({"Sin": 10, note: 1})
    assert nodes["more"]["attrs"]["shape"] == "note"
    dashed = [(a, b) for a, b, attrs in edges if attrs.get("style") == "dashed"]
    assert dashed == [("more", "op0")]  # the earliest drawn op is fed by the note
    assert len(edges) == 10 and nodes["op9"]["attrs"]["fillcolor"] == viz.COLORS["output"]


# ---- modules ----------------------------------------------------------------------------------


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.head = nn.Linear(4, 2)
        self.act = nn.ReLU()

    def forward(self, x):
        h = self.features(x)
        return self.act(self.head(h) * 2) + self.act(self.head(h))  # head and act run twice


def test_clusters_nest_as_module_calls_do_and_repeated_calls_get_their_own():
    tl.manual_seed(0)
    model = Block()
    out = model(np.ones((5, 3), dtype=np.float32)).sum()
    nodes, edges, clusters = parse_dot(viz.to_dot(out, show_shapes=False))
    label = {name: c["attrs"]["label"] for name, c in clusters.items()}
    parent = {label[name]: label.get(c["parent"]) for name, c in clusters.items()}
    lin = "in_features={}, out_features={}, bias=True"
    assert parent == {
        "Block": None,
        "features: Sequential": "Block",
        f"features.0: Linear({lin.format(3, 4)})": "features: Sequential",
        "features.1: Tanh()": "features: Sequential",
        f"head: Linear({lin.format(4, 2)}) (call 1 of 2)": "Block",
        f"head: Linear({lin.format(4, 2)}) (call 2 of 2)": "Block",
        "act: ReLU() (call 1 of 2)": "Block",
        "act: ReLU() (call 2 of 2)": "Block",
    }
    where = {n["attrs"]["label"]: label.get(n["cluster"]) for nid, n in nodes.items() if nid != "legend"}
    assert where["features.0.weight"] == f"features.0: Linear({lin.format(3, 4)})"
    assert where["head.weight"] == where["head.bias"] == "Block"  # read by both calls of head
    assert where["Sum"] is None and "input" not in where  # x needs no gradient: not in the graph
    assert {n["attrs"]["label"] for n in nodes.values() if label.get(n["cluster"]) == "Block"} == {
        "Mul\n+1 constant", "Add", "head.weight", "head.bias"}
    _, _, flat = parse_dot(viz.to_dot(out, group_modules=False))
    assert flat == {}


@program
def test_the_dot_reader_agrees_with_graphviz(program):
    """The reader above, checked against Graphviz's own parse (dot -Tjson) of a clustered graph."""
    import json

    tl.manual_seed(0)
    text = viz.to_dot(Block()(np.ones((5, 3), dtype=np.float32)).sum())
    nodes, edges, clusters = parse_dot(text)
    parsed = json.loads(subprocess.run([PROGRAMS[program], "-Tjson0"], input=text, capture_output=True,
                                       text=True, check=True).stdout)
    objects = parsed["objects"]
    assert {o["name"] for o in objects if "nodes" in o} == set(clusters)
    graphviz_nodes = {o["name"]: o["label"].replace("\\n", "\n") for o in objects if "nodes" not in o}
    assert graphviz_nodes.keys() == nodes.keys()
    assert all(graphviz_nodes[k] == n["attrs"]["label"] for k, n in nodes.items() if k != "legend")
    names = [o["name"] for o in objects]
    assert Counter((names[e["tail"]], names[e["head"]]) for e in parsed["edges"]) == Counter(
        (a, b) for a, b, _ in edges)


def test_module_call_frames_are_restored_even_after_an_error():
    class Broken(nn.Module):
        def forward(self, x):
            (x * 2).sum()
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        Broken()(np.ones(2, dtype=np.float32))
    assert autograd.function._calls.frame is None
    x = tl.tensor([1.0], requires_grad=True)
    assert (x * 2)._ctx.module is None  # recorded outside any module


def test_seed_cnn_clusters_and_parameter_names():
    """The seed README's CNN: one cluster per module, parameter nodes named as in the model and
    placed in their layer's cluster; the input, which needs no gradient, is a constant of the first op."""
    example = load_example()
    tl.manual_seed(0)
    model = example.CNNClassifier(28 * 28, 10)
    out = model(np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32))
    nodes, edges, clusters = parse_dot(viz.to_dot(out))
    modules = dict(model.named_modules())
    titles = [c["attrs"]["label"] for c in clusters.values()]
    assert len(titles) == len(modules) == 10
    assert sorted(t.split(":")[0] if ":" in t else "" for t in titles) == sorted(modules)
    assert "Convolutional0: Conv2D(1, 16, kernel_size=(5, 5), stride=(1, 1))" in titles
    label_of = {name: c["attrs"]["label"] for name, c in clusters.items()}
    params = {n["attrs"]["label"].split("\n")[0]: label_of[n["cluster"]]
              for n in nodes.values() if n["attrs"].get("fillcolor") == viz.COLORS["parameter"]}
    assert set(params) == {name for name, _ in model.named_parameters()}
    for name, cluster in params.items():  # Convolutional0.weight sits in "Convolutional0: Conv2D(...)"
        assert cluster.startswith(name.rsplit(".", 1)[0] + ": ")
    inputs = [n for n in nodes.values() if n["attrs"].get("fillcolor") == viz.COLORS["input"]]
    assert inputs == [] and "+1 constant" in nodes["op0"]["attrs"]["label"]
    op_edges = {a: b for a, b, _ in edges if a.startswith("op")}
    chain, node = ["op0"], "op0"
    while node in op_edges:
        node = op_edges[node]
        chain.append(node)
    assert [nodes[n]["attrs"]["label"].split("\n")[0] for n in chain] == [
        "ConvNd", "MaxPoolNd", "Relu", "ConvNd", "MaxPoolNd", "Relu", "Reshape", "Linear", "Softmax"]
    assert len(edges) == 8 + 6  # between the 9 ops, and from the 6 parameters


# ---- gradients and NaN ------------------------------------------------------------------------


def test_show_grads_gives_grad_norms_and_marks_nan_and_inf():
    w = tl.tensor([1.0, np.nan], requires_grad=True)    # NaN in its value
    x = tl.tensor([1.0, 2.0], requires_grad=True)       # its gradient is w: NaN in its grad
    z = tl.tensor([3.0, 4.0], requires_grad=True)       # gradient 2z = (6, 8): norm 10
    y = (w * x).sum() + (z * z).sum()
    before = parse_dot(viz.to_dot(y, params={"w": w, "x": x, "z": z}, show_grads=True, show_shapes=False))[0]
    fill = {n["attrs"]["label"]: n["attrs"]["fillcolor"] for nid, n in before.items() if nid != "legend"}
    assert fill["Mul\nNaN/inf in saved arrays"] == viz.COLORS["NaN/inf"]  # w * x saved w
    assert fill["Mul"] == viz.COLORS["op"]                                  # z * z is clean
    assert fill["Add\nvalue has NaN/inf"] == viz.COLORS["NaN/inf"]         # the output's value
    assert fill["w\nno grad\nNaN/inf in value"] == viz.COLORS["NaN/inf"]

    y.backward()
    after = parse_dot(viz.to_dot(y, params={"w": w, "x": x, "z": z}, show_grads=True, show_shapes=False))[0]
    fill = {n["attrs"]["label"]: n["attrs"]["fillcolor"] for nid, n in after.items() if nid != "legend"}
    assert fill["z\ngrad norm 10"] == viz.COLORS["parameter"]
    assert fill["x\ngrad norm nan\nNaN/inf in grad"] == viz.COLORS["NaN/inf"]
    assert fill["w\ngrad norm 2.236\nNaN/inf in value"] == viz.COLORS["NaN/inf"]  # |x| = sqrt(5)
    assert fill["Mul"] == viz.COLORS["op"]  # saved arrays released by backward: nothing to check

    plain = labels(parse_dot(viz.to_dot(y, params={"w": w}, show_shapes=False))[0])
    assert sorted(plain.values()) == ["Add", "Mul", "Mul", "Sum", "Sum", "tensor", "tensor", "w"]


# ---- rendering --------------------------------------------------------------------------------


def test_a_renderer_comes_with_tensorlite():
    """graphviz-pure is a dependency wherever it has a wheel (setup.cfg's marker), so rendering
    works after pip install alone: at least one program renders here."""
    machines = ("x86_64", "AMD64", "aarch64", "arm64", "ARM64")
    if sys.platform in ("linux", "darwin", "win32") and platform.machine() in machines:
        assert importlib.metadata.version("graphviz-pure")
        assert PROGRAMS["graphviz-pure"] is not None
    if any(PROGRAMS.values()):
        assert viz.renderer() in PROGRAMS.values()


def test_renderer_prefers_dot_then_graphviz_pure_and_honours_tensorlite_dot(monkeypatch):
    monkeypatch.delenv("TENSORLITE_DOT", raising=False)
    expected = PROGRAMS["dot"] or PROGRAMS["graphviz-pure"]
    assert viz.renderer() == expected
    monkeypatch.setenv("TENSORLITE_DOT", "no-such-graphviz-program")
    assert viz.renderer() is None
    with pytest.raises(viz.GraphvizNotFoundError, match="TENSORLITE_DOT='no-such-graphviz-program' names no "
                                                         "program that runs"):
        viz.to_svg(tl.tensor([1.0], requires_grad=True) * 2)


def _venv_without_renderers(tmp_path):
    """A Python environment with neither program: a bare venv that sees this one's packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(tmp_path / "venv")], check=True)
    bindir = tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin")
    env = {**os.environ, "PATH": str(bindir), "PYTHONPATH": str(ROOT)}
    env.pop("TENSORLITE_DOT", None)
    return bindir, env


NO_RENDERER = r"""
import sys, graphviz, tensorlite as tl
x = tl.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
assert tl.viz.renderer() is None, tl.viz.renderer()
for call in (lambda: tl.viz.to_svg(y), lambda: tl.viz.save(y, sys.argv[1] + "/g.svg"),
             lambda: tl.viz.save(y, sys.argv[1] + "/g.png")):
    try:
        call()
    except tl.viz.GraphvizNotFoundError as error:
        assert isinstance(error, RuntimeError) and isinstance(error, graphviz.ExecutableNotFound)
        print(error)
    else:
        raise AssertionError("rendered without a program")
assert tl.viz.save(y, sys.argv[1] + "/g.dot").read_text() == tl.viz.to_dot(y)
"""


def test_without_any_program_the_error_says_what_to_install_and_dot_text_still_saves(tmp_path):
    bindir, env = _venv_without_renderers(tmp_path)
    python = str(bindir / "python")
    done = subprocess.run([python, "-c", NO_RENDERER, str(tmp_path)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    messages = done.stdout.strip().splitlines()
    assert len(messages) == 3
    for message in messages:
        assert "cannot render" in message and "neither the Graphviz program 'dot' nor 'graphviz-pure'" in message
        for command in ("pip install graphviz-pure", "apt-get install graphviz", "brew install graphviz",
                        "conda install graphviz"):
            assert command in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "venv"]


@pytest.mark.skipif(PROGRAMS["graphviz-pure"] is None, reason="the program 'graphviz-pure' is not installed")
def test_graphviz_pure_is_found_beside_a_python_whose_environment_is_not_activated(tmp_path):
    """pip puts graphviz-pure in the environment's scripts folder; running that environment's
    python by its path (PATH not changed) still renders."""
    bindir, env = _venv_without_renderers(tmp_path)
    os.symlink(PROGRAMS["graphviz-pure"], bindir / os.path.basename(PROGRAMS["graphviz-pure"]))
    env["PATH"] = ""
    code = ("import tensorlite as tl; x = tl.tensor([1.0], requires_grad=True); "
            "print(tl.viz.renderer()); print(tl.viz.to_svg(x * 2)[-7:])")
    done = subprocess.run([str(bindir / "python"), "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(bindir / os.path.basename(PROGRAMS["graphviz-pure"])), "</svg>"]


@pytest.mark.skipif(PROGRAMS["graphviz-pure"] is None, reason="the program 'graphviz-pure' is not installed")
def test_graphviz_pure_writes_no_pdf_and_says_so(tmp_path, use):
    use("graphviz-pure")
    y = tl.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(viz.GraphvizNotFoundError, match=r"only '.*graphviz-pure.*' was found, and it writes "
                                                         r"SVG and PNG, not PDF; save as \.svg or \.png"):
        viz.save(y, tmp_path / "g.pdf")
    assert not (tmp_path / "g.pdf").exists()


@program
def test_a_program_that_fails_is_reported_with_its_message(program, use):
    use(program)
    graph = viz.draw(tl.tensor([1.0], requires_grad=True) * 2)
    graph.body.append("  broken -> ;\n")   # not DOT
    with pytest.raises(RuntimeError, match=f"{re.escape(PROGRAMS[program])} failed to render SVG "
                                           r"\(exit status [1-9]\d*\): .*syntax error"):
        viz.to_svg(graph)


@program
def test_seed_cnn_renders_to_svg_with_one_cluster_per_module(program, use, tmp_path):
    use(program)
    example = load_example()
    tl.manual_seed(0)
    model = example.CNNClassifier(28 * 28, 10)
    out = model(np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32))
    svg = viz.to_svg(out)
    assert ("(graphviz-pure)" in svg) == (program == "graphviz-pure")  # it says in a comment who drew it
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    groups = root.iter("{http://www.w3.org/2000/svg}g")
    classes = Counter(g.get("class") for g in groups)
    assert classes["cluster"] == len(list(model.modules())) == 10
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {name for name, _ in model.named_parameters()} <= texts
    assert "Convolutional0.weight" in texts
    formats = ((".svg", b"<?xml"), (".png", b"\x89PNG")) + (((".pdf", b"%PDF"),) if program == "dot" else ())
    for ext, magic in formats:
        assert viz.save(viz.draw(out), tmp_path / f"cnn{ext}").read_bytes().startswith(magic)


def test_example_draws_the_three_graphs(tmp_path, capsys):
    figures = load_example().main(tmp_path)
    ext = ".svg" if viz.renderer() else ".dot"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"cnn_graph{ext}", f"lstm_graph{ext}",
                                                          f"penalty_graph{ext}"]
    # CNN: 10 ops (2 x conv, pool, relu; reshape, linear, softmax, loss) + 6 parameters;
    # LSTM step: 18 ops + 4 parameters + the inputs x, h0, c0
    assert figures["cnn_graph"]["nodes"] == 16 and figures["lstm_graph"]["nodes"] == 25
    # penalty: 2 forward ops (Linear, Tanh), 5 recorded by the backward rules, 4 for the norm and
    # mean; x and 3 parameters (the last bias does not reach the input gradient)
    assert figures["penalty_graph"]["nodes"] == 15
    assert "cnn_graph" in capsys.readouterr().out
    if ext == ".svg":
        lstm = ET.parse(tmp_path / "lstm_graph.svg").getroot()
        texts = {t.text for t in lstm.iter("{http://www.w3.org/2000/svg}text")}
        assert {"x", "h0", "c0", "weight_ih", "weight_hh", "bias_ih", "bias_hh", "LSTMCell(8, 16)"} <= texts
        penalty = ET.parse(tmp_path / "penalty_graph.svg").getroot()
        texts = {t.text for t in penalty.iter("{http://www.w3.org/2000/svg}text")}
        assert {"backward of Tanh", "backward of Linear", "0.weight", "2.weight", "x"} <= texts


IMPORT_CHECK = """
import sys, tensorlite as tl
assert "graphviz" not in sys.modules and "tensorlite.viz" not in sys.modules, "imported too early"
tl.viz.draw
assert "graphviz" in sys.modules
"""


def test_import_tensorlite_does_not_import_graphviz_until_viz_is_used():
    done = subprocess.run([sys.executable, "-c", IMPORT_CHECK], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
