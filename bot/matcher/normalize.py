"""Vietnamese text normalisation shared by the index, the query and the knowledge-base tooling.

Citizens type with or without diacritics, in teencode ("lm cccd can j"), with polite padding
("cho em hỏi … với ạ") and in capitals. Everything the matcher compares goes through `analyse`,
so the index and the query always agree on what a token is:

- `fold(text)`: NFC, lower case, diacritics removed (including `đ`→`d`, which NFD does not
  decompose), anything that is not a letter or digit turned into one space.
- `analyse(text, abbreviations)`: the tokens of `text`, each as a (folded, accented) pair, after
  a letter stretched for emphasis is typed once, Telex keys left in by an input method that was
  off are read as the syllables they spell (telex.py), whole-token abbreviation expansion,
  regional words read as the standard ones, place names read as one neutral word (places.py),
  and filler removal. The accented form is kept so that the
  matcher can use diacritic agreement as a tie-breaker when the query has diacritics.
- `normalize(text, abbreviations)`: the folded tokens of `analyse`, for scoring and for tooling
  (for example, spotting two entries whose phrasings normalise to the same text).
- `has_diacritics(text)`: whether a text's accents are worth comparing at all.
The built-in abbreviation table is in abbreviations.py; staff extend it in
`knowledge/abbreviations.yaml`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from bot.matcher import telex
from bot.matcher.abbreviations import ABBREVIATIONS, REGIONAL_WORDS, regional
from bot.matcher.places import BY_FIRST, NAMES, PLACE_WORD, UNMARKED_AMBIGUOUS

_WORD = re.compile(r"[^\W_]+")
# A letter typed three times or more at the end of a word is stretched for emphasis ("khônggg",
# "gấp lắmmm"): no Vietnamese word has one letter thrice ("cccd" is an abbreviation).
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}$")
_THRICE = re.compile(r"([^\W\d_])\1\1")
_FOLD_TABLE = {
    ord(c): unicodedata.normalize("NFD", c)[0]
    for c in map(chr, range(0xC0, 0x1EFF + 1))
    if unicodedata.normalize("NFD", c)[0] != c and unicodedata.normalize("NFD", c)[0].isascii()
}
_FOLD_TABLE.update({ord("đ"): "d", ord("Đ"): "D"})

# Both spellings are in use ("kí"/"ký", "lí"/"lý", "công ti"/"công ty"); compare them as one.
_I_TO_Y = {f"{c}i": f"{c}y" for c in ("k", "l", "m", "s", "t", "h", "qu")}
# Pronouns, particles and courtesy words, compared exactly as written. Forms that collide with a
# content word once diacritics are gone are listed only with their diacritics: "mình" (chứng
# minh), "chị" (chi phí), "bạn" (bản sao), "hỏi" (xã hội), "tôi" (tội); plain "anh" and "nha"
# are left alone because unaccented they are usually "ảnh" and "nhà".
_FILLERS = frozenset(
    "a ah ak à ạ ơi oi nhé nhe nhỉ nè ne dạ hả hở vậy z vui lòng giúp giùm dùm chào hello hi "
    "cảm cám ơn thanks tks ad admin shop em e c tôi toi tớ mình chị bạn hỏi".split()
)
# A polite opening: "(cho|xin) [pronoun] hỏi", removed even without diacritics.
_ASK = frozenset({"cho", "xin"})
_PRONOUNS = frozenset({"em", "e", "minh", "toi", "to", "anh", "chi", "ban", "a", "c", "mik"})


class Token(NamedTuple):
    """One syllable: `folded` is what scoring compares; `accented` is the lower-case NFC form."""

    folded: str
    accented: str


def fold(text: str) -> str:
    """Lower-case, diacritic-free, punctuation-free form of `text`, words separated by one space."""
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE)
    return " ".join(_WORD.findall(text))


def has_diacritics(text: str) -> bool:
    """True when `text` carries Vietnamese diacritics, i.e. its accents are worth comparing."""
    lowered = unicodedata.normalize("NFC", text).lower()
    return lowered.translate(_FOLD_TABLE) != lowered


def analyse(text: str, abbreviations: Mapping[str, str] | None = None) -> list[Token]:
    """Tokens of `text` after abbreviation expansion and filler removal (see module docstring).

    `abbreviations` maps folded tokens to their expansion (staff extensions from the knowledge
    directory); it is consulted before the built-in table. A token written with diacritics is
    never treated as an abbreviation: "hồng" (sổ hồng) must not become "không"; it is read as
    the standard word only when it is a word of regional speech ("mần" → làm). The two
    spellings of a final i/y ("kí"/"ký") fold to the same syllable.
    """
    tokens: list[Token] = []
    lowered = unicodedata.normalize("NFC", text).lower()
    words = _WORD.findall(lowered)
    if _THRICE.search(lowered):
        words = [_unstretched(word) for word in words]
    words = telex.decode(lowered, words)
    for i, word in enumerate(words):
        folded, token, marked = _syllable(word)
        if marked:
            expansion = (regional(word, words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else "")
                         if word in REGIONAL_WORDS else None)
        else:
            expansion = abbreviations.get(folded) if abbreviations else None
            if expansion is None:
                expansion = ABBREVIATIONS.get(folded)
        if expansion is None:
            tokens.append(token)
        else:
            tokens.extend(Token(w.translate(_FOLD_TABLE), w) for w in _WORD.findall(expansion.lower()))
    return _drop_fillers(_name_places(tokens))


def normalize(text: str, abbreviations: Mapping[str, str] | None = None) -> list[str]:
    """Folded tokens of `text` after abbreviation expansion and filler removal."""
    return [token.folded for token in analyse(text, abbreviations)]


@lru_cache(maxsize=1 << 16)
def _syllable(word: str) -> tuple[str, Token, bool]:
    """A lower-case word's plain folded form, its token and whether it is `_marked`. Cached:
    Vietnamese has a few thousand syllables, and folding them one character at a time was most
    of the cost of analysing the answer texts the matcher reads (about 0.3 ms for a 700-character
    answer, 0.12 ms cached); checking the marks of every word was a sixth of a restart's
    analysis at 10,000 entries."""
    folded = word.translate(_FOLD_TABLE)
    return folded, Token(_I_TO_Y.get(folded, folded), word), _marked(word)


def _unstretched(word: str) -> str:
    """`word` with a stretched last letter typed once; an abbreviation ("pccc") has no vowel."""
    stretched = _STRETCHED.search(word)
    if stretched is None or not any(c in "aeiouy" for c in word.translate(_FOLD_TABLE)):
        return word
    return word[:stretched.start() + 1]


def _marked(word: str) -> bool:
    """Has tone or vowel marks (đ alone does not count: "đc", "đk" are abbreviations)."""
    return word.replace("đ", "d").translate(_FOLD_TABLE) != word.replace("đ", "d")


_PLACE = Token(PLACE_WORD.translate(_FOLD_TABLE), PLACE_WORD)
_END = Token("", "")
# what a text is screened for: a name's first two folded syllables, or a name of one syllable
_OPENINGS = frozenset((name[0], name[1]) for name in NAMES if len(name) > 1)
_SINGLES = frozenset(name[0] for name in NAMES if len(name) == 1)


def _name_places(tokens: list[Token]) -> list[Token]:
    """Each place name (places.py) replaced by PLACE_WORD, longest name first. Most texts name
    no place, and the knowledge base's answers are analysed whole at every build: the texts are
    screened for a name's first two syllables in one pass before any is read token by token."""
    starts = [i for i, (first, second) in enumerate(pairwise([*tokens, _END]))
              if first.folded in BY_FIRST
              and (first.folded in _SINGLES or (first.folded, second.folded) in _OPENINGS)]
    if not starts:
        return tokens
    named: list[Token] = []
    i = 0
    for start in starts:
        if start < i:
            continue
        length = next((len(name) for name in BY_FIRST[tokens[start].folded]
                       if _is_place(name, tokens[start:start + len(name)])), 0)
        if length:
            named.extend(tokens[i:start])
            named.append(_PLACE)
            i = start + length
    return named + tokens[i:]


