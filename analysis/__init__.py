# SPDX-License-Identifier: MIT
"""Result files and analysis: read OMNeT++ .sca/.vec files (from either backend) into pandas.

`read_result_files` gives the documented raw layout (`fogcosim.resultfiles.reader`); the
pivot helpers (`analysis.run.pivots`) turn it into tidy tables with run
attributes and iteration variables as columns. Bad files raise
`ResultFileError`, a `UserError` whose text names the file and line.
"""

from analysis.run.pivots import (
    histograms,
    parameters,
    runs,
    scalars,
    statistics,
    vector_samples,
    vectors,
)
from fogcosim.resultfiles.errors import ResultFileError
from fogcosim.resultfiles.reader import COLUMNS, ROW_TYPES, read_result_files, result_file_paths

__all__ = [
    "COLUMNS",
    "ROW_TYPES",
    "ResultFileError",
    "histograms",
    "parameters",
    "read_result_files",
    "result_file_paths",
    "runs",
    "scalars",
    "statistics",
    "vector_samples",
    "vectors",
]
