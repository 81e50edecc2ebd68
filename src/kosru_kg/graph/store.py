"""The published store: built aside, swapped in atomically, opened read-only.

Layout under the store path::

    current -> versions/<version>     a symlink, replaced atomically by each build
    versions/<version>/               an Oxigraph store, never written after publishing, and its search
                                      index (``search.sqlite``, written before the rename: see search_index)
    versions/<version>.json           its manifest (version, triple counts)
    dumps/<version>/                  the version's archive: its dumps (``kosru.nt``, ``kosru.nq``, …), kept for good
    versions.json                     every version ever published: version, date published (UTC), counts
    built-from.json                   the current version and the digest of the inputs it was built from, so
                                      that a server started on unchanged data need not build again
    lock                              held by the build that is publishing, so builds take turns
    anything else                     left by a killed build; the next build removes it

Everything written here is readable by anyone who may read the store's folder (files 0644, folders
0755), so a server may run as a user of its own. A step that fails (a full disk, a permission) raises
``MakeCurrentFailed`` naming its stage, path and cause, before ``current`` is switched where it can be.

A version exists when both its directory and its manifest do. Publishing writes the manifest first and
renames the finished store into place last; pruning removes the manifest first and the directory last.
So a build killed at any point leaves ``current`` on a complete version, plus leftovers the next one clears.

Pruning keeps only the current store and the one before it, but never a version's archive nor its line in
``versions.json``: a published version stays citable, and its dumps downloadable, after its store is gone.
The archive is filled aside (``dumps/<version>.building``) and renamed into place before ``current`` is
switched to the version, and the version is recorded in ``versions.json`` (replaced whole) once it is current.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from pyoxigraph import Quad, Store

from kosru_kg.graph import search_index


class StoreMissing(Exception):
    """No build has been published at this path yet."""


class MakeCurrentFailed(Exception):
    """A step of ``make_current`` could not be done: the stage it was in, the path, and the system's reason."""

    def __init__(self, stage: StoreStage, path: Path | str, cause: str):
        self.stage, self.path, self.cause = stage, Path(path), cause
        super().__init__(f"{stage.doing} failed at {path}: {cause}")


class StoreStage(Enum):
    """The steps of ``make_current``, reported as each is done: a kill after any one leaves different files."""

    WAITING = "waiting for the store lock"
    LOCKED = "store locked"  # and leftovers of killed builds removed
    WRITING = "writing store"
    WRITTEN = "store written"
    INDEXED = "search index written"
    MANIFEST = "manifest written"
    RENAMED = "renamed into place"
    ARCHIVED = "dumps archived"
    LINKED = "new link made"
    SWITCHED = "current switched"
    RECORDED = "version recorded"
    RETIRED = "old manifests removed"
    PRUNED = "pruned"

    @property
    def doing(self) -> str:
        """What is being done until this stage is reached, for a message saying it failed."""
        return _DOING.get(self, f"reaching '{self.value}'")


_DOING = {
    StoreStage.LOCKED: "locking the store", StoreStage.WRITTEN: "writing the store",
    StoreStage.INDEXED: "writing the search index", StoreStage.MANIFEST: "writing the manifest",
    StoreStage.RENAMED: "renaming the store into place", StoreStage.ARCHIVED: "archiving the dumps",
    StoreStage.LINKED: "making the new link", StoreStage.SWITCHED: "switching current",
    StoreStage.RECORDED: "recording the version", StoreStage.PRUNED: "pruning old stores",
}
FILE_MODE, FOLDER_MODE = 0o644, 0o755  # whatever the umask: a server may run as another user


Progress = Callable[[Enum, str], None]  # told each stage reached, with a detail for people to read
Archiver = Callable[[Path], None]  # writes a version's dumps into the (empty) folder it is given

# What a version may be called: a content hash, or a short name (tests, synthetic graphs). Anything else
# (slashes, dots, spaces) is refused before it comes near a path.
VERSION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def quiet(stage: Enum, detail: str) -> None:
    """The progress report that reports nothing."""


@dataclass(frozen=True)
class Manifest:
    version: str
    quads: int
    triples: int

    @classmethod
    def read(cls, path: Path) -> Manifest:
        fields = json.loads(path.read_text(encoding="utf-8"))
        return cls(fields["version"], fields["quads"], fields["triples"])


