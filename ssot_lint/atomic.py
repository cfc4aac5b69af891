"""Writing a file so that it is never seen half-written: a temporary file beside it, then a rename."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Optional

# Held while a file is being replaced: Ctrl-C waits for the write in progress and lets no other start.
WRITE_LOCK = threading.Lock()


def write_atomically(path: Path, data: bytes, mode: Optional[int] = None, durable: bool = True) -> None:
    """Replace `path` with `data` in one step. The file keeps its permissions (or gets `mode`, or 0o644
    for a new one); if anything fails, `path` is as it was and no temporary file is left behind.
    `durable`: the data reaches the disk before the rename (a cache, which can be recomputed, skips it)."""
    with WRITE_LOCK:
        if mode is None:
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                if durable:  # after a power cut the name never points at data that is not there
                    out.flush()
                    os.fsync(out.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
