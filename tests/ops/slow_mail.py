"""An e-mail backend for the worker fault test: each message takes OPENCITY_TEST_MAIL_DELAY seconds
(like a slow SMTP server) and is then written to a file in OPENCITY_TEST_MAIL_DIR, first line the
recipient. Used only by tests/ops/test_faults.py in a db_worker subprocess."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        directory = Path(os.environ["OPENCITY_TEST_MAIL_DIR"])
        delay = float(os.environ.get("OPENCITY_TEST_MAIL_DELAY", "0"))
        for message in email_messages:
            time.sleep(delay)
            (directory / f"{uuid.uuid4().hex}.eml").write_text("\n".join([*message.to, message.subject]))
        return len(email_messages)
