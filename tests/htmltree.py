"""HTML pages as trees of elements, parsed with the standard library's html.parser, for tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)  # Elements and strings

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str | None = None, **attrs):
        """Every descendant with ``tag`` (any if None) and the given attribute values (class_ for class)."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}
        for child in self.children:
            if isinstance(child, Element):
                if (tag is None or child.tag == tag) and all(child.attrs.get(k) == v for k, v in wanted.items()):
                    yield child
                yield from child.all(tag, **attrs)

    def one(self, tag: str | None = None, **attrs) -> Element:
        found = list(self.all(tag, **attrs))
        assert len(found) == 1, f"{len(found)} <{tag or '*'} {attrs}> elements"
        return found[0]

    def links(self) -> dict[str, str]:
        """href → link text of every link inside."""
        return {a.attrs["href"]: a.text() for a in self.all("a")}


class Page(HTMLParser):
    """An HTML page as a tree of Elements; a misnested end tag fails the test."""

    def __init__(self, html: str):
        super().__init__()
        self.root = Element("#document", {})
        self.open = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.open[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):  # <path/> in inline SVG: an element with no content
        self.open[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.open[-1].tag == tag, f"</{tag}> closes <{self.open[-1].tag}>"
        self.open.pop()

    def handle_data(self, data):
        self.open[-1].children.append(data)


def page(response) -> Element:
    """The tree of a successful HTML response."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True)).root
