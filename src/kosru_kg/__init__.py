"""kosru-kg: a linked-data knowledge graph of Kosovo–Russia relations."""

__version__ = "0.1.0"
