"""A tiny SVG builder: every attribute value and text node is escaped, so data never becomes markup."""

from __future__ import annotations

from markupsafe import Markup, escape

from kosru_kg.vocab import SVG_NAMESPACE

NAMESPACE = SVG_NAMESPACE


def element(tag: str, *children, **attributes) -> Markup:
    """``<tag attributes>children</tag>``; strings among ``children`` are escaped, Markup is kept.

    Attribute names are Python-friendly: ``class_`` → ``class``, ``aria_labelledby`` →
    ``aria-labelledby``; a value of None leaves the attribute out.
    """
    names = "".join(Markup(' {}="{}"').format(_name(key), _value(value))
                    for key, value in attributes.items() if value is not None)
    body = Markup("").join(escape(child) for child in children)
    return Markup("<{0}{1}>{2}</{0}>").format(Markup(tag), Markup(names), body)


def _name(key: str) -> Markup:
    return Markup(key.rstrip("_").replace("_", "-"))


def _value(value) -> str:
    """Numbers short (one decimal at most), everything else as text."""
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)
