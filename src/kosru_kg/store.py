"""The published store: built aside, swapped in atomically, opened read-only.

Layout under the store path::

    current -> versions/<version>     a symlink, replaced atomically by each build
    versions/<version>/               an Oxigraph store, never written after publishing
    versions/<version>.json           its manifest (version, triple counts)
    versions/<anything>.building      an unfinished build, ignored and cleaned up

A build that fails or is killed leaves ``current`` untouched.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Quad, Store

KEEP_VERSIONS = 2  # the current one and the one before, for readers still using it


class StoreMissing(Exception):
    """No build has been published at this path yet."""


@dataclass(frozen=True)
class Manifest:
    version: str
    quads: int
    triples: int

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        return cls(**json.loads(path.read_text(encoding="utf-8")))


class StoreLayout:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.current = self.root / "current"
        self.versions = self.root / "versions"

    def publish(self, quads: Iterable[Quad], version: str, triples: int) -> Manifest:
        """Write a new version aside, then point ``current`` at it in one rename."""
        self.versions.mkdir(parents=True, exist_ok=True)
        target = self.versions / version
        if not target.exists():
            building = self.versions / f"{version}.{os.getpid()}.building"
            shutil.rmtree(building, ignore_errors=True)
            store = Store(str(building))
            store.bulk_extend(quads)
            store.flush()
            count = len(store)
            del store
            manifest = Manifest(version=version, quads=count, triples=triples)
            (self.versions / f"{version}.json").write_text(json.dumps(manifest.__dict__), encoding="utf-8")
            os.rename(building, target)
        else:
            manifest = Manifest.read(self.versions / f"{version}.json")
        link = self.root / f"current.{os.getpid()}.tmp"
        link.unlink(missing_ok=True)
        link.symlink_to(Path("versions") / version)
        os.replace(link, self.current)
        self._prune()
        return manifest

    def manifest(self) -> Manifest:
        if not self.current.exists():
            raise StoreMissing(f"no store has been built at {self.root}; run 'kosru-kg build --store {self.root}'")
        return Manifest.read(self.versions / f"{self.current.resolve().name}.json")

    def open(self) -> Store:
        """The current version, read-only."""
        self.manifest()
        return Store.read_only(str(self.current.resolve()))

    def _prune(self) -> None:
        """Drop unfinished builds of dead processes and all but the newest versions."""
        live = self.current.resolve().name
        for path in self.versions.glob("*.building"):
            pid = path.name.split(".")[-2]
            if not (pid.isdigit() and _process_alive(int(pid))):
                shutil.rmtree(path, ignore_errors=True)
        stores = sorted((p for p in self.versions.iterdir() if p.is_dir() and "." not in p.name),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [p for p in stores if p.name != live][KEEP_VERSIONS - 1:]:
            shutil.rmtree(old, ignore_errors=True)
            (self.versions / f"{old.name}.json").unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
