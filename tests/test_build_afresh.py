"""A build folder made from one MicroPython tree is not reused for another (stale
generated headers broke `make firmware BOARD=UNIX MPY_DIR=<other tree>`)."""

from firmware.build import _start_afresh_on_change


def _obj(tmp_path):
    obj = tmp_path / "obj"
    (obj / "genhdr").mkdir(parents=True)
    (obj / "genhdr" / "qstrdefs.generated.h").write_text("old tree's qstrs")
    return obj


def test_same_inputs_keep_the_folder(tmp_path):
    obj = _obj(tmp_path)
    _start_afresh_on_change(obj, "/src/a\nmake BOARD=X", print)
    (obj / "kept").write_text("")
    _start_afresh_on_change(obj, "/src/a\nmake BOARD=X", print)
    assert (obj / "kept").exists()


def test_other_tree_starts_over(tmp_path):
    obj = _obj(tmp_path)
    _start_afresh_on_change(obj, "/src/a\nmake BOARD=X", print)
    (obj / "genhdr").mkdir()  # what the build of tree a made
    said = []
    _start_afresh_on_change(obj, "/src/b\nmake BOARD=X", said.append)
    assert not (obj / "genhdr").exists()
    assert obj.is_dir() and "afresh" in said[0]


def test_folder_from_before_the_stamp_starts_over(tmp_path):
    obj = _obj(tmp_path)  # built before stamps existed: its tree is unknown
    _start_afresh_on_change(obj, "/src/a\nmake BOARD=X", print)
    assert not (obj / "genhdr").exists()
    assert (obj / ".configured-with").read_text() == "/src/a\nmake BOARD=X"
