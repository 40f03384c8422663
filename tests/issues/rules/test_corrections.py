"""What a correction changes, and the `corrected` event's data read back as it was written."""

import pytest

from issues.rules.corrections import CorrectionRecord, FieldChange, correction_changes

CURRENT = {"point": [23.4956, 49.3489], "description": "Яма", "address": "вул. Стрийська, 10"}


def test_only_values_that_differ_are_changes_in_the_declared_order():
    changes = correction_changes(
        current=CURRENT,
        proposed={"address": "вул. Стрийська, 12", "description": "Яма", "point": [23.5156, 49.3489]},
    )
    assert changes == {
        "point": FieldChange(old=[23.4956, 49.3489], new=[23.5156, 49.3489]),
        "address": FieldChange(old="вул. Стрийська, 10", new="вул. Стрийська, 12"),
    }
    assert list(changes) == ["point", "address"]


def test_none_or_missing_means_not_corrected_but_empty_text_is_a_change():
    assert correction_changes(current=CURRENT, proposed={"point": None, "description": None}) == {}
    assert correction_changes(current=CURRENT, proposed={"address": ""}) == {
        "address": FieldChange(old="вул. Стрийська, 10", new="")
    }


def test_fields_that_are_not_corrected_directly_are_refused():
    with pytest.raises(ValueError, match="category"):
        correction_changes(current=CURRENT, proposed={"category": "pothole"})


def test_the_record_reads_back_what_it_wrote():
    record = CorrectionRecord(
        {
            "point": FieldChange(old=[23.4956, 49.3489], new=[23.5156, 49.3489]),
            "district": FieldChange(old="west", new="east"),
            "outage": FieldChange(old=7, new=None),
        }
    )
    data = record.to_data()
    assert data == {
        "point": {"old": [23.4956, 49.3489], "new": [23.5156, 49.3489]},
        "district": {"old": "west", "new": "east"},
        "outage": {"old": 7, "new": None},
    }
    assert CorrectionRecord.from_data(data) == record
    assert CorrectionRecord.from_data({"unknown": {"old": 1, "new": 2}, "district": "east"}).fields == ()
