"""Texts kept in Ukrainian and English: which one a reader gets. The one rule, for Python
(`localized`) and for SQL that builds answers in the database (`localized_sql`).

Ukrainian is the community's language and always present; English is shown to a reader whose
active language is English, where a translation exists.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def is_english(language: str | None = None) -> bool:
    """Whether the reader's language (the active one unless given) is English."""
    return (language or get_language() or "uk").startswith("en")


def localized(uk: str, en: str, *, language: str | None = None) -> str:
    """The English text for an English reader when there is one, else the Ukrainian."""
    return en if en and is_english(language) else uk


def localized_sql(alias: str, *, field: str = "name", english: str = "%(en)s") -> str:
    """The same choice as an SQL expression over `<alias>.<field>_uk` and `<alias>.<field>_en`.
    `english` is a bound boolean parameter (or a fixed boolean expression over one); the alias and
    field are our own identifiers, checked here, never user input."""
    if not (_IDENTIFIER.match(alias) and _IDENTIFIER.match(field)):
        raise ValueError(f"not an SQL identifier: {alias!r}.{field!r}")
    return f"CASE WHEN {english} AND {alias}.{field}_en <> '' THEN {alias}.{field}_en ELSE {alias}.{field}_uk END"
