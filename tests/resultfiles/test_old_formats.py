# SPDX-License-Identifier: MIT
"""Result files of every OMNeT++ from 4.0 on read as `opp_scavetool` 6.1 reads them.

Each file below is written in the line format of one OMNeT++ generation, taken
from its sources: 4.x (`src/envir/fileoutscalarmgr.cc`, `fileoutvectormgr.cc`,
`runattributes.cc`: ``version 2``, iteration variables as run attributes and as
``scalar .`` lines, ``param`` lines, ``bin -INF``), 5.1 to 5.7
(`src/common/omnetppscalarfilewriter.cc`: ``version 2`` with ``itervar`` lines,
``scalar _runattrs_``), 6.x (``version 3``, ``config``, ``par``), the same
without a ``version`` line, and Windows builds' ``1.#INF``. The expected rows
are what ``opp_scavetool export -F CSV-R`` of OMNeT++ 6.1.0 printed for these
files (for the ``.vec`` without a ``version`` line, after ``opp_scavetool
index``: without a ``.vci`` it fails with "Cannot open file"); where
opp_scavetool is installed, `test_opp_scavetool_prints_the_expected_rows`
checks them again.
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from analysis import ResultFileError, read_result_files
from fogcosim.resultfiles import reader as R
from tests.conftest import scavetool_export

from .csvr import exact_times, read_export, render

RUN4 = (
    "run General-1-20140101-12:00:00-1234\n"
    "attr N 4\n"
    "attr configname General\n"
    "attr datetime 20140101-12:00:00\n"
    "attr experiment General\n"
    "attr inifile omnetpp.ini\n"
    'attr iterationvars "$N=4, $rate=1Mbps"\n'
    'attr iterationvars2 "$N=4, $rate=1Mbps, $repetition=0"\n'
    'attr measurement "$N=4, $rate=1Mbps"\n'
    "attr network Net\n"
    "attr processid 1234\n"
    "attr rate 1Mbps\n"
    "attr repetition 0\n"
    "attr replication #0\n"
    "attr resultdir results\n"
    "attr runnumber 1\n"
    "attr seedset 1\n"
    "param **.numHosts 4\n"
    'param **.host[*].app.destAddresses "\\"sink\\""\n'
    "\n"
)
SCA4 = RUN4 + (
    "scalar . \tN \t4\n"
    "scalar . \trate \t1000000\n"
    "attr unit  bps\n"
    "scalar Net.host[0].app \tsent \t42\n"
    "attr unit  pk\n"
    "statistic Net.sink \tdelay\n"
    "field count 3\nfield mean 2\nfield stddev 1\nfield sum 6\nfield sqrsum 14\n"
    "field min 1\nfield max 3\n"
    "attr unit  s\n"
    "bin\t-INF\t0\nbin\t0\t1\nbin\t2\t2\nbin\t4\t0\n"
    'statistic Net.host[0].queue \t"queue length"\n'
    "field count 4\nfield mean 1.5\nfield stddev 0.5\nfield sum 6\nfield sqrsum 10\n"
    "field min 1\nfield max 2\n"
    "field weights 8\nfield weightedSum 12\nfield sqrSumWeights 20\nfield weightedSqrSum 30\n"
    "statistic Net.host[1].app \trtt\n"
    "field count 0\nfield mean 0\nfield stddev 0\nfield sum 0\nfield sqrsum 0\n"
    "field min 0\nfield max 0\n"
)
VEC4 = RUN4 + (
    "vector 0  Net.host[0].app  rtt  ETV\n"
    "attr interpolationmode  none\n"
    "attr unit  s\n"
    "0\t12\t0.5\t0.001\n"
    'vector 1  Net.sink  "queue length"  TV\n'
    "1\t0.75\t3\n"
    "0\t40\t1.25\t0.002\n"
    "1\t1.5\t0\n"
)
SCA5 = (
    "version 2\n"
    "run General-0-20180101-00:00:00-1\n"
    "attr configname General\n"
    'attr iterationvars "$N=4"\n'
    "attr network Net\n"
    "itervar N 4\n"
    "param **.numHosts 4\n"
    "\n"
    "scalar _runattrs_ N 4\n"
    "scalar Net.sink rcvd 10\n"
    "attr source rcvd\n"
    'statistic Net.sink "delay:histogram"\n'
    "field count 2\nfield mean 1\nfield stddev 0\nfield min 1\nfield max 1\nfield sum 2\n"
    "field sqrsum 2\n"
    "attr unit s\n"
    "bin\t-inf\t0\nbin\t0\t0\nbin\t1\t2\nbin\t2\t0\n"
)
SCA6 = (
    "version 3\n"
    "run Empty-0\n"
    "attr configname Empty\n"
    "\n"
    "run New-0\n"
    "attr network Net\n"
    "attr configname New\n"
    "itervar x 1\n"
    "config **.x 1\n"
    'config **.y "\\"a b\\""\n'
    "\n"
    "scalar Net.a s 2.5\n"
    'par Net.a p "\\"hi\\""\n'
    "attr unit s\n"
    "statistic Net.a st\n"
    "field count 2\nfield mean 1.5\nfield stddev 0.70710678118655\nfield min 1\nfield max 2\n"
    "field sum 3\nfield sqrsum 5\n"
    "attr unit s\n"
    "attr title t\n"
)
VEC6 = (
    "version 3\nrun New-0\nattr configname New\nitervar x 1\nconfig **.x 1\n\n"
    "vector 0 Net.a empty ETV\nattr unit s\n"
    "vector 1 Net.a v1 TV\n1\t0.5\t3\n"
)
VEC_NO_VERSION = (
    "run Old-0\nattr configname Old\n\n"
    "vector 0 Net.a empty ETV\nattr unit s\n"
    "vector 1 Net.a v1 1\n"  # OMNeT++ 3.x's header: a multiplicity, no column spec: TV
    "vector 2 Net.a v2\n"  # no column spec: TV
    "1\t0.5\t3\n2\t0.25\t7\n1\t1.5\t4\n"
)
SCA_WINDOWS = (
    "version 2\nrun General-0-20100101-00:00:00-1\nattr configname General\n\n"
    "scalar Net.a up 1.#INF\nscalar Net.a down -1.#INF\nscalar Net.a nan1 -1.#IND\n"
    "scalar Net.a nan2 1.#QNAN\n"
)

_R4 = "General-1-20140101-12:00:00-1234"
HEADER4 = f"""\
{_R4},runattr,,,configname,General
{_R4},runattr,,,datetime,20140101-12:00:00
{_R4},runattr,,,experiment,General
{_R4},runattr,,,inifile,omnetpp.ini
{_R4},runattr,,,iterationvars,"$N=4, $rate=1Mbps"
{_R4},runattr,,,iterationvars2,"$N=4, $rate=1Mbps, $repetition=0"
{_R4},runattr,,,measurement,"$N=4, $rate=1Mbps"
{_R4},runattr,,,network,Net
{_R4},runattr,,,processid,1234
{_R4},runattr,,,repetition,0
{_R4},runattr,,,replication,#0
{_R4},runattr,,,resultdir,results
{_R4},runattr,,,runnumber,1
{_R4},runattr,,,seedset,1
{_R4},itervar,,,N,4
{_R4},itervar,,,rate,1Mbps
{_R4},config,,,**.numHosts,4
{_R4},config,,,**.host[*].app.destAddresses,\"\"\"sink\"\"\"
"""
RESULTS_SCA4 = f"""\
{_R4},scalar,.,N,,,4
{_R4},scalar,.,rate,,,1000000
{_R4},attr,.,rate,unit,bps
{_R4},scalar,Net.host[0].app,sent,,,42
{_R4},attr,Net.host[0].app,sent,unit,pk
{_R4},statistic,Net.host[0].queue,queue length,,,,4,8,1.5,1.477097891752,1,2
{_R4},statistic,Net.host[1].app,rtt,,,,0,0,NaN,NaN,0,0
{_R4},histogram,Net.sink,delay,,,,3,3,2,1,1,3,0,0,"0 2 4","1 2"
{_R4},attr,Net.sink,delay,unit,s
"""
RESULTS_VEC4 = f"""\
{_R4},vector,Net.host[0].app,rtt,,,,,,,,,,,,,,"0.5 1.25","0.001 0.002"
{_R4},attr,Net.host[0].app,rtt,interpolationmode,none
{_R4},attr,Net.host[0].app,rtt,unit,s
{_R4},vector,Net.sink,queue length,,,,,,,,,,,,,,"0.75 1.5","3 0"
"""
_R5 = "General-0-20180101-00:00:00-1"
EXPECTED_SCA5 = f"""\
{_R5},runattr,,,configname,General
{_R5},runattr,,,iterationvars,$N=4
{_R5},runattr,,,network,Net
{_R5},itervar,,,N,4
{_R5},config,,,**.numHosts,4
{_R5},scalar,_runattrs_,N,,,4
{_R5},scalar,Net.sink,rcvd,,,10
{_R5},attr,Net.sink,rcvd,source,rcvd
{_R5},histogram,Net.sink,delay:histogram,,,,2,2,1,0,1,1,0,0,"0 1 2","0 2"
{_R5},attr,Net.sink,delay:histogram,unit,s
"""
# The .vec's index replaces the run header the .sca gave (network, **.y are gone);
# the run without results (Empty-0) and the vector without data are not listed.
EXPECTED_SCA6_VEC6 = """\
New-0,runattr,,,configname,New
New-0,itervar,,,x,1
New-0,config,,,**.x,1
New-0,scalar,Net.a,s,,,2.5
New-0,param,Net.a,p,,,\"\"\"hi\"\"\"
New-0,attr,Net.a,p,unit,s
New-0,statistic,Net.a,st,,,,2,2,1.5,0.70710678118655,1,2
New-0,attr,Net.a,st,title,t
New-0,attr,Net.a,st,unit,s
New-0,vector,Net.a,v1,,,,,,,,,,,,,,"0.5","3"
"""
EXPECTED_VEC_NO_VERSION = """\
Old-0,runattr,,,configname,Old
Old-0,vector,Net.a,empty,,,,,,,,,,,,,,"",""
Old-0,attr,Net.a,empty,unit,s
Old-0,vector,Net.a,v1,,,,,,,,,,,,,,"0.5 1.5","3 4"
Old-0,vector,Net.a,v2,,,,,,,,,,,,,,"0.25","7"
"""
_RW = "General-0-20100101-00:00:00-1"
EXPECTED_WINDOWS = f"""\
{_RW},runattr,,,configname,General
{_RW},scalar,Net.a,up,,,Inf
{_RW},scalar,Net.a,down,,,-Inf
{_RW},scalar,Net.a,nan1,,,NaN
{_RW},scalar,Net.a,nan2,,,NaN
"""

#: name -> (files as {file name: text}, expected CSV-R rows in R.COLUMNS order)
CASES = {
    "4.x .sca (version 2)": ({"a.sca": "version 2\n" + SCA4}, HEADER4 + RESULTS_SCA4),
    "4.x-style .sca without a version line": ({"a.sca": SCA4}, HEADER4 + RESULTS_SCA4),
    "4.x .vec (version 2, ETV and TV)": ({"a.vec": "version 2\n" + VEC4}, HEADER4 + RESULTS_VEC4),
    "4.x .sca and .vec of one run": (
        {"a.sca": "version 2\n" + SCA4, "a.vec": "version 2\n" + VEC4},
        HEADER4 + RESULTS_SCA4 + RESULTS_VEC4,
    ),
    "5.x .sca (version 2, itervar lines)": ({"a.sca": SCA5}, EXPECTED_SCA5),
    "6.x .sca and .vec (version 3)": ({"a.sca": SCA6, "a.vec": VEC6}, EXPECTED_SCA6_VEC6),
    ".vec without a version line, old headers": (
        {"a.vec": VEC_NO_VERSION},
        EXPECTED_VEC_NO_VERSION,
    ),
    "Windows inf/nan forms": ({"a.sca": SCA_WINDOWS}, EXPECTED_WINDOWS),
}


def _rows(text: str) -> list[tuple[str, ...]]:
    """CSV rows padded to all columns, vector times as `csvr.render` prints them."""
    rows = []
    width = len(R.COLUMNS)
    for row in csv.reader(io.StringIO(text)):
        row = row + [""] * (width - len(row))
        row[R.COLUMNS.index(R.VECTIME)] = exact_times(row[R.COLUMNS.index(R.VECTIME)])
        rows.append(tuple(row))
    return rows


def _write(folder: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text)
        paths.append(path)
    return paths


@pytest.mark.parametrize("case", list(CASES))
def test_rows_are_those_opp_scavetool_prints(tmp_path, case):
    files, expected = CASES[case]
    raw = read_result_files(_write(tmp_path, files))
    assert render(raw, R.COLUMNS) == _rows(expected)


def test_old_itervars_become_itervars_and_scalars_stay(tmp_path):
    raw = read_result_files(_write(tmp_path, {"a.sca": SCA4}))
    itervars = raw[raw[R.TYPE] == R.ITERVAR]
    assert dict(zip(itervars[R.ATTRNAME], itervars[R.ATTRVALUE], strict=True)) == {
        "N": "4",
        "rate": "1Mbps",
    }
    assert {"N", "rate"}.isdisjoint(raw.loc[raw[R.TYPE] == R.RUNATTR, R.ATTRNAME])
    dots = raw[(raw[R.TYPE] == R.SCALAR) & (raw[R.MODULE] == ".")]
    assert dots[R.VALUE].tolist() == [4.0, 1e6]


def test_a_vec_header_without_version_does_not_replace_the_sca_header(tmp_path):
    """A .vec that opp_scavetool reads line by line keeps the header of the file read first."""
    paths = _write(
        tmp_path,
        {
            "h.sca": "version 3\nrun r5\nattr who sca\n\nscalar m s 1\n",
            "h.vec": "run r5\nattr who vec\n\nvector 0 m v TV\n0\t0.5\t1\n",
        },
    )
    for order in (paths, paths[::-1]):
        raw = read_result_files(order)
        who = raw.loc[raw[R.TYPE] == R.RUNATTR, R.ATTRVALUE].tolist()
        assert who == ["sca" if order[0].suffix == ".sca" else "vec"]


def test_a_vec_with_only_empty_vectors_adds_no_run(tmp_path):
    paths = _write(tmp_path, {"a.vec": "version 3\nrun r\nattr a 1\n\nvector 0 m v TV\n"})
    assert read_result_files(paths).empty


def test_a_malformed_file_without_version_names_file_and_line(tmp_path):
    broken = SCA4.replace("field sqrsum 10\n", "field sqrsum ten\n")
    (path,) = _write(tmp_path, {"old.sca": broken})
    line = broken[: broken.index("field sqrsum ten")].count("\n") + 1
    with pytest.raises(ResultFileError) as info:
        read_result_files(path)
    assert (info.value.path, info.value.line) == (str(path), line)
    assert "field sqrsum 'ten' is not a number" in str(info.value)


@pytest.mark.omnetpp
@pytest.mark.parametrize("case", list(CASES))
def test_opp_scavetool_prints_the_expected_rows(tmp_path, scavetool, case):
    files, expected = CASES[case]
    paths = _write(tmp_path, files)
    for path in paths:
        if path.suffix == ".vec" and not path.read_text().startswith("version"):
            lib = str(scavetool.resolve().parent.parent / "lib")
            subprocess.run([str(scavetool), "index", str(path)], check=True, capture_output=True,
                           env={"LD_LIBRARY_PATH": lib, "PATH": "/usr/bin:/bin"})  # fmt: skip
    header, rows = read_export(scavetool_export(scavetool, paths, tmp_path / "export.csv"))
    padded = [
        tuple(dict(zip(header, row, strict=True)).get(c, "") for c in R.COLUMNS) for row in rows
    ]
    assert padded == _rows(expected)  # one run each, so the order is fixed too
