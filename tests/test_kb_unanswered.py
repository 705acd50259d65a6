"""The learning loop: unanswered questions are logged, grouped, and turned into alternatives."""

from __future__ import annotations

import io
import os
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.config import Config
from bot.knowledge import load_knowledge
from bot.knowledge.edit import EditError, add_alternative
from bot.knowledge.unanswered import group, group_id
from bot.matcher import Matcher
from bot.storage import Storage
from tests.dispatchkit import Kit
from tests.harness import REPO
from tests.kb_samples import BIRTH, MARRIAGE, write

OFF_TOPIC = "giá vàng hôm nay bao nhiêu"


def rows(storage: Storage) -> list[dict]:
    with storage.connect() as db:
        return list(db.query("SELECT * FROM unanswered ORDER BY id"))


def test_fallback_questions_are_logged_without_personal_data(tmp_path: Path) -> None:
    kit = Kit(tmp_path, knowledge_dir=write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE))
    kit.citizen("citizen-a").say(OFF_TOPIC)
    kit.citizen("citizen-b").say("gia vang hom nay bao nhieu, goi em 0912 345 678")
    kit.citizen("citizen-c").say("dang ky ket hon o dau")  # answered: not logged
    logged = rows(kit.storage)
    assert [(r["question"], r["reason"], r["tier"]) for r in logged] == [
        (OFF_TOPIC, "fallback", "fallback"), ("gia vang hom nay bao nhieu, goi em [số]", "fallback", "fallback")]
    assert all(r["asker"].startswith("u:") and "citizen" not in r["asker"] for r in logged)
    assert {r["normalized"] for r in logged} == {"gia vang hom nay bao nhieu", "gia vang hom nay bao nhieu goi so"}


def seed(tmp_path: Path, questions: list[tuple[str, str]]) -> Path:
    """Knowledge dir + database (the one cli_env points at) with `questions` ((user, text)) asked
    through the bot; returns the dir."""
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    kit = Kit(tmp_path, knowledge_dir=directory)
    for user, text in questions:
        kit.citizen(user).say(text)
    return directory


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped config, matching lexically as the kit that seeded the questions did (a report
    re-asks each group, and the meaning signal would answer some of them now)."""
    shipped = (REPO / "config.yaml").read_text(encoding="utf-8")
    lexical = tmp_path / "config.yaml"
    lexical.write_text(shipped.replace("  semantic: true", "  semantic: false"), encoding="utf-8")
    assert lexical.read_text(encoding="utf-8") != shipped
    monkeypatch.setenv("BOT_CONFIG", str(lexical))
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "bot.sqlite3"))  # the kit's database


NEAR_BIRTH = "khai sinh cho con sinh ở nước ngoài"


def test_report_groups_similar_questions_and_shows_the_nearest_entry(
        tmp_path: Path, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    directory = seed(tmp_path, [("a", OFF_TOPIC), ("b", "Giá vàng hôm nay bao nhiêu ạ?"), ("a", OFF_TOPIC),
                                           ("c", NEAR_BIRTH)])
    assert main(["kb", "unanswered", "--knowledge", str(directory)]) == 0
    out = capsys.readouterr().out
    assert "4 lượt hỏi bot chưa trả lời được, 2 nhóm" in out
    first, second = out.split(f"\n  [{group_id(NEAR_BIRTH)}] ")
    assert f'[{group_id(OFF_TOPIC)}] 3 lượt, 2 người' in first and f'"{OFF_TOPIC}"' in first
    assert '"Giá vàng hôm nay bao nhiêu ạ?"' in first
    assert '1 lượt, 1 người' in second and "mục gần nhất: khai-sinh" in second
    assert main(["kb", "unanswered", "--knowledge", str(directory), "--yaml"]) == 0
    snippet = capsys.readouterr().out
    assert yaml.safe_load(snippet) == {"khai-sinh": [NEAR_BIRTH]}
    assert f'nhóm {group_id(OFF_TOPIC)} (3 lượt): "{OFF_TOPIC}"' in snippet


COMMENTED = """\
# Hộ tịch: tệp có chú thích của cán bộ.
topic: Hộ tịch
entries:
  - id: khai-sinh
    question: Đăng ký khai sinh cần giấy tờ gì?
    alternatives:
      - lam giay khai sinh can gi   # cách gõ không dấu
      - thủ tục khai sinh cho con
    # hết danh sách cách hỏi
    answer: |
      Mang giấy chứng sinh và căn cước của cha mẹ đến UBND cấp xã.
    source: Luật Hộ tịch 2014
    reviewed: 2025-11-20
    examples:
      - lam giay khai sinh cho con can giay to gi
