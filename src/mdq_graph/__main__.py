"""`python -m mdq_graph` and the `mdq-graph` command run the CLI."""

from __future__ import annotations

import os
import signal
import sys


def run() -> None:
    """Run the CLI; Ctrl-C before a command starts or after it ends (while Python imports the
    package, while click reads the options) ends the process quietly with 130, as during one."""

    def interrupted(_signum: int, _frame: object) -> None:
        sys.stderr.write("mdq-graph: interrupted\n")
        sys.stderr.flush()
        os._exit(130)

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored by the parent
        signal.signal(signal.SIGINT, interrupted)
    from mdq_graph.cli import main

    main()


if __name__ == "__main__":
    run()
