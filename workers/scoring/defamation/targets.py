"""Targets: the people and organisations a comment names or clearly identifies.

A title or role with a capitalised name ("Councillor Naresh Poojary", "Dr. Rekha Shenoy",
"manager Lokesh"), an organisation name ("Coastal Granites Ltd"), a singular definite role
("the deputy collector", "our MLA"), a capitalised name or acronym, or a person the article
introduces with a title or role (article_names). Vague groups ("politicians", "BJP leaders")
are not targets: no one in particular can be defamed by what is said about them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workers.scoring.defamation.lexicon import words

_TITLES = words(
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
_ROLE_NOUN = words(_ROLE_NOUNS)
_PERSONAL_NOUNS = {
    "man",
    "woman",
    "guy",
    "fellow",
    "lady",
    "gentleman",
    "chap",
    "person",
    "son",
    "daughter",
    "wife",
    "husband",
    "brother",
    "nephew",
    "son-in-law",
    "member",
    "head",
    "chief",
    "boss",
    "leader",
    "partner",
    "official",
    "employee",
}

_ORG_SUFFIXES = words(
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
    ssc sslc puc cet neet jee icu opd ot ppe mri ct ecg it ipl ict pdf url dj suv bmw gst""".split()  # noqa: SIM905 - a word list reads better as text
)
# Each word of a role ("deputy", "collector"): a role word alone is not a name.
_ROLE_WORDS = {w for phrase in _ROLE_NOUNS.split("|") for w in phrase.split()}
# Sentence-initial capitalised words that are ordinary English, never names.
_COMMON_STARTERS = _NOT_NAMES | {
    "politicians",
    "officials",
    "officers",
    "doctors",
    "teachers",
    "builders",
    "contractors",
    "leaders",
    "ministers",
    "reporters",
    "journalists",
    "everybody",
    "nobody",
    "somebody",
    "such",
    "another",
    "other",
    "others",
    "whoever",
    "anyone",
    "these",
    "those",
    "sir",
    "bro",
    "guys",
    "friends",
    "shameful",
    "disgusting",
    "pathetic",
    "typical",
    "true",
    "false",
    "fake",
    "real",
    "corrupt",
    "corruption",
    "bribery",
    "fraud",
    "cheating",
    "rape",
    "murder",
    "looting",
    "nice",
    "excellent",
    "worst",
    "best",
    "useless",
    "jai",
    "namaste",
    "vande",
    "bharat",
    "mother",
    "father",
    "sister",
    "brother",
    "son",
    "daughter",
    "wife",
    "husband",
    "friend",
    "my",
    "our",
    "everything",
    "nothing",
    "anything",
    "someone",
    "each",
    "every",
    "almost",
    "already",
    "always",
    "sometimes",
    "often",
    "later",
    "earlier",
    "first",
    "last",
    "next",
    "one",
    "two",
    "three",
    "many",
    "more",
    "less",
    "much",
    "big",
    "small",
    "old",
    "new",
    "young",
    "poor",
    "rich",
    "local",
    "lot",
    "lots",
    "half",
    "nowadays",
    "recently",
    "currently",
    "definitely",
    "absolutely",
    "totally",
    "completely",
    "simply",
    "basically",
    "honestly",
    "frankly",
    "personally",
    "seriously",
    "anyway",
    "besides",
    "instead",
    "otherwise",
    "whatever",
    "whenever",
    "wherever",
}

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
    """Where the text names a target, and how."""

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
    determiner = text[match.start() : match.start("role")].split(maxsplit=1)[0].lower()
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
        m
        for m in mentions
        if m.kind == "role" or text[m.start : m.end].endswith(("'s", "’s")) or not _GROUP_AFTER.match(text, m.end)
    ]


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
                for word in match.group("name").split():
                    token = re.sub(r"(?:['’]s)$", "", word.strip(".,"))
                    if len(token) >= 3 and token.lower() not in _COMMON_STARTERS and token.lower() not in _ROLE_WORDS:
                        names.add(token)
    return frozenset(names)
