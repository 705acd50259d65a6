"""Knowledge-base validation: each kind of mistake staff make is reported at its exact line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config
from bot.knowledge import KnowledgeError, load_knowledge, read_knowledge
from bot.knowledge.validate import check
from tests.kb_samples import BIRTH, MARRIAGE, write

REPO = Path(__file__).resolve().parents[1]

def found(directory: Path) -> set[tuple[str, int, str, str]]:
    """(file name, line, severity, code) of every problem."""
    return {(Path(p.file).name, p.line, p.severity, p.code) for p in read_knowledge(directory).problems}


def only(directory: Path, code: str):
    problems = [p for p in read_knowledge(directory).problems if p.code == code]
    assert len(problems) == 1, problems
    return problems[0]


def test_a_valid_directory_loads_without_problems(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE)
    assert found(directory) == set()
    kb = load_knowledge(directory)
    birth = kb.get("khai-sinh")
    assert birth.answer.endswith("Hỏi thêm: {hotline}.") and birth.reviewed == "2025-11-20"
    assert kb.get("ket-hon").alternatives == ("dang ky ket hon o dau", "thủ tục đăng ký kết hôn")
    assert birth.buttons[0].kind == "entry" and birth.buttons[0].value == "ket-hon"


def test_yaml_syntax_error_names_its_line_and_explains_the_colon(tmp_path: Path) -> None:
    broken = BIRTH.replace("question: Đăng ký khai sinh cần giấy tờ gì?", "question: Khai sinh: cần gì?")
    problem = only(write(tmp_path / "kb", ho_tich=broken, ket_hon=MARRIAGE), "yaml-syntax")
    assert (Path(problem.file).name, problem.line) == ("ho-tich.yaml", 4)
    assert "dấu hai chấm" in problem.message and str(problem).startswith(f"{problem.file}:4: lỗi:")


def test_a_tab_used_for_indentation_is_named(tmp_path: Path) -> None:
    broken = BIRTH.replace("      - thủ tục khai sinh cho con", "\t- thủ tục khai sinh cho con")
    problem = only(write(tmp_path / "kb", ho_tich=broken, ket_hon=MARRIAGE), "yaml-syntax")
    assert problem.line == 7 and "Tab" in problem.message


def test_missing_and_empty_required_fields(tmp_path: Path) -> None:
    no_answer = MARRIAGE.replace("    answer: Hai bạn đến UBND cấp xã nơi một trong hai người cư trú.\n", "")
    empty_answer = BIRTH.replace("    answer: |\n      Mang giấy chứng sinh và căn cước của cha mẹ đến UBND cấp xã.\n"
                                 "      Hỏi thêm: {hotline}.\n", "    answer: \"  \"\n")
    directory = write(tmp_path / "kb", ho_tich=empty_answer, ket_hon=no_answer)
    assert {("ket-hon.yaml", 3, "error", "missing-field"), ("ho-tich.yaml", 8, "error", "empty-answer")} <= found(directory)
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(directory)
    assert any(p.startswith(str(directory / "ket-hon.yaml") + ":3: lỗi:") and "`answer`" in p for p in raised.value.problems)


def test_wrong_types(tmp_path: Path) -> None:
    broken = BIRTH.replace("    alternatives:\n      - lam giay khai sinh can gi\n      - thủ tục khai sinh cho con\n",
                           "    alternatives: lam giay khai sinh\n    tags:\n      a: b\n")
    directory = write(tmp_path / "kb", ho_tich=broken, ket_hon=MARRIAGE)
    assert {("ho-tich.yaml", 5, "error", "wrong-type"), ("ho-tich.yaml", 7, "error", "wrong-type")} <= found(directory)


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE.replace("id: ket-hon", "id: khai-sinh"))
    problem = only(directory, "duplicate-id")
    # Files load in name order: ket-hon.yaml comes second, so it holds the duplicate.
    assert (Path(problem.file).name, problem.line) == ("ket-hon.yaml", 3)
    assert problem.related == f"{directory / 'ho-tich.yaml'}:3"


def test_an_answer_over_the_zalo_limit_is_a_warning_not_an_error(tmp_path: Path) -> None:
    long = MARRIAGE.replace("Hai bạn đến UBND cấp xã nơi một trong hai người cư trú.", "dài " * 600)
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=long)
    assert found(directory) == {("ket-hon.yaml", 6, "warning", "long-answer")}
    assert load_knowledge(directory).get("ket-hon") is not None


def test_unknown_field_suggests_the_closest_name(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE.replace("    question:", "    qustion:"))
    problem = only(directory, "unknown-field")
    assert problem.line == 4 and "`qustion`" in problem.message and "`question`?" in problem.message


def test_values_yaml_turns_into_numbers_or_booleans(tmp_path: Path) -> None:
    broken = BIRTH.replace("      - thủ tục khai sinh cho con", "      - 7:30\n      - 0123").replace(
        "question: Đăng ký khai sinh cần giấy tờ gì?", "question: no")
    directory = write(tmp_path / "kb", ho_tich=broken, ket_hon=MARRIAGE)
    problems = {p.line: p.message for p in read_knowledge(directory).problems if p.code == "not-text"}
    assert set(problems) == {4, 7, 8}
    assert "False" in problems[4] and "450" in problems[7] and "83" in problems[8] and '"7:30"' in problems[7]


def test_unknown_placeholder_is_reported_on_its_own_line_of_the_answer(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH.replace("{hotline}", "{hotlin}"), ket_hon=MARRIAGE)
    problem = only(directory, "unknown-placeholder")
    assert problem.line == 10 and "`{hotlin}`" in problem.message and "{hotline}" in problem.message


def test_unbalanced_brace_is_reported_on_its_line(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH.replace("{hotline}.", "{hotline."), ket_hon=MARRIAGE)
    assert only(directory, "bad-placeholder").line == 10


def test_button_mistakes(tmp_path: Path) -> None:
    buttons = """\
          - title: Mục không có
            entry: ket-hon-lai
          - title: Cổng
            url: dichvucong.gov.vn
          - title: Gọi
            phone: "{hotline} hoặc 113a"
          - title: Thêm
            url: "{portal}"
    """
    broken = BIRTH.replace("      - title: Kết hôn\n        entry: ket-hon\n",
                           textwrap.indent(textwrap.dedent(buttons), "      "))
    directory = write(tmp_path / "kb", ho_tich=broken, ket_hon=MARRIAGE)
    assert {("ho-tich.yaml", 16, "error", "unknown-entry"), ("ho-tich.yaml", 19, "error", "bad-url"),
            ("ho-tich.yaml", 21, "error", "bad-phone"), ("ho-tich.yaml", 22, "error", "too-many-buttons")} <= found(directory)
    assert "`ket-hon`?" in only(directory, "unknown-entry").message


def test_reviewed_must_be_a_date(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH.replace("reviewed: 2025-11-20", "reviewed: 20/11/2025"), ket_hon=MARRIAGE)
    assert only(directory, "bad-date").line == 12


def test_a_field_written_twice_is_caught(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE + "    source: Nghị định 123\n")
    problem = only(directory, "duplicate-key")
    assert problem.line == 10 and problem.related.endswith("ket-hon.yaml:7")


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ket_hon=MARRIAGE)
    legacy = BIRTH.encode("utf-8").replace("Hỏi thêm".encode(), "Hỏi thêm".encode("cp1258", "replace"))
    (directory / "ho-tich.yaml").write_bytes(legacy)
    assert ("ho-tich.yaml", 10, "error", "encoding") in found(directory)


def test_abbreviations_file(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE, abbreviations="""\
        abbreviations:
          ks: khai sinh
          no: không
          giay ks: giấy khai sinh
          KH: kết hôn
        notes: x
    """)
    assert found(directory) == {("abbreviations.yaml", 3, "error", "not-text"),
                                ("abbreviations.yaml", 4, "error", "bad-abbreviation"),
                                ("abbreviations.yaml", 5, "warning", "bad-abbreviation"),
                                ("abbreviations.yaml", 6, "error", "unknown-field")}
    assert read_knowledge(directory).kb.abbreviations == {"ks": "khai sinh", "kh": "kết hôn"}


def test_synonyms_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=MARRIAGE, synonyms="""\
        synonyms:
          - khai sanh
          - [photo]
          - [giấy tờ nhà, giấy má]
          - [bản sao, "", photo]
          - [khai sinh, "?"]
          - [khai sinh, khai sanh, Khai Sanh]
          - [giấy tờ, giấy má]
    """)
    assert found(directory) == {("synonyms.yaml", 2, "error", "wrong-type"), ("synonyms.yaml", 3, "error", "short-group"),
                                ("synonyms.yaml", 4, "error", "bad-synonym"), ("synonyms.yaml", 5, "error", "empty-value"),
                                ("synonyms.yaml", 6, "error", "bad-synonym"),
                                ("synonyms.yaml", 7, "warning", "duplicate-synonym")}
    assert read_knowledge(directory).kb.synonyms == (("bản sao", "photo"), ("khai sinh", "khai sanh"), ("giấy tờ", "giấy má"))
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    assert main(["kb", "check", "--knowledge", str(directory)]) == 1
    assert f"{directory / 'synonyms.yaml'}:4: lỗi: cụm từ `giấy tờ nhà` có 3 tiếng" in capsys.readouterr().out


def test_a_synonyms_file_needs_its_key_and_is_not_a_topic(tmp_path: Path) -> None:
    directory = write(tmp_path / "kb", abbreviations="abbreviations:\n  ks: khai sinh\n", synonyms="""\
        # Ghi chú
        synonym:
          - [khai sinh, khai sanh]
    """)
    assert found(directory) == {("synonyms.yaml", 2, "error", "unknown-field"), ("synonyms.yaml", 2, "error", "missing-field"),
                                ("kb", 0, "error", "no-files")}
    assert "`synonyms:`" in only(directory, "missing-field").message


def test_examples_must_reach_their_own_entry(tmp_path: Path) -> None:
    broken = BIRTH.replace("      - lam giay khai sinh cho con can giay to gi",
                           "      - đăng ký kết hôn làm ở đâu\n      - giá vàng hôm nay bao nhiêu")
    report = check(write(tmp_path / "kb", ho_tich=broken, ket_hon=MARRIAGE), Config())
    problems = {(p.line, p.code) for p in report.errors}
    assert problems == {(14, "example-wrong-entry"), (15, "example-unmatched")}
    assert "`ket-hon`" in next(p.message for p in report.errors if p.line == 14)


def test_collision_between_entries_names_both_places(tmp_path: Path) -> None:
    colliding = MARRIAGE.replace("[dang ky ket hon o dau, thủ tục đăng ký kết hôn]",
                                 "[dang ky ket hon o dau, Thủ tục khai sinh cho con!]")
    directory = write(tmp_path / "kb", ho_tich=BIRTH, ket_hon=colliding)
    (problem,) = [p for p in check(directory, Config()).errors if p.code == "collision"]
    assert (Path(problem.file).name, problem.line) == ("ket-hon.yaml", 5)
    assert problem.related == f"{directory / 'ho-tich.yaml'}:7" and "`khai-sinh`" in problem.message


def test_kb_check_command_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    clean = write(tmp_path / "clean", ho_tich=BIRTH, ket_hon=MARRIAGE)
    assert main(["kb", "check", "--knowledge", str(clean)]) == 0
    assert "0 lỗi" in capsys.readouterr().out
    broken = write(tmp_path / "broken", ho_tich=BIRTH, ket_hon=MARRIAGE.replace("    question:", "    qustion:"))
    assert main(["kb", "check", "--knowledge", str(broken), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 2
    assert {(p["line"], p["code"]) for p in report["problems"]} == {(3, "missing-field"), (4, "unknown-field")}
    warned = write(tmp_path / "warned", ho_tich=BIRTH, ket_hon=MARRIAGE.replace("    source: Luật Hộ tịch 2014\n", ""))
    assert main(["kb", "check", "--knowledge", str(warned)]) == 0
    assert main(["kb", "check", "--knowledge", str(warned), "--strict"]) == 1


CARDS = """\
topic: Căn cước
entries:
  - id: lam-can-cuoc
    question: Làm căn cước ở đâu?
    alternatives: [cấp thẻ căn cước ở cơ quan nào, đi làm căn cước thì đến chỗ nào]
    answer: Tại công an cấp xã.
  - id: noi-cap-can-cuoc
    question: Nơi cấp thẻ căn cước công dân?
    alternatives: [muốn làm thẻ căn cước thì tới đâu, làm căn cước công dân ở chỗ nào]
    answer: Công an cấp xã hoặc cấp tỉnh.
  - id: ho-chieu
    question: Làm hộ chiếu cần giấy tờ gì?
    alternatives: [xin cấp passport cần mang gì, hồ sơ làm hộ chiếu phổ thông]
    answer: Tờ khai và ảnh chân dung.
