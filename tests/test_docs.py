"""The documentation covers the public API: every public name has a NumPy-style docstring with a
runnable example, and every public name is on an API reference page (docs/api/*.rst).

"Public" is read from ``__all__`` of the modules in PUBLIC_MODULES, so a name added to an
``__all__`` without a docstring or an API entry fails here. The Sphinx build itself
(``sphinx-build -W``, which also catches docstring markup errors) runs in ``.ci/run``, where the
``docs`` extra is installed; the examples run as doctests in the normal pytest run
(``--doctest-modules`` for docstrings, ``--doctest-glob=*.rst`` for the guide pages).
"""
from __future__ import annotations

import importlib
import inspect
import re
import types
from pathlib import Path
from typing import Any

import pytest

import tensorlite as tl

DOCS = Path(__file__).resolve().parent.parent / "docs"
API_PAGES = sorted((DOCS / "api").glob("*.rst"))

PUBLIC_MODULES = [
    "tensorlite",
    "tensorlite.nn",
    "tensorlite.nn.functional",
    "tensorlite.nn.init",
    "tensorlite.optim",
    "tensorlite.optim.lr_scheduler",
    "tensorlite.data",
    "tensorlite.data.datasets",
    "tensorlite.training",
    "tensorlite.viz",
    "tensorlite.legacy",
    "tensorlite.legacy.nn",
    "tensorlite.legacy.optim",
    "tensorlite.legacy.utils",
    "tensorlite.legacy.utils.trainers",
    "tensorlite.legacy.utils.utils",
    "tensorlite.legacy.utils.constants",
    "tensorlite.legacy.evaluators",
    "tensorlite.distributed",
    "tensorlite.nn.parallel",
    "tensorlite.nn.utils",  # issue 22
    "tensorlite.nn.utils.rnn",
    "tensorlite.linalg",
    "tensorlite.cuda",
]

# Public constants: plain data carry no docstring of their own; each is described on its API
# page (checked by test_every_public_name_is_on_an_api_page).
CONSTANTS = {
    "tensorlite.__version__": "the version string",
    "tensorlite.data.datasets.MIRRORS": "a list of download URLs",
    "tensorlite.data.datasets.MD5": "a dict of file checksums",
    "tensorlite.viz.COLORS": "a dict of node colours",
    "tensorlite.legacy.utils.constants.SAVE_DIR": "the old scripts' results folder",
    "tensorlite.legacy.utils.constants.DATA_DIR": "the old scripts' data folder",
}

# numpydoc's section names (numpydoc.docscrape.NumpyDocString.sections)
SECTIONS = {
    "Parameters", "Returns", "Yields", "Receives", "Raises", "Warns", "Other Parameters",
    "Attributes", "Methods", "See Also", "Notes", "Warnings", "References", "Examples",
}


def _public_names() -> list[tuple[str, str, Any]]:
    names = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)  # a name in __all__ that does not exist fails here
            if not isinstance(obj, types.ModuleType):
                names.append((module_name, name, obj))
    return names


PUBLIC = _public_names()
DOCSTRING_CASES = [(m, n, o) for m, n, o in PUBLIC if f"{m}.{n}" not in CONSTANTS]


def _sections(doc: str) -> dict[str, str]:
    """numpydoc sections of a cleaned docstring: {title: body}; the summary is under ''."""
    lines = doc.splitlines()
    sections: dict[str, list[str]] = {"": []}
    current = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        underline = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and re.fullmatch(r"-{3,}", underline.strip()) and not line.startswith(" "):
            current = line.strip()
            sections[current] = []
            i += 2
            continue
        sections[current].append(line)
        i += 1
    return {title: "\n".join(body) for title, body in sections.items()}


def _own_doc(obj: Any) -> str:
    # obj.__doc__, not inspect.getdoc: a class without a docstring must not borrow its base's
    return inspect.cleandoc(obj.__doc__ or "")


@pytest.mark.parametrize(("module", "name", "obj"), DOCSTRING_CASES,
                         ids=[f"{m}.{n}" for m, n, _ in DOCSTRING_CASES])
