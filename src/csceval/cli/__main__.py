"""``python -m csceval.cli``: the same command line as ``csceval``."""

from csceval.cli import main

main(prog_name="csceval")