"""


def test_kb_check_warns_about_entries_the_meaning_signal_cannot_tell_apart(tmp_path: Path, semantic) -> None:
    """Two entries that ask the same thing in other words leave the lexical signal alone to
    choose: staff are told to word them apart. The distinct entry is not named."""
    from bot.config import MatcherSettings
    from bot.knowledge.validate import meaning_problems
    from bot.matcher import Matcher

    directory = write(tmp_path / "kb", can_cuoc=CARDS, ho_tich=BIRTH, ket_hon=MARRIAGE)
    loaded = read_knowledge(directory)
    problems = meaning_problems(loaded, Matcher(loaded.kb, MatcherSettings(), semantic))
    assert problems and {p.subject for p in problems} <= {"lam-can-cuoc~noi-cap-can-cuoc", "noi-cap-can-cuoc~lam-can-cuoc"}
    assert all(p.severity == "warning" and p.file.endswith("can-cuoc.yaml") for p in problems)


def test_an_example_held_back_by_a_word_the_base_never_uses_names_that_word(tmp_path: Path, semantic) -> None:
    """The warning must name the real cause: here no question uses "gái", and the meaning signal
    cannot choose between two card entries, so a phrasing with that word is the fix, not a
    rival entry (the warning once blamed whichever entry came second)."""
    from bot.config import MatcherSettings
    from bot.knowledge.validate import example_problems
    from bot.matcher import Matcher

    cards = CARDS.replace("    answer: Tại công an cấp xã.\n",
                          "    answer: Tại công an cấp xã.\n    examples: [con gái làm căn cước ở chỗ nào]\n")
    loaded = read_knowledge(write(tmp_path / "kb", can_cuoc=cards, ho_tich=BIRTH, ket_hon=MARRIAGE))
    (problem,) = [p for p in example_problems(loaded, Matcher(loaded.kb, MatcherSettings(), semantic))
                  if p.subject.startswith("lam-can-cuoc")]
    assert problem.code == "example-suggested" and problem.severity == "warning"
    assert "“gai”" in problem.message and "quá sát" not in problem.message
