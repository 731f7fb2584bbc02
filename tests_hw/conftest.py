# The device-test pytest plugin lives in the runner package (tests_hw/runner/pytest_plugin.py);
# importing its hooks here makes `pytest tests_hw --board ...` / `--port ...` work.
from tests_hw.runner.pytest_plugin import (  # noqa: F401
    pytest_addoption,
    pytest_configure,
    pytest_pycollect_makemodule,
    pytest_unconfigure,
)
