"""System checks: media processing needs ffmpeg and ffprobe; say so at start-up, not at the first video."""

from __future__ import annotations

import shutil

from django.core import checks

from media_store.videos import FFMPEG, FFPROBE


@checks.register()
def check_media_tools(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for program in (FFPROBE, FFMPEG):
        if shutil.which(program) is None:
            errors.append(
                checks.Error(
                    f"{program} was not found on PATH; video uploads cannot be checked or processed.",
                    hint="Install the Debian package ffmpeg (scripts/bootstrap.sh does).",
                    id="media_store.E001",
                )
            )
    return errors
