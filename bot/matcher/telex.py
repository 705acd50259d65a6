"""Words typed in Telex with the input method off: "lamf" is làm, "cuwowcs" is cước, "ddi" is đi.

Vietnamese keyboards (Unikey, a phone's Telex layout) turn key sequences into marked letters:
a tone key (s f r x j) after the vowel, a doubled vowel (aa ee oo for â ê ô), a w (aw ow uw for
ă ơ ư) and dd for đ. When the method is off or misfires, the keys stay in the text and no word of
the message is one the knowledge base writes ("hoj chieeus sawps heets hanj" for "hộ chiếu sắp
hết hạn"). No unmarked Vietnamese syllable ends in s, f, r, x or j or carries a w, so such a word
is read as the syllable it spells, when that is a syllable at all. Slipped keys show in several
words of a message, while an English word ("bus", "max") spells a syllable by chance: a text's
words are read as Telex only when at least two different ones spell one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONE_KEYS = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VOWEL_KEYS = re.compile(r"uwow|uow|aw|ow|uw|aa|ee|oo|w")
_VOWEL_LETTERS = {"uwow": "ươ", "uow": "ươ", "aw": "ă", "ow": "ơ", "uw": "ư", "aa": "â", "ee": "ê", "oo": "ô", "w": "ư"}
_MARKED_VOWELS = frozenset("ăâêôơư")
# what may follow a tone key: it is typed last, or before the final consonants ("tiesng")
_CODAS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
# A syllable once folded: an onset ("qu" and "gi" take their u and i), a vowel cluster, a coda.
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnrstvx])?"
    r"(oai|oay|oao|oeo|ieu|yeu|uoi|uou|uya|uye|uyu|uay|ai|ao|au|ay|eo|ia|ie|iu|oa|oe|oi|ua|ue|ui|uo|uu|uy|ye|[aeiouy])"
    r"(ch|ng|nh|[cmnpt])?"
)
_FOLD = str.maketrans("ăâêôơư", "aaeoou")
_ASCII_WORD = re.compile(r"[a-z]+")
# a key left in some word: a tone key a syllable's length after a plain vowel, a doubled vowel, w or dd
_TRACE = re.compile(r"[aeiouy][a-z]{0,5}[sfrxj]|aa|ee|oo|w|dd")


def decode(text: str, words: list[str]) -> list[str]:
    """The `words` of `text` (lower-case) with each Telex-spelled word replaced by the syllable
    it spells, or unchanged when fewer than two different ones are spelled that way. Texts with
    no trace of a key are not read word by word: every answer of the knowledge base passes here
    at each start."""
    if not _TRACE.search(text):
        return words
    spelled = {word: syllable for word in set(words) if (syllable := _syllable(word)) is not None}
    return [spelled.get(word, word) for word in words] if len(spelled) >= 2 else words


@lru_cache(maxsize=1 << 16)
def _syllable(word: str) -> str | None:
    """The marked syllable a Telex key sequence spells, or None when `word` has no Telex key or
    spells no syllable. Cached: every text the matcher reads, answers included, passes here."""
    if not _ASCII_WORD.fullmatch(word) or not any(c in "aeiouyw" for c in word):
        return None
    first_vowel = next(i for i, c in enumerate(word) if c in "aeiouyw")
    key = next((i for i, c in enumerate(word) if c in _TONE_KEYS and i > first_vowel and word[i + 1:] in _CODAS), None)
    tone = "" if key is None else _TONE_KEYS[word[key]]
    letters = word if key is None else word[:key] + word[key + 1:]
    if letters.startswith("dd"):
        letters = "đ" + letters[2:]
    letters = _VOWEL_KEYS.sub(lambda m: _VOWEL_LETTERS[m.group()], letters)
    if letters == word:
        return None
    parts = _SYLLABLE.fullmatch(letters.translate(_FOLD))
    if parts is None or "ưo" in letters:  # ư before o is always ươ
        return None
    return unicodedata.normalize("NFC", _place_tone(letters, parts, tone)) if tone else letters


def _place_tone(letters: str, parts: re.Match[str], tone: str) -> str:
    """`letters` with `tone` on the vowel the spelling rules give it: a marked vowel (ơ of ươ),
    else the last vowel before a coda, else the middle of three vowels or the first of two."""
    start, end = parts.span(2)
    cluster = range(start, end)
    marked = [i for i in cluster if letters[i] in _MARKED_VOWELS]
    if marked:
        at = marked[-1]
    elif parts.group(3):
        at = end - 1
    else:
        at = start + (1 if len(cluster) == 3 else 0)
    return letters[:at + 1] + tone + letters[at + 1:]
