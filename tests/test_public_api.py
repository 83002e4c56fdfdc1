"""The curated public surface."""

from __future__ import annotations

import importlib

import rekseg


def test_all_is_sorted() -> None:
    """`rekseg.__all__` is sorted, so additions land in one obvious place."""
    assert list(rekseg.__all__) == sorted(rekseg.__all__)


def test_every_public_name_imports() -> None:
    """Every name in `rekseg.__all__` is importable from the package."""
    for name in rekseg.__all__:
        assert getattr(rekseg, name) is not None, name


def test_no_private_module_leaks_into_all() -> None:
    """Nothing private is exported."""
    assert not [n for n in rekseg.__all__ if n.startswith("_") and n != "__version__"]


def test_public_submodules_import() -> None:
    """The public submodules import by name."""
    for name in ("rekseg", "rekseg.export", "rekseg.analysis", "rekseg.testing", "rekseg.notifications"):
        assert importlib.import_module(name).__all__, name


def test_submodules_are_attributes_after_import_rekseg() -> None:
    """`import rekseg` is enough to reach `rekseg.export.write` and `rekseg.analysis`."""
    assert callable(rekseg.export.write)
    assert rekseg.analysis.binge_markers is not None
