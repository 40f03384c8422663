"""The words of addresses (geo/gazetteer.py): KMU 2010 transliteration, normal forms, query parsing."""

import pytest

from geo.gazetteer import (
    AddressQuery,
    address_label,
    near_label,
    normalize_house_number,
    normalize_name,
    parse_address_query,
    street_kind_from_words,
    transliterate_uk,
)

# The examples of the Cabinet of Ministers' Resolution No. 55 (27 January 2010), and a few streets.
KMU_EXAMPLES = {
    "Алушта": "Alushta",
    "Борщагівка": "Borshchahivka",
    "Вишгород": "Vyshhorod",
    "Гадяч": "Hadiach",
    "Згорани": "Zghorany",
    "Ґалаґан": "Galagan",
    "Рівне": "Rivne",
    "Єнакієве": "Yenakiieve",
    "Наталія": "Nataliia",
    "Житомир": "Zhytomyr",
    "Закарпаття": "Zakarpattia",
    "Медвин": "Medvyn",
    "Іршава": "Irshava",
    "Їжакевич": "Yizhakevych",
    "Кадиївка": "Kadyivka",
    "Йосипівка": "Yosypivka",
    "Стрий": "Stryi",
    "Олексій": "Oleksii",
    "Київ": "Kyiv",
    "Харків": "Kharkiv",
    "Біла Церква": "Bila Tserkva",
    "Чернівці": "Chernivtsi",
    "Гоща": "Hoshcha",
    "Русь": "Rus",
    "Юрій": "Yurii",
    "Крюківка": "Kriukivka",
    "Яготин": "Yahotyn",
    "Ічня": "Ichnia",
    "Знам'янка": "Znamianka",
    "Знамʼянка": "Znamianka",
    "Стрийська": "Stryiska",
    "Січових Стрільців": "Sichovykh Striltsiv",
    "Євгена Коновальця": "Yevhena Konovaltsia",
}


@pytest.mark.parametrize(("ukrainian", "latin"), KMU_EXAMPLES.items())
def test_transliteration_follows_kmu_2010(ukrainian, latin):
    assert transliterate_uk(ukrainian) == latin


def test_transliteration_keeps_capitals_of_an_upper_case_word():
    assert transliterate_uk("ЗГОРАНИ ЩОРСА") == "ZGHORANY SHCHORSA"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("вул. Знам'янська", "знамянська"),
        ("вулиця Знамʼянська", "знамянська"),
        ("Знам’янська вулиця", "знамянська"),
        ("пр-т Свободи", "свободи"),
        ("Stryiska St.", "stryiska"),
        ("Бориcлавська", "бориславська"),  # a Latin "c" typed inside the Cyrillic word
        ("вул. Кос-Анатольського", "кос-анатольського"),
    ],
)
def test_normal_form_drops_kinds_apostrophes_and_punctuation(text, expected):
    assert normalize_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", "9"),
        ("9А", "9а"),
        ("9 а", "9а"),
        ("9-a", "9а"),
        ("12 / 3", "12/3"),
        ("12\\3", "12/3"),
        ("Б", ""),
        ("", ""),
    ],
)
def test_house_numbers_have_one_normal_form(text, expected):
    assert normalize_house_number(text) == expected


@pytest.mark.parametrize(
    ("text", "street", "house"),
    [
        ("Стрийська 9", "стрийська", "9"),
        ("stryiska 9", "stryiska", "9"),
        ("вул. Стрийська, 9", "стрийська", "9"),
        ("вул. Стрийська, буд. 9-Б", "стрийська", "9б"),
        ("Стрийська 12/3", "стрийська", "12/3"),
        ("9 Stryiska St", "stryiska", "9"),
        ("Січових Стрільців", "січових стрільців", ""),
        ("вул. 22 Січня, 4", "22 січня", "4"),
    ],
)
def test_a_typed_address_is_split_into_street_and_house(text, street, house):
    assert parse_address_query(text) == AddressQuery(street=street, house=house)


def test_street_kind_is_read_before_or_after_the_name():
    assert street_kind_from_words("вул. Стрийська") == ("street", "Стрийська")
    assert street_kind_from_words("вулиця Стрийська") == ("street", "Стрийська")
    assert street_kind_from_words("Площа Ринок") == ("square", "Ринок")
    assert street_kind_from_words("Stryiska Street") == ("street", "Stryiska")
    assert street_kind_from_words("Ринок") == (None, "Ринок")


def test_labels_in_both_languages():
    args = {"kind": "street", "name_uk": "Стрийська", "name_en": "Stryiska", "house_number": "9А"}
    assert address_label(**args, language="uk") == "вул. Стрийська, 9А"
    assert address_label(**args, language="en") == "Stryiska St., 9А"
    assert (
        near_label(street="вул. Стрийська", district="Центральний", language="uk") == "біля вул. Стрийська, Центральний"
    )
    assert near_label(street="Stryiska St.", district="Centre", language="en") == "near Stryiska St., Centre"
