"""The production settings with tests.ops.slow_media's stalling storage for media (the worker fault test)."""

from opencity.settings.production import *  # noqa: F403

STORAGES = {**STORAGES, "default": {"BACKEND": "tests.ops.slow_media.SlowDerivativeStorage"}}  # noqa: F405
