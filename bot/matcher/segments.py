"""Split a citizen's message into its sentences, so the question is judged apart from its context.

On Zalo a question often comes wrapped: "Chào anh chị. Con em mới sinh được 2 tuần. Cho em hỏi
làm giấy khai sinh ở đâu ạ? Em cảm ơn." The matcher's confidence is the share of the message the
entry accounts for, so every sentence of context counts against the answer; judged alone, the
question sentence is as clear as it would be typed on its own. A message with two questions
yields two sentences, each answerable; so does one sentence that chains its second question
with "với lại", "ngoài ra", "thêm nữa", ", còn" or ", và" (only after a comma: "còn" alone is
often "still", as in "còn mất bao lâu", and "và" joins the words of one question, as in "giấy
khai sinh và căn cước"). On the tune half each answered one more of 20 two-question messages in
full and changed no other figure (bench/README.md, eighth and ninth rounds). Only a sentence that
`asks` something can be a second question: context ("Bố em mất rồi, đã làm giấy khai tử.") names
procedures too (twelfth round).
"""

from __future__ import annotations

import re

from bot.matcher.normalize import fold

# Sentence ends, line breaks, the "?" of a question even without a space after it, and the
# conjunctions that chain a second question.
_BOUNDARY = re.compile(r"(?<=[.!?…;])\s+|[\r\n]+|(?<=\?)(?=\S)"
                       r"|,\s*(?=(?:còn|và|va)\s)|,?\s+(?=(?:với lại|voi lai|ngoài ra|ngoai ra|thêm nữa)\s)", re.IGNORECASE)
# "Có cần giấy chứng tử không?", "có phải mang giấy khai sinh của cháu ko": whether a paper must
# be brought along, on folded text. Such a sentence asks about the main matter's file, not how to
# get that paper (see `asks_if_needed`).
_NEEDED = re.compile(r"^(?:va |con |vay |the )?(?:co )?(?:can|phai|bat buoc)(?: phai)?"
                     r"(?: (?:mang|nop|kem|co|xuat trinh|dem|photo|chuan bi))?(?: theo| kem)?"
                     r" (?:giay|ban|so|the|ho so|anh|cccd|can cuoc|gks|bang)\b.*"
                     r"\b(?:khong|ko|k|hong|hok|kg)(?: (?:a|ah|vay|nhi|nhe))?$")
# What makes a sentence a question rather than context, on folded text: a question word or
# phrase, a request for help, or a question particle at its end ("sao y", "sao lục" are copies,
# and "đầu" of "lần đầu" folds like "đâu", hence the narrower forms).
_ASKING = re.compile(
    r"\b(?:gi|j|the nao|nhu nao|ra sao|lam sao|sao(?! (?:y|luc|ke|chep))|(?:o|di|tu|nop|lam|den|ve|cho|chon) dau"
    r"|nao|bao nhieu|bao lau|bao gio|khi nao|luc nao|may (?:ngay|thang|nam|tien|ban|buoc|lan|to|loai|gio)"
    r"|ai|(?:duoc|dc) (?:khong|ko|k|kg|hong|hok|chua)|co phai|hay (?:la|phai)|(?:khong|ko|kg|k) hay"
    r"|phai\b.*\bhay|huong dan|chi (?:giup|gium|dum|cho|em|minh|toi|e)|tu van|giai thich"
    r"|(?:cho|xin|muon) (?:em |minh |toi |e )?hoi)\b"
    r"|\b(?:khong|ko|k|kg|hong|hok|chua|chu|ha|nhi|the|vay|z)(?: (?:a|ah|ak|ad|nhe|nha|vay|z|ban|anh|chi|em))*$")
_MIN_WORDS = 2  # a one-word sentence ("Dạ.", "Ok") carries no question of its own
_MIN_CLAUSE_WORDS = 3  # a clause cut at a comma ("…, ở đâu?") must be a question on its own
_COMMA = re.compile(r",\s+")
# "Tiện hỏi luôn", "tiện cho em hỏi": the citizen says a second question starts here, so the words
# before it were a question too, even when they only tell the problem ("sổ đỏ nhà em bị mất rồi").
_BY_THE_WAY = re.compile(r"(?:tiện|tien) (?:đây |day )?(?:cho )?(?:(?:em|e|mình|minh|tôi|toi|tui|con|cháu|chau|chị|chi|anh) )?"
                         r"(?:hỏi|hoi)\b", re.IGNORECASE)
