"""The sample database: the spreadsheets under data/sample loaded like any office's files."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from etl import db
from etl.constants import SAMPLE_USER
from etl.errors import GridError
from etl.load import store

SAMPLE_DIR = db.ROOT / "data" / "sample"
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def sample_files() -> list[Path]:
    """The shipped sample files in load order (their names start with the order; they are
    written by tools/samplegen.py and committed)."""
    return sorted(p for p in SAMPLE_DIR.glob("*") if p.suffix.lower() in SUFFIXES)


def build_sample_db(path: Path, *, force: bool = False) -> dict[str, int] | None:
    """Load every sample file into a fresh database at path; None when one exists (no force).

    The database is built beside the target and moved into place at the end, so a failure
    never leaves a half-built database behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The whole build holds the writer lock: a load meanwhile waits (or is told the database is
    # busy) instead of landing in the old database and being moved aside with it.
    with db.write_lock(path):
        if path.exists() and not force:
            return None
        rows = 0
        files = sample_files()
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            tmp_db = Path(tmp) / path.name
            for f in files:
                res = store.load_path(f, path=tmp_db, loaded_by=SAMPLE_USER)
                rows += res.row_count
            archive = db.archive_dir(path)
            if path.exists() or archive.exists():
                # Nothing loaded may be lost: the old database and archive are kept aside.
                backup = path.parent / f"backup-{datetime.now():%Y%m%d-%H%M%S}"
                n = 1
                while backup.exists():
                    n += 1
                    backup = path.parent / f"backup-{datetime.now():%Y%m%d-%H%M%S}-{n}"
                backup.mkdir()
                for old in (path, Path(str(path) + ".wal"), archive):
                    if old.exists():
                        shutil.move(str(old), str(backup / old.name))
            os.replace(tmp_db, path)
            shutil.move(str(db.archive_dir(tmp_db)), str(archive))
    return {"files": len(files), "rows": rows}


class NotOnlySample(GridError):
    """The database holds data loaded by someone: it is not the shipped sample."""

    def __init__(self, path: os.PathLike[str]) -> None:
        super().__init__(
            f"数据库 {path} 中已有导入的本县数据，不能清空示例数据；如需撤销，请逐个撤销导入批次"
        )
        self.path = path


def clear_sample_db(path: str | os.PathLike[str] | None = None) -> Path | None:
    """Set the sample database aside and start an empty one, to load the county's own files.

    Only a database that holds nothing but the sample (every batch loaded as 示例数据) is
    cleared; the database and its archive are moved to a backup folder beside it (nothing is
    deleted) and the sample spreadsheets under data/sample stay. Returns the backup folder.
    """
    p = db.db_path(path)
    # Under the writer lock from the check to the move: a load cannot slip in between and be
    # moved aside after being reported as loaded.
    with db.write_lock(p):
        if not p.exists():
            return None
        with db.connect(p) as con:
            others = con.execute(
                "SELECT count(*) FROM batch WHERE status = 'active' AND loaded_by <> ?", [SAMPLE_USER]
            ).fetchall()[0][0]
        if others:
            raise NotOnlySample(p)
        backup = p.parent / f"sample-backup-{datetime.now():%Y%m%d-%H%M%S}"
        backup.mkdir()
        for old in (p, Path(str(p) + ".wal"), db.archive_dir(p)):
            if old.exists():
                shutil.move(str(old), str(backup / old.name))
        store.init_db(p)
    return backup


def first_run_database() -> Path | None:
    """The database `make run` fills with the sample on first start: the default one, and only
    when no database was named (GRID_DB) and it does not exist yet. None otherwise."""
    if os.environ.get("GRID_DB"):
        return None
    return None if db.DEFAULT_DB.exists() else db.DEFAULT_DB
