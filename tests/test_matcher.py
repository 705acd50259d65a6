"""The matcher as a citizen meets it: however the question is typed, the right entry, or an
honest "I don't know"."""

from __future__ import annotations

import json
import time

import pytest

from bot.cli import main
from bot.config import MatcherSettings
from bot.kb_model import Entry, KnowledgeBase
from bot.knowledge import load_knowledge
from bot.matcher import Matcher
from bot.matcher.normalize import analyse, fold, has_diacritics, normalize
from tests.kb_samples import BIRTH, MARRIAGE, write

ENTRIES = (
    Entry("khai-sinh", "ho-tich", "Đăng ký khai sinh cho con cần giấy tờ gì?", "Mang giấy chứng sinh.",
          alternatives=("thủ tục khai sinh", "làm giấy khai sinh cho bé")),
    Entry("ket-hon", "ho-tich", "Đăng ký kết hôn cần giấy tờ gì?", "Hai bên cùng có mặt.",
          alternatives=("thủ tục đăng ký kết hôn", "làm giấy kết hôn ở đâu")),
    Entry("tam-tru", "cu-tru", "Đăng ký tạm trú khi thuê nhà trọ thế nào?", "Khai trên VNeID.",
          alternatives=("khai báo tạm trú", "làm tạm trú cho sinh viên")),
    Entry("can-cuoc", "can-cuoc", "Làm thẻ căn cước lần đầu cần gì?", "Gọi {hotline}.",
          alternatives=("làm căn cước công dân", "cấp thẻ căn cước lần đầu")),
    Entry("le-phi-can-cuoc", "can-cuoc", "Lệ phí làm căn cước là bao nhiêu?", "Miễn phí lần đầu.",
          alternatives=("phí làm căn cước", "làm căn cước mất bao nhiêu tiền")),
    Entry("gplx-mat", "gplx", "Mất giấy phép lái xe thì cấp lại thế nào?", "Nộp trực tuyến.",
          alternatives=("mất bằng lái xe", "làm lại bằng lái")),
    Entry("so-do", "dat-dai", "Cấp lại sổ đỏ bị mất như thế nào?", "Báo mất trước.",
          alternatives=("mất sổ hồng", "mất giấy chứng nhận quyền sử dụng đất")),
)
KB = KnowledgeBase(ENTRIES, abbreviations={"sđ": "sổ đỏ"})


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(KB, MatcherSettings())


def test_fold_removes_case_diacritics_including_d_bar_and_punctuation():
    assert fold("  ĐĂNG KÝ Tạm-trú,  ở đâu?? ") == "dang ky tam tru o dau"
    assert fold("Cu\u0309a") == fold("Của") == "cua"  # decomposed input folds like composed


def test_has_diacritics_ignores_plain_ascii():
    assert has_diacritics("đăng ký") and not has_diacritics("dang ky 123")


@pytest.mark.parametrize("typed, expected", [
    ("lm cccd can j", "lam can cuoc cong dan can gi"),
    ("DKY TAM TRU KO DC", "dang ky tam tru khong duoc"),
    ("Cho em hỏi làm thẻ căn cước với ạ", "lam the can cuoc voi"),
    ("cho e hoi lam the can cuoc", "lam the can cuoc"),
    ("chữ kí", "chu ky"),
    ("bhyt sv dong o bv nao", "bao hiem y te sinh vien dong o benh vien nao"),
])
def test_normalize_expands_teencode_and_drops_polite_padding(typed, expected):
    assert " ".join(normalize(typed)) == expected


def test_words_written_with_diacritics_are_never_taken_for_abbreviations():
    # "hồng" (sổ hồng) must not become "không"; "chứng minh" keeps its "minh" although "mình" is filler
    assert normalize("sổ hồng") == ["so", "hong"]
    assert normalize("chứng minh nhân dân của mình") == ["chung", "minh", "nhan", "dan", "cua"]
    assert normalize("bảo hiểm xã hội") == ["bao", "hiem", "xa", "hoi"]


