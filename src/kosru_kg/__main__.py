"""``python -m kosru_kg`` is the ``kosru-kg`` command."""

from kosru_kg.cli import main

main()
