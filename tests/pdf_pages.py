"""Reading printed paper as a person would: each page's text (pypdf), each page as an image
(pypdfium2, saved to /tmp/nedbrud-screenshots/ to look at) and every QR code on it (zxing-cpp)."""

from __future__ import annotations

import io
import re
import unicodedata

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from tests.dashboard.conftest import SCREENSHOTS as SHOTS


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, with runs of white space made one space (lines wrap where they may) and
    ligatures as their letters (Chromium prints "ﬀ")."""
    reader = PdfReader(io.BytesIO(pdf))
    return [plain(unicodedata.normalize("NFKC", p.extract_text() or "")) for p in reader.pages]


def plain(text: str) -> str:
    return " ".join(text.split())


def as_digits(text: str) -> str:
    """The text with CPR numbers printed as DDMMYY-XXXX also as their ten digits."""
    return text + "\n" + re.sub(r"\b(\d{6})-(\d{4})\b", r"\1\2", text)


def rendered_qr_codes(pdf: bytes, name: str, scale: float = 3.0) -> list[list[str]]:
    """Render every page to PNG (kept in SHOTS as name-N.png) and decode the QR codes on each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    found = []
    try:
        for i in range(len(document)):
            image = document[i].render(scale=scale).to_pil()
            image.save(SHOTS / f"{name}-{i + 1}.png")
            codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.QRCode))
            found.append([c.text for c in codes])
    finally:
        document.close()
    return found
