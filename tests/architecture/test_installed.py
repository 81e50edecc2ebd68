"""Installed from its wheel (not editable), the package builds, serves and answers every canned question.

The wheel is built as ``pip install .`` builds it and installed into a fresh virtual
environment that borrows the test environment's dependencies but not its editable kosru_kg;
every command then runs from a directory outside the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from conftest import terminate

from kosru_kg.config import Settings

QUESTIONS = sorted(path.stem for path in Settings().queries_dir.glob("*.rq"))
# What a wheel is built from: the packaging files, the sources and the folders shipped inside it.
PACKAGED = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "src", "data", "ontology", "queries")
JUNK = shutil.ignore_patterns("__pycache__", "*.egg-info")


@pytest.fixture(scope="module")
def installed(tmp_path_factory, project_root) -> Path:
    """The bin directory of a fresh environment with only the built wheel of kosru_kg installed."""
    root = tmp_path_factory.mktemp("installed")
    source = root / "source"  # a copy: building writes build/ and egg-info beside the sources, never in the checkout
    source.mkdir()
    for name in PACKAGED:
        copy = shutil.copytree if (project_root / name).is_dir() else shutil.copy2
        copy(project_root / name, source / name, **({"ignore": JUNK} if copy is shutil.copytree else {}))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(root / "dist"),
                    str(source)], check=True, timeout=600)
    wheel = next((root / "dist").glob("kosru_kg-*.whl"))
    venv.EnvBuilder(with_pip=False).create(root / "env")
    python = root / "env" / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies come from the test environment; its .pth files (the editable kosru_kg) are not read.
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    str(wheel)], check=True, timeout=600)
    return root / "env" / "bin"


def test_the_wheel_ships_the_project_folders(installed, project_root):
    shipped = subprocess.run([installed / "python", "-c",
                              "from kosru_kg.config import Settings; s = Settings();"
                              "print(s.data_dir, s.ontology_dir, s.queries_dir, sep='\\n')"],
                             check=True, capture_output=True, text=True, cwd="/").stdout.split()
    assert all("site-packages" in folder and str(project_root) not in folder for folder in shipped)
    for folder, name in zip(shipped, ("data", "ontology", "queries"), strict=True):
        assert sorted(p.name for p in Path(folder).iterdir()) == sorted(p.name for p in (project_root / name).iterdir())


def test_installed_it_builds_serves_and_answers_every_question(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    built = subprocess.run([installed / "kosru-kg", "build"], cwd=elsewhere, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    assert (elsewhere / "var" / "store" / "current").is_symlink()  # the default store is under the working directory
    server = subprocess.Popen([installed / "kosru-kg", "serve", "--store", str(elsewhere / "var" / "store"),
                               "--port", "0"], cwd=elsewhere, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = next(line for line in server.stdout if "serving on" in line).split()[-1]
        for path in ["questions", "ontology", *(f"questions/{name}" for name in QUESTIONS)]:
            with urlopen(Request(url + path, headers={"Accept": "text/html"}), timeout=120) as response:
                assert response.status == 200, path
                page = response.read().decode("utf-8")
            if path == "questions":
                assert all(f"/questions/{name}" in page for name in QUESTIONS)
    finally:
        terminate(server)
        server.stdout.close()
