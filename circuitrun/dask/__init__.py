"""circuitrun on Dask (``circuitrun[dask]``): one circuit over more rows than one machine holds.

``evaluate`` maps the numpy batch engine over the partitions of a Dask DataFrame
(``frame.py``: the output's columns and types known from the spec, without computing
anything); ``run_files`` runs Parquet files on a cluster into a folder of Parquet files
(``files.py``), each row group of the input a task that reads, evaluates and writes its
rows a batch at a time.
Every row gives exactly the floats of ``circuitrun run --inputs`` (the same engine).

What goes to the workers is the spec's text (a ``Circuit`` pickles as its text; each
worker validates and compiles it once) and, for ``run_files``, file names: workers read
and write the files themselves, so the paths must mean the same files on every worker.
"""

from __future__ import annotations

from circuitrun.dask.files import dataset_files, run_files
from circuitrun.dask.frame import Job, evaluate

__all__ = ["Job", "dataset_files", "evaluate", "run_files"]
