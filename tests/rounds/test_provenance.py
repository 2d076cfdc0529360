"""Provenance: the SHA-256 of the ruleset file (a plain file, an installed package's
resource, or a member of a zipped package) and of each data file, and qscore's version."""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
import zipfile
from importlib import resources
from pathlib import Path

import attrs
import pytest

import qscore
from conftest import DATA
from qscore.errors import QscoreError, UsageError
from qscore.plugins.manager import load_plugins
from qscore.model import Provenance, ScoringOptions, SourceFile
from qscore.provenance import file_sha256, provenance_of, qscore_version, ruleset_sha256
from qscore.rulesets import load_ruleset

TOWNSHIP = DATA / "township.toml"
TOWNSHIPS = DATA / "townships.csv"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_batch_provenance_names_every_file_by_its_sha256():
    batch = qscore.score(TOWNSHIP, TOWNSHIPS, year=2024)
    options = ScoringOptions(encoding="utf-8", sheet=None, ignore_unknown=True)
    assert provenance_of(batch, [TOWNSHIPS, TOWNSHIP], options) == Provenance(
        ruleset="test-township", ruleset_sha256=sha256(TOWNSHIP.read_bytes()), year=2024,
        data=(SourceFile(str(TOWNSHIPS), sha256(TOWNSHIPS.read_bytes())),
              SourceFile(str(TOWNSHIP), sha256(TOWNSHIP.read_bytes()))),
        options=options, qscore_version=importlib.metadata.version("qscore"))


def test_a_missing_data_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file: .*gone.csv"):
        file_sha256(tmp_path / "gone.csv")


def test_a_plugin_ruleset_is_hashed_from_its_package_resource(allow_plugins):
    allow_plugins("shizhu")
    ruleset = load_plugins().ruleset("shizhu-county")
    resource = resources.files("qscore_shizhu").joinpath("rulesets", "shizhu-county.toml")
    assert ruleset_sha256(ruleset) == sha256(resource.read_bytes())


def test_a_ruleset_in_a_zipped_package_is_hashed_through_importlib_resources(tmp_path, monkeypatch):
    text = TOWNSHIP.read_bytes()
    archive = tmp_path / "county.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("qscore_zipped_county/__init__.py", "")
        bundle.writestr("qscore_zipped_county/rulesets/county.toml", text)
    monkeypatch.syspath_prepend(str(archive))
    rule_types = load_plugins(entry_points=False).rule_types
    ruleset = load_ruleset(resources.files("qscore_zipped_county").joinpath("rulesets", "county.toml"), rule_types)
    assert not Path(ruleset.file).is_file()  # a path inside the zip, not a file on disk
    assert ruleset_sha256(ruleset) == sha256(text)
    monkeypatch.delitem(sys.modules, "qscore_zipped_county")


def test_a_ruleset_built_in_code_has_no_file_to_hash():
    ruleset = attrs.evolve(qscore.load_ruleset(TOWNSHIP), file=None)
    assert ruleset_sha256(ruleset) is None


def test_a_ruleset_file_gone_since_loading_is_an_error(tmp_path):
    copy = tmp_path / "township.toml"
    copy.write_bytes(TOWNSHIP.read_bytes())
    ruleset = qscore.load_ruleset(copy)
    copy.unlink()
    with pytest.raises(QscoreError, match="the ruleset file of 'test-township' cannot be read to fingerprint it"):
        ruleset_sha256(ruleset)


def test_the_version_is_none_when_qscore_is_not_installed(monkeypatch):
    assert qscore_version() == importlib.metadata.version("qscore")

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert qscore_version() is None
