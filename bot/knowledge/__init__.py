"""The FAQ knowledge base: its data model, YAML loading and validation, and hot reload."""

from bot.kb_model import Button, Entry, KnowledgeBase
from bot.knowledge.loader import load_knowledge, read_knowledge
from bot.knowledge.problems import KnowledgeError, Problem

__all__ = ["Button", "Entry", "KnowledgeBase", "KnowledgeError", "Problem", "load_knowledge", "read_knowledge"]