"""


def test_apply_round_trip_preserves_comments_and_the_bot_learns(
        tmp_path: Path, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    directory = seed(tmp_path, [("c", NEAR_BIRTH), ("d", OFF_TOPIC), ("e", OFF_TOPIC)])
    birth = directory / "ho-tich.yaml"
    birth.write_text(COMMENTED, encoding="utf-8")
    assert main(["kb", "unanswered", "--knowledge", str(directory), "--apply", "khai-sinh",
                 "--group", group_id(NEAR_BIRTH)]) == 0
    assert f"{birth}:9: đã thêm" in capsys.readouterr().out
    lines = COMMENTED.splitlines(keepends=True)
    assert birth.read_text(encoding="utf-8") == "".join(lines[:8] + [f"      - {NEAR_BIRTH}\n"] + lines[8:])
    kb = load_knowledge(directory)
    assert Matcher(kb, Config().matcher).answer(NEAR_BIRTH).entry.id == "khai-sinh"
    assert main(["kb", "unanswered", "--knowledge", str(directory)]) == 0
    assert "1 nhóm" in capsys.readouterr().out  # the applied group is answered now, so it is hidden


def test_apply_refuses_an_edit_that_adds_an_error(tmp_path: Path, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    before = (directory / "ho-tich.yaml").read_text(encoding="utf-8")
    code = main(["kb", "unanswered", "--knowledge", str(directory), "--apply", "khai-sinh",
                 "--question", "Đăng ký kết hôn làm ở đâu"])
    err = capsys.readouterr().err
    assert code == 1 and "sẽ gây lỗi mới" in err and f"(xem {directory / 'ho-tich.yaml'}:8)" in err
    assert (directory / "ho-tich.yaml").read_text(encoding="utf-8") == before
    assert main(["kb", "unanswered", "--knowledge", str(directory), "--apply", "khai-sin", "--question", "x"]) == 1
    assert "`khai-sinh`?" in capsys.readouterr().err


@pytest.mark.parametrize(("before", "after"), [
    ("    alternatives: [a, b]\n", "    alternatives: [a, b, \"mới, thêm\"]\n"),
    ("    alternatives: []\n", "    alternatives: [\"mới, thêm\"]\n"),
    ("    alternatives:\n", "    alternatives:\n      - mới, thêm\n"),
    ("    alternatives: ~  # chưa có\n", "    alternatives:   # chưa có\n      - mới, thêm\n"),
    ("", "    alternatives:\n      - mới, thêm\n"),
])
def test_add_alternative_layouts(before: str, after: str) -> None:
    source = f"entries:\n  - id: x\n    question: Hỏi?\n{before}    answer: Đáp.\n"
    edited, line = add_alternative(source, "x", "mới, thêm")
    assert edited == f"entries:\n  - id: x\n    question: Hỏi?\n{after}    answer: Đáp.\n"
    assert yaml.safe_load(edited)["entries"][0]["alternatives"][-1] == "mới, thêm"


def test_add_alternative_quotes_what_yaml_would_misread_and_keeps_crlf() -> None:
    source = "entries:\r\n- id: x\r\n  alternatives:\r\n  - a\r\n  answer: |\r\n    Đáp\r\n"
    for text in ("giờ làm việc: mấy giờ", "7:30", "no", "#hashtag", "lam cccd o dau"):
        edited, line = add_alternative(source, "x", text)
        assert yaml.safe_load(edited)["entries"][0]["alternatives"] == ["a", text] and line == 5
        assert "\r\n" in edited and "\n" not in edited.replace("\r\n", "")
    assert add_alternative(source, "x", "lam cccd o dau")[0].splitlines()[4] == "  - lam cccd o dau"
    with pytest.raises(EditError):
        add_alternative(source, "y", "a")


def test_add_alternative_at_the_end_of_a_file_without_final_newline() -> None:
    source = textwrap.dedent("""\
        entries:
          - id: x
            answer: Đáp.
            question: Hỏi?
            alternatives:
              - a""")
    edited, line = add_alternative(source, "x", "b")
    assert edited == source + "\n      - b\n" and line == 7


def report_ids(out: str) -> dict[str, str]:
    """Question -> the group id the report shows for it."""
    found = re.findall(r'^  \[(\w+)\] .*?: "(.*)"$', out, re.MULTILINE)
    return {question: gid for gid, question in found}


def test_apply_writes_the_group_the_staff_member_saw_even_after_another_apply(
        tmp_path: Path, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Group numbers shifted after each apply, so `--group 2` could write another group's text."""
    other_birth = "khai sinh cho trẻ bị bỏ rơi"
    directory = seed(tmp_path, [("a", NEAR_BIRTH), ("b", NEAR_BIRTH), ("c", other_birth),
                                           ("d", OFF_TOPIC)])
    assert main(["kb", "unanswered", "--knowledge", str(directory)]) == 0
    ids = report_ids(capsys.readouterr().out)
    assert set(ids) == {NEAR_BIRTH, other_birth, OFF_TOPIC} and len(set(ids.values())) == 3
    # The staff member applies the first group they saw; the list the next apply reads is shorter.
    assert main(["kb", "unanswered", "--knowledge", str(directory), "--apply", "khai-sinh", "--group", ids[NEAR_BIRTH]]) == 0
    assert main(["kb", "unanswered", "--knowledge", str(directory), "--apply", "khai-sinh", "--group", ids[other_birth]]) == 0
    capsys.readouterr()
    alternatives = yaml.safe_load((directory / "ho-tich.yaml").read_text(encoding="utf-8"))["entries"][0]["alternatives"]
    assert alternatives[-2:] == [NEAR_BIRTH, other_birth] and OFF_TOPIC not in alternatives
    before = (directory / "ho-tich.yaml").read_text(encoding="utf-8")
    assert main(["kb", "unanswered", "--knowledge", str(directory), "--apply", "khai-sinh", "--group", "2"]) == 2
    assert "Không có nhóm mã `2` trong báo cáo hiện tại" in capsys.readouterr().err
    assert (directory / "ho-tich.yaml").read_text(encoding="utf-8") == before


