"""HTML templates (templates/documents/) to PDF with WeasyPrint, laid out for A4, and the QR code each
document carries, as inline SVG with segno.

The font is the vendored Noto Sans SC (static/vendor/noto-sans-sc/, OFL), loaded by @font-face from a
file:// URL and embedded (subset) in every PDF: a village office prints it with no font installed, and
the server renders it with none either (the tests run with an empty fontconfig). Its outlines are
TrueType, which WeasyPrint subsets and embeds as it is; it covers every hanzi of GB2312."""

import datetime
import logging
import warnings
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

FONT = Path(settings.BASE_DIR) / "static" / "vendor" / "noto-sans-sc" / "NotoSansSC_400Regular.ttf"
FONT_FAMILY = "Noto Sans SC"


def registry_url(path: str) -> str:
    """The record's address in the registry (REGISTRY_URL and the path of its page)."""
    return f"{settings.REGISTRY_URL}{path}"


def qr_svg(url: str) -> str:
    """The QR code of `url` as an SVG element to put inline (no file, no font)."""
    svg = segno.make(url, error="m").svg_inline(scale=2, border=2, omitsize=False)
    return mark_safe(svg)  # noqa: S308 - segno's own markup of a URL we built


def printed_by(user) -> str:
    """Who printed it, as the footer names them: the user name, or 系统 for a command or a job of the system."""
    name = user.get_username() if user is not None and getattr(user, "is_authenticated", False) else ""
    return name or "系统"


def font_face() -> str:
    """The @font-face rule of the vendored font, by a file:// URL (WeasyPrint reads it from disk)."""
    return mark_safe(f"@font-face {{ font-family: '{FONT_FAMILY}'; src: url('{FONT.as_uri()}'); }}")


def html(template: str, context: dict, *, user, url: str, on: datetime.date | None = None) -> str:
    """The document's HTML: `context` with the QR code of `url`, the print date and who printed it."""
    now = timezone.localtime()
    return render_to_string(f"documents/{template}", {
        **context, "font_face": font_face(), "qr": qr_svg(url), "record_url": url,
        "printed_on": on or now.date(), "printed_at": now, "printed_by": printed_by(user),
        "objections_to": settings.NOTICE_OBJECTIONS_TO,
    })


def _weasyprint():
    """WeasyPrint, imported when first needed: loading it (Pango, fontconfig) takes a moment that a
    process which never prints should not pay. Its warning that fontconfig knows no font is no fault
    here: the documents bring their own."""
    warnings.filterwarnings("ignore", "No fonts configured in FontConfig", UserWarning)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line a step of every document
    import weasyprint

    return weasyprint


def pdf(markup: str) -> bytes:
    """WeasyPrint's PDF of `markup`."""
    return _weasyprint().HTML(string=markup, base_url=str(settings.BASE_DIR)).write_pdf()


def render(template: str, context: dict, *, user, url: str, on: datetime.date | None = None) -> bytes:
    return pdf(html(template, context, user=user, url=url, on=on))


def merge(parts: list[str]) -> bytes:
    """Several documents' HTML as one PDF, each starting a page (a village's 明白卡)."""
    weasyprint = _weasyprint()
    documents = [weasyprint.HTML(string=p, base_url=str(settings.BASE_DIR)).render() for p in parts]
    if not documents:
        return b""
    pages = [page for d in documents for page in d.pages]
    return documents[0].copy(pages).write_pdf()
