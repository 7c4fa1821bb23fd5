"""``python -m casegraph.cli``: the same command line as the ``casegraph`` script."""

from casegraph.cli import main

main()