def test_words_of_regional_speech_read_as_the_standard_words_only_with_their_marks():
    # "mần" is làm and "rứa" a particle like "vậy"; typed plain, "man" and "rua" stay what they are
    assert normalize("mần khai sinh cho con ở đâu rứa") == normalize("làm khai sinh cho con ở đâu")
    assert normalize("thứ 7 có mần việc hông") == normalize("thứ 7 có làm việc không")
    assert normalize("man rua") == ["man", "rua"]
    # words that mean something else in the standard language are left alone
    assert normalize("bảo hiểm có trả tiền làm răng không") == ["bao", "hiem", "co", "tra", "tien", "lam", "rang", "khong"]
    assert normalize("bhyt có trả tiền nhổ răng") == normalize("bảo hiểm y tế có trả tiền nhổ răng")
    assert normalize("mô hình một cửa") == ["mo", "hinh", "mot", "cua"]
    assert normalize("nhà quy mô nhỏ") == ["nha", "quy", "mo", "nho"]


def test_central_question_words_read_as_the_standard_ones_where_a_question_word_goes():
    # "chừ" is giờ, "mô" đâu, and "răng" sao where it ends the question or opens it
    assert normalize("Chừ cấp đổi bằng lái lên cơ quan mô rứa?") == normalize("giờ cấp đổi bằng lái lên cơ quan đâu")
    assert normalize("mất căn cước rồi, chừ làm lại răng hè") == normalize("mất căn cước rồi, giờ làm lại sao hè")
    assert normalize("Răng mà nộp hồ sơ lần mô cũng thiếu") == normalize("sao mà nộp hồ sơ lần đâu cũng thiếu")


def test_a_message_typed_with_the_keyboards_telex_keys_left_in_reads_as_meant():
    # the input method was off: tone keys (s f r x j), doubled vowels, w and dd stayed in the text
    assert normalize("hoj chieeus sawps heets hanj thif lamf lai sao") == normalize("họ chiếu sắp hết hạn thì làm lại sao")
    assert normalize("kich hoatj vneid maix ko dduwowcj") == normalize("kích hoạt vneid mãi không được")
    assert [t.accented for t in analyse("nghir vieecj roi lamf hoof so thaats nghieepj")][:4] == ["nghỉ", "việc", "roi", "làm"]
    # one English word spells a syllable by chance; a message is read as Telex from two on
    assert normalize("đi xe bus") == ["di", "xe", "bus"]
    assert normalize("xin visa đi Hàn") == ["xin", "visa", "di", "han"]


def test_a_letter_stretched_for_emphasis_is_one_letter():
    assert normalize("làm gấp được khônggg, gấp lắmmm") == normalize("làm gấp được không, gấp lắm")
    assert normalize("pccc cccd") == normalize("phòng cháy chữa cháy căn cước công dân")


def test_a_place_name_reads_as_one_neutral_word_however_it_is_typed():
    # "thanh" of thanh toán, "sai" of ghi sai: a place's syllables are not the question's words
    assert normalize("Hộ khẩu Thanh Hóa, nộp hồ sơ ở Sài Gòn") == ["ho", "khau", "noi", "nop", "ho", "so", "o", "noi"]
    assert normalize("ho khau thanh hoa nop ho so o sai gon") == normalize("hộ khẩu nơi nộp hồ sơ ở nơi")
    assert normalize("làm ở tp hcm") == normalize("làm ở thành phố nơi")
    # a name typed with marks must carry its own, and one that is an everyday phrase unmarked needs them
    assert normalize("ghi sai gọn") == ["ghi", "sai", "gon"]
    assert normalize("quê Thanh Hoá") == normalize("quê Thanh Hóa") == ["que", "noi"]
    assert normalize("mai thai binh thuong") == ["mai", "thai", "binh", "thuong"]
    assert normalize("quê Thái Bình") == ["que", "noi"]


def test_staff_abbreviations_extend_the_built_in_table():
    assert normalize("mất sđ", {"sd": "sổ đỏ"}) == ["mat", "so", "do"]


