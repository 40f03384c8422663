from tests.issues.dashboard.city import city  # noqa: F401
