"""Moodle XML parsed with a hardened parser into a small tree whose elements know their line.

defusedxml's SAX driver refuses any document type declaration (so no entity expansion bombs
and no external entities or DTDs are ever read); the file is bounded in size before parsing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import InputSource, Locator

from defusedxml.common import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.sax import make_parser  # type: ignore[import-untyped]

MAX_BYTES = 16 * 1024 * 1024

_NOT_XML = ("this is not an XML file: a Moodle XML export starts with `<?xml` and `<quiz>`; "
            "for a GIFT or Aiken file choose that format")
_DOCTYPE = ("the file declares a document type (`<!DOCTYPE ...>`), which Moodle XML exports "
            "never have: refused, because such a declaration can define entities that expand "
            "without end or read other files; remove it")
_TRUNCATED = ("the file ends before its XML is complete (is it cut off?): export it from "
              "Moodle again")


@dataclass
class Node:
    """One XML element: its tag, attributes, line, child elements and own text."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    text: str = ""
    parts: list[str] = field(default_factory=list, repr=False)

    def child(self, tag: str) -> Node | None:
        return next((node for node in self.children if node.tag == tag), None)

    def all(self, tag: str) -> list[Node]:
        return [node for node in self.children if node.tag == tag]

    def value(self, tag: str, default: str = "") -> str:
        """The stripped text of the first ``tag`` child (Moodle's getpath), else ``default``."""
        node = self.child(tag)
        return default if node is None else node.text.strip()

    def text_of(self, tag: str = "text") -> str:
        """The stripped text of this element's `<text>` child (Moodle's text fields)."""
        return self.value(tag)


@dataclass(frozen=True)
class XmlProblem:
    """Why a file could not be read as XML, and where."""

    line: int
    message: str


class _Builder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: Node | None = None
        self.stack: list[Node] = []
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX's name)
        self.locator = locator

    def line(self) -> int:
        return (self.locator.getLineNumber() if self.locator else 0) or 1

    def startElement(self, name: str, attrs) -> None:  # noqa: N802
        node = Node(name, dict(attrs.items()), self.line())
        if self.stack:
            self.stack[-1].children.append(node)
        elif self.root is None:
            self.root = node
        self.stack.append(node)

    def endElement(self, name: str) -> None:  # noqa: N802
        node = self.stack.pop()
        node.text, node.parts = "".join(node.parts), []

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def parse_xml(data: bytes, max_bytes: int = MAX_BYTES) -> Node | XmlProblem:
    """The root element, or the one problem that stops the file being read."""
    if len(data) > max_bytes:
        return XmlProblem(1, f"the file is {len(data) / 2**20:.1f} MB, more than the "
                             f"{max_bytes / 2**20:g} MB a Moodle XML file may have: export "
                             "the question bank in smaller parts (one category at a time)")
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return XmlProblem(1, _NOT_XML)
    builder = _Builder()
    parser = make_parser()
    parser.forbid_dtd = True  # Moodle never writes one; refusing it stops every entity trick
    parser.setContentHandler(builder)
    source = InputSource()
    source.setByteStream(io.BytesIO(data))
    try:
        parser.parse(source)
    except DefusedXmlException:
        return XmlProblem(builder.line(), _DOCTYPE)
    except SAXParseException as exc:
        return _malformed(exc)
    if builder.root is None:
        return XmlProblem(1, _NOT_XML)
    return builder.root


def _malformed(exc: SAXParseException) -> XmlProblem:
    line, column = exc.getLineNumber() or 1, (exc.getColumnNumber() or 0) + 1
    reason = exc.getMessage()
    if reason.startswith(("no element found", "unclosed token")):
        return XmlProblem(line, _TRUNCATED)
    if reason.startswith("syntax error") and line == 1 and column == 1:
        return XmlProblem(line, _NOT_XML)
    return XmlProblem(line, f"the XML is malformed at line {line}, column {column} "
                            f"({reason}): fix the file there, or export it from Moodle again "
                            "(`<` and `&` in text must be written `&lt;` and `&amp;`, or the "
                            "text put in `<![CDATA[...]]>`)")
