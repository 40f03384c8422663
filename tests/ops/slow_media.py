"""A media storage for the worker fault test: saving the derivative named OPENCITY_TEST_SLOW_MEDIA_NAME
(e.g. "thumbnail.webp") first writes half of it under its final name and then stalls for
OPENCITY_TEST_SLOW_MEDIA_SECONDS, like a slow disk or bucket in the middle of a write; a worker killed
then leaves that partial file behind, as a real one would. Used only by tests/ops/test_faults.py, in a
db_worker subprocess started with DJANGO_SETTINGS_MODULE=tests.ops.slow_media_settings."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.files.storage import FileSystemStorage


class SlowDerivativeStorage(FileSystemStorage):
    def _save(self, name: str, content) -> str:
        slow_name = os.environ.get("OPENCITY_TEST_SLOW_MEDIA_NAME", "")
        if slow_name and Path(name).name == slow_name:
            data = content.read()
            content.seek(0)
            path = Path(self.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as partial:
                partial.write(data[: len(data) // 2])
            time.sleep(float(os.environ.get("OPENCITY_TEST_SLOW_MEDIA_SECONDS", "0")))
            path.unlink()  # not killed after all: write it whole, the ordinary way
        return super()._save(name, content)