def test_answers_rated_wrong_stay_in_their_own_section(
        tmp_path: Path, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    """The bot "now answers" a question a citizen rated wrong: that is no reason to hide it."""
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    kit = Kit(tmp_path, knowledge_dir=directory)
    rater = kit.citizen("c1")
    rater.say("lam giay khai sinh can gi")
    rater.tap("Chưa đúng")
    kit.citizen("c2").say(OFF_TOPIC)
    assert main(["kb", "unanswered", "--knowledge", str(directory)]) == 0
    out = capsys.readouterr().out
    unanswered, wrong = out.split("Trả lời chưa đúng: ")
    assert f'"{OFF_TOPIC}"' in unanswered and "lam giay khai sinh" not in unanswered
    assert wrong.startswith("1 lượt người dân bấm «Chưa đúng», 1 nhóm:")
    assert f'[{group_id("lam giay khai sinh can gi")}] 1 lượt, 1 người' in wrong
    assert f"bot đã trả lời bằng mục: khai-sinh ({directory / 'ho-tich.yaml'}:3)" in wrong
    assert "nay trả lời bằng mục: khai-sinh" in wrong and "(vẫn là mục bị chê)" in wrong


def test_questions_asked_in_chat_can_be_reviewed_with_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`chat` logs to its own database: the banner says where, and `kb unanswered --database` reads it."""
    kb_dir = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    monkeypatch.setenv("BOT_DATABASE", str(tmp_path / "bot.sqlite3"))
    monkeypatch.setenv("BOT_KNOWLEDGE", str(kb_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{OFF_TOPIC}\n"))
    assert main(["chat"]) == 0
    chat_db = tmp_path / "bot-chat.sqlite3"
    assert f"python -m bot kb unanswered --database {chat_db}" in capsys.readouterr().out
    assert main(["kb", "unanswered"]) == 0
    assert "Không có câu hỏi nào" in capsys.readouterr().out  # the configured database has none
    assert main(["kb", "unanswered", "--database", str(chat_db)]) == 0
    assert f'"{OFF_TOPIC}"' in capsys.readouterr().out
    assert os.environ["BOT_DATABASE"] == str(tmp_path / "bot.sqlite3")  # restored after the command
    assert main(["tickets", "list", "--database", str(chat_db)]) == 0
    assert main(["handoffs", "list", "--database", str(chat_db)]) == 0


def test_a_wrong_answer_to_a_tapped_choice_keeps_what_the_citizen_asked(tmp_path: Path) -> None:
    """"Chưa đúng" on a suggestion the citizen tapped listed the entry's own question, not their words."""
    kit = Kit(tmp_path, knowledge_dir=write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE))
    citizen = kit.citizen("u1")
    [choices] = citizen.say("giấy tờ cho con")
    assert choices.text == "Có phải bạn muốn hỏi:"
    citizen.tap(choices.buttons[0].title)
    citizen.tap("Chưa đúng")
    wrong = group(kit.storage, kit.knowledge.current.matcher, wrong=True)
    assert [g.question for g in wrong] == ["giấy tờ cho con"]
