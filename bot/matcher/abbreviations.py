"""Built-in abbreviation and teencode table: folded whole token -> expansion with diacritics.

Applied to knowledge-base phrasings and to questions alike, so "CCCD" in an entry and
"căn cước công dân" in a question meet in the middle. Only tokens typed without tone or vowel
marks are looked up (teencode is typed that way), which keeps real words such as "hồng" safe.
Staff extend or override this table in `knowledge/abbreviations.yaml` without touching code.

Deliberately absent: ambiguous shorthands whose wrong reading would mislead, e.g. "hong"
(không / sổ hồng), "tt" (thủ tục / thông tin / thanh toán), "nc" (nước / nói chuyện).

`REGIONAL` is the other way round: words of Central and Southern speech, looked up only as
typed WITH their marks ("mần" is làm; plain "man" is anything), read as the standard word. A
word that is also a standard word is read as the regional one only away from the compounds
that make it standard (`REGIONAL_UNLESS`): "mô" is đâu except in "quy mô", "mô hình", "mô tô";
"răng" is sao where a question word goes (ending a clause, opening the message), except beside
"trám", "nhổ", "hàm", "sâu" (a tooth the health insurance pays for).
"chi" (gì, or "chi phí", "chi trả", "chi tiết", ...) is left out: typed without marks in both
meanings, it would be the one unmarked word read as regional speech, and read as gì where it ends
a question it changed no answer on the tune halves (bench/README.md, twenty-sixth round).
"""

from __future__ import annotations

from dataclasses import dataclass

ABBREVIATIONS: dict[str, str] = {
    # không, được, gì, …
    "ko": "không", "k": "không", "kh": "không", "khg": "không", "hok": "không", "hem": "không", "kg": "không",
    "dc": "được", "dk": "đăng ký",
    "j": "gì", "ji": "gì",
    "dky": "đăng ký", "dki": "đăng ký", "dangky": "đăng ký",
    "lm": "làm", "ntn": "như thế nào", "lsao": "làm sao",
    "bn": "bao nhiêu", "bnhieu": "bao nhiêu", "bnh": "bao nhiêu", "nhiu": "nhiêu",
    "vs": "với", "ms": "mới", "r": "rồi", "trc": "trước", "cx": "cũng", "cg": "cũng",
    "dzay": "vậy", "nhen": "nhé", "nghen": "nhé",
    "bik": "biết", "bit": "biết", "ng": "người", "mn": "mọi người", "mng": "mọi người", "vk": "vợ",
    "tgian": "thời gian", "tg": "thời gian", "thgian": "thời gian",
    # documents and agencies
    "cccd": "căn cước công dân", "cmnd": "chứng minh nhân dân", "cmt": "chứng minh nhân dân",
    "gplx": "giấy phép lái xe", "bhyt": "bảo hiểm y tế", "bhxh": "bảo hiểm xã hội",
    "bhtn": "bảo hiểm thất nghiệp", "tthc": "thủ tục hành chính", "dvc": "dịch vụ công",
    "dvctt": "dịch vụ công trực tuyến", "cchc": "cải cách hành chính", "gcn": "giấy chứng nhận",
    "gks": "giấy khai sinh", "llpt": "lý lịch tư pháp", "lltp": "lý lịch tư pháp",
    "gpkd": "giấy phép kinh doanh", "dkkd": "đăng ký kinh doanh",
    "hkd": "hộ kinh doanh", "dn": "doanh nghiệp", "cty": "công ty", "mst": "mã số thuế",
    "qsdd": "quyền sử dụng đất", "ubnd": "ủy ban nhân dân", "hs": "hồ sơ", "hso": "hồ sơ", "ltp": "lý lịch tư pháp",
    "kd": "kinh doanh",
    "xnc": "xuất nhập cảnh", "hchieu": "hộ chiếu", "sdt": "số điện thoại", "dt": "điện thoại",
    "mk": "mật khẩu", "pass": "mật khẩu", "password": "mật khẩu", "tk": "tài khoản",
    "acc": "tài khoản", "tp": "thành phố", "online": "trực tuyến",
    "onl": "trực tuyến", "app": "ứng dụng",
    "pccc": "phòng cháy chữa cháy", "vsattp": "vệ sinh an toàn thực phẩm", "attp": "an toàn thực phẩm",
    "tncn": "thu nhập cá nhân", "shtt": "sở hữu trí tuệ", "hdnd": "hội đồng nhân dân",
    "gpxd": "giấy phép xây dựng", "bds": "bất động sản", "nvqs": "nghĩa vụ quân sự",
    "hdld": "hợp đồng lao động", "kcb": "khám chữa bệnh", "xnk": "xuất nhập khẩu",
    "sv": "sinh viên", "hssv": "học sinh sinh viên", "bv": "bệnh viện",
    "xkld": "xuất khẩu lao động", "free": "miễn phí",
}

REGIONAL: dict[str, str] = {
    "mần": "làm", "rứa": "vậy", "dzậy": "vậy", "zậy": "vậy", "hông": "không", "hổng": "không", "hỉ": "nhỉ",
    "chừ": "giờ", "bựa": "bữa",
}

@dataclass(frozen=True)
class Ambiguous:
    """A regional word that is also a standard one, and where it reads as the regional word."""

    reading: str  # the standard word it stands for
    compounds: frozenset[str]  # neighbours with which it keeps its standard meaning
    clause_edge: bool = False  # read so only ending a clause or opening the message


# what may follow a question word that ends a clause
_CLAUSE_END = frozenset("ạ à hỉ nhỉ rứa chừ hè o ad ơi vậy rồi hả hở nghe nha nhé đây".split() + [""])
REGIONAL_UNLESS: dict[str, Ambiguous] = {
    "mô": Ambiguous("đâu", frozenset("quy hình tô tả phỏng".split())),
    # "làm răng" is dental work in "bảo hiểm có trả tiền làm răng không", and "how" in "làm răng ạ"
    "răng": Ambiguous("sao", frozenset("trám nhổ hàm sâu miệng khôn sữa giả sứ niềng chữa đau mọc cạo".split()),
                      clause_edge=True),
}


# screened for before `regional` is asked: most marked words of a text are standard ones
REGIONAL_WORDS = frozenset(REGIONAL) | frozenset(REGIONAL_UNLESS)


def regional(word: str, before: str, after: str) -> str | None:
    """The standard reading of a marked regional word between its neighbours, or None."""
    if word in REGIONAL:
        return REGIONAL[word]
    ambiguous = REGIONAL_UNLESS.get(word)
    if ambiguous is None or before in ambiguous.compounds or after in ambiguous.compounds:
        return None
    if ambiguous.clause_edge and before and after not in _CLAUSE_END:
        return None
    return ambiguous.reading
