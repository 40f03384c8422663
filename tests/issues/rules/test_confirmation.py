"""A report waits for its reporter's e-mail confirmation while it is new and the address is not
confirmed; in every other case it does not."""

import pytest

from issues.rules.confirmation import report_waiting_for_confirmation
from issues.rules.transitions import Status


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("confirmed", [True, False])
def test_only_a_new_report_of_an_unconfirmed_reporter_waits(status, confirmed):
    expected = status == Status.NEW and not confirmed
    assert report_waiting_for_confirmation(status=status, reporter_confirmed=confirmed) is expected


def test_it_takes_the_stored_status_text():
    assert report_waiting_for_confirmation(status="new", reporter_confirmed=False) is True
    assert report_waiting_for_confirmation(status="assigned", reporter_confirmed=False) is False
