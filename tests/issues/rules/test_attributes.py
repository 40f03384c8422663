"""The extra-question rules, without a database: definitions' options and answers' checks."""

from __future__ import annotations

import pytest
from django.utils import translation

from issues.rules.attributes import AttributeSpec, attribute_values_problems, attributes_clean

SPECS = [
    AttributeSpec(code="depth", datatype="number", question="How deep?", required=True),
    AttributeSpec(code="where", datatype="singlevaluelist", question="Where?", keys=("roadway", "sidewalk")),
    AttributeSpec(code="hazards", datatype="multivaluelist", question="Hazards?", keys=("water", "edge", "night")),
    AttributeSpec(code="since", datatype="datetime", question="Since when?"),
    AttributeSpec(code="pole", datatype="string", question="Pole number?"),
    AttributeSpec(code="details", datatype="text", question="Details?"),
    AttributeSpec(code="note", datatype="string", question="Mark it.", variable=False),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def clean(answers):
    return attributes_clean(specs=SPECS, answers=answers)


def test_good_answers_are_normalised():
    cleaned, problems = clean(
        {
            "depth": "12,5",
            "where": ["roadway"],
            "hazards": ["water", "edge", "water", " "],
            "since": "2026-05-01T10:00",
            "pole": "  14/3 ",
            "details": "Стеля мокра",
            "note": "ignored: an explanation takes no answer",
        }
    )
    assert problems == {}
    assert cleaned == {
        "depth": 12.5,
        "where": "roadway",
        "hazards": ["water", "edge"],
        "since": "2026-05-01T10:00:00+03:00",
        "pole": "14/3",
        "details": "Стеля мокра",
    }


@pytest.mark.parametrize(("raw", "number"), [("15", 15), (15, 15), ("1e2", 100), (2.5, 2.5), ("-3", -3), ("0.0", 0)])
def test_numbers(raw, number):
    cleaned, problems = clean({"depth": raw})
    assert (cleaned["depth"], problems) == (number, {})
    assert type(cleaned["depth"]) is type(number)


@pytest.mark.parametrize("raw", ["deep", "nan", "inf", "1e400", True, {"a": 1}, "1e13", ["1"]])
def test_not_numbers(raw):
    cleaned, problems = clean({"depth": raw})
    assert "depth" not in cleaned
    assert problems == {"depth": ["“How deep?”: give a number."]}


def test_datetimes_keep_an_offset_and_default_to_the_city_time():
    assert clean({"depth": 1, "since": "2026-05-01T10:00:00Z"})[0]["since"] == "2026-05-01T13:00:00+03:00"
    assert clean({"depth": 1, "since": "2026-01-10"})[0]["since"] == "2026-01-10T00:00:00+02:00"
    assert clean({"depth": 1, "since": "yesterday"})[1] == {
        "since": ["“Since when?”: give a date and time such as 2026-05-01T10:00:00+03:00."]
    }
    assert clean({"depth": 1, "since": "2026-02-30"})[1]["since"]


def test_required_blank_and_unknown():
    for blank in (None, "", "   ", []):
        assert clean({"depth": blank})[1] == {"depth": ["Please answer: How deep?"]}
    assert clean({})[1] == {"depth": ["Please answer: How deep?"]}
    assert clean({"depth": 3, "colour": "red"})[1] == {"colour": ["There is no question “colour” for this category."]}


def test_lists():
    assert clean({"depth": 1, "where": "ceiling"})[1] == {"where": ["“Where?”: “ceiling” is not one of the options."]}
    assert clean({"depth": 1, "where": ["roadway", "sidewalk"]})[1] == {"where": ["“Where?”: choose one option."]}
    assert clean({"depth": 1, "hazards": "night"})[0]["hazards"] == ["night"]
    assert clean({"depth": 1, "hazards": [1, 2]})[1] == {"hazards": ["“Hazards?”: choose from the list."]}


def test_text_lengths():
    assert clean({"depth": 1, "pole": "x" * 201})[1] == {"pole": ["“Pole number?”: at most 200 characters."]}
    assert clean({"depth": 1, "details": "x" * 2000})[1] == {}
    assert clean({"depth": 1, "details": "x" * 2001})[1] == {"details": ["“Details?”: at most 2000 characters."]}
    assert clean({"depth": 1, "pole": ["a"]})[1] == {"pole": ["“Pole number?”: give a text answer."]}


def test_no_questions_no_answers():
    assert attributes_clean(specs=[], answers=None) == ({}, {})


def test_option_definitions():
    good = [{"key": "roadway", "name_uk": "Проїжджа частина", "name_en": "Roadway"}, {"key": "b", "name_uk": "Б"}]
    assert attribute_values_problems(datatype="singlevaluelist", values=good) == []
    assert attribute_values_problems(datatype="number", values=[]) == []
    assert attribute_values_problems(datatype="number", values=good) == ["Only list questions have options."]
    assert attribute_values_problems(datatype="multivaluelist", values=[]) == [
        "A list question needs at least one option."
    ]
    assert attribute_values_problems(datatype="singlevaluelist", values={"a": 1}) == ["The options must be a list."]
    assert attribute_values_problems(
        datatype="singlevaluelist",
        values=[{"key": "a b", "name_uk": "X"}, {"key": "c", "name_uk": ""}, {"key": "c", "name_uk": "Y"}, "d"],
    ) == [
        "Option key “a b” must be 1–40 Latin letters, digits, “-” or “_”.",
        "Option “c” needs a Ukrainian name.",
        "Option key “c” is repeated.",
        "Each option has a key, a Ukrainian name and an English name.",
    ]
