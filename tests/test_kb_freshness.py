"""Freshness as data (valid_until, review_by, legal_basis), fees and deadlines as facts, short answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConversationSettings, load_config
from bot.knowledge import read_knowledge
from bot.knowledge.validate import check
from tests.conv_support import Chat, rows
from tests.dispatchkit import Kit, shown
from tests.harness import Harness
from tests.kb_samples import BIRTH, MARRIAGE, write

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 12, 4)
FULL = "Lệ phí cấp đổi: {fee}. Thời hạn giải quyết: {deadline}. " + "Chi tiết hồ sơ cần chuẩn bị. " * 20

PASSPORT = f"""\
topic: Hộ chiếu
entries:
  - id: ho-chieu-le-phi
    question: Lệ phí làm hộ chiếu là bao nhiêu?
    alternatives: [le phi ho chieu bao nhieu, phí cấp hộ chiếu]
    short_answer: "Cấp hộ chiếu: {{fee}}, trả kết quả trong {{deadline}}."
    answer: "{FULL}"
    facts:
      fee: 200.000 đồng
      deadline: 8 ngày làm việc
    source: Thông tư 25/2021/TT-BTC, Điều 4
    legal_basis: [Thông tư 25/2021/TT-BTC, Luật Xuất nhập cảnh 49/2019/QH14]
    reviewed: 2026-12-04
    examples: [le phi lam ho chieu het bao nhieu tien]
    buttons:
      - title: Gọi tổng đài
        phone: "{{hotline}}"
  - id: ho-chieu-mien-giam
    question: Ai được giảm lệ phí hộ chiếu tạm thời?
    alternatives: [giam le phi ho chieu tam thoi, mien giam phi ho chieu]
    answer: Mức giảm tạm thời áp dụng đến hết năm. Hỏi thêm {{hotline}}.
    source: Thông tư 63/2023/TT-BTC
    legal_basis: ["Thông tư số 63/2023/tt-btc ngày 16/10/2023"]
    reviewed: 2026-01-05
    valid_until: 2020-12-31
    review_by: 2020-06-30
    examples: [ai duoc giam phi ho chieu tam thoi]
"""
JOBS = """\
topic: Việc làm
entries:
  - id: bhtn-dieu-kien
    question: Điều kiện hưởng trợ cấp thất nghiệp?
    alternatives: [dieu kien huong tro cap that nghiep, ai được hưởng bảo hiểm thất nghiệp]
    answer: Theo Luật Việc làm 2025. Hỏi thêm {hotline}.
    source: Luật Việc làm 2025
    legal_basis: [Luật Việc làm 74/2025/QH15, Nghị định 118/2025/NĐ-CP]
    reviewed: 2026-12-04
    review_by: 2999-01-01
    valid_until: 2999-01-01
    examples: [dieu kien lanh tro cap that nghiep]
  - id: mot-cua
    question: Bộ phận một cửa tiếp nhận hồ sơ thế nào?
    alternatives: [bo phan mot cua tiep nhan ho so, nộp hồ sơ ở bộ phận một cửa]
    answer: Bộ phận một cửa tiếp nhận hồ sơ. Hỏi thêm {hotline}.
    source: Nghị định số 118/2025/nđ-cp ngày 09/6/2025, Điều 5
    reviewed: 2026-12-04
    examples: [nop ho so o bo phan mot cua nhu the nao]
  - id: decoy
    question: Thủ tục thuế cho hộ kinh doanh?
    alternatives: [thu tuc thue ho kinh doanh, hộ kinh doanh nộp thuế]
    answer: Hộ kinh doanh nộp thuế theo thông tư. Hỏi thêm {hotline}.
    source: Nghị định 18/2025/NĐ-CP; Thông tư 118/2025/TT-BTC
    legal_basis: [Nghị định 18/2025/NĐ-CP, Thông tư 118/2025/TT-BTC]
    reviewed: 2026-12-04
    examples: [ho kinh doanh nop thue the nao]