def _is_place(name: tuple[str, ...], window: list[Token]) -> bool:
    """Whether `window` is the place `name` (folded syllables): its syllables fold to the name's,
    each syllable typed with marks carries the name's own ("ghi sai gọn" is not Sài Gòn; "Thanh
    Hoá" is Thanh Hóa), and a name that is also an everyday phrase once unmarked is typed with
    some of its marks."""
    if len(window) < len(name) or any(token.folded != syllable for token, syllable in zip(window, name, strict=False)):
        return False
    written = NAMES[name]
    marked = [_marked(token.accented) for token in window]
    if any(m and _marks(token.accented) != _marks(syllable) for m, token, syllable in zip(marked, window, written, strict=True)):
        return False
    return any(marked) or " ".join(t.folded for t in window) not in UNMARKED_AMBIGUOUS


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


def _marks(syllable: str) -> tuple[str, str]:
    """A syllable's letters with their vowel marks, and its tone, wherever the tone was placed
    ("hoá" and "hóa" are one syllable typed in the old and the new style)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if c not in _TONES), "".join(c for c in decomposed if c in _TONES)


def _drop_fillers(tokens: list[Token]) -> list[Token]:
    """Remove polite padding; keep the question itself even if it was all padding."""
    kept: list[Token] = []
    skip_until = 0
    for i, token in enumerate(tokens):
        if i < skip_until:
            continue
        opening = _polite_ask(tokens, i) if token.folded in _ASK else 0
        if opening:
            skip_until = i + opening
        elif token.accented not in _FILLERS:
            kept.append(token)
    return kept or tokens


def _polite_ask(tokens: list[Token], i: int) -> int:
    """Length of a "(cho|xin) [pronoun] hỏi" opening starting at `i`, or 0."""
    j = i + 1
    if j < len(tokens) and tokens[j].folded in _PRONOUNS:
        j += 1
    if j < len(tokens) and tokens[j].folded == "hoi" and tokens[j].accented in ("hoi", "hỏi"):
        return j - i + 1
    return 0
