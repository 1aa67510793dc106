"""Moodle XML text fields as our Markdown, and the images they embed as bank assets.

A text field is an element with a `format` attribute, a `<text>` child and `<file>` children
that the text links as `@@PLUGINFILE@@/name`. HTML is sanitised by the GIFT reader's rules
(:func:`app.banks.gift.text.sanitise_html`); plain text is escaped so that it shows as written.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from app.banks.gift.text import sanitise_html
from app.banks.moodle import plain_to_markdown
from app.banks.moodle_xml.tree import Node
from app.banks.questions import Asset

# Moodle's format names -> how we read them ("wiki_like" is long deprecated: plain text).
FORMATS = {"html": "html", "moodle_auto_format": "auto", "plain_text": "plain",
           "markdown": "markdown", "wiki_like": "plain"}
_IMAGE_TYPES = {"image/png": (b"\x89PNG",), "image/jpeg": (b"\xff\xd8\xff",),
                "image/gif": (b"GIF87a", b"GIF89a"), "image/webp": (b"RIFF",)}
_REF = r"@@PLUGINFILE@@/([^\"'\s<>()]*)"
_REF_RE = re.compile(_REF)
_TAG_LIKE_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
_ALT_RE = re.compile(r"""\balt\s*=\s*("[^"]*"|'[^']*')""", re.I)
_HREF_REF_RE = re.compile(r"""\s(?:href|src)\s*=\s*(["'])@@PLUGINFILE@@/[^"']*\1""", re.I)
_MD_REF_RE = re.compile(r"(!?)\[([^\]]*)\]\(" + _REF + r"[^)]*\)")
_WHOLE_P_RE = re.compile(r"<p>(.*)</p>", re.S)

Warn = Callable[[int, str], None]


@dataclass
class AssetStore:
    """The bank's assets, each kept once, in the order the questions first link them."""

    assets: dict[tuple[str, str], Asset] = field(default_factory=dict)

    def add(self, asset: Asset) -> Asset:
        return self.assets.setdefault((asset.sha256, asset.name), asset)


@dataclass
class TextReader:
    """Reads the text fields of one question; file problems go to ``warn`` (line, message)."""

    store: AssetStore
    warn: Warn
    question_format: str = "html"  # the question text's format: the default of the others

    def read(self, node: Node | None, kind: str = "block", default: str | None = None) -> str:
        """The field as Markdown; ``kind`` "inline" makes one line, "inline" and "feedback"
        drop a `<p>` wrapping the whole text."""
        if node is None:
            return ""
        fmt = self.format_of(node, default)
        text = node.text_of()
        if not text:
            return ""
        if "@@PLUGINFILE@@" in text:
            text = self._link_files(node, text, fmt)
        return _fit(_convert(text, fmt), kind)

    def format_of(self, node: Node, default: str | None = None) -> str:
        name = node.attrs.get("format", "").strip() or (default or self.question_format)
        if name not in FORMATS:
            self.warn(node.line, f"text format '{name}' is unknown: read as HTML, as Moodle "
                                 "does")
            return "html"
        return FORMATS[name]

    # --- embedded files -------------------------------------------------------------------------
    def _link_files(self, node: Node, text: str, fmt: str) -> str:
        """Each `@@PLUGINFILE@@/…` that names an image of this field becomes its asset URL;
        other references are dropped (an image leaves its alt text), with a notice."""
        files = {_file_key(file): file for file in node.all("file")}
        urls: dict[str, str | None] = {}
        for ref in dict.fromkeys(_REF_RE.findall(text)):
            file = files.get(unquote(ref))
            urls[ref] = None if file is None else self._asset_url(file)
            if file is None:
                self.warn(node.line, f"the text links `@@PLUGINFILE@@/{ref}`, but the field "
                                     "holds no such `<file>`: the link is dropped")
        text = _REF_RE.sub(lambda m: urls[m[1]] or m[0], text)
        return _drop_broken(text, fmt)

    def _asset_url(self, file: Node) -> str | None:
        name = file.attrs.get("name", "")
        media_type = mimetypes.guess_type(name)[0] or ""
        if media_type == "image/svg+xml":
            self.warn(file.line, f"'{name}' is an SVG image, which is refused (SVG can carry "
                                 "scripts): convert it to PNG in Moodle and export again")
            return None
        if media_type not in _IMAGE_TYPES:
            self.warn(file.line, f"'{name}' is not an image (only PNG, JPEG, GIF and WebP "
                                 "images are kept): the link to it is dropped; put such files "
                                 "in a course lesson")
            return None
        data = _decode(file)
        if data is None or not data.startswith(_IMAGE_TYPES[media_type]):
            self.warn(file.line, f"'{name}' could not be read as a {media_type} image "
                                 "(its base64 content is damaged or of another type): dropped")
            return None
        return self.store.add(Asset(name, media_type, data)).url


def _file_key(file: Node) -> str:
    """How the text links the file: its folder and name, without the leading '/'."""
    folder = file.attrs.get("path", "/") or "/"
    return (folder + file.attrs.get("name", "")).lstrip("/")


def _decode(file: Node) -> bytes | None:
    if file.attrs.get("encoding", "base64") != "base64":
        return None
    try:
        return base64.b64decode("".join(file.text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _drop_broken(text: str, fmt: str) -> str:
    """References left unresolved: an image becomes its alt text, a link loses its target."""
    if fmt in ("markdown", "plain"):
        return _MD_REF_RE.sub(lambda m: m[2], text)

    def image(match: re.Match[str]) -> str:
        if "@@PLUGINFILE@@" not in match[0]:
            return match[0]
        alt = _ALT_RE.search(match[0])
        return alt[1][1:-1] if alt else ""

    return _HREF_REF_RE.sub("", _IMG_RE.sub(image, text))


# --- formats -----------------------------------------------------------------------------------
def _convert(text: str, fmt: str) -> str:
    if fmt == "markdown":
        return text.strip()
    if fmt == "html":
        return sanitise_html(text)
    if fmt == "auto" and _TAG_LIKE_RE.search(text):
        return sanitise_html(_auto_to_html(text))
    return plain_to_markdown(text)


def _auto_to_html(text: str) -> str:
    """Moodle's auto-format with HTML in it: blank lines part paragraphs, a newline breaks."""
    paragraphs = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip())
    return "".join(f"<p>{p.strip().replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _fit(text: str, kind: str) -> str:
    if kind == "inline":
        text = " ".join(line.strip() for line in text.split("\n") if line.strip())
    if kind != "block" and (whole := _WHOLE_P_RE.fullmatch(text)) and "<p" not in whole[1]:
        text = whole[1]
    return text.strip()