def test_public_name_has_a_numpydoc_docstring_with_an_example(module: str, name: str, obj: Any) -> None:
    where = f"{module}.{name}"
    doc = _own_doc(obj)
    assert doc, f"{where} has no docstring"
    sections = _sections(doc)
    summary = sections[""].strip()
    assert summary, f"{where}: the docstring starts with a section instead of a summary line"
    unknown = set(sections) - SECTIONS - {""}
    assert not unknown, f"{where}: {sorted(unknown)} are not numpydoc sections (known: {sorted(SECTIONS)})"
    underlines = re.findall(r"^(\S.*)\n(-{3,})\s*$", doc, re.M)
    short = [title for title, dashes in underlines if len(dashes) < len(title)]
    assert not short, f"{where}: the underline of {short} is shorter than the title"
    assert "Examples" in sections, f"{where}: the docstring has no Examples section"
    assert re.search(r"^\s*>>> ", sections["Examples"], re.M), (
        f"{where}: the Examples section has no >>> doctest")


def test_constants_are_plain_data() -> None:
    # a function or class must not hide among the exempted constants
    for full_name in CONSTANTS:
        module, _, name = full_name.rpartition(".")
        obj = getattr(importlib.import_module(module), name)
        assert isinstance(obj, (str, list, dict, tuple)), f"{full_name} is not a plain constant"


def _member_doc(member: Any) -> str:
    target = member.fget if isinstance(member, property) else member
    target = getattr(target, "__func__", target)  # classmethod / staticmethod
    return (getattr(target, "__doc__", None) or "").strip()


PUBLIC_CLASSES = list({id(o): o for _, _, o in DOCSTRING_CASES if inspect.isclass(o)}.values())


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=[c.__qualname__ for c in PUBLIC_CLASSES])
def test_public_methods_and_properties_have_docstrings(cls: type) -> None:
    # The API pages list each class's documented members (autodoc :members:), so a public method
    # without a docstring would silently drop out of the reference. An override of a documented
    # base-class method (a layer's forward, a scheduler's get_lr) is covered by the base's entry.
    slots = set(getattr(cls, "__slots__", ()))  # e.g. Tensor.data: in the class's Attributes section
    missing = []
    for name, member in vars(cls).items():
        if name.startswith("_") or name in slots:
            continue
        if not (callable(member) or isinstance(member, (property, classmethod, staticmethod))):
            continue
        if _member_doc(member):
            continue
        if any(name in vars(base) and _member_doc(vars(base)[name]) for base in cls.__mro__[1:]):
            continue
        missing.append(name)
    assert not missing, f"{cls.__module__}.{cls.__qualname__} members without a docstring: {missing}"


def test_tensor_attributes_are_documented() -> None:
    attributes = _sections(_own_doc(tl.Tensor)).get("Attributes", "")
    for slot in ("data", "grad", "requires_grad"):
        assert hasattr(tl.Tensor, slot)  # a slot, or a property over one
        assert re.search(rf"^{slot} :", attributes, re.M), f"Tensor's Attributes section lacks {slot}"


def _parameter_entries(doc: str) -> list[str]:
    """The names a docstring's Parameters section documents, in order: one per name of each
    unindented entry line (``name : type``, ``a, b : type`` or a bare ``name``), stars dropped."""
    names = []
    for line in _sections(doc).get("Parameters", "").splitlines():
        if not line.strip() or line[0].isspace():
            continue  # a description line
        head = line.split(" : ", 1)[0] if " : " in line else line.rstrip(" :")
        names += [name.strip().lstrip("*") for name in head.split(",")]
    return names


# Public callables documented in files the docstring pass could not touch; each must be
# fixed (then removed here): strict, so a fixed one that is still listed fails too.
PARAMETERS_PENDING: set[str] = set()  # names whose Parameters section is still to write


def _signature(obj: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):  # e.g. an exception class: a built-in constructor, no signature
        return None


# one case per object (aliases share their target's docstring), for objects with a signature
SIGNATURE_CASES = [(m, n, o) for m, n, o in {id(o): (m, n, o) for m, n, o in reversed(DOCSTRING_CASES)}.values()
                   if callable(o) and _signature(o) is not None][::-1]


@pytest.mark.parametrize(
    ("module", "name", "obj"),
    [pytest.param(m, n, o, marks=pytest.mark.xfail(strict=True, reason="docstring not yet fixed"))
     if f"{m}.{n}" in PARAMETERS_PENDING else (m, n, o) for m, n, o in SIGNATURE_CASES],
    ids=[f"{m}.{n}" for m, n, _ in SIGNATURE_CASES])
