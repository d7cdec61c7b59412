"""The reports on paper: the evaluation's PDF parsed (its text, its three charts as images) and
rendered; the situation report's PDF says the changes."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from service.access.auth import Role
from tests.api.outage import Client
from tests.api.report_script import record

pytestmark = pytest.mark.anyio
# Set to a folder to keep the rendered first page (a person looks at it).
KEEP = os.environ.get("NEDBRUD_KEEP_PAGES")


def rendered(pdf: bytes, page: int = 0) -> object:
    document = pypdfium2.PdfDocument(pdf)
    return document[page].render(scale=2).to_pil()


async def test_the_evaluation_pdf_holds_the_figures_and_its_three_charts(
    client: Client, keys: dict[Role, str], tmp_path: Path
) -> None:
    script = await record(client, keys[Role.LEADER])
    answer = await client.get(
        f"/v1/incidents/{script.incident}/report", headers={"Accept": "application/pdf"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for said in ("Evaluering af nedbrud: Nexus og FMK nede", "Systemer nede", "nexus", "fmk",
                 "Indsatsplanens linjer", "ikke gjort", "Efterregistrering", "Runderne pr. enhed",
                 "Side 1 af"):  # fmt: skip
        assert said in text, said
    words = " ".join(text.split())
    assert "(1,5 timer). 3 af 3 indtastet (100%), 1 annulleret, 0 venter" in words
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 3  # systems down, paper per hour, the burn-down
    assert all(image.image is not None and image.image.width > 600 for image in images)
    page = rendered(answer.content)
    assert page.size[0] > 1000  # type: ignore[attr-defined]
    # Not a blank page: the charts' bars and the text make dark pixels.
    grey = page.convert("L")  # type: ignore[attr-defined]
    dark = sum(grey.histogram()[:128])
    assert dark > 10_000
    page.save(Path(KEEP or tmp_path) / "report-page1.png")  # type: ignore[attr-defined]


async def test_the_pdf_is_asked_for_as_format_pdf_too_and_names_no_one(
    client: Client, keys: dict[Role, str]
) -> None:
    script = await record(client, keys[Role.LEADER])
    answer = await client.get(f"/v1/incidents/{script.incident}/report", params={"format": "pdf"})
    assert answer.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    for sealed in ("Aase", "Bent", "NovoRapid", "Paracetamol"):
        assert sealed not in text
