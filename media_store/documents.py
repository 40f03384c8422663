"""PDF documents (a scan sent with an appeal, the council's signed answer): checked by parsing, kept
byte for byte.

Unlike photos and videos, a PDF is never rewritten: a signature embedded in it (КЕП, PAdES) covers
the file's exact bytes, and any re-save would break it. So the check only reads: the `%PDF-` magic
(media_store.formats.sniff), an end-of-file marker near the end (a cut-off upload has none), a parse
with pypdf that must find the page tree and every page, and no encryption (nobody at the council
could be sure to open it). Documents are never public and are downloaded as attachments, never shown
inline, so a script inside one never runs on our origin.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from media_store.errors import CorruptFile, EncryptedDocument

logger = logging.getLogger(__name__)

# PDF readers look for the %%EOF marker in the last 1024 bytes (ISO 32000-1, 7.5.5 and Annex H).
EOF_WINDOW_BYTES = 1024


@dataclass(frozen=True)
class DocumentInfo:
    """What a checked PDF is: its number of pages."""

    page_count: int


def document_check(*, source: Path) -> DocumentInfo:
    """Parse a PDF and count its pages; CorruptFile for a cut-off or malformed one, EncryptedDocument
    for a password-protected or encrypted one. The file itself is left as it is."""
    with source.open("rb") as stream:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(max(0, size - EOF_WINDOW_BYTES))
        if b"%%EOF" not in stream.read():
            raise CorruptFile()
    try:
        reader = PdfReader(source, strict=False)
        if reader.is_encrypted:
            raise EncryptedDocument()
        pages = reader.pages
        for page in pages:
            _ = page.mediabox  # every page object must resolve, not only the count in the tree
        page_count = len(pages)
    except EncryptedDocument:
        raise
    except Exception as error:  # pypdf raises many kinds for a broken file; every one is a bad upload
        logger.info("a PDF was refused: %s: %s", type(error).__name__, error)
        raise CorruptFile() from error
    if page_count < 1:
        raise CorruptFile()
    return DocumentInfo(page_count=page_count)
