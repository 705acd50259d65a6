"""What conversations remember about each citizen: one module per table group, each the only owner
of its tables (docs/storage.md), named after the handlers they serve (handlers/feedback.py and
handlers/ticket_status.py → tickets, handlers/handoff.py → handoffs, handlers/ratings.py → ratings,
handlers/privacy.py → erasure and forgotten, …)."""
