"""Kavalu's categories under the names of the APIs Kavalu stands in for: the one place these mappings live.

Only categories the scorers really output and that decide (the registry, service.scoring.categories:
`toxicity` from the abuse model, `defamation`, `personal`, `spam`, `infringing`) are mapped. The other outputs
of an official Detoxify model (insult, threat, ...) are stored but decide nothing, so Perspective's INSULT,
THREAT, ... answer "not supported" rather than a number nothing in Kavalu stands behind. A mapped attribute
whose category the running scorers did not output for a text is "not supported" too.
"""

from __future__ import annotations

# Perspective attribute -> Kavalu category: Perspective's TOXICITY, then Kavalu's own under their own names.
PERSPECTIVE_ATTRIBUTES: dict[str, str] = {
    "TOXICITY": "toxicity",
    "DEFAMATION": "defamation",
    "PERSONAL_INFO": "personal",
    "SPAM": "spam",
}

# The languages each category is measured in (language subtags). The v2 abuse model is measured in English,
# Hindi (Devanagari and Roman) and Kannada (script and Roman) (workers/abuse_model/MODEL_CARD.md); the
# defamation head reads the English transformer's embeddings; the personal-data patterns and the spam rules
# do not depend on the language. Widen a set here when a model is measured in another language.
CATEGORY_LANGUAGES: dict[str, frozenset[str]] = {
    "toxicity": frozenset({"en", "hi", "kn"}),
    "defamation": frozenset({"en"}),
    "personal": frozenset({"en", "hi", "kn"}),
    "spam": frozenset({"en", "hi", "kn"}),
    "infringing": frozenset({"en", "hi", "kn"}),
}
DEFAULT_LANGUAGE = "en"
# What a language detector says when a text has no letters: no language to refuse.
UNDETERMINED = "und"

# OpenAI moderation category -> the Kavalu category behind it, or None where Kavalu scores nothing like it.
# Only one honest pair: `harassment` is general abuse (toxicity). Kavalu decides nothing on hate, threats,
# sexual content, self-harm, illicit content or violence: those are always false with score 0. What Kavalu
# has and OpenAI lacks (defamation, personal data, spam) shows in `flagged` (service.analyze.openai).
OPENAI_CATEGORIES: dict[str, str | None] = {
    "harassment": "toxicity",
    "harassment/threatening": None,
    "hate": None,
    "hate/threatening": None,
    "illicit": None,
    "illicit/violent": None,
    "self-harm": None,
    "self-harm/intent": None,
    "self-harm/instructions": None,
    "sexual": None,
    "sexual/minors": None,
    "violence": None,
    "violence/graphic": None,
}
OPENAI_MODEL = "kavalu-moderation"


def language_base(tag: str) -> str:
    """`en-GB` -> `en`; `hi-Latn` -> `hi`."""
    return tag.strip().split("-")[0].split("_")[0].lower()


def supports_language(category: str, language: str) -> bool:
    return language_base(language) in CATEGORY_LANGUAGES.get(category, frozenset())
