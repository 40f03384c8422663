from tests.dashboard.city import city  # noqa: F401
