"""Split a citizen's message into its sentences, so the question is judged apart from its context.

On Zalo a question often comes wrapped: "Chào anh chị. Con em mới sinh được 2 tuần. Cho em hỏi
làm giấy khai sinh ở đâu ạ? Em cảm ơn." The matcher's confidence is the share of the message the
entry accounts for, so every sentence of context counts against the answer; judged alone, the
question sentence is as clear as it would be typed on its own. A message with two questions
yields two sentences, each answerable; so does one sentence that chains its second question
with "với lại", "ngoài ra", "thêm nữa", ", còn" or ", và" (only after a comma: "còn" alone is
often "still", as in "còn mất bao lâu", and "và" joins the words of one question, as in "giấy
khai sinh và căn cước"). On the tune half each answered one more of 20 two-question messages in
full and changed no other figure (bench/README.md, eighth and ninth rounds).
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
_MIN_WORDS = 2  # a one-word sentence ("Dạ.", "Ok") carries no question of its own
MAX_SENTENCES = 12  # sentences read of a longer message: each is scored, and may be embedded, on its own


def segments(message: str) -> list[str]:
    """The message's first MAX_SENTENCES sentences of at least two words, when there are two or
    more; else []."""
    parts = [p.strip() for p in _BOUNDARY.split(message) if p and p.strip()]
    parts = [p for p in parts if len(p.split()) >= _MIN_WORDS]
    return parts[:MAX_SENTENCES] if len(parts) >= 2 else []


def asks_if_needed(sentence: str) -> bool:
    """Whether the sentence only asks if a paper is needed for the matter at hand. Alone, "Có cần
    giấy chứng tử không?" leads clearly with death registration; after "Bố em mất rồi thì làm thủ
    tục thừa kế sang tên thế nào?" it asks about the inheritance file, so it is never taken for
    a second question. "Có phải làm căn cước trước không" (getting the paper) still is."""
    return bool(_NEEDED.match(fold(sentence)))
