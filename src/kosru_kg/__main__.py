"""``python -m kosru_kg`` is the ``kosru-kg`` command."""

from .cli import main

main()
