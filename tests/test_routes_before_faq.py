"""Which messages never reach the FAQ matcher: the routes above "FAQ" that read the text alone.
The benchmarks count these as not answered from the FAQ (bench/matcher_sets.answer), so their
names must stay those of the dispatch table."""

from __future__ import annotations

import pytest

from handlers import ROUTES, taken_before_faq

ROUTE_NAMES = [name for name, _, _ in ROUTES]


@pytest.mark.parametrize(("text", "route"), [
    ("Chào buổi sáng ad 🌞", "small talk"),  # the matcher alone answers it with the office hours
    ("cảm ơn ad nhiều ạ 🙏", "small talk"),
    ("gặp cán bộ", "commands"),
    ("tôi muốn phản ánh cán bộ xã gây khó dễ", "a complaint typed out: the feedback flow"),
    ("7", "a bare number or one character: a prompt"),
])
def test_a_message_answered_before_the_faq_is_named_by_its_route(text, route):
    assert taken_before_faq(text) == route
    assert ROUTE_NAMES.index(route) < ROUTE_NAMES.index("FAQ")


def test_a_question_with_a_greeting_still_reaches_the_faq():
    assert taken_before_faq("Chào buổi sáng ad, bộ phận một cửa mấy giờ mở cửa ạ?") is None
