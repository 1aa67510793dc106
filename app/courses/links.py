"""Links inside course Markdown: where they point, found outside code. Pure."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# [text](target "title") and ![alt](target); reference definitions [id]: target
INLINE_LINK_RE = re.compile(
    r"(!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)"
)
REFERENCE_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def link_targets(text: str):
    """Yield (line, is_image, target) for every Markdown link outside code."""
    fence = None
    for number, line in enumerate(text.split("\n"), start=1):
        marker = FENCE_RE.match(line)
        if marker:
            token = marker.group(1)
            if fence is None:
                fence = token[0] * len(token)
            elif token.startswith(fence):
                fence = None
            continue
        if fence is not None or line.startswith(("    ", "\t")):
            continue
        visible = re.sub(r"`[^`]*`", "", line)
        for match in INLINE_LINK_RE.finditer(visible):
            yield number, match.group(1) == "!", match.group(2)
        reference = REFERENCE_RE.match(visible)
        if reference:
            yield number, False, reference.group(1)


def local_target(target: str) -> str | None:
    """The in-course path a link points to, or None for web links and anchors."""
    if not target or target.startswith(("#", "/", "//")) or SCHEME_RE.match(target):
        return None
    return target.split("#", 1)[0].split("?", 1)[0]


def normalise_relative(base: PurePosixPath, target: str) -> str | None:
    """``target`` resolved against ``base`` inside the course folder; None if it escapes."""
    parts: list[str] = list(base.parts)
    for part in PurePosixPath(target).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts) or None
