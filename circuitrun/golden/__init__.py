"""Golden checks: which files are specs (``discover``), comparing a result with an expect
block or a golden file (``compare``), checking many specs (``run``), what was found and
how it is reported (``report``), and the pytest plugin (``pytest_plugin``)."""
