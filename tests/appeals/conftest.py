from tests.appeals.city import appeals_city  # noqa: F401
