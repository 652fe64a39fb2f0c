"""Drawing diplomas: one A4 landscape page each, with fpdf2 and the DejaVu Serif shipped in
``registry/data/fonts`` (so that Cyrillic renders on a machine without fonts), and the QR code
of the verification address drawn as vector squares (segno).

Every text is fitted into its box: a long name or title is set smaller, down to a floor, and
what still does not fit is cut with «…», so that a diploma is always one page.
"""
from __future__ import annotations

import io
import unicodedata
from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF

from ...text import printable
from .templates import Wording

FONTS = Path(__file__).resolve().parents[2] / "data" / "fonts"
FAMILY = "DejaVuSerif"
PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 20.0
TEXT_W = PAGE_W - 2 * MARGIN
QR_SIZE = 34.0


def _line(value) -> str:
    """One line of print: no control characters, whitespace folded."""
    text = printable(unicodedata.normalize("NFC", str(value or "")))
    return " ".join(text.split())


class Sheet:
    """A PDF being drawn: ``add(diploma, wording, url)`` per page, then ``output()``."""

    def __init__(self):
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSerif.ttf"))
        pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSerif-Bold.ttf"))
        pdf.set_creator("registry")
        pdf.set_lang("ru")
        self.pdf = pdf
        self.pages = 0

    # --- text ------------------------------------------------------------------------------

    def _fit(self, text: str, y: float, size: float, *, bold: bool = False,
             floor: float = 9.0, lines: int = 1, x: float = MARGIN, width: float = TEXT_W,
             align: str = "C") -> float:
        """Draw ``text`` from ``y`` in at most ``lines`` lines, as large as ``size`` allows;
        return the y below it."""
        pdf = self.pdf
        text = _line(text)
        if not text:
            return y
        style = "B" if bold else ""
        while True:
            pdf.set_font(FAMILY, style, size)
            if pdf.get_string_width(text) <= width - 2:
                height = size * 0.45
                pdf.set_xy(x, y)
                pdf.cell(width, height, text, align=align)
                return y + height
            if lines > 1 or size <= floor:
                wrapped = pdf.multi_cell(width, size * 0.42, text, dry_run=True,
                                         output="LINES")
                if len(wrapped) <= lines or size <= floor:
                    break
            size = max(floor, size - 2)
        if len(wrapped) > lines:
            wrapped = wrapped[:lines]
            last = wrapped[-1]
            while last and pdf.get_string_width(last + "…") > width - 2:
                last = last[:-1]
            wrapped[-1] = last.rstrip() + "…"
        height = size * 0.42
        for row in wrapped:
            pdf.set_xy(x, y)
            pdf.cell(width, height, row, align=align)
            y += height
        return y

    # --- the page --------------------------------------------------------------------------

    def _background(self, wording: Wording) -> None:
        pdf = self.pdf
        if wording.background:
            pdf.image(io.BytesIO(wording.background), x=0, y=0, w=PAGE_W, h=PAGE_H)
            return
        pdf.set_draw_color(120, 100, 40)
        pdf.set_line_width(1.2)
        pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
        pdf.set_line_width(0.4)
        pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)

    def _qr(self, url: str, x: float, y: float) -> None:
        """The QR code as a small black-and-white PNG (4 pixels a module, a quiet zone of
        one module), which PDF viewers and printers scale without smoothing: a tenth of the
        time of drawing each run of modules as a rectangle."""
        qr = segno.make(url, error="m", micro=False)
        image = io.BytesIO()
        qr.save(image, kind="png", scale=4, border=1)
        image.seek(0)
        self.pdf.image(image, x=x, y=y, w=QR_SIZE, h=QR_SIZE)

    def add(self, diploma, wording: Wording, url: str, *, issued_at: datetime | None = None):
        """One page: ``diploma`` (a ``Diploma`` or anything with its printed attributes)."""
        pdf = self.pdf
        pdf.add_page()
        self.pages += 1
        details = diploma.details or {}
        self._background(wording)
        pdf.set_text_color(20, 20, 20)
        y = self._fit(details.get("title") or wording.title, 24, 34, bold=True, lines=1,
                      floor=16)
        y = self._fit(wording.intro, y + 6, 15, lines=1)
        y = self._fit(diploma.name_printed, y + 3, 28, bold=True, lines=2, floor=14)
        award_line = details.get("award_line")
        if award_line:
            y = self._fit(award_line, y + 3, 18, bold=True, lines=2, floor=11)
        if details.get("place"):
            y = self._fit(f"{details['place']} место", y + 2, 16)
        if details.get("team"):
            y = self._fit(f"в составе команды «{details['team']}»", y + 1, 12)
        y += 4
        if diploma.competition_printed:
            y = self._fit(diploma.competition_printed, y, 14, lines=2, floor=9)
        title = (diploma.competition_printed or "").casefold()
        stage = ", ".join(p for p in (details.get("stage"), details.get("region"))
                          if p and p.casefold() not in title)  # not twice
        if stage:
            y = self._fit(stage, y + 1, 12, lines=1)
        where = []
        if details.get("competency"):
            where.append(f"компетенция «{details['competency']}»")
        if details.get("category"):
            where.append(f"категория «{details['category']}»")
        if where:
            y = self._fit(", ".join(where), y + 1, 12, lines=2, floor=8)
        if details.get("dates"):
            y = self._fit(details["dates"], y + 1, 12)
        if details.get("granted_by"):
            y = self._fit(details["granted_by"], y + 1, 11)
        if wording.footer:
            side = QR_SIZE + 10  # centred, clear of the QR code's column
            self._fit(wording.footer, 146, 10, lines=2, floor=7, x=MARGIN + side,
                      width=TEXT_W - 2 * side)
        # the bottom: issuer and signatories on the left, the QR code on the right
        left_w = PAGE_W - 2 * MARGIN - QR_SIZE - 10
        bottom = 162.0
        if wording.issuer:
            bottom = self._fit(wording.issuer, bottom, 11, lines=2, floor=7, width=left_w,
                               align="L") + 3
        for signatory in (wording.signatory_1, wording.signatory_2):
            if signatory:
                self._fit(f"{_line(signatory)}  ________________  /________________/",
                          bottom, 10, floor=6, width=left_w, align="L")
                bottom += 8
        issued = issued_at or getattr(diploma, "issued_at", None)
        if issued is not None:
            self._fit(f"Дата выдачи {issued:%d.%m.%Y}", 192, 8, width=left_w, align="L")
        qr_x, qr_y = PAGE_W - MARGIN - QR_SIZE, 150.0
        self._qr(url, qr_x, qr_y)
        self._fit("Проверить подлинность:", qr_y - 4, 7, x=qr_x - 30, width=QR_SIZE + 30,
                  align="R")
        self._fit(url, qr_y + QR_SIZE + 1.5, 7, floor=5, x=MARGIN + 60,
                  width=PAGE_W - 2 * MARGIN - 60, align="R")

    def output(self) -> bytes:
        return bytes(self.pdf.output())
