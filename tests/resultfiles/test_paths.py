# SPDX-License-Identifier: MIT
"""Which files `read_result_files` reads: paths, folders (recursive), globs; each file once."""

from __future__ import annotations

import shutil

from analysis import read_result_files, result_file_paths
from fogcosim.resultfiles import reader as R
from tests.conftest import REFERENCE_SCA, REFERENCE_VEC


def _tree(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(REFERENCE_SCA[0], tmp_path / "a" / REFERENCE_SCA[0].name)
    shutil.copy(REFERENCE_VEC[0], tmp_path / "a" / "b" / "host[0].vec")  # '[' in a real name
    (tmp_path / "a" / "notes.txt").write_text("not a result file\n")
    (tmp_path / "a" / ".x.sca.123.tmp").write_text("half-written by an atomic writer\n")
    return tmp_path / "a"


def test_a_folder_is_searched_recursively_for_sca_and_vec(tmp_path):
    folder = _tree(tmp_path)
    assert [p.name for p in result_file_paths(folder)] == [REFERENCE_SCA[0].name, "host[0].vec"]


def test_globs_existing_names_with_brackets_and_duplicates(tmp_path, monkeypatch):
    folder = _tree(tmp_path)
    monkeypatch.chdir(folder)
    literal = "b/host[0].vec"  # exists, so taken literally rather than as a character class
    paths = result_file_paths(["**/*.vec", literal, "*.sca", str(folder / "b" / "host[0].vec")])
    assert [p.name for p in paths] == ["host[0].vec", REFERENCE_SCA[0].name]
    raw = read_result_files(["**/*.vec", literal, "*.sca"])
    assert raw[R.RUN].nunique() == 1
    assert (raw[R.TYPE] == R.RUNATTR).sum() == 16
    assert (raw[R.TYPE] == R.VECTOR).sum() == 9 and (raw[R.TYPE] == R.SCALAR).sum() > 700
