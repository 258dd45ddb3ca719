"""Checkpoints are safe: tl.save is atomic (temporary file, fsync, rename, folder fsync) and survives
a SIGKILL half way; tl.load never unpickles and refuses object arrays, truncated, corrupt and
non-npz files with a ValueError naming the file (and the entry); load_state_dict reports every
problem at once and loads nothing then; training checkpoints go through the same checks.
"""
from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn, optim
from tensorlite.training import load_checkpoint, save_checkpoint

STATE = {"layer.weight": np.arange(12, dtype=np.float32).reshape(3, 4), "layer.bias": np.ones(3), "step": 7}


def _saved(tmp_path, name="ckpt.npz"):
    path = tmp_path / name
    tl.save(STATE, path)
    return path, path.read_bytes()


def _temporaries(folder: Path, name: str) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(f".{name}.") and p.name.endswith(".tmp")]


# -- save: atomic ----------------------------------------------------------------------------------

def test_save_flushes_the_file_renames_it_then_flushes_the_folder(tmp_path, monkeypatch):
    """The real os.fsync and os.replace run; the spies record the order of the durable steps."""
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    tl.save(STATE, tmp_path / "ckpt.npz")
    fsync_file, (_, tmp_name, final), *rest = events
    assert fsync_file == "fsync file" and final == "ckpt.npz"
    assert tmp_name.startswith(".ckpt.npz.") and tmp_name.endswith(".tmp")   # beside it, not *.npz
    assert rest == (["fsync folder"] if os.name == "posix" else [])
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saved_file_gets_the_permissions_open_would_give(tmp_path):
    umask = os.umask(0o022)
    try:
        tl.save(STATE, tmp_path / "a.npz")
        np.save(tmp_path / "b.npy", np.ones(1))
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "a.npz").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "a.npz").stat().st_mode) == stat.S_IMODE((tmp_path / "b.npy").stat().st_mode)