"""


def problems(directory: Path, today: date = TODAY) -> set[tuple[str, str, str]]:
    """(entry id or file, severity, code) of every problem `kb check` reports."""
    report = check(directory, load_config(REPO / "config.yaml", env={}), today=today)
    return {(p.message.split("`")[1] if p.message.startswith("mục `") else Path(p.file).name, p.severity, p.code)
            for p in report.problems}


@pytest.fixture
def h(tmp_path, fake_zalo):
    kb = write(tmp_path / "kb", ho_chieu=PASSPORT, viec_lam=JOBS)
    with Harness(tmp_path, fake_zalo, knowledge_dir=kb, conversations=ConversationSettings(flood_max_messages=0)) as harness:
        yield harness


def test_an_entry_past_valid_until_is_answered_with_the_caveat_and_counted_stale(h):
    hotline = h.config.agency.hotline
    [(text, _)] = Chat(h, "u1").say("ai duoc giam phi ho chieu tam thoi")
    assert text == (f"Lưu ý: thông tin dưới đây được xác nhận đến ngày 31/12/2020 và có thể đã thay đổi. "
                    f"Bạn vui lòng gọi {hotline} để được xác nhận trước khi làm thủ tục.\n\n"
                    f"Mức giảm tạm thời áp dụng đến hết năm. Hỏi thêm {hotline}.")
    [(current, _)] = Chat(h, "u2").say("dieu kien lanh tro cap that nghiep")  # valid until 2999: no caveat
    assert current == f"Theo Luật Việc làm 2025. Hỏi thêm {hotline}."
    knowledge = h.client.get("/healthz").get_json()["knowledge"]
    assert (knowledge["stale_entries"], knowledge["expired"], knowledge["review_overdue"]) == (1, 1, 1)


def test_short_answer_first_then_xem_chi_tiet_sends_the_full_answer_with_facts(tmp_path):
    kb = write(tmp_path / "kb", ho_chieu=PASSPORT, viec_lam=JOBS)
    citizen = Kit(tmp_path, knowledge_dir=kb, conversations=ConversationSettings(flood_max_messages=0)).citizen("u1")
    [(short, buttons)] = shown(citizen.say("le phi lam ho chieu het bao nhieu tien"))
    assert short == "Cấp hộ chiếu: 200.000 đồng, trả kết quả trong 8 ngày làm việc."
    assert buttons == ["Xem chi tiết", "Gọi tổng đài", "Hữu ích", "Chưa đúng"]
    [(full, more_buttons)] = shown(citizen.tap("Xem chi tiết"))
    assert full.startswith("Lệ phí cấp đổi: 200.000 đồng. Thời hạn giải quyết: 8 ngày làm việc. Chi tiết hồ sơ")
    assert "{" not in full and more_buttons == ["Gọi tổng đài"]
    assert shown(citizen.say("#detail:khong-con")) == [
        ("Lựa chọn này không còn hiệu lực. Bạn vui lòng gõ lại câu hỏi nhé.", [])]


def test_facts_are_checked_defined_non_empty_and_used(tmp_path: Path) -> None:
    loaded = read_knowledge(write(tmp_path / "ok", ho_chieu=PASSPORT))
    entry = loaded.kb.get("ho-chieu-le-phi")
    assert loaded.errors == [] and dict(entry.facts) == {"fee": "200.000 đồng", "deadline": "8 ngày làm việc"}
    broken = (PASSPORT.replace("trả kết quả trong {deadline}", "trả kết quả trong {thoi_han}")
              .replace("fee: 200.000 đồng", "fee: \"\"\n      hotline: tổng đài")
              .replace("    source: Thông tư 25", "    short_answr: Ngắn\n    source: Thông tư 25"))
    found = {(p.line, p.severity, p.code): p.message for p in read_knowledge(write(tmp_path / "bad", ho_chieu=broken)).problems}
    assert found[(6, "error", "unknown-placeholder")].startswith("`{thoi_han}` không phải")  # a typo of a fact's name
    assert set(found) == {(6, "error", "unknown-placeholder"), (9, "error", "empty-fact"), (10, "error", "bad-fact"),
                          (12, "error", "unknown-field")}
    assert "có phải ý bạn là `short_answer`" in found[(12, "error", "unknown-field")]
    unused = read_knowledge(write(tmp_path / "unused", ho_chieu=PASSPORT.replace("{deadline}", "8 ngày")))
    assert [(p.line, p.code) for p in unused.problems] == [(10, "unused-fact")]
    assert not unused.errors


def test_short_answer_over_300_characters_is_an_error_long_answer_without_one_a_warning(tmp_path: Path) -> None:
    too_long = PASSPORT.replace("trả kết quả trong {deadline}.", "trả kết quả trong {deadline}. " + "x" * 300)
    found = {(p.line, p.severity, p.code) for p in read_knowledge(write(tmp_path / "a", ho_chieu=too_long)).problems}
    assert (6, "error", "long-short-answer") in found
    without = PASSPORT.replace('    short_answer: "Cấp hộ chiếu: {fee}, trả kết quả trong {deadline}."\n', "")
    found = {(p.line, p.severity, p.code) for p in read_knowledge(write(tmp_path / "b", ho_chieu=without)).problems}
    assert found == {(6, "warning", "no-short-answer")}


def test_reviewed_in_the_future_or_missing_is_an_error_passed_dates_are_warnings(tmp_path: Path) -> None:
    jobs = (JOBS.replace("reviewed: 2026-12-04\n    review_by", "reviewed: 2026-12-05\n    review_by")
            .replace("    reviewed: 2026-12-04\n    examples: [nop ho so", "    examples: [nop ho so"))
    directory = write(tmp_path / "kb", ho_chieu=PASSPORT, viec_lam=jobs)
    assert problems(directory) == {("bhtn-dieu-kien", "error", "future-reviewed"), ("mot-cua", "error", "missing-reviewed"),
                                   ("ho-chieu-mien-giam", "warning", "expired"), ("ho-chieu-mien-giam", "warning", "review-due")}
    assert ("bhtn-dieu-kien", "error", "future-reviewed") not in problems(directory, date(2026, 12, 5))
    assert read_knowledge(directory).errors == []  # the running bot is never stopped by the clock


def test_kb_check_affected_by_lists_exactly_the_entries_citing_a_document(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    directory = write(tmp_path / "kb", ho_chieu=PASSPORT, viec_lam=JOBS, ho_tich=BIRTH, ket_hon=MARRIAGE)

    def affected(document: str) -> list[tuple[str, str]]:
        assert main(["kb", "check", "--knowledge", str(directory), "--affected-by", document, "--json"]) == 0
        return [(e["id"], e["field"]) for e in json.loads(capsys.readouterr().out)["entries"]]

    assert affected("118/2025/NĐ-CP") == [("bhtn-dieu-kien", "legal_basis"), ("mot-cua", "source")]
    assert affected("nghi dinh 118/2025/nd-cp") == [("bhtn-dieu-kien", "legal_basis"), ("mot-cua", "source")]
    assert affected("Luật Việc làm 74/2025/QH15") == [("bhtn-dieu-kien", "legal_basis")]
    assert affected("63/2023/TT-BTC") == [("ho-chieu-mien-giam", "legal_basis")]
    assert affected("Luật Hộ tịch 2014") == [("khai-sinh", "source"), ("ket-hon", "source")]
    assert affected("99/2025/NĐ-CP") == []
    assert main(["kb", "check", "--knowledge", str(directory), "--affected-by", "25/2021/TT-BTC"]) == 0
    out = capsys.readouterr().out
    assert f"{directory / 'ho-chieu.yaml'}:12: ho-chieu-le-phi" in out and "1 mục dựa trên văn bản" in out


def test_xem_chi_tiet_typed_after_a_short_answer_sends_the_full_answer(h):
    chat = Chat(h, "u1")
    chat.say("le phi lam ho chieu het bao nhieu tien")
    [(full, _)] = chat.say("xem chi tiet")
    assert full.startswith("Lệ phí cấp đổi: 200.000 đồng. Thời hạn giải quyết: 8 ngày làm việc. Chi tiết hồ sơ")
    [(prompt, _)] = Chat(h, "u2").say("Xem chi tiết")  # nothing answered yet: not a question for the FAQ
    assert prompt.startswith("Bạn muốn xem chi tiết thủ tục nào?")
    assert rows(h, "SELECT count(*) FROM unanswered") == [(0,)]
