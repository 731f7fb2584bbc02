# asyncio.dump_tasks(): every task and what it waits on, down the chain,
# from anywhere (a REPL task such as aiorepl's included; CPython's
# print_call_graph() shows only the current task there).

import sys

from ._callgraph import format_all


def dump_tasks(file=None, limit=None):
    print(format_all(limit), file=file or sys.stdout)
