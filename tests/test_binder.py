"""The Binder files cannot drift from pyproject.toml.

repo2docker (mybinder.org) reads ``binder/`` and ignores ``pyproject.toml``,
so these checks hold the two together: Binder installs the project itself
(hence every runtime dependency), each package it names is declared in
pyproject with a compatible version, PyTorch is the CPU-only build (no CUDA
wheels, which would not fit a Binder session), and the Python of
``runtime.txt`` satisfies ``requires-python``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: Packages the Binder image needs beyond the runtime dependencies: the server
#: behind the Voilà badge. Each must still be declared (in an extra) in pyproject.
CLASSROOM_EXTRAS = {"voila"}


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _declared() -> dict[str, Requirement]:
    """Every requirement pyproject declares, runtime and extras, by canonical name."""
    project = _pyproject()
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    declared = {}
    for text in requirements:
        req = Requirement(text)
        declared.setdefault(canonicalize_name(req.name), req)
    return declared


def _binder_lines() -> list[str]:
    lines = []
    for raw in (BINDER / "requirements.txt").read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _binder_requirements() -> dict[str, Requirement]:
    reqs = {}
    for line in _binder_lines():
        if line.startswith("-") or line in {".", "-e ."} or line.startswith(".["):
            continue
        req = Requirement(line)
        reqs[canonicalize_name(req.name)] = req
    return reqs


def test_binder_installs_the_project_itself():
    """``.`` pulls every runtime dependency from pyproject (``-e .`` would do too)."""
    lines = _binder_lines()
    assert any(line in {".", "-e ."} or line.startswith(".[") for line in lines), lines


def test_binder_names_only_declared_packages_with_compatible_versions():
    declared = _declared()
    for name, req in _binder_requirements().items():
        assert name in declared, f"binder installs {name}, which pyproject does not declare"
        pins = [Version(spec.version) for spec in req.specifier if spec.operator == "=="]
        for pin in pins:
            assert declared[name].specifier.contains(pin, prereleases=True), (
                f"binder pins {name}=={pin}, outside pyproject's {declared[name].specifier}"
            )


def test_binder_package_set_matches_pyproject():
    """Runtime dependencies (through ``.``) plus the classroom server, nothing else."""
    runtime = {canonicalize_name(Requirement(r).name) for r in _pyproject()["dependencies"]}
    explicit = set(_binder_requirements())
    assert explicit - runtime == CLASSROOM_EXTRAS, (
        f"binder adds {sorted(explicit - runtime)}; expected exactly {sorted(CLASSROOM_EXTRAS)}"
    )
    assert set(_declared()) >= CLASSROOM_EXTRAS


def test_binder_torch_is_the_cpu_build():
    lines = _binder_lines()
    torch = _binder_requirements().get("torch")
    assert torch is not None, "pin torch in binder/requirements.txt to its CPU build"
    (spec,) = list(torch.specifier)
    assert spec.operator == "==" and Version(spec.version).local == "cpu", (
        f"torch must be pinned to a +cpu build, got {torch}"
    )
    assert f"--extra-index-url {CPU_INDEX}" in lines, "the CPU wheel index is missing"
    index_lines = [line for line in lines if line.startswith(("--index-url", "-i ", "--extra"))]
    assert all(line.rstrip("/").endswith("/whl/cpu") for line in index_lines), index_lines


def test_binder_has_no_gpu_wheels():
    text = (BINDER / "requirements.txt").read_text().lower()
    body = "\n".join(_binder_lines()).lower()
    assert not re.search(r"\bnvidia[-_]", body), "nvidia-* (CUDA) wheels in binder/requirements"
    assert not re.search(r"\+cu\d+", text), "a CUDA (+cuXXX) build in binder/requirements"
    assert "/whl/cu" not in text, "a CUDA wheel index in binder/requirements"
    assert "cupy" not in body and "jax[cuda" not in body


def test_runtime_python_satisfies_requires_python():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert match, f"runtime.txt must read python-X.Y, got {runtime!r}"
    version = Version(f"{match[1]}.{match[2]}")
    requires = SpecifierSet(_pyproject()["requires-python"])
    assert requires.contains(version), f"{runtime} outside requires-python {requires}"


def test_binder_links_open_notebooks_that_exist():
    """Every mybinder.org link in the README and docs opens a notebook of this repository."""
    link = re.compile(
        r"mybinder\.org/v2/gh/[^)\s\"']*?urlpath=(?:lab/tree|voila/render)/([^)\s\"'&]+)"
    )
    found = []
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        if page.exists():
            for target in link.findall(page.read_text()):
                found.append(target)
                assert (REPO / target).exists(), f"{page.name} links to missing {target}"
    assert found, "no Binder link found in README.md or docs/"