@pytest.mark.parametrize("question, entry_id", [
    ("Đăng ký khai sinh cho con cần giấy tờ gì?", "khai-sinh"),
    ("lam giay khai sinh cho be", "khai-sinh"),
    ("thu tuc khai sinhh", "khai-sinh"),  # typo
    ("Cho em hỏi thủ tục đăng ký kết hôn với ạ", "ket-hon"),
    ("DKY TAM TRU CHO SINH VIEN", "tam-tru"),
    ("lm cccd lan dau can j", "can-cuoc"),
    ("le phi lam can cuoc bn", "le-phi-can-cuoc"),
    ("bị mất sđ thì làm sao", "so-do"),  # staff abbreviation from the knowledge directory
])
def test_questions_however_typed_get_their_answer(matcher, question, entry_id):
    match = matcher.answer(question)
    assert match.tier == "answer", match
    assert match.entry.id == entry_id
    assert match.candidates[0][0].id == entry_id and not match.suggestions


@pytest.mark.parametrize("question", [
    "thời tiết hôm nay thế nào", "kết quả xổ số miền bắc", "tối nay đá bóng mấy giờ", "mua áo khoác ở đâu rẻ",
])
def test_off_topic_questions_fall_back(matcher, question):
    match = matcher.answer(question)
    assert match.tier == "fallback" and match.entry is None and not match.suggestions


@pytest.mark.parametrize("question", ["thủ tục ly hôn", "ly hon o dau", "nhận con nuôi", "làm lại bằng tốt nghiệp"])
def test_near_misses_are_never_answered_with_the_neighbouring_procedure(matcher, question):
    # only marriage, birth, driving licences … are covered: at most a "did you mean" choice
    match = matcher.answer(question)
    assert match.tier != "answer" and match.entry is None


def test_a_procedure_the_knowledge_base_lacks_falls_back_despite_a_shared_syllable(matcher):
    # "ly hôn" shares "hôn" with "kết hôn", but it is another word: no answer, no marriage choices
    match = matcher.answer("thủ tục ly hôn")
    assert match.tier == "fallback" and match.suggestions == ()


SIBLINGS = KnowledgeBase((
    Entry("ho-so", "can-cuoc", "Làm thẻ căn cước cần giấy tờ gì?", "…", alternatives=("hồ sơ làm thẻ căn cước",)),
    Entry("noi-lam", "can-cuoc", "Làm thẻ căn cước ở đâu?", "…", alternatives=("nơi làm thẻ căn cước",)),
    Entry("le-phi", "can-cuoc", "Làm thẻ căn cước hết bao nhiêu tiền?", "…", alternatives=("lệ phí thẻ căn cước",)),
))


@pytest.mark.parametrize("question, entry_id", [
    ("làm căn cước cần gì", "ho-so"),
    ("lm cccd can nhung gi", "ho-so"),
    ("căn cước làm chỗ nào", "noi-lam"),
    ("phí làm căn cước", "le-phi"),
])
def test_what_the_question_asks_for_separates_sibling_entries(question, entry_id):
    ranked = Matcher(SIBLINGS, MatcherSettings()).rank(question, limit=2)
    assert ranked[0][0].id == entry_id and ranked[0][1] > ranked[1][1]


def test_an_ambiguous_question_offers_choices_instead_of_guessing(matcher):
    match = matcher.answer("làm căn cước")
    assert match.tier == "suggest" and match.entry is None
    assert {"can-cuoc", "le-phi-can-cuoc"} <= {e.id for e in match.suggestions}
    assert len(match.suggestions) <= MatcherSettings().max_suggestions


def test_empty_and_filler_only_questions_fall_back(matcher):
    assert matcher.answer("").tier == "fallback"
    assert matcher.answer("???").tier == "fallback"
    assert matcher.rank("") == []


def test_accents_break_ties_when_the_question_has_them():
    # "cần" (need) and "căn" (apartment) fold to the same syllable
    kb = KnowledgeBase((
        Entry("can", "t", "mua căn hộ", "a"),
        Entry("need", "t", "mua cần câu", "b"),
    ))
    ranked = Matcher(kb, MatcherSettings()).rank("mua cần", limit=2)
    assert ranked[0][0].id == "need" and ranked[0][1] > ranked[1][1]


