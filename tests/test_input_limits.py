"""Input from outside is parsed with limits: JSON bodies of the admin API, YAML from officers and staff."""

from __future__ import annotations

import shutil
import time
from zoneinfo import ZoneInfo

import pytest

from bot import safeyaml
from bot.campaigns.loader import LoadContext, load_file
from bot.campaigns.yamlsource import CampaignError
from bot.config import ConfigError, MatcherSettings, load_config
from bot.knowledge.live import LiveKnowledge
from tests.harness import ADMIN_TOKEN, REPO, Harness

SPINE_KB = REPO / "tests" / "data" / "spine_kb"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def h(tmp_path, fake_zalo):
    with Harness(tmp_path, fake_zalo) as harness:
        yield harness


def _no_traceback(caplog) -> bool:
    return not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def test_admin_json_body_nested_too_deeply_is_400(h, caplog):
    response = h.client.post("/admin/api/tickets/PA-1/reply", data=b"[" * 30_000,
                             headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert _no_traceback(caplog)


def laughs(levels: int) -> str:
    """"Billion laughs": each level is nine aliases of the one before; 9 levels stand for 9^9 strings."""
    lines = ['  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"[:levels - 1], strict=False):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


CAMPAIGN = "title: Tin thử\naudience: {all_followers: true}\nmessage: {text: Chào}\n"
DEEP = "note: " + "[" * 30_000 + "\n"


def test_the_full_billion_laughs_is_refused_at_once():
    document = "note:\n" + laughs(9)
    assert len(document.encode()) < 400
    started = time.perf_counter()
    with pytest.raises(safeyaml.YAMLInputError) as refused:
        safeyaml.load(document)
    assert time.perf_counter() - started < 0.1
    assert refused.value.line == 6 and "bí danh" in refused.value.message


def test_admin_campaign_alias_bomb_is_400_fast_and_nothing_is_stored(h):
    started = time.perf_counter()
    response = h.client.post("/admin/api/campaigns", data=CAMPAIGN + "note:\n" + laughs(6), headers=AUTH)
    assert response.status_code == 400 and time.perf_counter() - started < 1.0
    assert "bí danh" in response.get_json()["problems"][0]
    assert h.client.get("/admin/api/campaigns", headers=AUTH).get_json()["campaigns"] == []


@pytest.mark.parametrize("nested, line", [(DEEP, 4), ("note:\n" + "- " * 5_000 + "x\n", 5)], ids=["flow", "block"])
def test_admin_campaign_nested_too_deeply_is_400_without_a_traceback(h, caplog, nested, line):
    response = h.client.post("/admin/api/campaigns", data=CAMPAIGN + nested, headers=AUTH)
    assert response.status_code == 400
    assert response.get_json()["problems"] == [f"request:{line}: dữ liệu lồng nhau quá 40 tầng"]
    assert _no_traceback(caplog)


@pytest.mark.parametrize("content, line, message", [
    ("topic: Hộ tịch\nentries:\n" + laughs(6).replace("  a:", "  - a:").replace("\n  ", "\n    ", 5), 7, "bí danh"),
    ("topic: Hộ tịch\nentries:\n  - id: " + "[" * 5_000 + "\n", 3, "lồng nhau quá 40 tầng"),
    ("topic: Hộ tịch\nentries:\n  - id: x\n    question Khai sinh cần gì\n    answer: Mang giấy chứng sinh.\n", 4,
     "lỗi cú pháp YAML: thiếu dấu hai chấm"),
], ids=["alias-bomb", "deep", "syntax"])
def test_a_knowledge_file_refused_by_the_loader_is_reported_and_the_last_good_stays(tmp_path, caplog, content, line,
                                                                                   message):
    directory = tmp_path / "kb"
    shutil.copytree(SPINE_KB, directory)
    live = LiveKnowledge(directory, MatcherSettings())
    before = live.current
    (directory / "ho-tich.yaml").write_text(content, encoding="utf-8")
    started = time.perf_counter()
    assert not live.reload_if_changed() and not live.reload_if_changed()  # seen, then settled and read
    assert time.perf_counter() - started < 1.0
    assert live.current is before
    assert any(e.startswith(f"{directory / 'ho-tich.yaml'}:{line}: lỗi: ") and message in e for e in live.error), live.error
    assert _no_traceback(caplog)


@pytest.mark.parametrize("content, expected", [
    (CAMPAIGN + "note:\n" + laughs(6), "x.yaml:9: các bí danh YAML"),
    (CAMPAIGN + DEEP, "x.yaml:4: dữ liệu lồng nhau quá 40 tầng"),
    (CAMPAIGN + "note: 'chưa đóng\n", "x.yaml:4: lỗi cú pháp YAML: thiếu dấu ngoặc kép đóng"),
], ids=["alias-bomb", "deep", "syntax"])
def test_a_campaign_file_refused_by_the_loader_names_file_and_line(tmp_path, content, expected):
    path = tmp_path / "x.yaml"
    path.write_text(content, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(CampaignError) as refused:
        load_file(path, LoadContext({}, {}, ZoneInfo("Asia/Ho_Chi_Minh")))
    assert time.perf_counter() - started < 1.0
    assert [p.replace(str(tmp_path) + "/", "") for p in refused.value.problems][0].startswith(expected), refused.value.problems


def test_config_yaml_nested_too_deeply_names_file_and_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("agency:\n  name: " + "[" * 5_000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml:2: dữ liệu lồng nhau quá 40 tầng"):
        load_config(path, env={})


@pytest.mark.parametrize("text, line", [
    ("a: 1\n- b\n", 2), ("a: [1, 2\n", 2), ("a: {b: 1\n", 2), ("a: @x\n", 1), ("a: 'chưa đóng\n", 1),
    ('a: "x\\q"\n', 1), ("a: 1\n---\nb: 2\n", 2), ("a: b\n\tc: d\n", 2), ("  a: 1\nb: 2\n", 2), ("a: *\n", 1),
    ("a: !!python/object:os.system x\n", 1), ("title: T\nenabled true\nnote: x\n", 2), ("a: b: c\n", 1),
])
def test_syntax_errors_are_explained_in_vietnamese_with_their_line(text, line):
    with pytest.raises(safeyaml.YAMLInputError) as refused:
        safeyaml.load(text)
    assert refused.value.line == line
    assert refused.value.message.startswith("lỗi cú pháp YAML: ")
    assert not any(word in refused.value.message for word in ("expected", "found", "while", "could not"))


def test_yaml_larger_than_the_limit_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(safeyaml, "MAX_CHARS", 1_000)
    with pytest.raises(safeyaml.YAMLInputError, match="nội dung YAML quá lớn: 1.010 ký tự, tối đa 1.000"):
        safeyaml.load("a: " + "x" * 1_007)
