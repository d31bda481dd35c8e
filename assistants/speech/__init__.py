"""Meetings from recordings: local speech to text (faster-whisper), then the protocol."""
