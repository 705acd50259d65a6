"""Free-text questions: answer from the knowledge base (both answers when a message asks two
things), offer choices when unsure, say honestly when there is no answer — and still offer the
closest entries beside the hotline and portal when some entry is related."""

from __future__ import annotations

from datetime import date

from bot.conversations import ratings as answers
from bot.core import Context
from bot.events import Event
from bot.intents import match, table
from bot.kb_model import Entry
from bot.knowledge import unanswered
from bot.log_ids import user_ref
from bot.replies import Reply, phone_button, query_button, url_button
from bot.zalo.messages import MAX_BUTTONS, ZaloButton
from handlers import ratings

DETAIL_TITLE = "Xem chi tiết"
ALSO_OFFERED = "Bạn còn hỏi thêm nội dung dưới đây? Bấm để xem câu trả lời."
RATING_BUTTONS = 2  # "Hữu ích", "Chưa đúng" (handlers/ratings.py)
TYPED_DETAIL = table({"detail": ("xem chi tiết", "chi tiết", "xem chi tiết hơn", "xem đầy đủ", "xem thêm chi tiết")})


def applies(event: Event, ctx: Context) -> bool:
    return event.kind == "text" and bool(event.text.strip())


def handle(event: Event, ctx: Context) -> list[Reply]:
    match = ctx.knowledge.matcher.answer(event.text)
    if match.tier == "answer" and match.entry is not None:
        replies = ratings.rated(answer_replies(match.entry, ctx), match.entry, event, ctx, event.text, match.score)
        if match.also is not None:  # the message's second question, answered and rated on its own
            replies += ratings.rated(answer_replies(match.also, ctx), match.also, event, ctx, event.text, match.score)
        elif match.also_offered is not None:  # ... or, when less clear, one tap away
            replies.append(Reply(text=ALSO_OFFERED, buttons=(query_button(match.also_offered.question,
                                                                          f"#faq:{match.also_offered.id}", show=False),)))
        return replies
    unanswered.record(ctx.storage, event.text, match, match.tier, abbreviations=ctx.knowledge.kb.abbreviations,
                      asker=user_ref(event.user_id, ctx.config.secrets.log_key))
    if match.tier == "suggest" and match.suggestions:
        buttons = tuple(query_button(e.question, f"#faq:{e.id}", show=False) for e in match.suggestions)
        return [Reply(text="Có phải bạn muốn hỏi:", buttons=buttons)]
    return [fallback_reply(ctx, match.related)]


def answer_replies(entry: Entry, ctx: Context) -> list[Reply]:
    """The short answer first when the entry has one, with "Xem chi tiết" for the full answer (the
    rating buttons must fit too, so the entry's own buttons may wait for the full answer)."""
    buttons = tuple(b for b in (entry_button(button, ctx) for button in entry.buttons) if b)
    if not entry.short_answer:
        return [Reply(text=caveat(entry, ctx) + ctx.render(entry.answer, entry.facts), buttons=buttons)]
    more = query_button(DETAIL_TITLE, f"#detail:{entry.id}", show=False)
    return [Reply(text=caveat(entry, ctx) + ctx.render(entry.short_answer, entry.facts),
                  buttons=(more, *buttons)[:MAX_BUTTONS - RATING_BUTTONS])]


def detail_replies(entry: Entry, ctx: Context) -> list[Reply]:
    """The full answer, asked for with "Xem chi tiết" (already rated with the short answer)."""
    buttons = tuple(b for b in (entry_button(button, ctx) for button in entry.buttons) if b)
    return [Reply(text=caveat(entry, ctx) + ctx.render(entry.answer, entry.facts), buttons=buttons)]


def is_typed_detail(event: Event, ctx: Context) -> bool:
    """The whole message is "xem chi tiết": citizens type the button's title too."""
    return event.kind == "text" and match(event.text.strip(), TYPED_DETAIL) is not None


def on_typed_detail(event: Event, ctx: Context) -> list[Reply]:
    """The full answer of the citizen's last answer (as the button would), else a prompt: the words
    alone are no question for the FAQ or for the unanswered log."""
    answer = answers.latest(ctx.storage, event.user_id or "", ctx.now - ratings.TYPED_WINDOW)
    entry = ctx.knowledge.kb.get(answer.entry_id) if answer else None
    if entry is not None:
        return detail_replies(entry, ctx)
    return [Reply(text="Bạn muốn xem chi tiết thủ tục nào? Bạn nhắn câu hỏi, ví dụ: \"làm căn cước cần gì\".")]


def caveat(entry: Entry, ctx: Context) -> str:
    """Past its `valid_until` an entry is still answered, but the citizen is told to check first."""
    if not entry.expired(ctx.now.date()):
        return ""
    until = date.fromisoformat(entry.valid_until).strftime("%d/%m/%Y")
    return ctx.render(f"Lưu ý: thông tin dưới đây được xác nhận đến ngày {until} và có thể đã thay đổi. "
                      "Bạn vui lòng gọi {hotline} để được xác nhận trước khi làm thủ tục.\n\n")


def entry_button(button, ctx: Context) -> ZaloButton | None:
    if button.kind in ("url", "phone"):  # none while the agency setting it needs is unset
        value = ctx.link(button.value)
        return None if value is None else (url_button if button.kind == "url" else phone_button)(button.title, value)
    target = ctx.knowledge.kb.get(ctx.render(button.value))
    return query_button(button.title, f"#faq:{target.id}", show=False) if target else None


def fallback_reply(ctx: Context, related: tuple[Entry, ...] = ()) -> Reply:
    """No answer; the related entries (at most two) come first as choices, then hotline, portal
    and staff, so a citizen whose question is close to an entry is one tap from it."""
    text = ctx.render(
        "Xin lỗi, hiện tôi chưa có thông tin về câu hỏi này. Câu hỏi của bạn đã được ghi lại để bổ sung.\n"
        "Bạn có thể gọi {hotline} hoặc tra cứu tại {portal} để được hướng dẫn."
    )
    if related:
        text += "\nNếu bạn muốn hỏi một trong các nội dung gần nhất dưới đây, hãy bấm chọn."
    choices = tuple(query_button(e.question, f"#faq:{e.id}", show=False) for e in related[:2])
    hotline, portal = ctx.link("{hotline}"), ctx.link("{portal}")  # None while unset in config.yaml
    buttons = ((phone_button("Gọi tổng đài", hotline),) if hotline else ()) + \
              ((url_button("Cổng Dịch vụ công", portal),) if portal else ())
    return Reply(text=text, buttons=(*choices, *buttons, query_button("Gặp cán bộ", "#handoff", show=False)))
