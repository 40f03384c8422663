import pytest

from tests.appeals.city import appeals_city  # noqa: F401


@pytest.fixture(autouse=True)
def _appeals_per_hour(settings):
    """The tests file many appeals in the same minute; the hourly limit has its own tests."""
    settings.OPENCITY_APPEALS_PER_HOUR = 1000