@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_saving_over_a_file_keeps_its_permission_bits(tmp_path, mode):
    path, _ = _saved(tmp_path)
    path.chmod(mode)
    umask = os.umask(0o022)
    try:
        tl.save({"new": np.zeros(2)}, path)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == mode      # was 0644: the rename installed a new file
    assert list(tl.load(path)) == ["new"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
@pytest.mark.parametrize("dangling", [False, True])
def test_saving_to_a_symlink_writes_its_target_and_keeps_the_link(tmp_path, dangling):
    """As torch.save (it opens the path, so the link is followed): the target gets the new data."""
    target = tmp_path / "real" / "ckpt.npz"
    target.parent.mkdir()
    if not dangling:
        tl.save(STATE, target)
    link = tmp_path / "latest.npz"
    link.symlink_to(os.path.relpath(target, tmp_path))
    tl.save({"new": np.zeros(2)}, link)
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert list(tl.load(target)) == ["new"] and list(tl.load(link)) == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.npz", "real"]
    assert [p.name for p in target.parent.iterdir()] == ["ckpt.npz"]


@pytest.mark.parametrize("key, why", [
    ("w\x00", "NUL character"),
    ("w\x00tail", "NUL character"),
    ("k" * 65532, "65532 bytes long in UTF-8, and the zip format allows at most 65531"),
    ("\u00e9" * 32766, "65532 bytes long"),                        # 2 bytes each in UTF-8
    ("w\udc80", "cannot be encoded as UTF-8"),
], ids=["nul", "nul-inside", "too-long", "too-long-utf8", "surrogate"])
def test_save_refuses_a_key_that_cannot_round_trip_before_writing_anything(tmp_path, key, why):
    path, before = _saved(tmp_path)
    with pytest.raises(ValueError, match=f"save: key .* cannot be saved: .*{why}.*nothing was written"):
        tl.save({"good": np.ones(2), key: np.zeros(1)}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]


def test_save_round_trips_the_longest_and_the_unusual_keys_it_accepts(tmp_path):
    keys = ["k" * 65531, "", "a/../b", "/abs", "a\\b", "\u00e9\u4e2d", " spaced ", "x.npy"]
    tl.save({key: np.full(1, i) for i, key in enumerate(keys)}, tmp_path / "keys.npz")
    loaded = tl.load(tmp_path / "keys.npz")
    assert list(loaded) == keys and [int(v[0]) for v in loaded.values()] == list(range(len(keys)))

def test_a_failed_save_keeps_the_previous_file_and_leaves_no_temporary(tmp_path):
    path, before = _saved(tmp_path)

    class Exploding:
        def __array__(self, dtype=None, copy=None):
            raise KeyboardInterrupt  # an interrupt while the arrays are being written

    with pytest.raises(KeyboardInterrupt):
        tl.save({"ok": np.ones(3), "boom": np.zeros(2), "later": Exploding()}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]


CHILD = r"""
import sys
import numpy as np
import tensorlite as tl

path, n = sys.argv[1], int(sys.argv[2])
w = np.zeros(n, np.float32)
for step in range(1, 1000):
    w[0] = step
    tl.save({"w": w, "step": np.array(step)}, path)
    print(step, flush=True)
"""


def _kill_mid_save(tmp_path, written_bytes, n=16_000_000):
    """Start a child that saves {w: 64 MB, step} over ``ckpt.npz`` again and again (the parent's own
    checkpoint, step 0, is there first); SIGKILL it once its first temporary file holds at least
    ``written_bytes``. Returns (path, the child's completed saves, the temporaries it left)."""
    path = tmp_path / "ckpt.npz"
    tl.save({"w": np.arange(1000, dtype=np.float32), "step": np.array(0)}, path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(tl.__file__).parents[1]),
                                                         os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(n)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    try:
        while True:
            assert child.poll() is None, f"the child exited early: {child.stderr.read()}"
            assert time.monotonic() < deadline, "no temporary file appeared within 30 s"
            sizes = []
            for p in _temporaries(tmp_path, path.name):
                try:
                    sizes.append(p.stat().st_size)
                except FileNotFoundError:  # renamed meanwhile
                    pass
            if sizes and max(sizes) >= written_bytes:
                break
            time.sleep(0.0002)
    finally:
        child.kill()  # SIGKILL on POSIX: no handler, no cleanup runs
        out, _ = child.communicate()
    return path, len(out.split()), _temporaries(tmp_path, path.name)


@pytest.mark.parametrize("written_bytes", [0, 16_000_000], ids=["at-temporary-creation", "after-16MB"])
def test_a_save_killed_half_way_leaves_the_previous_checkpoint(tmp_path, written_bytes):
    n = 16_000_000
    for _attempt in range(3):  # retried only if the kill fell between two saves (no temporary left)
        path, completed, leftovers = _kill_mid_save(tmp_path, written_bytes, n)
        if leftovers:
            break
        path.unlink()
    assert len(leftovers) == 1, "the kill never hit a save in progress"
    loaded = tl.load(path)
    # The child may be killed between its rename and its print: then the file holds one save more.
    step = int(loaded["step"])
    assert step in (completed, completed + 1)
    assert sorted(loaded) == ["step", "w"]
    if step == 0:  # the usual case: killed during its first save, the parent's checkpoint is intact
        np.testing.assert_array_equal(loaded["w"], np.arange(1000, dtype=np.float32))
        assert loaded["w"].dtype == np.float32
    else:
        expected = np.zeros(n, np.float32)
        expected[0] = step
        np.testing.assert_array_equal(loaded["w"], expected)
    # The half-written temporary is never the checkpoint, and tl.load refuses it when partial.
    (tmp,) = leftovers
    if tmp.stat().st_size < 4 * n:
        with pytest.raises(ValueError, match=tmp.name):
            tl.load(tmp)
    # save does not remove a stale temporary (it cannot tell it from another process's save in
    # progress); the next save still works and leaves it there, and deleting it is safe.
    tl.save({"step": np.array(-1)}, path)
    assert tl.load(path)["step"] == -1 and tmp.exists()
    tmp.unlink()
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]