@dataclass(frozen=True)
class Release:
    """A published version, as ``versions.json`` records it."""

    version: str
    published: str  # when it first became current: UTC, ISO 8601, to the second ("2026-12-05T14:51:12Z")
    triples: int
    quads: int


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StoreLayout:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.current = self.root / "current"
        self.versions = self.root / "versions"
        self.dumps = self.root / "dumps"
        self.index = self.root / "versions.json"
        self.origin = self.root / "built-from.json"

    def make_current(self, quads: Iterable[Quad], version: str, triples: int, progress: Progress = quiet,
                     archive: Archiver | None = None, inputs: str = "") -> Manifest:
        """Write a new version aside, archive its dumps (``archive`` writes them), then point ``current`` at it.

        Whatever can fail for want of room or rights is done before the switch: the records of the
        version (``versions.json``, and ``built-from.json`` naming ``inputs``, the digest of what it was
        built from) are written aside first and renamed into place after it."""
        if not VERSION_NAME.match(version):
            raise ValueError(f"a version is named by letters, digits, '-' and '_' (at most 64), not {version!r}")
        with self._locked(progress):
            if not (self.versions / version).is_dir():
                self._write(quads, version, triples, progress)
            else:  # published before: by a build that made no search index, perhaps
                with _step(StoreStage.INDEXED, self.search_index_path(version)):
                    self.ensure_search_index(version)
            self._archive(version, archive, progress)
            previous = self._current_version()
            manifest = Manifest.read(self._manifest_path(version))
            record = self._record_aside(manifest, _now())
            origin = self._aside(self.origin, {"version": version, "inputs": inputs})
            self._switch(version, progress)
            self._record(record, progress)
            with _step(StoreStage.RECORDED, self.origin):
                os.replace(origin, self.origin)
            self._prune({version, previous}, progress)
        return manifest

    def releases(self) -> list[Release]:
        """Every version published here, oldest first (the current one last, unless an old one was republished)."""
        try:
            rows = json.loads(self.index.read_text(encoding="utf-8"))["versions"]
        except FileNotFoundError:
            return []
        return [Release(**row) for row in rows]

    def release(self, version: str) -> Release | None:
        """``version`` as ``versions.json`` records it (its publication date: the one home of that date), if it does."""
        return next((release for release in self.releases() if release.version == version), None)

    def dump_path(self, version: str, file_name: str) -> Path:
        """Where ``version``'s dump called ``file_name`` is archived (it may not be there)."""
        if not VERSION_NAME.match(version) or "/" in file_name or file_name.startswith("."):
            raise ValueError(f"no such dump: {version}/{file_name}")
        return self.dumps / version / file_name

    def search_index_path(self, version: str) -> Path:
        """Where ``version``'s search index is (it may not be, for a version published before there were any)."""
        if not VERSION_NAME.match(version):
            raise ValueError(f"no such version: {version!r}")
        return self.versions / version / search_index.FILE_NAME

    def ensure_search_index(self, version: str) -> Path:
        """``version``'s search index, made now from its store if it has none (written aside, then renamed)."""
        path = self.search_index_path(version)
        try:
            search_index.SearchIndex(path)
        except search_index.IndexUnusable:
            search_index.build_from_store(Store.read_only(str(self.versions / version)), path, version)
        return path

    def built_from(self) -> str | None:
        """The digest of the inputs the current version was built from, if a build recorded it."""
        try:
            origin = json.loads(self.origin.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return origin.get("inputs") or None if origin.get("version") == self._current_version() else None

    def manifest(self) -> Manifest:
        return Manifest.read(self._manifest_path(self._published_version()))

    def open(self) -> Store:
        """The current version, read-only."""
        return Store.read_only(str(self.versions / self._published_version()))

    def snapshot(self) -> tuple[Manifest, Store]:
        """The current version's manifest and store (read-only), from one reading of ``current``."""
        version = self._published_version()
        return Manifest.read(self._manifest_path(version)), Store.read_only(str(self.versions / version))

    def _published_version(self) -> str:
        version = self._current_version()
        if version is None:
            raise StoreMissing(f"no store has been built at {self.root}; run 'kosru-kg build --store {self.root}'")
        return version

    def _current_version(self) -> str | None:
        try:
            return Path(os.readlink(self.current)).name
        except FileNotFoundError:
            return None

    def _manifest_path(self, version: str) -> Path:
        return self.versions / f"{version}.json"

    @contextmanager
    def _locked(self, progress: Progress) -> Iterator[None]:
        """Hold the store's lock (freed by the kernel if the build dies) with no leftovers in the way."""
        with _step(StoreStage.LOCKED, self.root / "lock"):
            self.versions.mkdir(parents=True, exist_ok=True)
            os.chmod(self.versions, FOLDER_MODE)
            lock = open(self.root / "lock", "w", encoding="utf-8")  # noqa: SIM115 - held until the build ends
        with lock:
            progress(StoreStage.WAITING, str(self.root / "lock"))
            fcntl.flock(lock, fcntl.LOCK_EX)
            with _step(StoreStage.LOCKED, self.root):
                removed = self._clear_leftovers()
                self._record(self._record_aside_live())
            progress(StoreStage.LOCKED, f"leftovers removed: {', '.join(removed) or 'none'}")
            yield

    def _clear_leftovers(self) -> list[str]:
        """Remove what killed builds left: half-made links, stores without manifests, manifests without stores.

        Only called with the lock held, so no build is making any of these right now."""
        live = self._current_version()
        removed = []
        for path in [*self.root.glob("*.tmp"), *self.versions.iterdir()]:
            if path.is_dir() and not path.is_symlink():
                if path.name == live or self._manifest_path(path.name).exists():
                    continue
                shutil.rmtree(path)
            elif path.suffix == ".tmp" or (path.suffix == ".json" and not (self.versions / path.stem).is_dir()):
                path.unlink()
            else:
                continue
            removed.append(str(path.relative_to(self.root)))
        recorded = {release.version for release in self.releases()}
        for path in self.dumps.iterdir() if self.dumps.is_dir() else ():
            # An archive is kept if its version was published, is current, or is complete and may yet be.
            if path.name in recorded or path.name == live or self._manifest_path(path.name).exists():
                continue
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            removed.append(str(path.relative_to(self.root)))
        return removed

    def _record_aside_live(self) -> Path | None:
        """The record of the current version, if a build was killed after switching to it but before recording it.

        Its date is when ``current`` was last replaced, which is when it was switched to."""
        live = self._current_version()
        if live is None or not self._manifest_path(live).exists():
            return None
        switched = datetime.fromtimestamp(self.current.lstat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._record_aside(Manifest.read(self._manifest_path(live)), switched)

    def _record_aside(self, manifest: Manifest, published: str) -> Path | None:
        """``versions.json`` with the version added, written aside; None if it is recorded already."""
        releases = self.releases()
        if any(release.version == manifest.version for release in releases):
            return None
        releases.append(Release(manifest.version, published, manifest.triples, manifest.quads))
        return self._aside(self.index, {"versions": [asdict(r) for r in releases]})

    def _aside(self, path: Path, content: dict) -> Path:
        """``content`` as JSON in a file beside ``path``, to be renamed over it."""
        written = path.with_name(path.name + ".tmp")
        with _step(StoreStage.RECORDED, written):
            _write_file(written, (json.dumps(content, indent=1) + "\n").encode())
        return written

    def _record(self, written: Path | None, progress: Progress = quiet) -> None:
        """Put the record written aside in place (a rename: it needs no room)."""
        if written is not None:
            with _step(StoreStage.RECORDED, self.index):
                os.replace(written, self.index)
        progress(StoreStage.RECORDED, f"versions.json: {len(self.releases())} version(s)")

    def _archive(self, version: str, archive: Archiver | None, progress: Progress) -> None:
        """Fill ``dumps/<version>.building`` with ``archive``, flush it to disk, then rename it into place
        (once per version)."""
        final = self.dumps / version
        if final.is_dir() or archive is None:
            progress(StoreStage.ARCHIVED, "already archived" if final.is_dir() else "no archive asked for")
            return
        building = self.dumps / f"{version}.building"
        with _step(StoreStage.ARCHIVED, building):
            building.mkdir(parents=True)
            os.chmod(self.dumps, FOLDER_MODE)
            archive(building)
            for path in building.iterdir():
                with open(path, "rb") as written:
                    os.fsync(written.fileno())
            _readable(building)
            os.rename(building, final)
            _fsync_folder(self.dumps)
        progress(StoreStage.ARCHIVED, f"dumps/{version}: {', '.join(sorted(p.name for p in final.iterdir()))}")

    def _write(self, quads: Iterable[Quad], version: str, triples: int, progress: Progress) -> None:
        """Fill a store aside, write its manifest, then rename it into ``versions/``: the version now exists."""
        building = self.versions / f"{version}.building"
        progress(StoreStage.WRITING, str(building.relative_to(self.root)))
        with _step(StoreStage.WRITTEN, building):
            store = Store(str(building))
            store.bulk_extend(quads)
            store.flush()
            manifest = Manifest(version=version, quads=len(store), triples=triples)
        progress(StoreStage.WRITTEN, f"{manifest.quads} quads")
        with _step(StoreStage.INDEXED, building / search_index.FILE_NAME):
            names = search_index.build_from_store(store, building / search_index.FILE_NAME, version)
            del store  # closed: every file is written before the store is renamed into place
            _readable(building)
        progress(StoreStage.INDEXED, f"{search_index.FILE_NAME}: {names} names")
        path = self._manifest_path(manifest.version)
        with _step(StoreStage.MANIFEST, path):
            _write_file(path, json.dumps(manifest.__dict__).encode())
        progress(StoreStage.MANIFEST, str(path.relative_to(self.root)))
        with _step(StoreStage.RENAMED, self.versions / manifest.version):
            os.rename(building, self.versions / manifest.version)
            _fsync_folder(self.versions)
        progress(StoreStage.RENAMED, f"versions/{manifest.version}")

    def _switch(self, version: str, progress: Progress) -> None:
        """Point ``current`` at ``version``: a new link, renamed over the old one, so readers see one or the other."""
        link = self.root / "current.tmp"
        with _step(StoreStage.LINKED, link):
            link.symlink_to(Path("versions") / version)
        progress(StoreStage.LINKED, f"{link.name} -> versions/{version}")
        with _step(StoreStage.SWITCHED, self.current):
            os.replace(link, self.current)
            _fsync_folder(self.root)
        progress(StoreStage.SWITCHED, f"current -> versions/{version}")

    def _prune(self, keep: set[str | None], progress: Progress) -> None:
        """Drop the stores of all versions but the current one and the one before (readers may still be using it).

        Their archives (``dumps/``) and their lines in ``versions.json`` stay."""
        old = sorted(p for p in self.versions.iterdir() if p.is_dir() and p.name not in keep)
        with _step(StoreStage.RETIRED, self.versions):
            for path in old:
                self._manifest_path(path.name).unlink()
        progress(StoreStage.RETIRED, ", ".join(p.name for p in old) or "none")
        with _step(StoreStage.PRUNED, self.versions):
            for path in old:
                shutil.rmtree(path)
        progress(StoreStage.PRUNED, f"kept {', '.join(sorted(v for v in keep if v))}")


@contextmanager
def _step(stage: StoreStage, path: Path) -> Iterator[None]:
    """Turn what the system refuses during ``stage`` (no room, no rights) into a MakeCurrentFailed naming it."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        where = getattr(exc, "filename", None) or path
        cause = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise MakeCurrentFailed(stage, where, cause) from exc


def _write_file(path: Path, body: bytes) -> None:
    """Write ``path`` whole, flushed to disk, readable by all."""
    with open(path, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, FILE_MODE)


def _readable(root: Path) -> None:
    """Give ``root`` and everything under it the store's modes (files 0644, folders 0755)."""
    os.chmod(root, FOLDER_MODE)
    for folder, folders, files in os.walk(root):
        for name in folders:
            os.chmod(os.path.join(folder, name), FOLDER_MODE)
        for name in files:
            os.chmod(os.path.join(folder, name), FILE_MODE)


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
