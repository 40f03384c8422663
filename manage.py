#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings.local")
    if sys.argv[1:2] != ["runserver"]:
        # Commands (migrate, the demo loader, db_worker, the SLA sweep) are not web requests: the
        # web statement timeout (OPENCITY_STATEMENT_TIMEOUT_MS) does not apply unless set for them.
        os.environ.setdefault("OPENCITY_STATEMENT_TIMEOUT_MS", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