def test_a_reader_never_sees_a_partial_checkpoint(tmp_path):
    """While a child saves over the path again and again, every tl.load in the parent gets one
    whole save (w[0] == step), never a mixture or a partial file."""
    path = tmp_path / "ckpt.npz"
    n = 1_000_000
    tl.save({"w": np.zeros(n, np.float32), "step": np.array(0)}, path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(tl.__file__).parents[1]),
                                                         os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(n)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    steps = set()
    try:
        assert child.stdout.readline().strip() == "1"           # its first save is done
        stop = time.monotonic() + 0.5
        while time.monotonic() < stop:
            loaded = tl.load(path)
            assert loaded["w"][0] == loaded["step"] and not loaded["w"][1:].any()
            steps.add(int(loaded["step"]))
    finally:
        child.kill()
        child.communicate()
    assert len(steps) > 2, f"the reads overlapped too few saves: {sorted(steps)}"
    for tmp in _temporaries(tmp_path, path.name):
        tmp.unlink()


# -- load: never unpickles, refuses what is not a checkpoint ------------------------------------------

class _Payload:
    """Unpickling this creates a folder: the marker that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_load_never_runs_a_pickle_payload(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    np.savez(path, weight=np.ones(2), payload=np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    np.load(path, allow_pickle=True)["payload"]       # the payload is real: unpickling runs it
    assert marker.is_dir()
    marker.rmdir()
    with pytest.raises(ValueError, match=r"evil\.npz.*entry 'payload' holds Python objects"):
        tl.load(path)
    assert not marker.exists()


def test_load_refuses_a_pickle_file_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"w": _Payload(marker)}))
    with pytest.raises(ValueError, match=r"model\.pkl.*not an \.npz"):
        tl.load(path)
    assert not marker.exists()


def test_load_refuses_an_object_array_naming_file_and_key(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, fine=np.ones(2), names=np.array(["a", None], dtype=object))
    with pytest.raises(ValueError) as info:
        tl.load(path)
    assert "obj.npz" in str(info.value) and "'names'" in str(info.value) and "object" in str(info.value)


def test_load_refuses_an_archive_member_that_is_not_npy(tmp_path):
    path = tmp_path / "zip.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", b"")  # not even a header
        archive.writestr("data.pkl", pickle.dumps([1]))
    with pytest.raises(ValueError, match=r"zip\.npz.*'w'.*corrupt"):
        tl.load(path)
    path.unlink()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.pkl", pickle.dumps([1]))
    with pytest.raises(ValueError, match=r"zip\.npz.*member 'data\.pkl' is not a \.npy array"):
        tl.load(path)


def test_load_refuses_a_header_that_claims_more_data_than_the_file_holds(tmp_path):
    """A crafted header must not make tl.load allocate what it declares (here 8 TB)."""
    import io
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**12,)})
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", header.getvalue() + b"\0" * 64)
    with pytest.raises(ValueError, match=r"huge\.npz.*'w' declares shape \(1000000000000,\)"):
        tl.load(path)


def _cut_points(size):
    return sorted({0, 1, 3, 4, 30, 64, 200, size // 3, size // 2, size - 22, size - 1})


def test_load_refuses_a_truncated_checkpoint_at_every_cut(tmp_path):
    path, whole = _saved(tmp_path)
    cut = tmp_path / "cut.npz"
    for n in _cut_points(len(whole)):
        cut.write_bytes(whole[:n])
        with pytest.raises(ValueError, match=r"cut\.npz.* not a valid tensorlite checkpoint") as info:
            tl.load(cut)
        assert any(word in str(info.value) for word in ("empty", "truncated", "corrupt")), (n, info.value)


def test_load_refuses_a_corrupted_entry_by_its_checksum(tmp_path):
    path, whole = _saved(tmp_path)
    flipped = bytearray(whole)
    flipped[whole.index(b"\x93NUMPY") + 140] ^= 0x01           # one bit of layer.weight's data
    path.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match=r"ckpt\.npz.*entry 'layer\.weight' .*CRC"):
        tl.load(path)


@pytest.mark.parametrize("content, why", [
    (b"", "empty"),
    (b"weight,bias\n1.0,2.0\n", "not an .npz"),
    (bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)), "not an .npz"),
    (b"PK\x03\x04" + bytes(range(256)) * 4, "truncated or corrupt"),
], ids=["empty", "text", "random-bytes", "zip-magic-then-garbage"])
def test_load_refuses_files_that_are_not_npz(tmp_path, content, why):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.npz") as info:
        tl.load(path)
    assert why in str(info.value)


def test_load_refuses_a_single_npy(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match=r"one\.npy.*single \.npy array"):
        tl.load(path)


def test_load_names_a_missing_path_and_a_folder(tmp_path):
    missing = tmp_path / "nowhere" / "ckpt.npz"
    with pytest.raises(FileNotFoundError, match="no such checkpoint file") as info:
        tl.load(missing)
    assert str(missing) in str(info.value) and info.value.filename == str(missing)
    with pytest.raises(IsADirectoryError, match="folder") as info:
        tl.load(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_load_reads_what_numpy_writes(tmp_path):
    np.savez(tmp_path / "plain.npz", a=np.arange(3), b=np.eye(2, dtype=np.float32))
    np.savez_compressed(tmp_path / "small.npz", a=np.arange(3), s=np.array("text"))
    plain, small = tl.load(tmp_path / "plain.npz"), tl.load(tmp_path / "small.npz")
    np.testing.assert_array_equal(plain["b"], np.eye(2))
    assert plain["b"].dtype == np.float32 and small["s"] == "text"
    np.testing.assert_array_equal(small["a"], [0, 1, 2])


# -- load_state_dict: every problem at once, nothing loaded then ------------------------------------

def test_module_load_state_dict_lists_every_problem_and_loads_nothing():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1D(3), nn.Linear(3, 1))
    before = {k: v.copy() for k, v in model.state_dict().items()}
    sd = {k: np.full_like(v, 5.0) for k, v in nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1D(3),
                                                            nn.Linear(3, 2)).state_dict().items()}
    del sd["1.running_var"]
    sd["3.weight"] = np.ones(1)
    with pytest.raises(KeyError) as info:
        model.load_state_dict(sd)
    message = str(info.value)
    assert isinstance(info.value, ValueError)                  # either except clause catches it
    for part in [r"2.weight: checkpoint shape (2, 3), model shape (1, 3)", "2.bias: checkpoint shape (2,)",
                 "missing keys 1.running_var", "unexpected keys 3.weight"]:
        assert part in message, part
    for key, value in model.state_dict().items():              # all or nothing
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_optimizer_load_state_dict_lists_every_problem_and_loads_nothing():
    w1, w2 = tl.ones(2, requires_grad=True), tl.ones(3, requires_grad=True)
    source = optim.Adam([w1, w2], lr=0.1)
    w1.grad, w2.grad = np.ones(2, np.float32), np.ones(3, np.float32)
    source.step()
    sd = source.state_dict()
    sd["param_groups"][0]["betas"] = (0.9, 1.5)
    target = optim.Adam([tl.ones(3, requires_grad=True), tl.ones(2, requires_grad=True)], lr=0.01)
    with pytest.raises(ValueError) as info:
        target.load_state_dict(sd)
    message = str(info.value)
    assert message.startswith("Adam.load_state_dict: 5 problem(s)")
    assert "parameter group 0: invalid beta parameter at index 1: 1.5" in message
    assert message.count("of parameter 0 has shape (2,), the parameter has shape (3,)") == 2
    assert message.count("of parameter 1 has shape (3,), the parameter has shape (2,)") == 2
    assert not target.state and target.param_groups[0]["lr"] == 0.01


# -- training checkpoints ---------------------------------------------------------------------------

def _trained():
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.01)
    nn.CrossEntropyLoss()(model(tl.randn(6, 4)), np.arange(6) % 2).backward()
    opt.step()
    return model, opt


def test_a_truncated_training_checkpoint_is_refused_by_load_checkpoint(tmp_path):
    model, opt = _trained()
    path = tmp_path / "train.npz"
    save_checkpoint(path, model, opt, epoch=3)
    whole = path.read_bytes()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    for n in (len(whole) // 2, len(whole) - 1):
        path.write_bytes(whole[:n])
        with pytest.raises(ValueError, match=r"train\.npz.*truncated or corrupt"):
            load_checkpoint(path, model, opt)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    path.write_bytes(whole)
    assert load_checkpoint(path, model, opt)["epoch"] == 3


def test_a_training_checkpoint_for_another_model_names_the_file(tmp_path):
    model, opt = _trained()
    path = tmp_path / "train.npz"
    save_checkpoint(path, model, opt)
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    with pytest.raises(ValueError, match=r"load_checkpoint: .*train\.npz.*2\.weight: checkpoint shape \(2, 8\)"):
        load_checkpoint(path, other)
    wider = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    with pytest.raises(ValueError, match=r"load_checkpoint: .*train\.npz.*Adam.load_state_dict"):
        load_checkpoint(path, wider, optim.Adam([*wider.parameters(), tl.ones(1, requires_grad=True)]))


# -- a failed load_checkpoint changes nothing --------------------------------------------------------

def _everything(model, opt, scheduler):
    """What load_checkpoint may change, as plain values to compare."""
    state = opt.state_dict()
    return ({k: v.copy() for k, v in model.state_dict().items()},
            {i: {k: np.array(v).tolist() for k, v in s.items()} for i, s in state["state"].items()},
            [{k: v for k, v in g.items()} for g in state["param_groups"]],
            repr(scheduler.state_dict()), tl.config.generator().bit_generator.state)


def _assert_unchanged(before, after):
    for key in before[0]:
        np.testing.assert_array_equal(after[0][key], before[0][key])
    assert after[1:] == before[1:]


def _target():
    """Another run's model, optimizer and scheduler: a load into them would change each one."""
    tl.manual_seed(5)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.5)
    nn.CrossEntropyLoss()(model(tl.randn(3, 4)), np.arange(3) % 2).backward()
    opt.step()
    return model, opt, optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 2])


