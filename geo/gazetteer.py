"""The words of addresses: transliteration, street kinds, the normal form searches compare, and the
way a typed address is split into a street and a house number. Plain Python (no ORM, no request),
shared by the import, the search, reverse geocoding and their tests.

Transliteration follows the official Ukrainian national system (Resolution of the Cabinet of
Ministers of Ukraine No. 55 of 27 January 2010, "KMU 2010"): the one on passports and road signs.
Є, Ї, Й, Ю, Я are written Ye, Yi, Y, Yu, Ya at the start of a word and ie, i, i, iu, ia elsewhere;
"зг" is "zgh" (to tell it from "ж"); the soft sign and the apostrophe are dropped. No package on the
index implements exactly this table (`transliterate`'s Ukrainian pack is a reversible scheme of its
own), so it is a small table here, checked against the resolution's own examples in the tests.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext

# --- Transliteration (KMU 2010) -----------------------------------------------------------------

_KMU = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia",
}  # fmt: skip
# At the start of a word these letters take their "y" form.
_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
APOSTROPHES = "'’ʼ`´ʹ′‘"


def transliterate_uk(text: str) -> str:
    """Ukrainian text in Latin letters by the national system (KMU 2010): "Стрийська" → "Stryiska",
    "Знам'янка" → "Znamianka", "Єнакієве" → "Yenakiieve". Other characters pass through."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    at_word_start = True
    for index, char in enumerate(text):
        lower = char.lower()
        if lower in APOSTROPHES and out and index + 1 < len(text) and text[index + 1].isalpha():
            continue  # the apostrophe inside a word is not written
        if lower not in _KMU:
            out.append(char)
            at_word_start = not char.isalpha()
            continue
        if lower == "г" and index > 0 and text[index - 1].lower() == "з":
            latin = "gh"
        elif at_word_start and lower in _KMU_INITIAL:
            latin = _KMU_INITIAL[lower]
        else:
            latin = _KMU[lower]
        if char != lower and latin:
            following = text[index + 1] if index + 1 < len(text) else ""
            whole_word_upper = following.isalpha() and following.isupper()
            latin = latin.upper() if whole_word_upper else latin[0].upper() + latin[1:]
        out.append(latin)
        at_word_start = False
    return "".join(out)


# --- Street kinds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreetKindWords:
    code: str
    short_uk: str  # as written before the name: "вул. Стрийська"
    short_en: str  # as written after the name: "Stryiska St."
    words: tuple[str, ...]  # every way people write it, normalised (lower case, no dots)


STREET_KINDS: tuple[StreetKindWords, ...] = (
    StreetKindWords("street", "вул.", "St.", ("вулиця", "вул", "вулиці", "street", "st", "str", "vulytsia", "vul")),
    StreetKindWords("avenue", "просп.", "Ave.", ("проспект", "просп", "пр-т", "avenue", "ave", "av", "prospekt")),
    StreetKindWords("square", "пл.", "Sq.", ("площа", "пл", "square", "sq", "ploshcha", "pl")),
    StreetKindWords("lane", "пров.", "Ln.", ("провулок", "пров", "lane", "ln", "provulok", "prov")),
    StreetKindWords("boulevard", "бульв.", "Blvd.", ("бульвар", "бульв", "б-р", "boulevard", "blvd", "bulvar")),
    StreetKindWords("passage", "проїзд", "Passage", ("проїзд", "passage", "proizd")),
    StreetKindWords("highway", "шосе", "Hwy.", ("шосе", "highway", "hwy", "shose")),
    StreetKindWords("descent", "узвіз", "Descent", ("узвіз", "descent", "uzviz")),
    StreetKindWords("embankment", "наб.", "Emb.", ("набережна", "наб", "embankment", "naberezhna")),
    StreetKindWords("dead_end", "тупик", "Dead End", ("тупик", "tupyk")),
    StreetKindWords("maidan", "майдан", "Maidan", ("майдан", "maidan")),
)
STREET_KIND_BY_CODE = {kind.code: kind for kind in STREET_KINDS}
_KIND_BY_WORD = {word: kind.code for kind in STREET_KINDS for word in kind.words}
# Words that say "house" or "city" and carry nothing a search can use.
_NOISE_WORDS = {"будинок", "буд", "house", "м", "місто", "city"}


def street_kind_from_words(text: str) -> tuple[str | None, str]:
    """(kind code or None, the name without its kind word): "вул. Стрийська" → ("street", "Стрийська"),
    "Stryiska Street" → ("street", "Stryiska"). Only a kind word before or after the name counts."""
    words = text.replace(",", " ").split()
    for position in (0, -1):
        if len(words) > 1 and (code := _KIND_BY_WORD.get(_plain(words[position]))):
            del words[position]
            return code, " ".join(words)
    return None, " ".join(words)


def _plain(word: str) -> str:
    return word.lower().strip(".").replace("'", "").replace("’", "").replace("ʼ", "")


# --- The normal form searches compare ------------------------------------------------------------

