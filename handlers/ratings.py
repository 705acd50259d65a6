"""Answers carry a small "Hữu ích / Chưa đúng" rating. The answer is logged first (bot/conversations/ratings.py)
so the button needs only the log id; "Chưa đúng" files the question, with the entry it wrongly
got, in the unanswered log that staff work through (bot/knowledge/unanswered.py).

Citizens also type it: "sai rồi", "không đúng", "chưa đúng" sent as a whole message shortly
after an answer rate that answer like the button. Sent when the bot's last reply was not an
answer, it gets a short prompt instead of being matched against the FAQ."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.conversations import ratings
from bot.core import Context
from bot.events import Event
from bot.intents import match, table
from bot.kb_model import Entry
from bot.knowledge import unanswered
from bot.log_ids import user_ref
from bot.matcher import Match
from bot.replies import Reply, button
from bot.zalo.messages import MAX_BUTTONS

VERDICTS = {"up": "helpful", "down": "wrong"}
TYPED_WRONG = table({"wrong": ("sai", "sai rồi", "sai rồi bạn", "không đúng", "chưa đúng", "không đúng rồi",
                               "chưa đúng rồi", "trả lời sai", "trả lời sai rồi", "trả lời không đúng",
                               "trả lời chưa đúng", "không chính xác", "chưa chính xác", "sai bét", "nhầm rồi",
                               "sai mất rồi", "bot trả lời sai", "không phải cái tôi hỏi", "không phải ý tôi")})
TYPED_WINDOW = timedelta(minutes=30)  # "sai rồi" later than this is not about the last answer


def rated(replies: list[Reply], entry: Entry, event: Event, ctx: Context, question: str, score: float,
          *, chosen: bool = False) -> list[Reply]:
    """`replies` (an answer) with the rating buttons on its last message, or after it when full;
    `chosen` when the citizen tapped the entry among the bot's choices."""
    answer_id = ratings.log_answer(ctx.storage, event.user_id or "", question, entry.id, score, ctx.now, chosen=chosen)
    rating = (button("Hữu ích", f"#rate:{answer_id}:up"), button("Chưa đúng", f"#rate:{answer_id}:down"))
    last = replies[-1]
    if len(last.buttons) + len(rating) <= MAX_BUTTONS:
        return [*replies[:-1], dataclasses.replace(last, buttons=(*last.buttons, *rating))]
    return [*replies, Reply(text="Câu trả lời có giúp ích cho bạn không?", buttons=rating)]


def on_payload(event: Event, ctx: Context, argument: str) -> list[Reply]:
    """`#rate:<answer id>:up|down`."""
    answer_id, _, vote = argument.partition(":")
    verdict = VERDICTS.get(vote)
    result = None
    if verdict and answer_id.isdigit():
        result = ratings.rate(ctx.storage, int(answer_id), event.user_id or "", verdict, ctx.now)
    if result is None:
        return [Reply(text="Đánh giá này không còn hiệu lực. Cảm ơn bạn đã quan tâm!")]
    if verdict == "helpful":
        return [Reply(text="Cảm ơn bạn đã đánh giá!")]
    answer, new = result
    if new:
        entry = ctx.knowledge.kb.get(answer.entry_id)
        candidates = ((entry, answer.score),) if entry else ()
        match = Match(answer.question, "answer", entry, answer.score, (), candidates)
        unanswered.record(ctx.storage, answer.question, match, "rated_wrong", abbreviations=ctx.knowledge.kb.abbreviations,
                          asker=user_ref(event.user_id, ctx.config.secrets.log_key), now=ctx.now)
    return [Reply(text=ctx.render("Cảm ơn bạn đã góp ý! Câu hỏi đã được ghi lại để cán bộ bổ sung, chỉnh sửa câu trả lời. "
                                  "Bạn có thể gặp cán bộ hoặc gọi {hotline} để được hướng dẫn."),
                  buttons=(button("Gặp cán bộ", "#handoff"),))]


def is_typed_wrong(event: Event, ctx: Context) -> bool:
    """The whole message says the answer was wrong ("sai rồi", "khong dung")."""
    return event.kind == "text" and match(event.text.strip(), TYPED_WRONG) is not None


def on_typed_wrong(event: Event, ctx: Context) -> list[Reply]:
    """A "Chưa đúng" for the citizen's last answer when it was the bot's last reply to them."""
    answer = ratings.latest(ctx.storage, event.user_id or "", ctx.now - TYPED_WINDOW)
    asker = user_ref(event.user_id, ctx.config.secrets.log_key)
    if answer is not None and not unanswered.asked_since(ctx.storage, asker, answer.created_at):
        return on_payload(event, ctx, f"{answer.id}:down")
    return [Reply(text=ctx.render("Bạn cho biết điều gì chưa đúng nhé: nhắn lại câu hỏi cụ thể hơn để tôi tìm lại, "
                                  "hoặc gặp cán bộ để được hướng dẫn."),
                  buttons=(button("Gặp cán bộ", "#handoff"), button("Gửi phản ánh, kiến nghị", "#feedback")))]
