"""Blockers: what keeps an allegation from being stated as fact about whoever the comment names.

A question, a conditional, a hedge ("allegedly", "I think"), a negation, a defence ("falsely
accused"), a report attributed to police, a court or someone else ("Victim X said ..."), a
disclaimer for the whole comment ("no proof"); or a crime word whose named person is its victim
("X was cheated by ...") or its topic ("exposed the sand mafia").
"""

from __future__ import annotations

import re

_QUESTION_OPENERS = re.compile(
    r"^\s*(?:will|why|did|does|do|is|was|were|are|has|have|had|how|who|what|can|could|should|"
    r"shall|would|when|where|which|whether|isn't|wasn't|didn't|doesn't|won't|can't|any\s+idea|"
    r"anyone\s+know)\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(
    r"\b(?:if|unless|in\s+case|whether|suppose|supposing|assuming|what\s+if|even\s+if|"
    r"should\s+(?:he|she|they|it)\s+be\s+found)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:allegedly|alleged|alleges|allegation|allegations|reportedly|rumou?rs?|rumou?red|"
    r"i\s+heard|heard\s+that|(?:was|were)\s+told|told\s+me|tells\s+me|may\s+have|might\s+have|"
    r"could\s+have|may\s+be|might\s+be|possibly|probably|perhaps|maybe|i\s+think|i\s+feel|"
    r"i\s+suspect|i\s+believe|i\s+guess|i\s+wonder|suspect\s+that|seems?\s+(?:to|like|that)|"
    # someone else's belief: "my neighbour thinks the secretary is cheating"
    r"(?:thinks|believes|suspects|feels|doubts)\s+(?:that\s+)?|"
    r"apparently|in\s+my\s+opinion|imo|imho|not\s+sure|unconfirmed|unverified|if\s+true|"
    r"no\s+proof|without\s+proof|no\s+evidence|can't\s+confirm|cannot\s+confirm|claims?\s+that|"
    r"claimed\s+that|accused\s+of|accusation|(?:everyone|everybody|people|some|many|others|they|"
    r"locals|villagers)\s+(?:say|says|said|claim|claims|allege|alleges)|it\s+is\s+said|"
    r"there\s+are\s+(?:talks|reports)|gossip|whispers?|speculat\w*|supposedly|looks\s+like|"
    r"i\s+doubt|doubtful|not\s+believe|don't\s+believe|won't\s+believe|hope\s+(?:it's|it\s+is)\s+not|"
    r"not\s+saying|i'm\s+not\s+accusing|not\s+accusing|suspicious)\b"
    # Someone else's words, reported: "Victim Shalini said the contractor harassed her".
    r"|(?<!\bi\s)(?<!\bwe\s)(?<!\bwho\s)\b(?:said|says|claimed|claims|complained|complains|stated|"
    r"testified|told\s+(?:the\s+)?(?:police|media|reporters|court|tv))\b(?=\s+\w)",
    re.IGNORECASE,
)
# Reports attributed to police, courts or investigators, not the commenter's own claim.
_ATTRIBUTION = re.compile(
    r"\b(?:police\s+(?:say|says|said|have\s+said|stated|claim|claimed|registered|booked|arrested|"
    r"filed|told|confirmed|suspect|suspected|allege|alleged|found|caught|nabbed|seized)|"
    r"(?:caught|nabbed|held|picked\s+up)\s+by\s+(?:the\s+)?(?:police|cops|cid|cbi|customs)|"
    r"(?:reports?|sources|officials|officers|investigators|media\s+reports)\s+(?:say|says|said|suggest|claim)|"
    r"pending\s+(?:an?\s+)?(?:inquiry|enquiry|investigation|probe|trial)|"
    r"(?:was|were|has\s+been|have\s+been|got)\s+suspended|"
    r"according\s+to|as\s+per|"
    r"chargesheet(?:ed)?|charge[\s\-]sheet(?:ed)?|fir\b|f\.i\.r|judge\s+(?:said|held|ruled)|"
    r"court\s+(?:said|says|held|ruled|convicted|acquitted|found|ordered|sentenced|observed|noted|granted|"
    r"rejected|dismissed|fined|has|had|verdict|order|case|documents|records)|(?:by|in|before|to)\s+(?:the\s+)?"
    r"(?:\w+\s+)?court\b|"
    r"convicted|acquitted|sentenced|found\s+guilty|pleaded\s+guilty|pleads\s+guilty|"
    r"(?:was|were|has\s+been|have\s+been|had\s+been|got|is|being)\s+(?:arrested|booked|charged|"
    r"chargesheeted|detained|remanded|summoned|indicted|named)|booked\s+(?:for|under)|"
    r"charged\s+(?:with|under)|case\s+(?:has\s+been\s+|was\s+|is\s+)?(?:registered|filed|booked)|"
    r"complaint\s+(?:has\s+been\s+|was\s+)?(?:filed|lodged|registered)|under\s+investigation|"
    r"investigation\s+is\s+on|probe\s+(?:is\s+on|found|revealed)|cbi\s+(?:said|found|raid)|"
    r"ed\s+(?:said|found|raid)|lokayukta\s+(?:raid\w*|report|found|officials|police|said|says|probe|case|"
    r"sleuths)|raided|report(?:ed)?\s+(?:by|in)|as\s+reported|"
    r"news\s+report|this\s+(?:portal|article|paper|report)\s+(?:says|said|reported)|"
    r"the\s+article\s+says|on\s+bail|released\s+on\s+bail|trial\s+court|high\s+court|"
    r"supreme\s+court|verdict|judgment|judgement)",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|never|no|didn't|did\s+not|doesn't|does\s+not|don't|do\s+not|isn't|is\s+not|wasn't|"
    r"was\s+not|hasn't|has\s+not|haven't|won't|cannot|can't|nor|neither|without|falsely|false|"
    r"wrongly|baseless|innocent|framed|never\s+ever|stop)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
# Allegation phrases that carry their own negation and must not be cancelled by it.
_SELF_NEGATED = re.compile(
    r"^(?:not\s+an?\s+(?:real|genuine|qualified|registered|licensed|true|trained|certified)\b|"
    r"(?:doesn't|does\s+not|didn't|did\s+not|never|not|won't|refuses\s+to|refused\s+to)\s+pay)",
    re.I,
)
_DEFENCE = re.compile(
    r"\b(?:falsely\s+accused|false\s+allegations?|baseless|was\s+framed|is\s+innocent|"
    r"honest\s+(?:officer|man|person|leader)|clean\s+image|never\s+took|"
    r"(?:it\s+is|it's|it\s+was)\s+(?:false|untrue|not\s+true|a\s+lie|wrong\s+to\s+say)\s+that|"
    # political rhetoric, not a factual allegation: "cheating the public with empty promises"
    r"empty\s+promises|false\s+promises\s+to\s+(?:the\s+)?(?:public|people|voters|nation)|jumlas?)\b",
    re.IGNORECASE,
)


def is_question(sentence: str) -> bool:
    """Ends with "?" or opens like a question ("Did ...", "Why ...")."""
    return sentence.rstrip().endswith("?") or bool(_QUESTION_OPENERS.match(sentence))


def allegation_blocked(sentence: str, start: int, end: int) -> bool:
    """Whether the allegation at sentence[start:end] is asked, conditional, hedged, attributed, defended or negated."""
    before = sentence[:start]
    if is_question(sentence) or _CONDITIONAL.search(before):
        return True
    if _HEDGE.search(sentence) or _ATTRIBUTION.search(sentence) or _DEFENCE.search(sentence):
        return True
    phrase = sentence[start:end]
    return bool(_NEGATION.search(before) and not _SELF_NEGATED.match(phrase))


_PASSIVE_AUXILIARY = re.compile(
    r"\b(?:was|were|is|are|been|being|be|got|get|gets|getting)\s+(?:\w+ly\s+|also\s+|not\s+)?$", re.I
)
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|his|her|their|its|our|my|your|this|that|these|those)\s+$", re.I)
_NOT_PARTICIPLES = {"involved", "mixed", "addicted", "interested", "obsessed", "known", "hand", "neck"}
# Crime words as a topic, not as the commenter's accusation: "exposed the sand mafia",
# "a film about a corrupt cop", "the victims of the fraud".
_TOPIC_BEFORE = re.compile(
    r"\b(?:expos(?:ed|es|ing)|against|fight(?:s|ing)?|fought|about|crack(?:ed|ing|s)?\s+down\s+on|"
    r"bust(?:ed|s|ing)?|unearth(?:ed|s|ing)?|(?:piece|story|article|report|series|documentary|film|movie|"
    r"book|novel|play|talk|lecture|seminar|awareness|case|probe|inquiry|enquiry|investigation)\s+"
    r"(?:on|about|into|of|in)|victims?\s+of|rescued|arrest\s+of|justice\s+for|action\s+against|"
    r"complaint\s+against|crusade\s+against|war\s+on|free\s+from|rid\s+of|anti|stop(?:ped|ping)?|"
    r"prevent(?:ed|ing|s)?|curb(?:ed|ing|s)?|caught|catch|nab(?:bed)?|arrest(?:ed|ing)?|punish(?:ed|ing)?|"
    r"hang|jail|protest(?:ed|ing)?)\b(?:\W+\w+){0,4}?\W*$",
    re.IGNORECASE,
)