def _saved_training(tmp_path):
    model, opt = _trained()
    scheduler = optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 5], gamma=0.5)
    path = tmp_path / "train.npz"
    save_checkpoint(path, model, opt, scheduler, epoch=4, history=tl.training.History(train_loss=[0.5, 0.4],
                                                                                     epoch_iteration=[2]))
    return path


MISMATCHES = {
    "optimizer params": (lambda m, o, s: (m, optim.Adam([*m.parameters(), tl.ones(1, requires_grad=True)]), s),
                         r"Adam.load_state_dict: 1 problem"),
    "optimizer class": (lambda m, o, s: (m, optim.SGD(m.parameters()), None),
                        r"holds the state of a Adam optimizer, not of a SGD"),
    "optimizer groups": (lambda m, o, s: (m, optim.Adam([{"params": [m[0].weight]}, {"params": [
        m[0].bias, m[2].weight, m[2].bias]}]), None), r"the optimizer has 2"),
    "scheduler class": (lambda m, o, s: (m, o, optim.lr_scheduler.StepLR(o, 2)),
                        r"holds the state of a MultiStepLR scheduler, not of a StepLR"),
    "model": (lambda m, o, s: (nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)), o, s),
              r"2\.weight: checkpoint shape \(2, 8\)"),
}


@pytest.mark.parametrize("mismatch", list(MISMATCHES))
def test_a_failed_load_checkpoint_changes_nothing(tmp_path, mismatch):
    """It used to raise only after it had overwritten the model's weights."""
    path = _saved_training(tmp_path)
    make, message = MISMATCHES[mismatch]
    model, opt, scheduler = make(*_target())
    scheduler = scheduler or optim.lr_scheduler.MultiStepLR(opt, milestones=[1])
    before = _everything(model, opt, scheduler)
    with pytest.raises(ValueError, match=r"load_checkpoint: .*train\.npz.*" + message):
        load_checkpoint(path, model, opt, scheduler)
    _assert_unchanged(before, _everything(model, opt, scheduler))


def _rewrite(path, change):
    """Change the stored entries and write them back with valid checksums (tl.save)."""
    stored = tl.load(path)
    change(stored)
    tl.save(stored, path)


def _meta(edit):
    def change(stored):
        meta = json.loads(str(stored["meta"]))
        stored["meta"] = np.asarray(edit(meta) if callable(edit) else edit)
    return change


def _dropped(key):
    def edit(meta):
        del meta[key]
        return json.dumps(meta)
    return edit


def _set(key, value):
    def edit(meta):
        meta[key] = value
        return json.dumps(meta)
    return edit