_LATIN_LOOKALIKES = str.maketrans({"a": "а", "e": "е", "i": "і", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"})
_CYRILLIC = re.compile(r"[а-яіїєґ]")


def normalize_name(text: str) -> str:
    """A street name as searches compare it: lower case, no apostrophes (ʼ ' ’ all count, or none),
    no street-kind words, no punctuation, single spaces. "вул. Знам'янська" → "знамянська".
    Latin look-alikes typed inside a Cyrillic word ("Бориславська" with a Latin i) become Cyrillic."""
    text = unicodedata.normalize("NFC", text).lower()
    for mark in APOSTROPHES:
        text = text.replace(mark, "")
    text = re.sub(r"(?<=\w)-(?=\w)", "\x00", text)  # keep hyphens inside words (пр-т, Кос-Анатольського)
    text = re.sub(r"[^\w\x00]+", " ", text).replace("\x00", "-")
    words = []
    for word in text.split():
        if word in _KIND_BY_WORD or word in _NOISE_WORDS:
            continue
        if _CYRILLIC.search(word):
            word = word.translate(_LATIN_LOOKALIKES)
        words.append(word)
    return " ".join(words)


_HOUSE_LETTERS = str.maketrans({"a": "а", "b": "б", "v": "в", "g": "г", "h": "г", "d": "д", "e": "е", "\\": "/"})
_HOUSE = re.compile(r"^(\d{1,5})\s*-?\s*([а-яіїєґ]?)(?:\s*/\s*(\d{1,5})\s*-?\s*([а-яіїєґ]?))?$")


def normalize_house_number(text: str) -> str:
    """A house number as matches compare it: "9А", "9 а", "9-a" → "9а"; "12 / 3" → "12/3".
    Returns "" for text that is not a house number."""
    text = unicodedata.normalize("NFC", text).lower().strip().translate(_HOUSE_LETTERS)
    match = _HOUSE.match(text)
    if not match:
        return ""
    number, letter, second, second_letter = match.groups()
    return number + letter + (f"/{second}{second_letter}" if second else "")


@dataclass(frozen=True)
class AddressQuery:
    """A typed address split for the search: the street as normalised words, and the house number
    (normalised; "" when none was typed)."""

    street: str
    house: str


_TRAILING_HOUSE = re.compile(
    r"^(?P<rest>.*?)[\s,]+(?:№\s*)?(?P<house>\d{1,5}(?:\s*-?\s*[^\W\d_])?(?:\s*/\s*\d{1,5}(?:\s*-?\s*[^\W\d_])?)?)$"
)
_LEADING_HOUSE = re.compile(r"^(?P<house>\d{1,5}[a-zA-Z]?(?:/\d{1,5})?)\s+(?P<rest>[A-Za-z].*)$")


def parse_address_query(text: str) -> AddressQuery:
    """Split "вул. Стрийська, 9", "Стрийська 9А", "stryiska 12/3" or "9 Stryiska St" into the
    street's normal form and the house number. Words for "house" (буд., №) are ignored."""
    text = unicodedata.normalize("NFC", text or "").strip()
    text = re.sub(r"(?i)(?:^|[\s,])(?:буд|будинок|house|№)\.?(?=[\s\d])", " ", text).strip(" ,")
    house = ""
    if match := _TRAILING_HOUSE.match(text):
        candidate = normalize_house_number(match["house"].replace(" ", ""))
        if candidate:
            house, text = candidate, match["rest"]
    elif match := _LEADING_HOUSE.match(text):
        candidate = normalize_house_number(match["house"])
        if candidate:
            house, text = candidate, match["rest"]
    return AddressQuery(street=normalize_name(text), house=house)


def house_sort_key(house: str) -> tuple[int, str]:
    """Order house numbers as people do: 2 before 10, 9 before 9а."""
    match = re.match(r"\d+", house)
    return (int(match.group()) if match else 0, house)


# --- Labels --------------------------------------------------------------------------------------


def street_label(*, kind: str, name_uk: str, name_en: str, language: str) -> str:
    """ "вул. Стрийська" in Ukrainian, "Stryiska St." in English."""
    words = STREET_KIND_BY_CODE.get(kind)
    if language.startswith("en"):
        name = name_en or transliterate_uk(name_uk)
        return f"{name} {words.short_en}" if words else name
    return f"{words.short_uk} {name_uk}" if words else name_uk


def address_label(*, kind: str, name_uk: str, name_en: str, house_number: str, language: str) -> str:
    """ "вул. Стрийська, 9" / "Stryiska St., 9"."""
    return f"{street_label(kind=kind, name_uk=name_uk, name_en=name_en, language=language)}, {house_number}"


def near_label(*, street: str, district: str, language: str) -> str:
    """ "біля вул. Стрийська, Центральний" / "near Stryiska St., Tsentralnyi"; either part may be empty."""
    place = ", ".join(part for part in (street, district) if part)
    with translation.override(language):
        return gettext("near %(place)s") % {"place": place}
