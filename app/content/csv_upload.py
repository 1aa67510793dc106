"""What the CSV uploads (people, work figures) share: reading the bytes, the header and
the row problems. No database and no request.

Files are UTF-8, with or without a byte-order mark, or GB18030 (which includes GBK),
what Excel in China writes as plain "CSV". A UTF-8 byte-order mark means the file is
meant as UTF-8, so no GB18030 guess is made then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Translated when the problem is found, in the request that reads the upload (the CLI
# speaks the default language); see RowError for why not lazily.
from flask_babel import gettext as _

_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (a zip), .xls (OLE2)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_UTF8_MARK = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class RowError:
    """A problem of the file and the line where it is (the header is line 1)."""

    line: int
    message: str

    def __post_init__(self) -> None:
        # Plain text, never a lazy string: Jinja takes a lazy string for safe markup
        # (it has __html__), and messages hold file names and cell values.
        object.__setattr__(self, "message", str(self.message))

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class UnreadableFile(ValueError):
    """The upload is not CSV text this application can read; ``error`` says where."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error)
        self.error = error

    def __str__(self) -> str:
        return str(self.error)


def decode(data: bytes, filename: str) -> str:
    """The file's text: UTF-8 (a byte-order mark is dropped), else GB18030.

    Raises :class:`UnreadableFile` naming the file and the first line that cannot be
    read, or saying that a workbook or UTF-16 text was uploaded instead of a CSV file.
    """
    filename = filename or "the file"  # an upload may come without a name
    if data.startswith(_WORKBOOKS):
        raise UnreadableFile(RowError(1, _(
            "%(file)s is an Excel workbook, not a CSV file: in Excel choose Save As, "
            "then 'CSV UTF-8 (Comma delimited)'", file=filename)))
    if data.startswith(_UTF16):
        raise UnreadableFile(RowError(1, _(
            "%(file)s is UTF-16 text: save it as 'CSV UTF-8 (Comma delimited)' instead",
            file=filename)))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        stop = exc.start
    if not data.startswith(_UTF8_MARK):
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            # The reading that got further is the one the file was meant in.
            stop = max(stop, exc.start)
    line = line_of(data, stop)
    raise UnreadableFile(RowError(line, _(
        "%(file)s is neither UTF-8 nor GB18030/GBK text: line %(line)d holds a byte that "
        "is not UTF-8 and not GB18030 either; save it as 'CSV UTF-8 (Comma delimited)' "
        "and upload it again", file=filename, line=line)))


def line_of(data: bytes, offset: int) -> int:
    """The line of the byte at ``offset``, counting CRLF, LF and lone CR line ends."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def column_names(cells: Iterable[str], aliases: Mapping[str, str] | None = None,
                 ) -> tuple[list[str], list[str]]:
    """The header as the file spells it (trimmed) and the column each cell names:
    lower-case, or the English column of a Chinese alias ("" for an unnamed cell)."""
    aliases = aliases or {}
    names = [c.strip().lstrip("\ufeff").strip() for c in cells]
    return names, [aliases.get(n, n.lower()) for n in names]


def empty_file(filename: str, example_header: str) -> RowError:
    return RowError(1, _("%(file)s is empty: the first line must name the columns, "
                         "e.g. %(header)s", file=filename, header=example_header))


def too_many_rows(line: int, limit: int) -> RowError:
    return RowError(line, _("more than %(n)d rows: split the file into files of at most "
                            "%(n)d rows each", n=limit))


class FirstLines:
    """Where each person (by normalised email) is first listed, to report repeats."""

    def __init__(self) -> None:
        self._lines: dict[str, int] = {}

    def repeat(self, line: int, key: str, label: str) -> RowError | None:
        """None the first time ``key`` is seen (or when it is empty); else the problem."""
        if not key:
            return None
        if key not in self._lines:
            self._lines[key] = line
            return None
        return RowError(line, _("%(column)s %(value)s is also on line %(first)d: list each "
                                "person once", column=label, value=key,
                                first=self._lines[key]))
