"""What a question asks for — documents, place, time, fee, definition — as extra index terms.

Sibling entries often share their topic words and differ only in this: "làm căn cước cần gì"
(documents) versus "làm căn cước ở đâu" (place) versus "… bao nhiêu tiền" (fee). The words that
carry it ("cần", "gì", "ở", "đâu") are function words, rightly weighted low as topic evidence,
so the kind is added as a term of its own ("?docs", "?where", …) on both the question and the
phrasings, where its IDF weighs it like any other term.
Patterns are folded token sequences, matched as whole tokens.
"""

from __future__ import annotations

PATTERNS: dict[str, tuple[str, ...]] = {
    "?docs": ("can gi", "can nhung gi", "giay to gi", "ho so gi", "ho so gom", "thanh phan ho so",
              "mang theo gi", "chuan bi gi", "can giay to", "can mang"),
    "?where": ("o dau", "cho nao", "noi nao", "tai dau", "dia chi", "den dau"),
    "?time": ("bao lau", "may ngay", "bao nhieu ngay", "thoi han", "khi nao", "bao gio", "thoi gian"),
    "?fee": ("bao nhieu tien", "het bao nhieu", "le phi", "chi phi", "mat phi", "phi bao nhieu", "tien bao nhieu"),
    "?what": ("la gi", "nghia la gi", "la the nao"),
}
_LONGEST = max(len(p.split()) for patterns in PATTERNS.values() for p in patterns)
_LOOKUP: dict[tuple[str, ...], str] = {tuple(p.split()): kind for kind, ps in PATTERNS.items() for p in ps}
_OPENING = frozenset(pattern[0] for pattern in _LOOKUP)  # every phrasing is read at each build: skip most tokens at once


def question_kinds(folded: list[str]) -> list[str]:
    """The kinds whose patterns occur in the folded tokens, each once."""
    found: dict[str, None] = {}
    for start in (i for i, token in enumerate(folded) if token in _OPENING):
        for length in range(1, _LONGEST + 1):
            kind = _LOOKUP.get(tuple(folded[start:start + length]))
            if kind:
                found[kind] = None
    return list(found)
