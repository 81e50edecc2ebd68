"""A disk that fills during a build: the build says where and why in one line, exits non-zero, and the
served version and its dumps stay as they were.

A real full disk: a small tmpfs mounted for the module (CI runs as root), filled by a file that leaves
only so many bytes free, so that a second build runs out of room at different stages.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_data_safety import data_variant

from kosru_kg.graph.store import StoreLayout

TMPFS_MB = 48
# The stage at which the disk is filled, and the step that then fails for want of room.
FAILS = {
    "LOCKED": "writing the store failed at ",  # the Oxigraph store (RocksDB)
    "WRITTEN": "writing the search index failed at ",  # SQLite
    "INDEXED": "writing the manifest failed at ",
    "RENAMED": "archiving the dumps failed at ",
    "ARCHIVED": "recording the version failed at ",  # versions.json, written aside before the switch
}

# The build command, run as a user runs it, but whose make_current fills the disk the moment it reports
# the stage named in argv[1] (a file grown until the disk refuses it).
FILLING_BUILD = """
import sys
from kosru_kg import cli
from kosru_kg.graph import store

make_current = store.StoreLayout.make_current

def filling_make_current(self, *args, progress, **kwargs):
    def report(stage, detail):
        progress(stage, detail)
        if stage.name == sys.argv[1]:
            with open(sys.argv[2], "wb", buffering=0) as filler:  # nothing left for close() to write
                try:
                    while True:
                        filler.write(b"\\0" * (1 << 16))
                except OSError:
                    pass
    return make_current(self, *args, progress=report, **kwargs)

store.StoreLayout.make_current = filling_make_current
cli.main(["build", "--store", sys.argv[3]])
"""

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    mount_point = tmp_path_factory.mktemp("tmpfs")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_MB}m", "tmpfs", str(mount_point)], check=True)
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


@pytest.fixture(scope="module")
def changed_data(data_slice, tmp_path_factory) -> Path:
    """A small slice of data/ (quick to validate and render), so a build of it makes a new version."""
    return data_variant(data_slice, tmp_path_factory.mktemp("full-disk") / "data", "Republic of Costa Rica")


def digests(root: Path) -> dict[str, str]:
    """Every file under ``root`` (links followed) by its path, with its SHA-256."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("stage", list(FAILS))
def test_a_disk_full_at_any_stage_fails_the_build_in_one_line_and_keeps_what_is_served(
        stage, disk, settings, changed_data):
    store = disk / "store"
    shutil.copytree(settings.store, store, symlinks=True)
    layout = StoreLayout(store)
    served = layout.manifest().version
    before = digests(layout.dumps / served)
    filler = disk / "filler"
    try:
        result = subprocess.run([sys.executable, "-c", FILLING_BUILD, stage, str(filler), str(store)],
                                env={**os.environ, "KOSRU_DATA_DIR": str(changed_data)},
                                capture_output=True, text=True, timeout=600)
        said = [line for line in result.stderr.splitlines() if not line.startswith("build")]
        assert result.returncode == 1
        assert "Traceback" not in result.stderr, result.stderr
        assert len(said) == 1, result.stderr
        assert said[0].startswith("Error: build failed: " + FAILS[stage]), said[0]
        assert str(store) in said[0] and said[0].endswith(("No space left on device", "database or disk is full"))
        assert layout.manifest().version == served
        assert digests(layout.dumps / served) == before
        assert layout.open().query("ASK { ?s ?p ?o }")
    finally:
        filler.unlink(missing_ok=True)
        shutil.rmtree(store)
