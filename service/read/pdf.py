"""A4 paper for when the screens are dark: the page, its letters and the pieces every sheet uses.

fpdf2 writes the PDF. Its letters are DejaVu Sans (every Latin, Greek and Cyrillic letter a name
may hold), the copy matplotlib ships, so every machine has it; NEDBRUD_PDF_FONT names another.
Without a font file, the PDF core font Helvetica, which has æøå but not every letter, so a letter
it lacks prints as "?" rather than failing the kit. Every page says what it is, for whom and
"Side x af y". QR codes are drawn as vector squares (segno makes the matrix), sharp at any
printer's resolution.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF


def _bundled_fonts() -> Path:
    """matplotlib's own DejaVu fonts, found without importing matplotlib (slow to import)."""
    spec = importlib.util.find_spec("matplotlib")
    places = list(spec.submodule_search_locations or []) if spec else []
    return Path(places[0] if places else ".") / "mpl-data" / "fonts" / "ttf"


DEJAVU = _bundled_fonts()
FAMILY = "paper"
MARGIN = 12.0
GREY = (110, 110, 110)
QR_MASK = 4


def _font_files() -> tuple[Path, Path] | None:
    regular = Path(os.environ.get("NEDBRUD_PDF_FONT") or DEJAVU / "DejaVuSans.ttf")
    bold = Path(os.environ.get("NEDBRUD_PDF_FONT_BOLD") or DEJAVU / "DejaVuSans-Bold.ttf")
    if regular.is_file():
        return regular, bold if bold.is_file() else regular
    return None


@functools.lru_cache(maxsize=4096)
def qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The code's size in modules and its dark runs (row, first column, length). One mask, not
    the best of eight: a kit prints hundreds of codes, and choosing took most of its time. Kept
    for the occurrences printed last: a unit prints its kit again with the same codes."""
    rows = segno.make(data, error="m", micro=False, mask=QR_MASK).matrix
    runs = []
    for j, row in enumerate(rows):
        i, n = 0, len(row)
        while i < n:
            if row[i]:
                start = i
                while i < n and row[i]:
                    i += 1
                runs.append((j, start, i - start))
            else:
                i += 1
    return len(rows), tuple(runs)


class Paper(FPDF):
    """A4 portrait with a running head (what the sheet is) and foot (printed when, Side x af y)."""

    def __init__(self, title: str, printed_at: datetime, margin: float = MARGIN) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(auto=True, margin=16)
        self.alias_nb_pages()
        self.set_title(title)
        self.set_creator("nedbrud")
        self.set_creation_date(printed_at)
        self.printed_at = printed_at
        self.head = title
        fonts = _font_files()
        self.unicode = fonts is not None
        if fonts is not None:
            self.add_font(FAMILY, "", str(fonts[0]))
            self.add_font(FAMILY, "B", str(fonts[1]))
            self.family = FAMILY
        else:
            self.family = "helvetica"

    def text_of(self, text: str) -> str:
        """What the font can print: every letter with DejaVu; Latin-1's with Helvetica."""
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def use(self, size: float, bold: bool = False, grey: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*(GREY if grey else (0, 0, 0)))

    def header(self) -> None:
        self.use(8, grey=True)
        self.cell(0, 4, self.text_of(self.head), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*GREY)
        self.line(self.l_margin, self.get_y() + 0.5, self.w - self.r_margin, self.get_y() + 0.5)
        self.set_draw_color(0, 0, 0)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-11)
        self.use(8, grey=True)
        printed = f"Printet {self.printed_at:%d.%m.%Y kl. %H.%M}"
        self.cell(0, 4, printed, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Side {self.page_no()} af {{nb}}", align="R")

    def section(self, text: str, size: float = 16) -> None:
        self.use(size, bold=True)
        self.multi_cell(0, size * 0.5, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def para(self, text: str, size: float = 10, bold: bool = False, grey: bool = False) -> None:
        self.use(size, bold=bold, grey=grey)
        self.multi_cell(0, size * 0.5, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def line_of(self, text: str, size: float, bold: bool = False, grey: bool = False) -> None:
        """One line of text, cut to the page's width."""
        self.use(size, bold=bold, grey=grey)
        width = self.w - 2 * MARGIN
        self.cell(width, size * 0.5, self.fitted(text, width), new_x="LMARGIN", new_y="NEXT")

    def tick_box(self, x: float, y: float, side: float = 6) -> None:
        self.set_line_width(0.4)
        self.rect(x, y, side, side)
        self.set_line_width(0.2)

    def qr(self, data: str, x: float, y: float, side: float) -> None:
        """A QR code for `data`, `side` mm square with its quiet zone inside, its dark runs as
        one path (fpdf2 writes a rectangle just so, in `FPDF.rect`): one fill for the code."""
        size, runs = qr_runs(data)
        quiet = 4  # the standard's quiet zone: nothing else printed within it
        module = side / (size + 2 * quiet)
        self.set_fill_color(255, 255, 255)
        self.rect(x, y, side, side, style="F")
        k, h = self.k, module * self.k
        ops = [
            f"{(x + (quiet + i) * module) * k:.2f} {(self.h - y - (quiet + j) * module) * k:.2f} "
            f"{n * h:.2f} {-h:.2f} re"
            for j, i, n in runs
        ]
        # Within q/Q: fpdf2 tracks the fill colour itself, and must not find black left set.
        self._out("q 0 g " + " ".join(ops) + " f Q")

    def fitted(self, text: str, width: float) -> str:
        """The text in the current font, cut with "…" to fit `width` mm."""
        text = self.text_of(text)
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "...") > width:
            text = text[:-1]
        return text + "..."

    def labelled_line(self, label: str, value: str | None, width: float) -> None:
        """ "Navn: ______" filled in when known, a line to write on when not."""
        self.use(10, bold=True)
        label_w = self.get_string_width(label) + 2
        self.cell(label_w, 8, label)
        x, y = self.get_x(), self.get_y()
        self.use(11)
        self.cell(width - label_w, 8, self.text_of(value or ""))
        self.line(x, y + 7, x + width - label_w - 3, y + 7)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
