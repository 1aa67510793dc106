"""A bank written out as a file: our Markdown (for git), Moodle XML (back to Moodle) or GIFT.

Pure: the writers take the bank model (with the files its questions link). GIFT cannot hold
every type (it has no ordering question): what a format cannot hold is named, never dropped
silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.banks.gift.writer import export_gift
from app.banks.markdown_export import export_bank
from app.banks.moodle_xml import export_moodle_xml
from app.banks.questions import Bank


@dataclass(frozen=True)
class Exported:
    data: bytes
    filename: str
    media_type: str
    skipped: tuple[str, ...] = ()  # IDs of questions the format cannot hold


FORMATS = ("markdown", "moodle-xml", "gift")


def export(bank: Bank, fmt: str) -> Exported:
    """The bank in ``fmt`` (one of FORMATS)."""
    if fmt == "moodle-xml":
        return Exported(export_moodle_xml(bank), f"{bank.id}.xml", "application/xml")
    if fmt == "gift":
        text, skipped = export_gift(bank)
        if skipped:  # said where whoever opens the file will see it (a comment GIFT skips)
            text = (f"// Not written: GIFT cannot hold {', '.join(skipped)} (use Moodle XML)"
                    f"\n{text}")
        return Exported(text.encode("utf-8"), f"{bank.id}.gift", "text/plain; charset=utf-8",
                        tuple(skipped))
    return Exported(export_bank(bank).encode("utf-8"), f"{bank.id}.md",
                    "text/markdown; charset=utf-8")
