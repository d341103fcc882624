# SPDX-License-Identifier: MIT
"""Bad input raises ResultFileError: one line naming the file, the line and what was expected."""

from __future__ import annotations

import pytest

from analysis import ResultFileError, read_result_files
from fogcosim.errors import UserError

HEADER = 'version 3\nrun r1\nattr configname General\nconfig **.x "a b"\n\n'
VECTOR = HEADER + "vector 0 net.host lat ETV\nattr unit s\n"

CASES = {
    "wrong version": ("version 4\nrun r1\n", 1, "unsupported file version '4'"),
    "version 1": ("version 1\nrun r1\n", 1, "unsupported file version '1'"),
    "wrong version later": ("run r1\nversion 3.0\n", 2, "unsupported file version '3.0'"),
    "csv from another tool": (
        "run,type,module,name\nr1,scalar,m,n\n",
        1,
        "unrecognized line 'run,type,module,name'; expected an OMNeT++ .sca/.vec file",
    ),
    "text from another tool": (
        "# results\n\nmodule,name,value\n",
        3,
        "expected an OMNeT++ .sca/.vec file, which starts with 'version 3' (or 2) or 'run",
    ),
    "only blank lines": ("\n\n\n", 3, "no 'version' or 'run' line"),
    "only comments": ("# a\n  # b\n", 2, "no 'version' or 'run' line"),
    "OMNeT++ 3.x scalar file": (
        'run 1 "Net"\nscalar "Net.a" \t"s" \t1\n',
        1,
        "is an OMNeT++ 3.x run line",
    ),
    "OMNeT++ 3.x vector file": (
        'vector 1  "Net.a"  "v"  1\n1\t0.5\t3\n',
        1,
        "'vector' line before any 'run' line",
    ),
    "no version line, bad item later": ("run r1\nscalar m n x\n", 2, "scalar value 'x'"),
    "version with extra token": ("version 3 x\n", 1, "'version <number>' (2 items), got 3"),
    "truncated mid-line": (HEADER + "scalar m n 12", 6, "truncated"),
    "undeclared vector": (
        VECTOR + "0\t1\t0.5\t1\n7\t2\t0.6\t1\n",
        9,
        "vector 7, which is not declared",
    ),
    "field outside a statistic": (
        HEADER + "scalar m n 1\nfield count 3\n",
        7,
        "stray 'field' line",
    ),
    "field after bins": (
        HEADER + "statistic m s\nfield count 1\nbin -inf 0\nbin 0 1\nbin 1 0\nfield sum 3\n",
        11,
        "stray 'field' line",
    ),
    "bin without statistic": (HEADER + "bin -inf 0\n", 6, "stray 'bin' line"),
    "bad scalar value": (HEADER + "scalar m n 1_000\n", 6, "scalar value '1_000' is not a number"),
    "short scalar line": (
        HEADER + "scalar m 1\n",
        6,
        "'scalar <module> <name> <value>' (4 items), got 3",
    ),
    "unmatched quote": (HEADER + 'scalar m "n 1\n', 6, "unmatched quote"),
    "attr before run": ("version 3\nattr a b\n", 2, "'attr' line before any 'run'"),
    "scalar before run": ("version 3\nscalar m n 1\n", 2, "before any 'run' line"),
    "itervar after a result": (HEADER + "scalar m n 1\nitervar N 4\n", 7, "stray 'itervar' line"),
    "decreasing bin edges": (
        HEADER + "statistic m s\nbin -inf 0\nbin 1 1\nbin 0 1\n",
        9,
        "not above the previous",
    ),
    "histogram without overflow bin": (
        HEADER + "statistic m s\nbin -inf 0\n",
        6,
        "1 'bin' line(s)",
    ),
    "vector line, wrong column count": (
        VECTOR + "0\t1\t0.5\n",
        8,
        "has 2 columns, expected 3 (ETV)",
    ),
    "vector value not a number": (VECTOR + "0\t1\t0.5\tx1\n", 8, "value 'x1' is not a number"),
    "event number not an integer": (VECTOR + "0\t1.5\t0.5\t1\n", 8, "event number '1.5'"),
    "duplicate vector id": (VECTOR + "vector 0 net.host lat2 TV\n", 8, "declared twice"),
    "bad column spec": (HEADER + "vector 0 m n XV\n", 6, "column spec 'XV'"),
    "unknown keyword": (HEADER + "sclar m n 1\n", 6, "unrecognized line 'sclar m n 1'"),
    "field count not finite": (HEADER + "statistic m s\nfield count nan\n", 7, "not a finite"),
    "vector id reused in the next run": (
        VECTOR + "0\t1\t0.5\t1\nrun r2\n\n0\t2\t0.5\t1\n",
        11,
        "vector 0, which is not declared",
    ),
}


def _read(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path, lambda: read_result_files(path)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_names_file_line_and_expectation(tmp_path, case):
    content, line, expected = CASES[case]
    path, read = _read(tmp_path, "bad-#0.sca", content)
    with pytest.raises(ResultFileError) as info:
        read()
    err = info.value
    assert isinstance(err, UserError)
    assert (err.path, err.line) == (str(path), line)
    assert str(err).startswith(f"{path}:{line}: ")
    assert expected in str(err)
    assert "\n" not in str(err)


def test_binary_blob(tmp_path):
    _, read = _read(tmp_path, "x.vec", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ResultFileError, match=r"x\.vec:3: binary data \(NUL byte\)"):
        read()


def test_empty_file(tmp_path):
    _, read = _read(tmp_path, "x.sca", b"")
    with pytest.raises(ResultFileError, match=r"x\.sca: empty file"):
        read()


def test_bad_line_deep_in_a_bulk_vector_segment_is_located(tmp_path):
    lines = [f"0\t{i}\t{i / 10}\t{i * 2}" for i in range(5000)]
    lines[3210] = "0\t3210\t321.0\t6420.0.0"
    _, read = _read(tmp_path, "big.vec", VECTOR + "\n".join(lines) + "\n")
    with pytest.raises(ResultFileError) as info:
        read()
    assert info.value.line == 8 + 3210
    assert "value '6420.0.0' is not a number" in str(info.value)


@pytest.mark.parametrize(
    ("arg", "problem"),
    [
        ("missing.sca", "no such file or folder"),
        ("nothing-*.sca", "pattern matches no .sca or .vec file"),
        ("empty-folder", "folder holds no .sca or .vec files"),
        ("run.vci", "is a vector index file; pass the .vec file beside it instead"),
    ],
)
def test_bad_paths(tmp_path, monkeypatch, arg, problem):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "run.vci").write_text("file 1 2\nversion 3\n")
    with pytest.raises(ResultFileError) as info:
        read_result_files(arg)
    assert str(info.value) == f"{arg}: {problem}"
