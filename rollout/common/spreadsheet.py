"""CSV for German Excel: UTF-8 with byte-order mark, `;` between cells, no formulas."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

BOM = "\ufeff"  # Excel reads UTF-8 only with the byte-order mark
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """Return the cell as text; one a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)  # a number is never a formula: "-12" stays a number
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_writer(target: Any) -> Any:
    return csv.writer(target, delimiter=";")


def csv_response(filename: str) -> tuple[HttpResponse, Any]:
    """Return an attachment response with the BOM written, and a writer into it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    return response, csv_writer(response)
