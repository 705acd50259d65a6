"""The rules the interfaces share: the command line (bot/cli/), the admin API (admin/) and the web
console (console/) call these functions, so each rule (the handoff timeout, answering a ticket
inside or outside Zalo's window) is written once.

Three domains keep their shared functions where their data lives, and the interfaces call them
the same way: campaigns in bot/campaigns/service.py, knowledge editing in bot/knowledge/edit.py
(`apply_alternative`, `apply_entry`, validated and comment-keeping), console accounts in
bot/accounts.py. Every entry point builds its storage and Zalo client with bot/wiring.py.
"""
