# SPDX-License-Identifier: MIT
"""The run header of a result file: `RunHeader` and how OMNeT++ derives its attributes.

A `RunHeader` is the ``(run_id, attrs, itervars, config)`` value that both
writers take as their first arguments; `RunHeader.omnetpp` computes the 16 run
attributes OMNeT++ 6.1 records (and the default result file name) from a
configuration name, network and iteration variables. The unquoting and
`opp_filenameencode` helpers it needs live here too, since nothing else uses
them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime as Datetime

from fogcosim.resultfiles.text import _ESCAPES


class RunHeader(tuple[str, dict[str, str], dict[str, str], list[tuple[str, str]]]):
    """``(run_id, attrs, itervars, config)``: unpacks into the writers' first arguments."""

    __slots__ = ()

    def __new__(
        cls,
        run_id: str,
        attrs: Mapping[str, str],
        itervars: Mapping[str, str] | None = None,
        config: Sequence[tuple[str, str]] = (),
    ) -> RunHeader:
        """Copy the mappings (a header is a value)."""
        return super().__new__(cls, (run_id, dict(attrs), dict(itervars or {}), list(config)))

    @property
    def run_id(self) -> str:
        """The run id (``run`` line)."""
        return self[0]

    @property
    def attrs(self) -> dict[str, str]:
        """Run attributes (``attr`` lines)."""
        return self[1]

    @property
    def itervars(self) -> dict[str, str]:
        """Iteration variables (``itervar`` lines)."""
        return self[2]

    @property
    def config(self) -> list[tuple[str, str]]:
        """Configuration entries (``config`` lines), in order."""
        return self[3]

    @property
    def file_stem(self) -> str:
        """``${configname}-${iterationvarsf}#${repetition}``: OMNeT++'s default result file name."""
        a = self.attrs
        return f"{a['configname']}-{a['iterationvarsf']}#{a['repetition']}"

    @classmethod
    def omnetpp(
        cls,
        *,
        configname: str,
        network: str,
        runnumber: int = 0,
        itervars: Mapping[str, str] | None = None,
        repetition: int = 0,
        seedset: int | None = None,
        inifile: str = "omnetpp.ini",
        resultdir: str = "results",
        experiment: str | None = None,
        measurement: str | None = None,
        replication: str | None = None,
        datetime: Datetime | None = None,
        processid: int | None = None,
        config: Sequence[tuple[str, str]] = (),
        run_id: str | None = None,
    ) -> RunHeader:
        """The 16 run attributes OMNeT++ 6.1 records, computed as its configuration does.

        `itervars` in their ini order (it orders ``iterationvars``); defaults are
        OMNeT++'s: experiment = configname, measurement = iterationvars,
        replication = ``#<repetition>``, seedset = runnumber, now, this process, and the
        run id ``<configname>-<runnumber>-<datetime>-<processid>``.
        """
        variables = dict(itervars or {})
        segments = [
            (f"{k}=" if k[:1].isalpha() else "") + _filename_encode(_unquote(v))
            for k, v in variables.items()
        ]
        iterationvars = ", ".join(f"${k}={v}" for k, v in variables.items())
        stamp = (datetime or Datetime.now()).strftime("%Y%m%d-%H:%M:%S")
        pid = os.getpid() if processid is None else processid
        attrs = {
            "configname": configname,
            "datetime": stamp,
            "datetimef": stamp.replace(":", ""),
            "experiment": configname if experiment is None else experiment,
            "inifile": inifile,
            "iterationvars": iterationvars,
            "iterationvarsd": "/".join(segments),
            "iterationvarsf": ",".join(segments) + ("-" if segments else ""),
            "measurement": iterationvars if measurement is None else measurement,
            "network": network,
            "processid": str(pid),
            "repetition": str(repetition),
            "replication": f"#{repetition}" if replication is None else replication,
            "resultdir": resultdir,
            "runnumber": str(runnumber),
            "seedset": str(runnumber if seedset is None else seedset),
        }
        default_id = f"{configname}-{runnumber}-{stamp}-{pid}"
        return cls(default_id if run_id is None else run_id, attrs, variables, config)


def _unquote(value: str) -> str:
    match = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', value, re.DOTALL)
    if not match:
        return value
    back = {v: k for k, v in _ESCAPES.items()}
    return re.sub(r"\\.", lambda m: back.get(m.group(), m.group()[1]), match.group(1))


def _filename_encode(text: str) -> str:
    """`opp_filenameencode`, byte for byte (C chars are signed: bytes >= 128 print as ffffffXX)."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch == " ":
            out.append("_")
        elif ch == "_":
            out.append("#_")
        elif ch == "#":
            out.append("##")
        elif byte >= 128:
            out.append(f"#{byte | 0xFFFFFF00:x}")
        elif byte < 32 or byte == 127 or ch in "/\\:?*<>|'`\"$%{}^&":
            out.append(f"#{byte:>2x}")
        else:
            out.append(ch)
    return "".join(out)