def test_loanwords_and_agency_abbreviations_meet_the_vietnamese_wording():
    kb = KnowledgeBase((
        Entry("tai-len", "dvc", "Cách tải hồ sơ lên cổng dịch vụ công", "a"),
        Entry("tai-ve", "dvc", "Cách tải kết quả về máy", "b"),
        Entry("pccc", "kd", "Thủ tục thẩm duyệt phòng cháy chữa cháy", "c"),
        Entry("mst", "thue", "Đăng ký mã số thuế cá nhân", "d"),
    ))
    matcher = Matcher(kb, MatcherSettings())
    assert matcher.rank("upload ho so", 1)[0][0].id == "tai-len"
    assert matcher.rank("download ket qua", 1)[0][0].id == "tai-ve"
    assert matcher.answer("tham duyet pccc").entry.id == "pccc"
    assert matcher.answer("dang ky mst").entry.id == "mst"


def test_everyday_words_for_a_child_count_for_the_entry_for_children():
    """"bé", "em bé", "con nhỏ" are how parents say "trẻ em": the children's entry leads on
    confidence, not only on a tie-break (before: the general entry was lexically closer)."""
    kb = KnowledgeBase((
        Entry("ho-chieu", "xnc", "Làm hộ chiếu cần gì?", "a"),
        Entry("ho-chieu-tre-em", "xnc", "Làm hộ chiếu cho trẻ em dưới 14 tuổi cần gì?", "b"),
    ))
    matcher = Matcher(kb, MatcherSettings())
    for question in ("làm hộ chiếu cho bé cần gì", "lam ho chieu cho em be can gi", "ho chieu cho con nho"):
        (first, confidence), (_, runner_up) = matcher.rank(question, 2)
        assert first.id == "ho-chieu-tre-em" and confidence > runner_up + 0.1, question


def test_everyday_words_for_a_lost_or_damaged_card_find_the_entry():
    """Citizens drop ("đánh rơi") or break ("gãy", "rách") a card; staff write "mất" and "hỏng"."""
    kb = KnowledgeBase((
        Entry("cap-lai", "gplx", "Mất giấy phép lái xe thì xin cấp lại thế nào?", "a"),
        Entry("cap-doi", "gplx", "Giấy phép lái xe bị hỏng thì đổi ở đâu?", "b"),
        Entry("le-phi", "gplx", "Lệ phí cấp giấy phép lái xe là bao nhiêu?", "c"),
    ))
    matcher = Matcher(kb, MatcherSettings())
    assert matcher.rank("đánh rơi bằng lái xe ở đâu rồi xin lại sao", 1)[0][0].id == "cap-lai"
    for question in ("bằng lái bị gãy làm sao", "bang lai bi rach doi o dau"):
        assert matcher.rank(question, 1)[0][0].id == "cap-doi", question
    assert matcher.answer("doi bang lai co free ko").candidates[0][0].id == "le-phi"


def test_answer_text_breaks_a_tie_but_never_makes_the_bot_surer():
    kb = KnowledgeBase((
        Entry("hop-dong", "t", "Dùng chữ ký số thế nào?", "Cắm token để ký hợp đồng điện tử với đối tác."),
        Entry("nop-ho-so", "t", "Dùng chữ ký số thế nào?", "Cắm token để ký hồ sơ nộp trên Cổng dịch vụ công."),
        Entry("khai-sinh", "t", "Đăng ký khai sinh cho con", "Mang giấy chứng sinh."),
    ))
    match = Matcher(kb, MatcherSettings()).answer("dùng chữ ký số ký hồ sơ thế nào")
    assert [e.id for e, _ in match.candidates[:2]] == ["nop-ho-so", "hop-dong"]  # not the id order
    assert match.candidates[0][1] == match.candidates[1][1]  # same phrasing, same confidence
    assert match.tier == "suggest" and match.suggestions[0].id == "nop-ho-so"  # asked, not told


