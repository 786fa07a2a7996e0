"""EMBER_HOME resolution and get_dir/set_dir."""

from __future__ import annotations

import os

import emberdata


def test_ember_home_env(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "home"))
    assert emberdata.get_dir() == str(tmp_path / "home")
    assert emberdata.get_datasets_dir() == str(tmp_path / "home" / "datasets")
    assert emberdata.get_checkpoints_dir() == str(tmp_path / "home" / "hub" / "checkpoints")


def test_xdg_cache_home_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv("EMBER_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert emberdata.get_dir() == str(tmp_path / "xdg" / "ember")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "user"))
    assert emberdata.get_dir() == os.path.join(str(tmp_path / "user"), ".cache", "ember")


def test_ember_home_expands_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setenv("EMBER_HOME", "~/somewhere")
    assert emberdata.get_dir() == os.path.join(str(tmp_path), "somewhere")


def test_set_dir_overrides_for_the_process_and_none_resets(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "env"))
    emberdata.set_dir(tmp_path / "override")
    assert emberdata.get_dir() == str(tmp_path / "override")
    assert emberdata.get_datasets_dir() == str(tmp_path / "override" / "datasets")
    emberdata.set_dir(None)
    assert emberdata.get_dir() == str(tmp_path / "env")


def test_get_dir_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "lazy"))
    emberdata.get_dir()
    emberdata.get_checkpoints_dir()
    assert not (tmp_path / "lazy").exists()
