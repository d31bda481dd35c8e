"""The company's look: name, logo and accent colour, set by a programme admin.

Every page shows it, so reading it must cost no query: the settings live in the cache
(written through on every change) and the database is read only when the cache lost them.
The logo and the colour sheet are served by the portal under URLs that carry a hash of
their content, so browsers keep them for good and a change shows at once.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.models import Branding, User
from portal.services import audit_record

CACHE_KEY = "branding:v1"
DEFAULT_ACCENT = "#1d4e89"
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MIN_CONTRAST = 4.5  # WCAG AA for normal text: white on the accent, the accent on white
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000  # refuse before decoding: a small file can unpack to gigabytes
LOGO_BOX = (480, 160)  # the stored logo fits this box (the header shows it 2.5rem high)
LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}  # no SVG: it can carry script


class BrandingError(ValueError):
    """What is wrong with a logo or a colour, in words for the admin."""


@dataclass(frozen=True)
class Look:
    company_name: str = ""
    accent: str = DEFAULT_ACCENT
    logo_sha256: str = ""

    @property
    def logo_url(self) -> str:
        if not self.logo_sha256:
            return ""
        return reverse("portal:brand-logo", args=[self.logo_sha256[:16]])

    @property
    def theme_url(self) -> str:
        """The colour sheet, or "" when the accent is the default one of portal.css."""
        if self.accent.lower() == DEFAULT_ACCENT:
            return ""
        return reverse("portal:brand-theme", args=[self.accent.lstrip("#").lower()])


def current() -> Look:
    """The company's look, from the cache (no query) unless the cache lost it."""
    cached = cache.get(CACHE_KEY)
    if isinstance(cached, dict):
        try:
            return Look(**cached)
        except TypeError:  # written by another version of this module
            pass
    row = Branding.objects.filter(pk=1).only("company_name", "accent", "logo_sha256").first()
    look = _look(row) if row else Look()
    remember(look)
    return look


def remember(look: Look) -> None:
    cache.set(CACHE_KEY, asdict(look), timeout=None)


def _look(row: Branding) -> Look:
    return Look(company_name=row.company_name, accent=row.accent, logo_sha256=row.logo_sha256)


def logo_bytes() -> bytes | None:
    row = Branding.objects.filter(pk=1).only("logo").first()
    return bytes(row.logo) if row and row.logo else None


# --- checks ------------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def accent_clean(value: str) -> str:
    """A #rrggbb colour dark enough for white text on it and for links on white."""
    value = value.strip()
    if not HEX_COLOUR.fullmatch(value):
        raise BrandingError(_("Enter the colour as #rrggbb, for example #1d4e89."))
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        raise BrandingError(
            _(
                "This colour is too light: white text on it has a contrast of %(ratio)s:1, "
                "at least %(needed)s:1 is needed to be readable. Choose a darker shade."
            )
            % {"ratio": f"{ratio:.1f}".replace(".", ","), "needed": "4,5"}
        )
    return value.lower()


def logo_clean(data: bytes) -> bytes:
    """The uploaded image as a small PNG without metadata, or a BrandingError."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise BrandingError(_("The logo may be at most 2 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in LOGO_FORMATS:
                raise BrandingError(_("Upload the logo as PNG, JPEG, WebP or GIF."))
            if width * height > LOGO_MAX_PIXELS:
                raise BrandingError(_("The logo has too many pixels; upload a smaller image."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # the first frame of an animation
            image = image.convert("RGBA")
            image.thumbnail(LOGO_BOX)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except BrandingError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BrandingError(
            _("The file is not an image we can read. Upload a PNG, JPEG, WebP or GIF.")
        ) from exc
    return out.getvalue()


# --- the change --------------------------------------------------------------------------------


def branding_set(
    *,
    actor: User,
    company_name: str,
    accent: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Look:
    """Store the checked values (the form checked them: `accent_clean`, `logo_clean`)."""
    with transaction.atomic():
        row, _created = Branding.objects.select_for_update().get_or_create(pk=1)
        changed = []
        if row.company_name != company_name:
            row.company_name, changed = company_name, [*changed, "company_name"]
        if row.accent != accent:
            row.accent, changed = accent, [*changed, "accent"]
        if logo is not None:
            row.logo, row.logo_sha256 = logo, hashlib.sha256(logo).hexdigest()
            changed.append("logo")
        elif remove_logo and row.logo_sha256:
            row.logo, row.logo_sha256 = None, ""
            changed.append("logo")
        row.updated_by = actor
        row.save()
        if changed:
            audit_record(
                actor=actor, action="branding.changed", target=row, details={"fields": changed}
            )
        look = _look(row)
        # Forget now (this transaction reads the new row), remember once it is committed:
        # a page that read the old row meanwhile cannot leave it in the cache.
        cache.delete(CACHE_KEY)
        transaction.on_commit(lambda: remember(look))
    return look
