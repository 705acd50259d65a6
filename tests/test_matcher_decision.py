"""The decision as a citizen meets it, on the shipped knowledge base with the meaning signal:
long everyday messages are answered, two questions get two answers, a fallback still offers the
closest entries, and near misses stay unanswered. Each case also shows what the old decision
(lexical thresholds) did, so the test fails without the change."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from bot.config import MatcherSettings
from bot.knowledge import load_knowledge
from bot.matcher.decision import OLD, Evidence, may_answer
from bot.matcher.evaluation import evaluate, load_eval_set
from bot.matcher.matcher import Matcher
from bot.matcher.segments import asks, asks_if_needed, own_questions, questions, segments
from tests.conv_support import Chat
from tests.harness import Harness

REPO = Path(__file__).resolve().parents[1]
LONG = ("Chào anh chị. Con em mới sinh được 2 tuần, cả nhà đang lo giấy tờ. Cho em hỏi làm giấy khai sinh "
        "cho bé thì cần mang những gì ạ? Em cảm ơn nhiều 🙏")
TWO = "Cho mình hỏi đăng ký kết hôn cần giấy tờ gì? Còn mất bằng lái xe máy thì làm lại ở đâu?"
ALSO_VAGUE = "Làm lại căn cước bị mất ở đâu ạ? Phí thế nào?"  # the second question is vague alone
# Vehicle registration: not covered, but near two licence entries. ("đăng ký xe máy mới mua ở đâu"
# until the fourteenth round, when a phrasing about a newly bought flat made permanent residence
# a plausible choice for it: the message now gets choices, no answer.)
RELATED = "đăng ký biển số xe máy ở đâu"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge(REPO / "knowledge")


@pytest.fixture(scope="module")
def matcher(kb, semantic):
    return Matcher(kb, MatcherSettings(), semantic)


@pytest.fixture(scope="module")
def old(kb):
    return Matcher(kb, MatcherSettings(), decision=OLD)


def test_context_and_courtesy_do_not_stop_the_answer(matcher, old):
    assert old.answer(LONG).tier == "suggest"  # before: a one-button "did you mean"
    match = matcher.answer(LONG)
    assert match.tier == "answer" and match.entry.id == "ho-tich-khai-sinh"
    assert match.signals.similarity > 0.9 and match.signals.certainty > 0.9


def test_a_message_with_two_questions_gets_both_answers(matcher, old):
    assert old.answer(TWO).tier == "suggest"
    match = matcher.answer(TWO)
    assert (match.entry.id, match.also.id) == ("ho-tich-ket-hon", "gplx-cap-lai")


def test_two_questions_joined_by_a_conjunction_in_one_sentence_get_both_answers(matcher):
    """Citizens chain a second question with a comma and "với lại" (or ", còn", "ngoài ra")
    rather than a new sentence; before, the message was one sentence and got one answer."""
    match = matcher.answer("Chào ad, cho em hỏi đăng ký kết hôn cần gì, với lại mất bằng lái xe máy thì làm lại ở đâu ạ?")
    assert (match.entry.id, match.also.id) == ("ho-tich-ket-hon", "gplx-cap-lai")


def test_two_clear_questions_get_both_answers_rather_than_a_menu_of_them(matcher):
    """Each sentence asks about its own entry clearly, but the message as a whole is split
    between them; before, the citizen got both as "Có phải bạn muốn hỏi" choices."""
    match = matcher.answer("bo toi con dung cmnd cu, van dung duoc ko? con tich hop the bhyt vao vneid cho bo the nao")
    assert match.tier == "answer"
    assert (match.entry.id, match.also.id) == ("can-cuoc-cccd-cmnd-cu", "can-cuoc-tich-hop")  # in the order asked


def test_a_sentence_of_context_is_not_a_second_question(matcher):
    """Two sentences, but only one asks: one reply, about the papers after the merger. The
    asking sentence alone leads with the ID-card entry, which once came as a second answer to a
    question the citizen asked once."""
    match = matcher.answer("Xã em mới sáp nhập, đổi tên. Căn cước với sổ đỏ ghi địa chỉ cũ thì có phải đổi không?")
    assert match.also is None and match.also_offered is None
    assert "cchc-giay-to-sau-sap-nhap" in [e.id for e in (match.entry, *match.suggestions) if e]


def test_a_second_question_chained_with_comma_va_is_answered(matcher):
    match = matcher.answer("lam ho chieu cho be 6 tuoi can nhung giay to gi, va be co phai lam can cuoc truoc ko ad")
    assert (match.entry.id, match.also.id) == ("ho-chieu-tre-em", "can-cuoc-tre-em")  # before: the passport only


def test_con_meaning_still_does_not_split_a_question():
    assert segments("làm căn cước còn mất bao lâu") == []  # "còn" here is "still", not "and also"
    assert segments("bản sao khai sinh xin ở đâu, còn sao y căn cước thì làm ở đâu") == [
        "bản sao khai sinh xin ở đâu", "còn sao y căn cước thì làm ở đâu"]
    assert segments("giấy khai sinh và căn cước cần gì") == []  # "và" inside a question joins its words
    assert segments("hộ chiếu cần gì, và có phải làm căn cước trước không") == [
        "hộ chiếu cần gì", "và có phải làm căn cước trước không"]


def test_two_questions_joined_by_a_bare_comma_get_both_answers(matcher):
    """"…làm lại ở đâu, quên mật khẩu vneid thì lấy lại sao" is one sentence with no conjunction:
    before, it was read as one question and got one answer."""
    message = "mất cccd thì làm lại ở đâu, quên mật khẩu vneid thì lấy lại sao"
    assert segments(message) == []
    match = matcher.answer(message)
    assert (match.entry.id, match.also.id) == ("can-cuoc-cap-lai", "vneid-quen-mat-khau")


def test_a_second_question_the_ranking_holds_less_likely_is_still_answered(matcher):
    """From the fourth batch's tune half: the ranking gives the file-status entry 0.0001 beside
    0.9996 for the password, under half of what the leader leaves, and the message got one
    answer. Its own sentence asks about it clearly, so it gets its own answer (seventeenth round)."""
    match = matcher.answer("quen mat khau dich vu cong thi lam sao, voi lai xem ho so da nop toi dau roi o dau")
    assert (match.entry.id, match.also.id) == ("dvc-quen-mat-khau", "dvc-tra-cuu-ho-so")


def test_a_second_question_whose_entry_the_whole_message_ranks_third_is_answered(matcher):
    """From the first batch's tune half: the message as a whole leads with the child's health
    card (0.94) and ranks the birth registration third, behind the inter-agency birth entry.
    When only the runner-up could be a second answer, the birth registration, asked first, got
    no answer at all (eighteenth round)."""
    match = matcher.answer("Chào ad, em mới sinh bé. Cho em hỏi làm giấy khai sinh cần gì, với lại thẻ bảo hiểm "
                           "y tế cho bé làm ở đâu ạ?")
    assert [entry.id for entry, _ in match.candidates].index("ho-tich-khai-sinh") == 2
    assert (match.entry.id, match.also.id) == ("ho-tich-khai-sinh", "bhyt-tre-em-duoi-6-tuoi")  # in the order asked


def test_a_problem_told_before_tien_hoi_luon_is_the_first_of_two_questions(matcher):
    """From the sixth batch's tune half: "sổ đỏ nhà em bị mất rồi" only tells the problem, but
    "tiện hỏi luôn" says another question follows, so it was one. Before, the message got one
    answer, about the old certificate form, and the lost certificate none (nineteenth round)."""
    message = "sổ đỏ nhà em bị mất rồi, tiện hỏi luôn sổ mẫu cũ có phải đổi qua mẫu mới không ạ"
    assert own_questions(message) == ["sổ đỏ nhà em bị mất rồi", "tiện hỏi luôn sổ mẫu cũ có phải đổi qua mẫu mới không ạ"]
    match = matcher.answer(message)
    assert (match.entry.id, match.also.id) == ("dat-dai-cap-lai-so-mat", "dat-dai-so-cu")  # in the order asked
    assert own_questions("đăng ký xong cho tiện, hỏi luôn là mất mấy ngày") == []  # "tiện" alone is "convenient"


def test_a_comma_cuts_only_between_two_questions():
    assert questions("lam lai can cuoc het bao nhieu tien, bao lau thi co the vay ad") == [
        "lam lai can cuoc het bao nhieu tien", "bao lau thi co the vay ad"]
    assert questions("em mới thuê trọ, khai báo tạm trú thế nào") == []  # context stays with its question
    assert questions("Cho mình hỏi, làm căn cước ở đâu") == []  # a request is not a question of its own
    assert questions("làm sao để lên mức 2 ạ, có phải ra công an không") == []  # the same matter's requirement
    assert questions("Con em 5 tuổi. Làm hộ chiếu cho bé ở đâu, mất mấy ngày?") == [
        "Con em 5 tuổi.", "Làm hộ chiếu cho bé ở đâu", "mất mấy ngày?"]


def test_only_parts_that_ask_something_of_their_own_can_be_a_second_question():
    assert own_questions("Xã em mới sáp nhập, đổi tên. Căn cước với sổ đỏ ghi địa chỉ cũ thì có phải đổi không?") == [
        "Căn cước với sổ đỏ ghi địa chỉ cũ thì có phải đổi không?"]
    assert own_questions("Bố em mất rồi thì làm thủ tục thừa kế thế nào? Có cần giấy chứng tử không?") == [
        "Bố em mất rồi thì làm thủ tục thừa kế thế nào?"]
    assert own_questions("Làm lại căn cước bị mất ở đâu ạ? Hết bao nhiêu tiền?") == [
        "Làm lại căn cước bị mất ở đâu ạ?", "Hết bao nhiêu tiền?"]


def test_a_lexical_tie_needs_the_meaning_signal_only_in_a_short_question():
    """Two entries tie lexically and the meaning signal prefers a third: a short question is not
    answered; in a long message, where context dilutes both leaders' lexical confidence alike,
    the fitted model decides."""
    tie = dict(lexical=0.6, lexical_margin=0.01, known_share=1.0, unknown_compounds=0)
    short, long = Evidence(words=8, **tie), Evidence(words=25, **tie)
    settings = MatcherSettings()
    assert not may_answer(short.with_meaning(similarity=0.9, best=0.92, margin=0.02, agree=False, meaning_top="x",
                                             centre=0.5, certainty=0.9, sentence_lexical=0.6), settings)
    assert may_answer(long.with_meaning(similarity=0.9, best=0.92, margin=0.02, agree=False, meaning_top="x",
                                        centre=0.5, certainty=0.9, sentence_lexical=0.6), settings)


def test_an_uncovered_word_holds_back_only_a_short_question_whose_meaning_is_unclear():
    """A short question with a word the knowledge base does not cover is at most offered unless
    the meaning signal's leader is clear, whatever the model's probability; a long message's
    context words are no sign of a new topic."""
    evidence = dict(lexical=0.6, lexical_margin=0.2, known_share=0.8, unknown_compounds=0, uncovered=("ruou",))
    short, long = Evidence(words=6, **evidence), Evidence(words=25, **evidence)
    meaning = dict(similarity=0.9, best=0.9, agree=True, meaning_top="x", centre=0.5, certainty=0.99,
                   sentence_lexical=0.6)
    settings = MatcherSettings()
    assert not may_answer(short.with_meaning(margin=0.01, **meaning), settings)
    assert may_answer(short.with_meaning(margin=0.03, **meaning), settings)
    assert may_answer(long.with_meaning(margin=0.01, **meaning), settings)
    assert may_answer(dataclasses.replace(short, uncovered=()).with_meaning(margin=0.01, **meaning), settings)


@pytest.mark.parametrize(("question", "entry"), [
    ("Chào ad, tôi 30 tuổi, ngân hàng bảo phải có giấy xác nhận độc thân mới cho vay. Giấy này xin ở đâu, "
     "mất mấy ngày ạ?", "ho-tich-xac-nhan-tinh-trang-hon-nhan"),
    ("Hộ chiếu tôi hết hạn rồi, tháng sau phải đi Nhật. Làm lại có phải nộp cuốn cũ không, bao lâu thì có "
     "cuốn mới?", "ho-chieu-het-han"),
], ids=["this-paper-where", "how-long-for-the-new-one"])
def test_a_follow_up_on_the_same_matter_is_not_a_second_question(matcher, question, entry):
    """"Giấy này xin ở đâu" and "bao lâu thì có cuốn mới" ask more about the matter the message
    is about; read alone, their generic words lead elsewhere (before: a second answer about a
    residence certificate, or about a lost passport). Such a sentence still gives the message's
    own entry a share of its probability, which a question about another matter does not."""
    match = matcher.answer(question)
    assert (match.entry.id, match.also, match.also_offered) == (entry, None, None)


def test_a_second_question_too_vague_to_answer_is_offered_after_the_answer(matcher):
    """"Phí thế nào?" alone could be any fee; in this message it is the ID card's: the fee entry
    is offered as one tap rather than answered or dropped (before: dropped). Asked plainly
    ("Hết bao nhiêu tiền?"), it is answered."""
    match = matcher.answer(ALSO_VAGUE)
    assert (match.entry.id, match.also, match.also_offered.id) == ("can-cuoc-cap-lai", None, "can-cuoc-le-phi")
    assert matcher.answer(TWO).also_offered is None  # answered, not offered too
    plain = matcher.answer("Làm lại căn cước bị mất ở đâu ạ? Hết bao nhiêu tiền?")
    assert (plain.entry.id, plain.also.id) == ("can-cuoc-cap-lai", "can-cuoc-le-phi")


def test_asking_whether_a_paper_is_needed_is_not_a_question_of_its_own():
    assert asks_if_needed("Có cần giấy chứng tử không ạ?") and asks_if_needed("co phai mang gks cua chau ko")
    assert not asks_if_needed("và bé có phải làm căn cước trước ko ad")  # getting the paper is a question
    assert not asks_if_needed("Còn mất bằng lái xe máy thì làm lại ở đâu?")


def test_a_sentence_asks_when_it_has_a_question_word_a_request_or_a_final_particle():
    for question in ("Giờ sang tên sổ đỏ cho mẹ thì làm sao ạ", "lam lai o dau", "phí bao nhiêu",
                     "hướng dẫn em với", "nộp online được không ad", "phai ra cong an hay lam tren app",
                     "làm mất mấy ngày", "mấy giờ mở cửa", "Còn bằng lái?"):
        assert asks(question), question
    for context in ("Bố em mất rồi, đã làm giấy khai tử.", "em đi xin sao y bằng tốt nghiệp",
                    "Nghe nói giờ làm hộ chiếu online được, gửi về tận nhà.", "hồ sơ cấp lần đầu",
                    "me minh doi sim moi nen ko dang nhap duoc vneid nua"):
        assert not asks(context), context


def test_a_sentence_that_tells_rather_than_asks_is_never_a_second_answer(matcher):
    """Context that names a procedure the citizen has already done or heard about asks nothing
    (before: "Đã làm giấy khai tử" drew the death-registration answer first, and "làm hộ chiếu
    online được" the online passport answer instead of the licence, first offered as a choice
    and answered since the fourteenth round's phrasings)."""
    done = matcher.answer("Bố em mất rồi, đã làm giấy khai tử. Giờ sang tên sổ đỏ của bố cho mẹ thì làm sao ạ?")
    assert (done.entry.id, done.also, done.also_offered) == ("dat-dai-thua-ke", None, None)
    heard = matcher.answer("Nghe nói giờ làm hộ chiếu online được, gửi về tận nhà. "
                           "Còn đổi bằng lái xe thì làm online thế nào ạ?")
    assert [e.id for e in (heard.entry, *heard.suggestions) if e][:1] == ["gplx-doi-truc-tuyen"]
    assert heard.also is None and heard.also_offered is None


@pytest.mark.parametrize(("question", "entry"), [
    ("Chào ad, con gái em được 5 tháng, em muốn làm thẻ bảo hiểm y tế cho cháu. Đi làm ở đâu ạ? "
     "Có phải mang giấy khai sinh của cháu không?", "bhyt-tre-em-duoi-6-tuoi"),
    ("Nhà em ở quê, sổ đỏ đứng tên bố. Bố em mất rồi thì làm thủ tục thừa kế sang tên thế nào? "
     "Có cần giấy chứng tử không ạ?", "dat-dai-thua-ke"),
], ids=["insurance-then-work-place", "inheritance-then-death-certificate"])
def test_a_sentence_of_context_naming_another_matter_is_not_answered_as_a_second_question(matcher, question, entry):
    """Judged alone, "Đi làm ở đâu ạ?" or "Có cần giấy chứng tử không?" look like questions about
    another entry (before: a second answer about the citizen's ID card at work, or about death
    registration); the message as a whole is about one matter, so only its entry is answered."""
    match = matcher.answer(question)
    assert (match.entry.id, match.also, match.also_offered) == (entry, None, None)


def test_a_long_description_without_the_procedures_name_gets_it_offered(matcher):
    """No word of "đăng ký khai tử" is written, and the lexical confidence is diluted by context;
    before the ranking model this got the bare fallback, now the entry is offered (or answered),
    as a choice or as a button beside the fallback."""
    match = matcher.answer("Chào anh chị, ông nội em mất tuần trước ở nhà, gia đình đang lo hậu sự. "
                           "Giờ phải báo cho xã thế nào, cần giấy gì ạ?")
    offered = [e.id for e in (match.entry, *match.suggestions, *match.related) if e is not None]
    assert offered[:1] == ["ho-tich-khai-tu"]
    assert 0.0 < match.signals.certainty <= 1.0


@pytest.mark.parametrize("question", ["công thức làm bánh flan không bị rỗ", "wifi nha e cham qua sua sao ad",
                                      "hôm nay xổ số miền bắc về con gì"])
def test_an_everyday_message_gets_no_unrelated_button(matcher, question):
    """Almost any message is within the model's cosine 0.82 of some entry; these each got an
    unrelated button before relatedness also asked for closeness in the contrast space."""
    match = matcher.answer(question)
    assert match.tier == "fallback" and match.related == ()


@pytest.mark.parametrize(("question", "meant", "instead_of"), [
    ("con 5 tuổi làm hộ chiếu cần gì", "ho-chieu-tre-em", "ho-chieu-cap-lan-dau"),
    ("muốn xin tài liệu của ubnd thì yêu cầu kiểu gì", "cchc-tiep-can-thong-tin", "pakn-tiep-cong-dan"),
])
def test_the_entry_meant_leads_when_the_wording_is_another_entrys(matcher, question, meant, instead_of):
    """Both were led by a neighbouring entry (the first was even answered with the adult's first
    passport) before the meaning signal compared messages in the knowledge base's contrast
    space (semantic.py), which discounts what varies among one entry's own phrasings."""
    match = matcher.answer(question)
    offered = [e.id for e in (match.entry, *match.suggestions, *match.related) if e is not None]
    assert offered[0] == meant and (match.entry is None or match.entry.id == meant)


@pytest.mark.parametrize("question", ["thủ tục ly hôn đơn phương", "giá vàng hôm nay", "xin giấy phép hành nghề karaoke",
                                      "xin giấy phép kinh doanh rượu", "mở quán karaoke, xin giấy phép ở đâu",
                                      "xin giấy phép. kinh doanh rượu. ở đâu ạ", RELATED])
def test_near_misses_and_off_topic_are_not_answered(matcher, question):
    assert matcher.answer(question).entry is None


@pytest.mark.parametrize(("slipped", "meant"), [("lam the can cuocc lan dau", "can-cuoc-cap-moi"),
                                                ("xin phieu ly lich tu phapp", "dvc-ly-lich-tu-phap")])
def test_a_letter_typed_twice_is_a_slip_not_a_word_the_knowledge_base_lacks(matcher, slipped, meant):
    """Taken for a word the knowledge base never uses, "cuocc" held the answer back as "rượu"
    does in a licence to sell alcohol: the citizen got a one-button menu."""
    assert matcher.lexical.uncovered_words(matcher.lexical.query(slipped)) == []
    match = matcher.answer(slipped)
    assert match.tier == "answer" and match.entry.id == meant


def test_a_word_the_answers_use_is_a_detail_of_a_covered_procedure_not_a_new_topic(matcher):
    """No question of the knowledge base says "in" (printed), but the card's answers do: a card
    printed wrong is a reissue the base covers, and was only offered as a one-button menu while
    "rượu", which the base never writes, held back a licence to sell alcohol."""
    question = "căn cước bị in sai tên thì sửa ở đâu"
    assert matcher.lexical.unknown_words(matcher.lexical.query(question)) == ["in"]
    assert matcher.lexical.uncovered_words(matcher.lexical.query(question)) == []
    match = matcher.answer(question)
    assert match.tier == "answer" and match.entry.id == "can-cuoc-cap-doi"
    assert matcher.lexical.uncovered_words(matcher.lexical.query("xin giấy phép kinh doanh rượu")) == ["ruou"]


@pytest.mark.parametrize("question", [
    "quê tôi ở Quảng Ngãi mà làm ở Đồng Nai, nộp giấy tờ ở Đồng Nai được không",
    "que toi o nghe an ma lam o binh duong, nop giay to o binh duong duoc khong",
    "quê tôi ở Thanh Hoá mà làm ở Sài Gòn, nộp giấy tờ ở Sài Gòn được không",
])
def test_the_places_a_citizen_names_do_not_stand_between_them_and_the_answer(matcher, question):
    """Read as words, "binh duong" and "sai gon" are also đường and ghi sai: each of these got a
    one-button menu before place names were read as one word (places.py)."""
    match = matcher.answer(question)
    assert match.tier == "answer" and match.entry.id == "cchc-phi-dia-gioi"


@pytest.mark.parametrize("question, entry_id", [
    ("ddawng kys khai sinh cho con caanf giaays tows gif", "ho-tich-khai-sinh"),
    ("bij maats bawng lais xe thif lamf lai owr ddaau", "gplx-cap-lai"),
    ("queen maatj khaaur vneid thif lamf sao", "vneid-quen-mat-khau"),
    ("tooi muoons tachs soor ddor cho con", "dat-dai-tach-thua"),
    ("lamf hooj chieeus lanf ddaauf caanf gif", "ho-chieu-cap-lan-dau"),
])
def test_a_question_typed_with_the_telex_keys_left_in_is_answered(matcher, question, entry_id):
    """With the input method off, every word keeps its keys ("lamf" for làm): each of these got a
    menu or the bare fallback before such words were read as the syllables they spell (telex.py)."""
    match = matcher.answer(question)
    assert match.tier == "answer" and match.entry.id == entry_id


def test_own_eval_set_floors_hold_with_the_meaning_signal(kb, semantic):
    scores = evaluate(Matcher(kb, MatcherSettings(), semantic), load_eval_set(REPO / "tests" / "data" / "matcher_eval.yaml"))
    report = "\n".join(scores.misses)
    assert scores.top1 >= 0.92, report
    assert scores.wrong_answer_rate <= 0.02, report
    assert scores.off_topic_answered_rate <= 0.05, report


def test_the_citizen_sees_both_answers_and_a_helpful_fallback(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo, matcher=MatcherSettings()) as h:
        chat = Chat(h, "u1")
        first, second = chat.say(TWO)
        kb = h.runtime.knowledge.current.kb
        for (text, _), entry in zip((first, second), (kb.get("ho-tich-ket-hon"), kb.get("gplx-cap-lai")), strict=True):
            assert text.startswith((entry.short_answer or entry.answer)[:30])  # what a citizen reads first
        assert first[1][-2:] == second[1][-2:] == ["Hữu ích", "Chưa đúng"]
        lost, offer = chat.say(ALSO_VAGUE)
        fee = kb.get("can-cuoc-le-phi")
        assert lost[0].startswith((kb.get("can-cuoc-cap-lai").short_answer or "")[:30]) and lost[1][-1] == "Chưa đúng"
        assert offer == ("Bạn còn hỏi thêm nội dung dưới đây? Bấm để xem câu trả lời.", [fee.question])
        assert chat.click(fee.question)[0][0].startswith((fee.short_answer or fee.answer)[:30])
        (fallback,) = chat.say(RELATED)
        assert fallback[0].startswith("Xin lỗi, hiện tôi chưa có thông tin về câu hỏi này.")
        kb = h.runtime.knowledge.current.kb
        # Both related entries, in the ranking's order, before the usual ways out.
        assert sorted(fallback[1][:2]) == sorted([kb.get("gplx-hang-moi").question, kb.get("gplx-cap-lai").question])
        assert fallback[1][2:] == ["Gọi tổng đài", "Cổng Dịch vụ công", "Gặp cán bộ"]
        licence = kb.get("gplx-cap-lai")
        assert chat.click(licence.question)[0][0].startswith((licence.short_answer or licence.answer)[:30])


def test_a_huge_paste_of_questions_costs_the_worker_well_under_a_second_or_two(matcher):
    """A webhook may carry 64 KB of text. Read whole, a 25,000-character paste of questions took
    5.7 s of a worker (every sentence scored against every candidate, some embedded); the
    matcher now reads Zalo's 2,000 characters, and at most 12 sentences of them."""
    questions = ["làm căn cước ở đâu?", "đăng ký kết hôn cần gì?", "lệ phí hộ chiếu bao nhiêu?",
                 "bằng lái hết hạn đổi ở đâu?", "tạm trú đăng ký thế nào?"]
    paste = " ".join(questions[i % 5] for i in range(2500))
    assert len(paste) > 60_000
    started = time.perf_counter()
    match = matcher.answer(paste)
    assert time.perf_counter() - started < 2.0
    assert len(match.question) == 2000
    assert len(segments(paste)) == 12


def test_courtesy_around_a_short_question_does_not_move_its_meaning(matcher):
    """A short question is embedded without its padding and with its abbreviations expanded
    (matcher._closeness): "dạ cho em hỏi … ạ" and "cccd" do not pull the meaning signal towards
    entries that happen to be phrased politely (sixteenth round: +4 short messages right when
    each batch is left out, bench/README.md)."""
    plain = matcher.answer("làm căn cước công dân ở đâu")
    padded = matcher.answer("dạ cho em hỏi làm cccd ở đâu ạ")
    assert padded.signals.similarity == pytest.approx(plain.signals.similarity, abs=1e-6)
    assert padded.entry is not None and padded.entry == plain.entry
