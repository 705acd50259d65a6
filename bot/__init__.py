"""Trợ lý ảo CCHC: a Zalo Official Account assistant for Vietnamese public agencies."""
