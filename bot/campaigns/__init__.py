"""Scheduled broadcast campaigns: officers plan them in YAML, the bot delivers each message once.

Modules: model/loader/content/yamlsource (what a campaign is, validated with file:line errors),
store/runs (campaign rows, runs, misfire policy), audience/delivery (who gets it, one row per
recipient), sender/article/ratelimit/runner (delivery through Zalo), schedule/scheduler/lease
(when, in exactly one process), timing (when it really goes out, warnings), reconcile (settling
ambiguous deliveries from the OA's conversation), report, followers, labels (Vietnamese words for
every status and reason code), service (what the CLI and admin API call).
"""
