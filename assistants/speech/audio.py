"""Check an uploaded recording before it is queued: a real audio stream, of a length we take.

PyAV (FFmpeg's libraries, from PyPI) opens the file by its content, never by its name: a
renamed program or a broken file is refused here with a message, not in the worker. A
container that does not state its length (the browser's own WebM recordings) is read
packet by packet, without decoding, to find where its audio ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
from django.conf import settings
from django.utils.translation import gettext as _

# What people upload, by FFmpeg's demuxer names (one demuxer reads several containers,
# e.g. "mov,mp4,m4a,3gp,3g2,mj2"), and the suffix the stored file gets for each.
CONTAINERS = {
    "webm": "webm",
    "matroska": "mkv",
    "ogg": "ogg",
    "wav": "wav",
    "mp3": "mp3",
    "mp4": "mp4",
    "m4a": "mp4",
    "mov": "mp4",
}
EXTENSIONS = (".mp3", ".m4a", ".mp4", ".wav", ".ogg", ".opus", ".oga", ".webm", ".mkv", ".mov")


class AudioRefused(ValueError):
    """The file is not a recording we can transcribe; the message tells the person why."""


@dataclass(frozen=True)
class AudioInfo:
    seconds: float
    container: str
    codec: str


def duration_text(seconds: float) -> str:
    """ "1:05:09" or "4:07": how long a recording is, as players show it."""
    whole = math.ceil(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def probe(path: Path) -> AudioInfo:
    """Open `path` as a recording; raise AudioRefused with the reason if it is none."""
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, OSError):
        raise AudioRefused(
            _("The file is not a recording we can read (damaged, or not audio or video).")
        ) from None
    with container:
        names = set(container.format.name.split(","))
        if not names & CONTAINERS.keys():
            raise AudioRefused(
                _("Files of type %(type)s are not accepted. Use %(types)s.")
                % {
                    "type": container.format.long_name or container.format.name,
                    "types": "MP3, M4A, WAV, OGG/Opus, WebM, MP4",
                }
            )
        if not container.streams.audio:
            raise AudioRefused(_("The file has no sound track."))
        stream = container.streams.audio[0]
        seconds = _stated_seconds(container, stream)
        if seconds is None:
            seconds = _measured_seconds(container, stream)
        codec = stream.codec_context.name if stream.codec_context else "?"
    if seconds <= 0.5:
        raise AudioRefused(_("The recording is empty or shorter than a second."))
    if seconds > settings.AUDIO_MAX_SECONDS:
        raise AudioRefused(
            _(
                "The recording is %(length)s long; at most %(limit)s are accepted. Split it "
                "into parts and transcribe them one after another."
            )
            % {
                "length": duration_text(seconds),
                "limit": duration_text(settings.AUDIO_MAX_SECONDS),
            }
        )
    suffix = next(CONTAINERS[name] for name in CONTAINERS if name in names)
    return AudioInfo(seconds=seconds, container=suffix, codec=codec)


def _stated_seconds(container, stream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _measured_seconds(container, stream) -> float:
    """The end of the last audio packet; stops reading once past the limit (a 10-hour file
    without a stated length is not read to its end)."""
    end = 0.0
    try:
        for packet in container.demux(stream):
            if packet.pts is None or packet.time_base is None:
                continue
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
            if end > settings.AUDIO_MAX_SECONDS + 1:
                break
    except av.FFmpegError:
        if end == 0:
            raise AudioRefused(
                _("The file is not a recording we can read (damaged, or not audio or video).")
            ) from None
    return end
