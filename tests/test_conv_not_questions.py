"""Messages that are not questions for the FAQ: a complaint typed out, "sai rồi" after an answer,
a bare number or one character (issue 11, item 5). Through the dispatch in-process (tests/dispatchkit.py)."""

from __future__ import annotations

import pytest
import yaml

from bot.config import ConversationSettings
from handlers.notquestion import PROMPT
from tests.conv_support import write_kb
from tests.dispatchkit import Kit, shown

COMPLAINT_FAQ = {"topic": "Phản ánh, khiếu nại", "entries": [{
    "id": "khieu-nai", "question": "Thủ tục khiếu nại như thế nào?",
    "alternatives": ["khiếu nại ở đâu", "phản ánh ở đâu", "cách phản ánh cán bộ"],
    "answer": "Trả lời về thủ tục khiếu nại.", "source": "Thử nghiệm", "reviewed": "2025-11-20",
    "examples": ["thu tuc khieu nai the nao"]}]}
CONTENT_PROMPT = ("Bạn vui lòng nhập nội dung phản ánh, kiến nghị: sự việc, thời gian, địa điểm cụ thể. "
                  "Có thể gửi kèm hình ảnh.")
ACK = "Cảm ơn bạn đã góp ý! Câu hỏi đã được ghi lại để cán bộ bổ sung, chỉnh sửa câu trả lời."


@pytest.fixture
def kit(tmp_path):
    directory = write_kb(tmp_path / "kb")
    (directory / "khieu-nai.yaml").write_text(yaml.safe_dump(COMPLAINT_FAQ, allow_unicode=True), encoding="utf-8")
    return Kit(tmp_path, knowledge_dir=directory, conversations=ConversationSettings(flood_max_messages=0))


@pytest.mark.parametrize("text", ["tôi muốn phản ánh cán bộ xã gây khó dễ", "muốn khiếu nại thái độ cán bộ",
                                  "muon phan anh can bo", "Em cần phản ánh cán bộ một cửa hách dịch ạ"])
def test_a_typed_complaint_about_staff_starts_the_feedback_flow(kit, text):
    citizen = kit.citizen("u1")
    assert shown(citizen.say(text)) == [("Tôi sẽ giúp bạn gửi phản ánh, kiến nghị đến cán bộ có trách nhiệm "
                               "(chủ đề: Thái độ, trách nhiệm của cán bộ). " + CONTENT_PROMPT, ["Hủy"])]
    assert shown(citizen.say("Cán bộ hẹn lại nhiều lần"))[0][1] == ["Tiếp tục", "Hủy"]  # in the flow's content step
    assert kit.rows("SELECT count(*) FROM unanswered") == [(0,)]


def test_a_complaint_without_a_topic_asks_for_one(kit):
    replies = shown(kit.citizen("u1").say("em muốn kiến nghị với ủy ban"))
    assert replies[0][0].startswith("Tôi sẽ giúp bạn gửi phản ánh, kiến nghị đến cán bộ có trách nhiệm. "
                                    "Bạn muốn phản ánh, kiến nghị về vấn đề gì?")
    assert replies[0][1][-1] == "Hủy"


@pytest.mark.parametrize("text", ["thủ tục khiếu nại thế nào", "phản ánh ở đâu", "cách phản ánh cán bộ",
                                  "khieu nai o dau?"])
def test_questions_about_complaints_are_still_answered_from_the_knowledge_base(kit, text):
    assert shown(kit.citizen("u1").say(text))[0] == ("Trả lời về thủ tục khiếu nại.", ["Hữu ích", "Chưa đúng"])


@pytest.mark.parametrize("typed", ["sai rồi", "khong dung", "Sai", "chưa đúng ạ"])
def test_typing_sai_roi_after_an_answer_rates_it_like_the_button(kit, typed):
    citizen = kit.citizen("u1")
    citizen.say("dang ky tam tru")
    replies = shown(citizen.say(typed))
    assert replies[0][0].startswith(ACK) and replies[0][1] == ["Gặp cán bộ"]
    assert kit.rows("SELECT entry_id, question, verdict FROM ratings") == [("tam-tru", "dang ky tam tru", "wrong")]
    assert kit.rows("SELECT question, reason, best_entry_id FROM unanswered") == [
        ("dang ky tam tru", "rated_wrong", "tam-tru")]


def test_sai_roi_after_a_reply_that_was_not_an_answer_rates_nothing(kit):
    citizen = kit.citizen("u1")
    citizen.say("dang ky tam tru")
    citizen.say("xổ số kiến thiết hôm nay")  # the fallback: the last reply is no answer
    replies = shown(citizen.say("sai rồi"))
    assert replies[0][0].startswith("Bạn cho biết điều gì chưa đúng nhé") and "Gặp cán bộ" in replies[0][1]
    assert kit.rows("SELECT count(*) FROM ratings") == [(0,)]
    never_answered = kit.citizen("u2").say("không đúng")
    assert never_answered[0].text.startswith("Bạn cho biết điều gì chưa đúng nhé")


@pytest.mark.parametrize("text", ["2", "?", "a", "15", "...", " 3 "])
def test_a_bare_number_or_one_character_gets_a_prompt_not_an_entry(kit, text):
    replies = shown(kit.citizen("u1").say(text))
    assert replies == [(PROMPT, ["Căn cước", "Cư trú", "Đất đai", "Hộ chiếu", "Lĩnh vực khác"])]  # the topics
    assert kit.rows("SELECT count(*) FROM unanswered") == [(0,)]


@pytest.mark.parametrize("text", ["tôi muốn khiếu nại quyết định thu hồi đất", "tôi muốn tố cáo cán bộ xã",
                                  "gửi phản ánh ẩn danh", "nhân viên một cửa quát nạt dân thì phản ánh sao"])
def test_formal_procedures_and_questions_go_to_the_knowledge_base_not_the_flow(kit, text):
    """A khiếu nại against a decision and a tố cáo have their own legal procedure, which the FAQ explains."""
    assert not shown(kit.citizen("u1").say(text))[0][0].startswith("Tôi sẽ giúp bạn gửi phản ánh")
    assert kit.rows("SELECT count(*) FROM conversation_state") == [(0,)]


def test_no_phrasing_of_the_shipped_knowledge_base_is_taken_from_the_faq() -> None:
    """Every question, alternative and example the shipped entries answer still reaches the FAQ."""
    from bot.intents import match
    from bot.knowledge import load_knowledge
    from handlers.complaints import is_complaint
    from handlers.ratings import TYPED_WRONG
    from tests.harness import REPO

    phrasings = [q for e in load_knowledge(REPO / "knowledge").entries for q in (e.question, *e.alternatives, *e.examples)]
    assert len(phrasings) > 1000
    assert [q for q in phrasings if is_complaint(q) or match(q, TYPED_WRONG) or len("".join(q.split())) < 2] == []