def _is_participle(word: str) -> bool:
    word = word.lower()
    return word not in _NOT_PARTICIPLES and (
        word.endswith(("ed", "en"))
        or word in {"stolen", "burnt", "sold", "beaten", "shot", "stabbed", "kept", "hit", "slain"}
    )


def victim_or_topic_use(sentence: str, start: int, clause_start: int) -> str | None:
    """Why an allegation word is not an accusation against whoever the sentence names:
    "passive" (the named person is the victim), "attributive" ("the kidnapped child")
    or "topic" ("exposed the sand mafia"); None when it reads as an accusation."""
    before = sentence[clause_start:start]
    first_word = re.match(r"[\w'-]+", sentence[start:])
    first = first_word.group(0) if first_word else ""
    if _is_participle(first) and _PASSIVE_AUXILIARY.search(before):
        return "passive"
    if _is_participle(first) and _DETERMINER_BEFORE.search(before):
        return "attributive"
    if _TOPIC_BEFORE.search(before):
        return "topic"
    return None


def comment_disclaimed(text: str) -> bool:
    """Disclaimers that withdraw every claim in the comment."""
    return bool(
        re.search(
            r"\b(?:no\s+proof|without\s+proof|no\s+evidence|(?:nobody|no\s+one|none)\s+(?:has|have|had)\s+"
            r"(?:any\s+)?(?:proof|evidence)|lack\s+of\s+(?:proof|evidence)|not\s+sure\s+if|just\s+a\s+rumou?r|"
            r"only\s+rumou?rs?|unverified|not\s+verified|i\s+will\s+not\s+believe|don't\s+believe\s+it|"
            r"may\s+not\s+be\s+true|might\s+not\s+be\s+true|if\s+(?:this\s+is\s+|it\s+is\s+)?true)\b",
            text,
            re.IGNORECASE,
        )
    )


def attributed(text: str) -> bool:
    """Whether text reports what police, a court or investigators say or did."""
    return _ATTRIBUTION.search(text) is not None


def nothing_stated_as_fact(sentence: str) -> bool:
    """A question, or a hedge, attribution, condition or defence anywhere in the sentence."""
    return bool(
        is_question(sentence)
        or _HEDGE.search(sentence)
        or _ATTRIBUTION.search(sentence)
        or _CONDITIONAL.search(sentence)
        or _DEFENCE.search(sentence)
    )
