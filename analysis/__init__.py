"""Result files and analysis: read OMNeT++ .sca/.vec files (from either backend) into pandas.

`read_result_files` gives the documented raw layout (`analysis.results`); the
pivot helpers in `analysis.pivots` turn it into tidy tables.
"""

from analysis.errors import ResultFileError
from analysis.results import COLUMNS, ROW_TYPES, read_result_files, result_file_paths

__all__ = ["COLUMNS", "ROW_TYPES", "ResultFileError", "read_result_files", "result_file_paths"]
