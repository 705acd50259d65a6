"""The FAQ knowledge base: its data model, YAML loading and validation, and hot reload."""

from bot.knowledge.loader import KnowledgeError, load_knowledge
from bot.knowledge.model import Button, Entry, KnowledgeBase

__all__ = ["Button", "Entry", "KnowledgeBase", "KnowledgeError", "load_knowledge"]
