"""One person's archive as a PDF to print and file (§4.3): the same periods, entries and
labels as the archive page.

ReportLab draws it. All text is set in STSong-Light, a CID font every PDF reader has
built in: it covers Chinese and Latin, so no font file ships with the app and none is
embedded in the file.
"""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.assessments.models import AssessmentPeriod
from app.auth.models import User
from app.oversight.archive.entries import Entry
from app.oversight.archive.labels import kind_label, result_text
from app.templating import display_date

FONT = "STSong-Light"
MARGIN = 18 * mm
COLUMNS = (24 * mm, 34 * mm, 64 * mm, 52 * mm)  # date, what, title, result: the A4 width

Groups = list[tuple[AssessmentPeriod | None, list[Entry]]]


def _styles() -> dict[str, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    return {"body": body,
            "title": ParagraphStyle("title", parent=body, fontSize=16, leading=20,
                                    spaceAfter=4 * mm),
            "heading": ParagraphStyle("heading", parent=body, fontSize=12, leading=15,
                                      spaceBefore=5 * mm, spaceAfter=2 * mm),
            "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11)}


def _text(value: str, style: ParagraphStyle) -> Paragraph:
    """User text is data, not markup: escaped, line breaks kept."""
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def archive_pdf(person: User, groups: Groups, generated: datetime) -> bytes:
    """The archive of ``person``, grouped as :func:`archive.by_period` gives it, in the
    current language; ``generated`` is printed under the title."""
    styles = _styles()
    title = _("Archive of %(name)s", name=person.display_name)
    story = [_text(title, styles["title"])]
    for label, value in ((_("Email"), person.email),
                         (_("Team"), person.team.name if person.team else "—"),
                         (_("Manager"), person.manager.display_name if person.manager else "—")):
        story.append(_text(f"{label}: {value}", styles["body"]))
    story.append(_text(_("Generated on %(date)s", date=display_date(generated)),
                       styles["body"]))
    for period, entries in groups:
        story.append(_text(period.name if period else _("Outside any assessment period"),
                           styles["heading"]))
        story.append(_entries_table(entries, styles["cell"]))
    if not groups:
        story += [Spacer(1, 5 * mm), _text(_("Nothing recorded yet."), styles["body"])]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Presales Academy",
                                 leftMargin=MARGIN, rightMargin=MARGIN,
                                 topMargin=MARGIN, bottomMargin=MARGIN)
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _entries_table(entries: list[Entry], style: ParagraphStyle) -> Table:
    header = [_text(h, style) for h in (_("Date"), _("What"), _("Title"), _("Result or state"))]
    rows = [[_text(display_date(e.when), style), _text(kind_label(e.kind), style),
             _text(e.title, style), _text(result_text(e.status, e.detail), style)]
            for e in entries]
    table = Table([header, *rows], colWidths=COLUMNS, repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf1")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c4")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _page_number(canvas, document) -> None:
    """"Page N" at the foot of every page."""
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2,
                           _("Page %(number)d", number=document.page))
    canvas.restoreState()