def test_public_callables_document_their_parameters(module: str, name: str, obj: Any) -> None:
    # Every parameter of the signature (a class's constructor) has an entry in the Parameters
    # section, and every entry names a parameter: numpydoc reads everything up to the next section
    # header as parameter entries, so a paragraph written after the entries (a "Shapes: ..."
    # line) would render as a bogus parameter; such text belongs in a Notes section.
    where = f"{module}.{name}"
    signature = inspect.signature(obj)
    params = signature.parameters.values()
    wanted = [p.name for p in params
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and not p.name.startswith("_")]
    documented = _parameter_entries(_own_doc(obj))
    missing = [p for p in wanted if p not in documented]
    assert not missing, f"{where}: the Parameters section does not document {missing}"
    unknown = [entry for entry in documented if entry not in {p.name for p in params}]
    assert not unknown, (f"{where}: Parameters entries {unknown} name no parameter of {where}{signature} "
                         "(put text after the entries in a Notes section)")


# -- the API pages -----------------------------------------------------------------------------

_DIRECTIVE = re.compile(
    r"^\.\. (?P<kind>auto(?:function|class|exception|data|method|attribute|module)|"
    r"py:(?:function|class|exception|data|method|attribute|module|currentmodule)|"
    r"module|currentmodule)::\s*(?P<arg>\S.*?)\s*$")
_ROLE = re.compile(r":(?:func|class|exc|data|meth|attr|obj):`~?([\w.]+)`")


def _api_entries() -> list[dict[str, Any]]:
    """One dict per object directive on the API pages: full name, kind, signature, body, page."""
    entries = []
    for page in API_PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        current = None
        for i, line in enumerate(lines):
            match = _DIRECTIVE.match(line)
            if not match:
                continue
            kind, arg = match["kind"], match["arg"]
            if kind.endswith("module"):
                current = arg
                continue
            name, _, signature = arg.partition("(")
            full = name if name.startswith("tensorlite.") or current is None else f"{current}.{name}"
            body = []
            for following in lines[i + 1:]:
                if following and not following.startswith(" "):
                    break
                body.append(following)
            entries.append({"full": full, "kind": kind, "current": current, "page": page.name,
                            "signature": signature.rstrip(")") if signature else None,
                            "body": "\n".join(body)})
    return entries


def _resolve(full_name: str) -> Any:
    """The object a dotted name names: the longest importable module prefix, then attributes."""
    parts = full_name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(full_name)


def test_the_api_pages_exist_and_are_in_the_toctree() -> None:
    assert API_PAGES, f"no API pages in {DOCS / 'api'}"
    index = (DOCS / "api" / "index.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^   (\w+)\s*$", index, re.M))
    assert {p.stem for p in API_PAGES} - {"index"} == listed, "docs/api/index.rst's toctree"
    assert re.search(r"^   api/index\s*$", (DOCS / "index.rst").read_text(encoding="utf-8"), re.M)


def test_every_public_name_is_on_an_api_page() -> None:
    documented = {entry["full"] for entry in _api_entries()}
    missing = [f"{m}.{n}" for m, n, _ in PUBLIC if f"{m}.{n}" not in documented]
    assert not missing, (
        f"public names with no entry in docs/api/*.rst (add an autofunction/autoclass, or a "
        f"py: directive saying 'Alias of ...' for an alias): {missing}")


def test_api_entries_are_unique_and_resolve() -> None:
    entries = _api_entries()
    seen: dict[str, str] = {}
    for entry in entries:
        full = entry["full"]
        assert full not in seen, f"{full} is documented twice ({seen[full]} and {entry['page']})"
        seen[full] = entry["page"]
        _resolve(full)  # an entry for a name that no longer exists fails here


def test_alias_entries_name_the_object_they_alias() -> None:
    # Hand-written py: entries (aliases such as nn.Conv2d) must point, with a role, at a
    # documented name bound to the very same object, and repeat its parameter names.
    entries = _api_entries()
    documented = {entry["full"] for entry in entries}
    manual = [e for e in entries if e["kind"].startswith("py:") and e["kind"] != "py:data"]
    assert manual, "expected the aliases (nn.Conv2d, tl.clamp, ...) as py: entries"
    for entry in manual:
        targets = _ROLE.findall(entry["body"])
        assert targets, f"{entry['full']} ({entry['page']}): the entry names no target with a role"
        target = targets[0]
        if target not in documented and entry["current"]:
            target = f"{entry['current']}.{target}"
        assert target in documented, f"{entry['full']}: its target {targets[0]} is not documented"
        assert _resolve(entry["full"]) is _resolve(target), (
            f"{entry['full']} is not the same object as {target}")
        if entry["signature"] is not None:
            wanted = [p.name for p in inspect.signature(_resolve(target)).parameters.values()]
            written = [re.sub(r"[*\s]|=.*", "", p) for p in entry["signature"].split(",")]
            written = [p for p in written if p]
            assert written == wanted, f"{entry['full']}: signature lists {written}, the function {wanted}"
