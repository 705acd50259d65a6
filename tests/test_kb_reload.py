"""Hot reload against the running app: staff edit the YAML, citizens keep getting answers."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import KnowledgeSettings, MatcherSettings
from bot.knowledge import KnowledgeError, live
from bot.knowledge.live import LiveKnowledge
from bot.matcher import build_matcher
from bot.runtime import Runtime
from tests.fakezalo import FakeZalo
from tests.harness import REPO, Harness, make_config, signed, text_event
from tests.kb_samples import BIRTH, MARRIAGE, write

QUESTION = "dang ky ket hon o dau"
OLD = "Hai bạn đến UBND cấp xã nơi một trong hai người cư trú."
LOCAL_QUESTION = "giấy má khai sinh"  # answered once "giấy má" is a synonym of "giấy tờ"
BIRTH_ANSWER = "Mang giấy chứng sinh"


def health(h: Harness) -> dict:
    return h.client.get("/healthz").get_json()


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def ask(h: Harness, user: str, question: str = QUESTION) -> str:
    before = len(h.fake.sent(user))
    h.text(user, question)
    return h.wait_sent(user, before + 1)[before].text or ""


def edit(path: Path, text: str, h: Harness) -> None:
    """Write `text` and wait until the watcher has dealt with it (loaded or reported)."""
    status = health(h)["knowledge"]
    path.write_text(text, encoding="utf-8")
    wait_for(lambda: health(h)["knowledge"]["loaded_at"] != status["loaded_at"]
             or health(h)["knowledge"]["reload_failed_at"] != status["reload_failed_at"])


def test_edit_broken_edit_and_fix_while_serving(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    marriage = directory / "ket-hon.yaml"
    with Harness(tmp_path, fake_zalo, knowledge_dir=directory,
                 knowledge=KnowledgeSettings(reload_interval_seconds=0.1)) as h:
        assert OLD in ask(h, "u1")

        edit(marriage, MARRIAGE.replace(OLD, "Đến UBND xã, mang căn cước (bản mới)."), h)
        assert "bản mới" in ask(h, "u1")
        assert health(h)["status"] == "ok"

        edit(marriage, MARRIAGE.replace(OLD, "Bản lỗi.").replace("    question:", "    qustion:"), h)
        report = health(h)
        assert report["status"] == "degraded"
        assert f"{marriage}:4: lỗi: trường `qustion`" in "\n".join(report["knowledge"]["reload_errors"])
        assert "bản mới" in ask(h, "u1")  # the last good version stays live

        edit(marriage, MARRIAGE.replace(OLD, "Đến UBND xã (đã sửa)."), h)
        assert health(h)["status"] == "ok" and health(h)["knowledge"]["reload_errors"] == []
        assert "đã sửa" in ask(h, "u1")


def test_synonyms_file_edits_go_live_and_a_broken_one_keeps_the_last_good(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    synonyms = directory / "synonyms.yaml"
    # Lexical only: the meaning signal understands "giấy má" without the synonym table.
    with Harness(tmp_path, fake_zalo, knowledge_dir=directory, matcher=MatcherSettings(semantic=False),
                 knowledge=KnowledgeSettings(reload_interval_seconds=0.1)) as h:
        assert BIRTH_ANSWER not in ask(h, "u1", LOCAL_QUESTION)

        edit(synonyms, "synonyms:\n  - [giấy tờ, giấy má]\n", h)
        assert BIRTH_ANSWER in ask(h, "u1", LOCAL_QUESTION)

        edit(synonyms, "synonyms:\n  - [giấy tờ nhà, giấy má]\n", h)
        report = health(h)
        assert report["status"] == "degraded"
        assert f"{synonyms}:2: lỗi: cụm từ `giấy tờ nhà`" in "\n".join(report["knowledge"]["reload_errors"])
        assert BIRTH_ANSWER in ask(h, "u1", LOCAL_QUESTION)  # the last good table stays live


def test_requests_keep_being_answered_during_reloads(tmp_path: Path, fake_zalo: FakeZalo) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    with Harness(tmp_path, fake_zalo, knowledge_dir=directory,
                 knowledge=KnowledgeSettings(reload_interval_seconds=0.05)) as h:
        client = h.app.test_client()  # its own client: the main thread keeps polling /healthz
        users = [f"citizen-{i}" for i in range(30)]
        statuses: list[int] = []

        def citizens() -> None:
            for user in users:
                raw, headers = signed(text_event(user, QUESTION))
                statuses.append(client.post("/webhook", data=raw, headers=headers).status_code)
                time.sleep(0.02)

        sender = threading.Thread(target=citizens)
        sender.start()
        for version in range(4):  # alternate good and broken versions while the citizens ask
            broken = "entries: [\n" if version % 2 else ""
            (directory / "ket-hon.yaml").write_text(broken or MARRIAGE.replace(OLD, f"Phiên bản {version}."), encoding="utf-8")
            time.sleep(0.15)
        sender.join()
        assert statuses == [200] * len(users)
        wait_for(lambda: all(fake_zalo.sent(user) for user in users))
        answers = [fake_zalo.sent(user)[0].text or "" for user in users]
        assert all(OLD in a or "Phiên bản" in a for a in answers), answers


def test_restart_with_a_broken_file_answers_from_the_last_good_version(
        tmp_path: Path, fake_zalo: FakeZalo, monkeypatch, capsys) -> None:
    """Hot reload kept the last good version in memory only: a restart with a typo stopped the bot."""
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    marriage = directory / "ket-hon.yaml"
    with Harness(tmp_path, fake_zalo, knowledge_dir=directory) as h:
        assert OLD in ask(h, "u1")
    marriage.write_text(MARRIAGE.replace(OLD, "Bản lỗi.").replace("    question:", "    qustion:"), encoding="utf-8")
    with Harness(tmp_path, fake_zalo, knowledge_dir=directory,
                 knowledge=KnowledgeSettings(reload_interval_seconds=0.1)) as h:  # the restart
        assert OLD in ask(h, "u2")  # citizens keep getting the last good answers
        report = health(h)
        assert report["status"] == "degraded" and report["knowledge"]["last_good_saved_at"]
        assert f"{marriage}:4: lỗi: trường `qustion`" in "\n".join(report["knowledge"]["reload_errors"])
        edit(marriage, MARRIAGE.replace(OLD, "Đến UBND xã (đã sửa)."), h)
        assert health(h)["status"] == "ok" and not health(h)["knowledge"]["last_good_saved_at"]
        assert "đã sửa" in ask(h, "u2")
    marriage.write_text("entries: [\n", encoding="utf-8")  # broken again: the fixed version is the last good one
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    assert main(["ask", "--knowledge", str(directory), "dang ky ket hon o dau"]) == 0
    out, err = capsys.readouterr()
    assert "đã sửa" in out and f"{marriage}:2: lỗi:" in err and "last good version" in err
    assert main(["kb", "check", "--knowledge", str(directory)]) == 1
    assert "Bot vẫn trả lời bằng phiên bản hợp lệ gần nhất" in capsys.readouterr().out


def test_start_up_fails_clearly_only_when_there_never_was_a_good_version(tmp_path: Path, monkeypatch, capsys) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE.replace("    question:", "    qustion:"))
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "bot.sqlite3"))
    monkeypatch.setenv("BOT_KNOWLEDGE", str(directory))
    monkeypatch.setattr("sys.stdin", io.StringIO("dang ky ket hon o dau\n"))
    assert main(["chat"]) == 2
    err = capsys.readouterr().err
    assert "Không khởi động được: cơ sở kiến thức có lỗi." in err and "Traceback" not in err
    assert f"{directory / 'ket-hon.yaml'}:4: lỗi: trường `qustion`" in err
    assert "chưa có phiên bản hợp lệ nào được lưu" in err
    with pytest.raises(KnowledgeError):
        Runtime(make_config(tmp_path, None, knowledge_dir=directory))


@pytest.fixture
def held_warm_up(monkeypatch):
    """A first start that must warm up in the background, with its meaning build held until the
    test releases it (a real build takes minutes only at thousands of entries)."""
    release = threading.Event()
    calls = []

    def held_build(kb, settings):
        calls.append(kb)
        if len(calls) == 1:  # the warm-up; a reload's build goes straight through
            release.wait(30)
        return build_matcher(kb, settings)

    monkeypatch.setattr(live, "WARM_UP_IN_BACKGROUND", -1)  # even a backlog the memory layer already holds
    monkeypatch.setattr(live, "build_matcher", held_build)
    return release


def test_a_cold_start_answers_at_once_and_the_meaning_signal_joins_when_ready(tmp_path: Path, held_warm_up) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    knowledge = LiveKnowledge(directory, MatcherSettings(vector_cache=str(tmp_path / "vectors.sqlite3")))
    assert knowledge.status()["matcher"]["warming"] and not knowledge.current.matcher.semantic
    assert knowledge.current.matcher.answer(QUESTION).entry.answer.startswith(OLD)  # answered lexically meanwhile
    held_warm_up.set()
    assert knowledge.warmed.wait(60)
    assert knowledge.current.matcher.semantic and not knowledge.status()["matcher"]["warming"]
    assert knowledge.current.matcher.answer(QUESTION).entry.answer.startswith(OLD)


def test_an_edit_loaded_during_the_warm_up_is_not_replaced_by_it(tmp_path: Path, held_warm_up) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    knowledge = LiveKnowledge(directory, MatcherSettings(vector_cache=str(tmp_path / "vectors.sqlite3")))
    (directory / "ket-hon.yaml").write_text(MARRIAGE.replace(OLD, "Đến UBND xã (đã sửa)."), encoding="utf-8")
    assert not knowledge.reload_if_changed() and knowledge.reload_if_changed()  # seen, then loaded
    assert knowledge.current.matcher.semantic and not knowledge.status()["matcher"]["warming"]
    warm_up = next(t for t in threading.enumerate() if t.name == "meaning-warm-up")
    held_warm_up.set()
    warm_up.join(60)  # it finished its build on the version it started from
    assert not warm_up.is_alive()
    assert "đã sửa" in knowledge.current.matcher.answer(QUESTION).entry.answer
