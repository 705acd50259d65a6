"""Free-text questions: answer from the knowledge base (both answers when a message asks two
things), offer choices when unsure, say honestly when there is no answer — and still offer the
closest entries beside the hotline and portal when some entry is related."""

from __future__ import annotations

from bot.core import Context
from bot.events import Event
from bot.knowledge import unanswered
from bot.knowledge.model import Entry
from bot.privacy import user_ref
from bot.replies import Reply, phone_button, query_button, url_button
from bot.zalo.messages import ZaloButton
from handlers import ratings


def applies(event: Event, ctx: Context) -> bool:
    return event.kind == "text" and bool(event.text.strip())


def handle(event: Event, ctx: Context) -> list[Reply]:
    match = ctx.knowledge.matcher.answer(event.text)
    if match.tier == "answer" and match.entry is not None:
        replies = ratings.rated(answer_replies(match.entry, ctx), match.entry, event, ctx, event.text, match.score)
        if match.also is not None:  # the message's second question, answered and rated on its own
            replies += ratings.rated(answer_replies(match.also, ctx), match.also, event, ctx, event.text, match.score)
        return replies
    unanswered.record(ctx.storage, event.text, match, match.tier, abbreviations=ctx.knowledge.kb.abbreviations,
                      asker=user_ref(event.user_id, ctx.config.secrets.log_key))
    if match.tier == "suggest" and match.suggestions:
        buttons = tuple(query_button(e.question, f"#faq:{e.id}", show=False) for e in match.suggestions)
        return [Reply(text="Có phải bạn muốn hỏi:", buttons=buttons)]
    return [fallback_reply(ctx, match.related)]


def answer_replies(entry: Entry, ctx: Context) -> list[Reply]:
    buttons = tuple(b for b in (entry_button(button, ctx) for button in entry.buttons) if b)
    return [Reply(text=ctx.render(entry.answer), buttons=buttons)]


def entry_button(button, ctx: Context) -> ZaloButton | None:
    value = ctx.render(button.value)
    if button.kind == "url":
        return url_button(button.title, value)
    if button.kind == "phone":
        return phone_button(button.title, value)
    target = ctx.knowledge.kb.get(value)
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
    return Reply(text=text, buttons=(*choices, phone_button("Gọi tổng đài", ctx.render("{hotline}")),
                                     url_button("Cổng Dịch vụ công", ctx.render("{portal}")),
                                     query_button("Gặp cán bộ", "#handoff", show=False)))
