# SPDX-License-Identifier: MIT
"""OMNeT++ result files (.sca, .vec, .vci): one home for writing and reading them.

Both `simulation` (the embedded engine writes its results here) and `analysis`
(which reads either backend's files) sit above this package, so a result
file's grammar is defined once. The package imports nothing itself, so the
writer never pulls in pandas:

- `fogcosim.resultfiles.writer`: `RunHeader`, `ScalarFileWriter`, `VectorFileWriter`
  (modules `text`, `header`, `statistics`, `writerbase`, `scalars`, `vectors`);
- `fogcosim.resultfiles.reader`: `read_result_files` into OMNeT++'s raw layout
  (modules `parser`, `tokens`, `vectordata`, `errors`).
"""
