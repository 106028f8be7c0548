"""The rules: allegations (the lexicon) about targets, stated as fact (no blocker).

An allegation counts only if it is about a target: in the same clause, the same sentence, or
through a singular pronoun that refers back to one; not a vague group ("politicians",
"these people").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workers.scoring.defamation.blockers import (
    allegation_blocked,
    attributed,
    comment_disclaimed,
    victim_or_topic_use,
)
from workers.scoring.defamation.patterns import allegations
from workers.scoring.defamation.targets import Mention, find_targets

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_CLAUSE_BREAK = re.compile(r"[,;:]|\s(?:but|and\s+then|while|whereas|because|so)\s|\s-\s", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """An allegation (its span in the text) stated as fact about a target."""

    target: Mention
    allegation: tuple[int, int]


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence; "Dr." and initials do not end one."""
    spans = []
    for match in _SENTENCE.finditer(_protect_abbreviations(text)):
        if match.group(0).strip():
            spans.append((match.start(), match.end()))
    return spans


def _protect_abbreviations(text: str) -> str:
    """Replace the dot of 'Dr.', 'Mr.', 'No.', initials etc. so they don't end a sentence.

    Same length as text, so offsets stay valid.
    """
    return re.sub(
        r"\b(Dr|Mr|Mrs|Ms|Smt|Sri|Shri|Prof|Adv|Fr|St|No|Rs|Capt|Col|Gen|Lt|Jr|Sr|vs|etc|Pvt|Ltd|Co|"
        r"Inc|Corp|[A-Z])\.",
        lambda m: m.group(1) + "\x00",
        text,
    )


def _clause_bounds(sentence: str, index: int) -> tuple[int, int]:
    start, end = 0, len(sentence)
    for brk in _CLAUSE_BREAK.finditer(sentence):
        if brk.end() <= index:
            start = brk.end()
        elif brk.start() >= index:
            end = brk.start()
            break
    return start, end


def _agent_after_by(sentence: str, end: int, offset: int, targets: list[Mention]) -> Mention | None:
    """For a passive allegation, the target named as its agent: "... were abused by Swami X"."""
    by = re.match(r"\s+(?:\w+\s+){0,3}?by\s+", sentence[end:])
    if not by:
        return None
    agent_start = offset + end + by.end()
    return next((t for t in targets if agent_start <= t.start <= agent_start + 4), None)


def find_defamation(text: str, article_names: set[str] | frozenset[str] = frozenset()) -> list[Finding]:
    """Each allegation stated as fact about an identified target, with that target."""
    return scan(text, find_targets(text, article_names))[0]


def may_allege(text: str) -> bool:
    """Whether scan could see an allegation in text (given targets): if not, no rule can flag it."""
    if any(next(allegations(text[start:end]), None) is not None for start, end in sentences(text)):
        return True
    return comment_disclaimed(text) and next(allegations(text), None) is not None


def scan(text: str, targets: list[Mention]) -> tuple[list[Finding], bool]:
    """find_defamation, given the text's targets; also says whether any allegation was seen at all.

    A text that identifies no one can't defame anyone: the (costly) allegation lexicon is not run on it.
    """
    if not targets:
        return [], False
    if comment_disclaimed(text):
        return [], next(allegations(text), None) is not None
    seen = False
    findings: list[Finding] = []
    earlier_target: Mention | None = None
    for sent_start, sent_end in sentences(text):
        sentence = text[sent_start:sent_end]
        sentence_targets = [t for t in targets if sent_start <= t.start < sent_end]
        attribution_before = attributed(text[:sent_start])
        for match in allegations(sentence):
            seen = True
            if attribution_before or allegation_blocked(sentence, match.start(), match.end()):
                continue
            clause_start, _ = _clause_bounds(sentence, match.start())
            misuse = victim_or_topic_use(sentence, match.start(), clause_start)
            if misuse == "passive":
                target = _agent_after_by(sentence, match.end(), sent_start, sentence_targets)
            elif misuse is not None:
                continue
            else:
                target = _target_for(sentence, sent_start, match, sentence_targets, earlier_target)
            if target is not None:
                findings.append(Finding(target, (sent_start + match.start(), sent_start + match.end())))
        if sentence_targets:
            earlier_target = sentence_targets[-1]
    return findings, seen


_VAGUE_SUBJECT = re.compile(
    r"\b(?:politicians|officials|officers|leaders|ministers|doctors|hospitals|builders|contractors|"
    r"police(?:men)?|cops|babus|bureaucrats|journalists|reporters|media|companies|banks|traders|"
    r"they|them|these|those|everyone|everybody|all|most|many|some|people|anyone|someone|somebody|"
    r"nobody|whoever|such|lot|lots|half|gang|folks|guys|netas|neta|system|government|govt|"
    r"department|dept|authorities|party|parties|staff|employees|agents|priests|swamis|babas)\b",
    re.IGNORECASE,
)
_SINGULAR_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)
_VAGUE_OPENING = re.compile(
    r"^\W*(?:(?:and|but|so|yes|well)\W+)?(?:many|most|some|all|several|few|these|those|such|every|each|half|"
    r"a\s+lot|lots|plenty|none|both|politicians|officials|officers|people|they|netas|leaders|employees|"
    r"staff|doctors|cops|policemen)\b",
    re.IGNORECASE,
)


def _target_for(
    sentence: str,
    offset: int,
    match: re.Match,
    sentence_targets: list[Mention],
    earlier_target: Mention | None,
) -> Mention | None:
    """The identified target an allegation is about, or None for vague or unattached ones."""
    clause_start, clause_end = _clause_bounds(sentence, match.start())
    subject_span = sentence[clause_start : match.start()]
    if _VAGUE_OPENING.match(subject_span) and not re.search(
        r"\b(?:know|knows|knew|aware|saw|seen|witnessed)\b", subject_span, re.IGNORECASE
    ):
        return None  # "Many officials in the RTO are corrupt": about a group
    in_clause = [t for t in sentence_targets if offset + clause_start <= t.start < offset + clause_end]
    # Exclude the allegation's own words ("Criminal" at sentence start is not a name).
    in_clause = [t for t in in_clause if not (offset + match.start() <= t.start < offset + match.end())]
    if in_clause:
        before = [t for t in in_clause if t.start < offset + match.start()]
        return before[-1] if before else in_clause[0]
    subject_text = sentence[clause_start : match.start()]
    # The subject sits at the start of the clause: "builders cheat everyone", not
    # "built the drain with half the cement and kept the rest".
    subject_head = " ".join(subject_text.split()[:4])
    if _VAGUE_SUBJECT.search(subject_head) and not _SINGULAR_PRONOUN.search(subject_head):
        return None
    others = [t for t in sentence_targets if not (offset + match.start() <= t.start < offset + match.end())]
    if others:
        before = [t for t in others if t.start < offset + match.start()]
        return before[-1] if before else others[0]
    if earlier_target is not None and _SINGULAR_PRONOUN.search(sentence):
        return earlier_target
    if earlier_target is not None and not subject_text.strip():
        return earlier_target
    return None