def test_a_tie_goes_to_the_entry_every_phrasing_of_which_is_about_the_question():
    # Both entries have the phrasing "Chữ ký số"; only one is about digital signatures throughout.
    kb = KnowledgeBase((
        Entry("ky-van-ban", "t", "Ký số văn bản trên điện thoại", "a", alternatives=("Chữ ký số", "Ký văn bản online")),
        Entry("chu-ky-so", "t", "Đăng ký chữ ký số cho doanh nghiệp", "b", alternatives=("Chữ ký số", "Thủ tục chữ ký số")),
    ))
    match = Matcher(kb, MatcherSettings()).answer("chữ ký số")
    assert [e.id for e, _ in match.candidates] == ["chu-ky-so", "ky-van-ban"]  # not the id order
    assert match.candidates[0][1] == match.candidates[1][1] and match.tier == "suggest"  # still asked


def test_staff_synonyms_let_local_wording_find_the_entry_written_in_standard_wording(tmp_path):
    question = "giấy má khai sinh"  # the entry says "giấy tờ"
    standard = write(tmp_path / "standard", ho_tich=BIRTH, ket_hon=MARRIAGE)
    assert Matcher(load_knowledge(standard), MatcherSettings()).answer(question).tier != "answer"
    local = write(tmp_path / "local", ho_tich=BIRTH, ket_hon=MARRIAGE, synonyms="synonyms:\n  - [giấy tờ, giấy má]\n")
    match = Matcher(load_knowledge(local), MatcherSettings()).answer(question)
    assert match.tier == "answer" and match.entry.id == "khai-sinh"


@pytest.mark.parametrize("question, entry_id", [
    ("định dạng file không đúng", "dinh-dang"),  # không đúng = sai
    ("khai thuế online", "thue-dien-tu"),  # online (trực tuyến) = điện tử, in e-government
    ("gửi phản hồi về dịch vụ công", "gop-y"),  # phản hồi = góp ý
])
def test_everyday_wording_meets_the_portal_wording(question, entry_id):
    kb = KnowledgeBase((  # each right entry comes after a neighbour that differs in that one word
        Entry("dinh-dang-la", "dvc", "Định dạng tệp lạ", "a"),
        Entry("dinh-dang", "dvc", "Định dạng tệp sai", "b"),
        Entry("thue-giay", "thue", "Kê khai thuế giấy", "c"),
        Entry("thue-dien-tu", "thue", "Kê khai thuế điện tử", "d"),
        Entry("danh-gia", "dvc", "Gửi đánh giá về dịch vụ công", "e"),
        Entry("gop-y", "dvc", "Gửi góp ý về dịch vụ công", "f"),
    ))
    assert Matcher(kb, MatcherSettings()).rank(question, 1)[0][0].id == entry_id


def test_common_words_are_never_spell_corrected_into_others():
    # "đến" is one edit from "lên"; reading "email không đến" as "email không lên" misleads
    kb = KnowledgeBase((Entry("tai-len", "dvc", "tải tệp lên bị lỗi", "a"),))
    assert Matcher(kb, MatcherSettings()).lexical.index.correct("den") == "den"


def test_rank_scores_are_ordered_and_bounded(matcher):
    ranked = matcher.rank("đăng ký giấy tờ", limit=5)
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert len(ranked) <= 5


def test_thresholds_come_from_settings():
    strict = Matcher(KB, MatcherSettings(answer_threshold=1.01, suggest_threshold=1.01))
    assert strict.answer("Đăng ký khai sinh cho con cần giấy tờ gì?").tier == "fallback"


def test_large_knowledge_base_builds_and_answers_quickly():
    words = "xây dựng đất đai nhà ở hộ tịch cư trú thuế phí giấy phép kinh doanh môi trường y tế giáo dục".split()
    entries = tuple(
        Entry(f"e{i}", "t", f"thủ tục {words[i % 20]} {words[(i // 20) % 20]} số {i} cấp xã", "x")
        for i in range(5000)
    ) + ENTRIES
    started = time.perf_counter()
    big = Matcher(KnowledgeBase(entries), MatcherSettings())
    assert time.perf_counter() - started < 3.0
    started = time.perf_counter()
    for _ in range(20):
        assert big.answer("lam giay khai sinh cho be").entry.id == "khai-sinh"
    assert (time.perf_counter() - started) / 20 < 0.02