DAMAGE = {
    "not json": (_meta("{'epoch': 3"), "meta", "not valid JSON"),
    "a list": (_meta("[1, 2]"), "meta", "holds a JSON list, not an object"),
    "no rng": (_meta(_dropped("rng")), "meta", "it has no 'rng'"),
    "no epoch": (_meta(_dropped("epoch")), "meta", "it has no 'epoch'"),
    "epoch a string": (_meta(_set("epoch", "four")), "meta", "its 'epoch' is 'four', not an int"),
    "epoch a float": (_meta(_set("epoch", 4.5)), "meta", "its 'epoch' is 4.5, not an int"),
    "rng of another generator": (_meta(_set("rng", {"dict": [["bit_generator", "MT19937"], ["state", 1]]})),
                                 "meta", "its 'rng' is not a state of PCG64"),
    "rng garbage": (_meta(_set("rng", {"dict": [["state", {"dict": []}]]})), "meta", "'rng' is not a state"),
    "unknown format": (_meta(_set("format", 7)), "meta", "unknown format 7"),
    "unknown type tag": (_meta(_set("optimizer", {"frozenset": []})), "meta", "'optimizer' cannot be read"),
    "optimizer groups garbage": (_meta(_set("optimizer", {"dict": [["class", "Adam"], ["param_groups", 3],
                                                                   ["scalars", {"dict": []}]]})),
                                 "meta", "optimizer state cannot be read"),
    "optimizer entry name": (lambda s: s.update({"optimizer/x/exp_avg": np.zeros(2)}), "optimizer/x/exp_avg",
                             "optimizer/<parameter index>/<name>"),
    "history 2-D": (lambda s: s.update({"history/lr": np.zeros((1, 2))}), "history/lr",
                    "not a 1-D array of numbers"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_checkpoint_metadata_names_the_file_and_the_entry_and_changes_nothing(tmp_path, damage):
    """Checksum-valid but damaged entries gave a JSONDecodeError, a bare KeyError('rng') or an int() error."""
    path = _saved_training(tmp_path)
    change, entry, why = DAMAGE[damage]
    _rewrite(path, change)
    model, opt, scheduler = _target()
    before = _everything(model, opt, scheduler)
    with pytest.raises(ValueError) as info:
        load_checkpoint(path, model, opt, scheduler)
    assert type(info.value) is ValueError
    message = str(info.value)
    assert message.startswith("load_checkpoint: ") and str(path) in message, message
    assert f"entry {entry!r} is damaged" in message and why in message, message
    _assert_unchanged(before, _everything(model, opt, scheduler))


def test_a_missing_history_entry_is_named(tmp_path):
    path = _saved_training(tmp_path)
    _rewrite(path, lambda s: s.pop("history/val_loss"))
    model, opt, scheduler = _target()
    with pytest.raises(ValueError, match=r"train\.npz.*the history has no entry 'history/val_loss'"):
        load_checkpoint(path, model, opt, scheduler)


def test_a_format_1_checkpoint_still_loads_and_its_milestones_get_int_keys_back(tmp_path):
    """Files written before the typed encoding: plain JSON, milestone keys as strings."""
    path = _saved_training(tmp_path)
    model, opt, scheduler = _target()
    reference = _target()
    load_checkpoint(path, *reference)

    def as_format_1(meta):
        from tensorlite.training import _decode
        plain = {key: _decode(value) for key, value in meta.items() if key != "format"}
        state = plain["scheduler"]["state"]
        state["milestones"] = {str(k): v for k, v in state["milestones"].items()}
        opt_meta = plain["optimizer"]
        return json.dumps({"format": 1, "epoch": plain["epoch"], "rng": plain["rng"],
                           "optimizer": {"param_groups": [{k: list(v) if isinstance(v, tuple) else v
                                                           for k, v in g.items()} for g in opt_meta["param_groups"]],
                                         "scalars": {str(i): s for i, s in opt_meta["scalars"].items()}},
                           "scheduler": state})

    _rewrite(path, _meta(as_format_1))
    assert load_checkpoint(path, model, opt, scheduler)["epoch"] == 4
    assert scheduler.milestones == Counter({3: 1, 5: 1}) and all(type(k) is int for k in scheduler.milestones)
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)
    _assert_unchanged(_everything(*reference), _everything(model, opt, scheduler))
