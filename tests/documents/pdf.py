"""Reading a PDF back with poppler's tools (poppler-utils: .ci/run installs them where missing), as a
person reads the paper (pdftotext) and as a printer gets it (pdffonts: which fonts are embedded)."""

import subprocess
import tempfile
from pathlib import Path

FONT_NAME = "Noto-Sans-SC"  # as pdffonts names the embedded subset (ABCDEF+Noto-Sans-SC)


def pdftotext(content: bytes) -> str:
    return _poppler(["pdftotext", "-layout"], content, output=True)


def pdffonts(content: bytes) -> str:
    return _poppler(["pdffonts"], content)


def pdf_pages(content: bytes) -> int:
    info = _poppler(["pdfinfo"], content)
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _poppler(command: list[str], content: bytes, *, output: bool = False) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(content)
        args = [*command, str(path), "-"] if output else [*command, str(path)]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def assert_valid_pdf(content: bytes) -> None:
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    fonts = pdffonts(content).splitlines()[2:]  # past the two header lines
    assert fonts, "no font in the PDF"
    # Every font is the vendored one, embedded: nothing is left to the printer's fonts.
    for line in fonts:
        assert FONT_NAME in line and " yes " in line, line
