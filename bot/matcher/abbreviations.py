"""Built-in abbreviation and teencode table: folded whole token -> expansion with diacritics.

Applied to knowledge-base phrasings and to questions alike, so "CCCD" in an entry and
"căn cước công dân" in a question meet in the middle. Only tokens typed without tone or vowel
marks are looked up (teencode is typed that way), which keeps real words such as "hồng" safe.
Staff extend or override this table in `knowledge/abbreviations.yaml` without touching code.

Deliberately absent: ambiguous shorthands whose wrong reading would mislead, e.g. "hong"
(không / sổ hồng), "tt" (thủ tục / thông tin / thanh toán), "nc" (nước / nói chuyện).

`REGIONAL` is the other way round: words of Central and Southern speech, looked up only as
typed WITH their marks ("mần" is làm; plain "man" is anything), read as the standard word. A
word that means something else in the standard language is left out: "răng" (sao, or a tooth
the health insurance pays for), "mô" (đâu, or "mô hình"), "chi" (gì, or "chi phí").
"""

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
}
