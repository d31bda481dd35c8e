"""Downloaded protocols and reports carry the company's name and logo (portal.branding)."""

from __future__ import annotations

import io

import docx
import pypdf
import pytest
from PIL import Image

from assistants.exports import to_docx, to_markdown, to_pdf
from portal.branding import branding_set, logo_clean
from tests.assistants.test_exports import _docx_texts, _meta, _pdf_pages, _protocol

pytestmark = pytest.mark.django_db
COMPANY = "Hallberg Maschinenbau GmbH"


@pytest.fixture
def branded(ada):
    picture = io.BytesIO()
    Image.new("RGB", (600, 200), (15, 81, 50)).save(picture, format="PNG")
    branding_set(
        actor=ada, company_name=COMPANY, accent="#0f5132", logo=logo_clean(picture.getvalue())
    )


def test_the_pdf_starts_with_logo_and_company(branded) -> None:
    pdf = to_pdf(_protocol(), _meta())

    first = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert _pdf_pages(pdf)[0].startswith(f"{COMPANY} Jour fixe Vertrieb")
    assert len(first.images) == 1 and first.images[0].image.size == (480, 160)


def test_the_word_file_has_logo_company_in_the_header(branded) -> None:
    data = to_docx(_protocol(), _meta())

    document = docx.Document(io.BytesIO(data))
    assert [p.text for p in document.sections[0].header.paragraphs if p.text] == [COMPANY]
    assert len(document.inline_shapes) == 1
    assert "Jour fixe Vertrieb" in _docx_texts(data)


def test_markdown_names_the_company_above_the_title(branded) -> None:
    assert to_markdown(_protocol(), _meta()).startswith(f"{COMPANY}\n\n# Jour fixe Vertrieb")


def test_without_branding_nothing_is_added() -> None:
    assert to_markdown(_protocol(), _meta()).startswith("# Jour fixe Vertrieb")
    assert not docx.Document(io.BytesIO(to_docx(_protocol(), _meta()))).inline_shapes
