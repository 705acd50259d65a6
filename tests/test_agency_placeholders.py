"""Agency placeholders never reach citizens (issue 14, item 14): with the shipped config.yaml the
name, hotline, e-mail, address and portals are placeholders or empty; answers leave them out or
word them neutrally, never show the same link twice, and `kb check` and `/healthz` warn."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest

from bot.agency import Renderer, is_unset, unset_settings
from bot.cli import main
from bot.config import AgencySettings, load_config
from bot.knowledge import load_knowledge
from tests.conv_support import Chat, write_kb
from tests.dispatchkit import Citizen, Kit, shown
from tests.harness import REPO, Harness

SHIPPED = load_config(REPO / "config.yaml", env={}).agency
PLACEHOLDER_TEXT = ("(tên đơn vị)", "cập nhật tại config.yaml", "1900 0000", "tenmien.gov.vn", "{")
URL = re.compile(r"https?://[^\s,;()]+[^\s,;().]")


def test_unset_means_one_thing() -> None:
    assert unset_settings(SHIPPED) == ["agency.name", "agency.hotline", "agency.email", "agency.address",
                                       "agency.local_portal", "agency.website"]
    assert is_unset("hotline", "1900.0000") and not is_unset("hotline", "1900 1234")
    assert not is_unset("email", "motcua@hanoi.gov.vn") and is_unset("website", " ")
    configured = AgencySettings(name="UBND tỉnh A", email="a@a.gov.vn", address="Số 1", local_portal="https://dvc.a.gov.vn",
                                website="https://a.gov.vn", hotline="0236 3822 123")
    assert unset_settings(configured) == []


def test_no_shipped_answer_shows_a_placeholder_or_a_repeated_link() -> None:
    renderer = Renderer(SHIPPED)
    kb = load_knowledge(REPO / "knowledge")
    for entry, written in [(e, t) for e in kb.entries for t in (e.answer, e.short_answer) if t]:
        text = renderer.render(written, entry.facts)
        assert not [p for p in PLACEHOLDER_TEXT if p in text], (entry.id, text)
        for sentence in re.split(r"\n|(?<=[.;:])\s", text):  # the same link in two sentences is the author's choice
            assert not [u for u, n in Counter(URL.findall(sentence)).items() if n > 1], (entry.id, sentence)
        assert text.strip(), entry.id


@pytest.mark.parametrize(("written", "shown"), [
    ("Tra cứu thủ tục tại {portal} hoặc {local_portal}.", "Tra cứu thủ tục tại https://dichvucong.gov.vn."),
    ("Xem trên {portal}, {local_portal}, bảng niêm yết.", "Xem trên https://dichvucong.gov.vn, bảng niêm yết."),
    ("Cổng quốc gia ({portal}), cổng của tỉnh ({local_portal}).", "Cổng quốc gia (https://dichvucong.gov.vn), cổng của tỉnh."),
    ("Địa chỉ của {agency_short}: {address}.", "Địa chỉ của UBND tỉnh: Trung tâm Phục vụ hành chính công tỉnh."),
    ("Bạn có thể gọi {hotline} hoặc tra cứu tại {portal}.", "Bạn có thể tra cứu tại https://dichvucong.gov.vn."),
    ("Phản ánh qua {hotline}, {email} hoặc hệ thống trên {portal}.", "Phản ánh qua hệ thống trên https://dichvucong.gov.vn."),
    ("Giờ làm việc: 7:30. Điện thoại: {hotline}. Thư điện tử: {email}.", "Giờ làm việc: 7:30."),
    ("Kết quả công bố tại {website}.", "Kết quả công bố tại trang thông tin điện tử của UBND tỉnh."),
    ("Hỏi trước tại {address} hoặc {hotline}.", "Hỏi trước tại Trung tâm Phục vụ hành chính công tỉnh."),
    ("Trợ lý ảo của {agency}.", "Trợ lý ảo của Ủy ban nhân dân tỉnh."),
])
def test_unset_values_are_left_out_or_worded_neutrally(written: str, shown: str) -> None:
    assert Renderer(SHIPPED).render(written) == shown


def test_set_values_are_shown_and_a_link_given_twice_is_listed_once() -> None:
    agency = dataclasses.replace(SHIPPED, hotline="0236 3822 123", local_portal="https://dichvucong.gov.vn/")
    renderer = Renderer(agency)
    assert renderer.render("Gọi {hotline} hoặc xem {portal} hoặc {local_portal}.") == \
        "Gọi 0236 3822 123 hoặc xem https://dichvucong.gov.vn."
    assert renderer.value("{hotline}") == "0236 3822 123" and Renderer(SHIPPED).value("{hotline}") is None


def test_shipped_config_answers_have_no_placeholder_and_health_and_kb_check_warn(
        tmp_path, fake_zalo, monkeypatch, capsys) -> None:
    with Harness(tmp_path, fake_zalo, knowledge_dir=write_kb(tmp_path / "kb"), agency=SHIPPED) as h:
        chat = Chat(h, "u1")
        assert chat.say("xổ số kiến thiết hôm nay") == [(
            "Xin lỗi, hiện tôi chưa có thông tin về câu hỏi này. Câu hỏi của bạn đã được ghi lại để bổ sung.\n"
            "Bạn có thể tra cứu tại https://dichvucong.gov.vn để được hướng dẫn.",
            ["Cổng Dịch vụ công", "Gặp cán bộ"])]  # no "Gọi tổng đài" to a placeholder number
        assert chat.say("dang ky tam tru") == [("Trả lời: Đăng ký tạm trú như thế nào? Hỏi thêm đường dây nóng "
                                                 "của UBND tỉnh.", ["Hữu ích", "Chưa đúng"])]
        health = h.client.get("/healthz").get_json()
        assert health["agency_unset"] == unset_settings(SHIPPED) and health["status"] == "ok"
    monkeypatch.setenv("BOT_CONFIG", str(REPO / "config.yaml"))
    assert main(["kb", "check", "--knowledge", str(tmp_path / "kb")]) == 0
    out = capsys.readouterr().out
    assert "config.yaml: cảnh báo: `agency.hotline` chưa được cập nhật ('1900 0000')" in out


def test_a_shipped_answer_through_the_bot_lists_the_portal_once(tmp_path) -> None:
    """"https://dichvucong.gov.vn, https://dichvucong.gov.vn" and "(địa chỉ cập nhật tại config.yaml)" reached citizens."""
    citizen = Kit(tmp_path, agency=SHIPPED).citizen("u1")
    reform = _in_full(citizen, "cai cach tthc la lam nhung gi")
    one_stop = _in_full(citizen, "co che mot cua la gi")
    assert reform.endswith("Tra cứu thủ tục cụ thể tại https://dichvucong.gov.vn.")
    assert "Địa chỉ của UBND tỉnh: Trung tâm Phục vụ hành chính công tỉnh; giờ làm việc:" in one_stop
    assert not [p for p in PLACEHOLDER_TEXT if p in reform + one_stop]


def _in_full(citizen: Citizen, question: str) -> str:
    """The whole answer: "Xem chi tiết" opens it where the entry leads with a short answer."""
    [(text, buttons)] = shown(citizen.say(question))
    return citizen.tap("Xem chi tiết")[0].text if "Xem chi tiết" in buttons else text
