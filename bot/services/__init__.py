"""The rules the interfaces share: the command line (bot/cli/), the admin API (admin/) and the web
console (console/) call these functions, so each rule (the handoff timeout, answering a ticket
inside or outside Zalo's window) is written once. Campaigns keep theirs in
bot/campaigns/service.py."""