_FOLLOW_UP = re.compile(r"(?:va |con |vay |the )?(?:co )?(?:phai|can|bat buoc)\b")
_REQUEST = re.compile(r"huong dan|chi (?:giup|gium|dum|cho|em|minh|toi|e)|tu van|giai thich"
                      r"|(?:cho|xin|muon) (?:em |minh |toi |e )?hoi")
MAX_SENTENCES = 12  # sentences read of a longer message: each is scored, and may be embedded, on its own


def segments(message: str) -> list[str]:
    """The message's first MAX_SENTENCES sentences of at least two words, when there are two or
    more; else []."""
    parts = [p.strip() for p in _BOUNDARY.split(message) if p and p.strip()]
    parts = [p for p in parts if len(p.split()) >= _MIN_WORDS]
    return parts[:MAX_SENTENCES] if len(parts) >= 2 else []


def questions(message: str) -> list[str]:
    """The message's sentences, each further cut at a comma that separates two questions: "mất
    cccd thì làm lại sao, tiện hỏi luôn vneid quên mật khẩu lấy lại thế nào" asks twice in one
    sentence. A comma cuts only when the words before it since the last cut already ask with a
    question word of their own (a request such as "cho em hỏi" is not one) and the clause after it
    asks too, other than whether the same matter requires something ("làm sao để lên mức 2, có
    phải ra công an không?"); context ("em mới thuê trọ, khai báo tạm trú thế nào") stays with its
    question. A clause that announces another question ("…, tiện hỏi luôn …") always cuts.
    Only the search for a second question reads these; the matcher's sentence features keep
    `segments`, which they were fitted on."""
    found = []
    for sentence in segments(message) or [message]:
        current = ""
        for clause in _COMMA.split(sentence):
            if current and (_BY_THE_WAY.match(clause) or (
                    _asks_itself(current) and asks(clause) and len(clause.split()) >= _MIN_CLAUSE_WORDS
                    and not _FOLLOW_UP.match(fold(clause)))):
                found.append(current)
                current = clause
            else:
                current = f"{current}, {clause}" if current else clause
        found.append(current)
    found = [q for q in found if len(q.split()) >= _MIN_WORDS]
    return found[:MAX_SENTENCES] if len(found) >= 2 else []


def _asks_itself(clause: str) -> bool:
    """Asks with a question word or particle, not only with a request to be answered."""
    folded = fold(clause)
    return "?" in clause or any(m.group(0) and not _REQUEST.fullmatch(m.group(0)) for m in _ASKING.finditer(folded))


def asks(sentence: str) -> bool:
    """Whether the sentence asks something: a "?", a question word, a request for help, or a
    question particle at its end. "Em nghe nói đổi bằng lái online được, làm trên cổng dịch vụ
    công rồi nhận bằng ở nhà." tells the bot what the citizen heard; it names another entry's
    matter, but asks nothing of its own, so it is never answered as a second question."""
    return "?" in sentence or bool(_ASKING.search(fold(sentence)))


def asks_if_needed(sentence: str) -> bool:
    """Whether the sentence only asks if a paper is needed for the matter at hand. Alone, "Có cần
    giấy chứng tử không?" leads clearly with death registration; after "Bố em mất rồi thì làm thủ
    tục thừa kế sang tên thế nào?" it asks about the inheritance file, so it is never taken for
    a second question. "Có phải làm căn cước trước không" (getting the paper) still is."""
    return bool(_NEEDED.match(fold(sentence)))


def own_questions(message: str) -> list[str]:
    """The parts of the message (`questions`) that ask something of their own: not context, and
    not whether the main matter needs some paper. A second answer needs two of them: with one,
    the whole message's answer already answers it, and its own leader ("Căn cước với sổ đỏ ghi
    địa chỉ cũ thì có phải đổi không?" after "Xã em mới sáp nhập") is the same question read
    without its context."""
    parts = questions(message)
    announced = {k for k, part in enumerate(parts[1:]) if _BY_THE_WAY.match(part)}  # the part before "tiện hỏi"
    return [part for k, part in enumerate(parts) if (asks(part) or k in announced) and not asks_if_needed(part)]