def test_ask_prints_one_json_object_per_question(tmp_path, capsys, monkeypatch):
    (tmp_path / "config.yaml").write_text(f"agency:\n  hotline: 0999 111 222\nmatcher:\n  vector_cache: {tmp_path}/v.sqlite3\n",
                                          encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "config.yaml"))
    kb_dir = tmp_path / "knowledge"
    kb_dir.mkdir()
    (kb_dir / "ho-tich.yaml").write_text(
        "topic: Hộ tịch\nentries:\n"
        "  - id: khai-sinh\n    question: Đăng ký khai sinh cho con cần giấy tờ gì?\n"
        "    answer: Gọi {hotline} để được hỗ trợ.\n", encoding="utf-8")
    code = main(["ask", "--knowledge", str(kb_dir), "--json", "dang ky khai sinh cho con can giay to gi", "giá vàng"])
    assert code == 0
    first, second = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # The original keys stay; the decision's evidence was added beside them.
    assert set(first) == {"question", "tier", "id", "score", "suggestions", "answer", "also", "also_offered",
                          "related", "signals", "semantic", "route"}
    assert first["semantic"] and {"lexical", "similarity", "agree"} <= set(first["signals"])
    assert first["tier"] == "answer" and first["id"] == "khai-sinh"
    assert first["answer"] == "Gọi 0999 111 222 để được hỗ trợ."
    assert second == {"question": "giá vàng", "tier": "fallback", "id": None, "score": second["score"],
                      "suggestions": [], "answer": None, "also": None, "also_offered": None, "related": [],
                      "signals": second["signals"], "semantic": True, "route": None}


def test_ask_shows_when_the_conversation_takes_a_message_before_the_faq(tmp_path, capsys, monkeypatch):
    """"Chào buổi sáng ạ" gets a greeting whatever the matcher thinks of it: staff tuning an
    entry must see that, not only the FAQ's decision."""
    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "config.yaml"))
    (tmp_path / "config.yaml").write_text("matcher:\n  semantic: false\n", encoding="utf-8")
    kb_dir = tmp_path / "knowledge"
    kb_dir.mkdir()
    (kb_dir / "dvc.yaml").write_text(
        "entries:\n  - id: gio-lam-viec\n    question: Giờ làm việc buổi sáng của bộ phận một cửa?\n"
        "    answer: Từ 7 giờ 30.\n", encoding="utf-8")
    assert main(["ask", "--knowledge", str(kb_dir), "--json", "Chào buổi sáng ạ", "giờ làm việc buổi sáng"]) == 0
    greeting, question = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert greeting["route"] == "small talk" and question["route"] is None
    assert main(["ask", "--knowledge", str(kb_dir), "Chào buổi sáng ạ"]) == 0
    assert "ROUTED before the FAQ: small talk" in capsys.readouterr().out


def test_ask_reads_questions_from_stdin_and_prints_a_table(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "config.yaml"))
    (tmp_path / "config.yaml").write_text("{}\n", encoding="utf-8")
    kb_dir = tmp_path / "knowledge"
    kb_dir.mkdir()
    (kb_dir / "cu-tru.yaml").write_text(
        "entries:\n  - id: tam-tru\n    question: Đăng ký tạm trú thế nào?\n    answer: Trên VNeID.\n",
        encoding="utf-8")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("dang ky tam tru\n\ntạm trú cho người thuê trọ\n"))
    assert main(["ask", "--knowledge", str(kb_dir)]) == 0
    out = capsys.readouterr().out
    assert "dang ky tam tru" in out and "ANSWER" in out and "tam-tru" in out
    # The words the knowledge base does not cover, which can hold a short question's answer back.
    decisions = [line for line in out.splitlines() if line.lstrip().startswith("→")]
    assert "not covered" not in decisions[0] and "not covered: nguoi thue tro" in decisions[1]
    out = out.split("? tạm trú")[0]
    # Staff see why an entry won: both signals (the meaning one in both spaces) and the ranking's probability.
    header, row = (line.split() for line in out.splitlines() if line.split()[:1] in (["lexical"], ["*1."]))
    assert header == ["lexical", "meaning", "contrast", "sure"]
    assert all(0.0 <= float(value) <= 1.0 for value in row[1:5]) and row[5] == "tam-tru"
