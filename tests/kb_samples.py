"""Small knowledge directories for the knowledge-base tests, written into tmp dirs."""

from __future__ import annotations

import textwrap
from pathlib import Path

# Tests assert line numbers counted in these texts: keep them in step when editing.
BIRTH = """\
topic: Hộ tịch
entries:
  - id: khai-sinh
    question: Đăng ký khai sinh cần giấy tờ gì?
    alternatives:
      - lam giay khai sinh can gi
      - thủ tục khai sinh cho con
    answer: |
      Mang giấy chứng sinh và căn cước của cha mẹ đến UBND cấp xã.
      Hỏi thêm: {hotline}.
    source: Luật Hộ tịch 2014
    reviewed: 2025-11-20
    examples:
      - lam giay khai sinh cho con can giay to gi
    buttons:
      - title: Kết hôn
        entry: ket-hon
"""
MARRIAGE = """\
topic: Kết hôn
entries:
  - id: ket-hon
    question: Đăng ký kết hôn làm ở đâu?
    alternatives: [dang ky ket hon o dau, thủ tục đăng ký kết hôn]
    answer: Hai bạn đến UBND cấp xã nơi một trong hai người cư trú.
    source: Luật Hộ tịch 2014
    reviewed: 2025-11-20
    examples: [dang ky ket hon o dau vay]
"""


def write(directory: Path, **files: str) -> Path:
    """Write `name=text` pairs as `name.yaml` (underscores become dashes: ho_tich -> ho-tich.yaml)."""
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / f"{name.replace('_', '-')}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory
