"""Words citizens use interchangeably when asking about procedures.

Each group lists one- or two-syllable phrases (a syllable, or a bigram the index knows) that mean
the same thing in a question. A query term whose synonym appears in a phrasing earns most, not
all, of its weight there, so an exact wording still wins over a synonym. Staff who find a missing
pair should rather add an `alternatives` phrasing to the entry; this table is for vocabulary that
cuts across many entries. Staff extend it without touching code in `knowledge/synonyms.yaml`
(local wording, read by the knowledge loader into `KnowledgeBase.synonyms`); their groups join
these on equal terms.

Only interchangeable wording belongs here, never a pair added because one test question missed.
Deliberately absent: words that are related but not interchangeable ("hủy"/"rút", "kích hoạt"/
"xác thực", "quốc tế"/"nước ngoài") and words too general to vouch for a topic ("xem").
"""

from __future__ import annotations

from bot.matcher.normalize import normalize

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("sửa", "chỉnh sửa", "thay đổi", "cập nhật", "điều chỉnh", "cải chính"),
    ("đổi", "thay đổi"),
    ("cấp lại", "làm lại"),
    ("mất", "thất lạc", "đánh rơi", "làm rơi"),
    ("kiểm tra", "tra cứu"),
    ("phí", "lệ phí", "chi phí"),
    ("nộp", "đóng"),
    ("công ty", "doanh nghiệp"),
    ("bằng lái", "phép lái"),
    ("sổ đỏ", "sổ hồng", "dụng đất"),
    ("hộ khẩu", "thường trú"),
    ("kết hôn", "cưới"),
    ("ly hôn", "ly dị"),
    ("khai tử", "báo tử"),
    ("mua bán", "chuyển nhượng"),
    ("thời gian", "thời hạn", "bao lâu"),
    ("giấy tờ", "hồ sơ"),
    ("điện thoại", "mobile", "di động"),
    ("website", "trang web"),
    ("lỗi", "sự cố"),
    ("góp ý", "phản ánh", "kiến nghị", "phản hồi"),
    ("tệp", "file"),
    ("hộ chiếu", "passport"),
    ("lương hưu", "hưu trí"),
    # Loanwords citizens type for the portal's own vocabulary.
    ("trực tuyến", "qua mạng", "trên mạng", "điện tử"),
    ("upload", "tải lên"),
    ("download", "tải về", "tải xuống"),
    ("web", "website"),
    ("email", "mail", "gmail"),
    ("link", "đường dẫn"),
    ("browser", "trình duyệt"),
    ("server", "máy chủ"),
    ("tệp", "tập tin"),
    ("account", "tài khoản"),
    ("sms", "tin nhắn"),
    ("login", "đăng nhập"),
    ("logout", "đăng xuất"),
    ("font", "phông chữ"),
    ("internet", "mạng"),
    # Everyday words for the same administrative notion.
    ("trạng thái", "tình trạng", "tiến độ"),
    ("cán bộ", "công chức", "nhân viên"),
    ("sai", "nhầm", "không đúng"),
    ("chậm", "trễ"),
    ("hư", "hỏng", "rách", "gãy"),
    ("qua đời", "tử vong", "chết"),
    ("xe máy", "mô tô"),
    ("ô tô", "xe hơi"),
    ("ảnh", "hình"),
    ("trẻ em", "em bé", "trẻ con", "con nhỏ", "bé"),
    ("thanh toán", "nộp tiền", "đóng tiền", "trả tiền"),
)


def synonym_terms(staff: tuple[tuple[str, ...], ...] = ()) -> dict[str, frozenset[str]]:
    """Folded term -> the other terms of its groups, built-in and `staff` ones alike (one- or
    two-syllable phrases only; the loader rejects longer staff phrases)."""
    table: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS + staff:
        terms = [" ".join(normalize(phrase)) for phrase in group]
        for term in terms:
            table.setdefault(term, set()).update(t for t in terms if t != term)
    return {term: frozenset(others) for term, others in table.items()}
