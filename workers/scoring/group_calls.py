"""Calls to kill, burn, drive out or boycott a community, in Hindi and Kannada (script and Roman).

The sources' hate in these languages almost always carries a slur, so the character model, which reads words one by
one, learns the slurs and not the sentence: "ದಲಿತರನ್ನು ಕೊಲ್ಲಬೇಕು" (Dalits must be killed) scored 0.02 and
"मुसलमानों को देश से निकाल दो" (throw the Muslims out of the country) 0.20, because each of their words is also a word
of news. Such a call has a plain shape in both languages, so it is matched as that shape: a community as the object
("musalmano ko", "ಮುಸ್ಲಿಮರನ್ನು"; or its houses, shops or places of worship, "ईसाइयों के घर"), then within WINDOW
words of the same clause an action of ACTIONS as a command, a duty or a first-person promise, with no negation
("mat maaro", don't hit) between; in Hindi also the command first ("bhagao in bangladeshiyon ko"). A community as
the subject ("hindu muslim milke diye jalao", light lamps together) or a past tense (news: "... ko desh se nikaal
diya") is not a call. The blend adds a fixed weight for one
(`group_call`, workers/training/abuse_char.py), as it does for a swear word. Where the call is in quotation marks or
followed by a word of reported speech ("... निकाल दो कहना गलत है", saying so is wrong), it counts half: a reader
quoting it, mostly to condemn it, goes to review rather than being rejected on this alone.

The lists were written for Kavalu (workers/abuse_model/HISTORY.md, 2026-12-07 (y)). English is left to the
transformer, whose stage-2 tuning has threats against groups.
"""

from __future__ import annotations

import re
from functools import lru_cache

from workers.scoring.swear_words import words as _words

# Communities, in Hindi the forms that take "ko" (to) or "ke"/"ki" (of) after them, and the English plurals Hinglish
# uses ("in muslims ko"); in Kannada only the object (accusative, "-ರನ್ನು") and the possessive ("-ರ") forms, because
# as the subject a community lights lamps and builds cities ("ಮಹಿಳೆಯರು ದೀಪ ಹಚ್ಚಿ").
GROUPS = """
musalman musalmaan musalmano musalmanon musalmaano musalmaanon muslim muslims muslimo muslimon mulle mullo mullon
hindu hindus hinduo hinduon sikh sikhs sikho sikhon isai isaiyo isaiyon christian christians christiano
christianon dalit dalits dalito daliton bihari biharis bihariyo bihariyon bangladeshi bangladeshis bangladeshiyo
bangladeshiyon rohingya rohingyas rohingyao rohingyaon madrasi madrasiyo madrasiyon kashmiri kashmiris kashmiriyo
kashmiriyon aurat auraton aurato aurton aurto ladkiyo ladkiyon gays hijde hijdo hijdon kinnar kinnaro kinnaron
adivasi adivasis adivasiyo adivasiyon pravasi pravasiyo pravasiyon migrants refugees shudra shudro shudron brahmin
brahmins brahmino brahminon brahmano brahmanon
मुसलमान मुसलमानों मुस्लिम मुस्लिमों मुल्ले मुल्लों हिंदू हिन्दू हिंदुओं हिन्दुओं सिख सिखों ईसाई ईसाइयों ईसाईयों दलित दलितों
बिहारी बिहारियों बांग्लादेशी बांग्लादेशियों रोहिंग्या रोहिंग्याओं मद्रासी मद्रासियों कश्मीरी कश्मीरियों औरत औरतों महिलाओं
लड़कियों समलैंगिक समलैंगिकों हिजड़े हिजड़ों किन्नर किन्नरों आदिवासी आदिवासियों प्रवासी प्रवासियों शूद्र शूद्रों ब्राह्मण
ब्राह्मणों
"""
# Hindi: the group is the object where "ko" follows it, after at most "log"/"sab" ("rohingya logon ko"); or its
# houses, shops or places of worship ("ईसाइयों के घर जला दो"). "ke beech ki nafrat khatam karo" (end the hatred
# between ...) has neither.
OBJECT_MARKERS = "ko को"
BETWEEN_GROUP_AND_MARKER = "log logon sab sabhi saare sabko लोग लोगों सब सभी सारे"
POSSESSIVE_MARKERS = "ke ki ka के की का"
PROPERTY = """
ghar gharon makaan makan dukaan dukan dukaanon dukanon dukaane dukane dukaanein dukanein basti bastiyon mohalla
mohalle masjid masjidon mandir mandiron church churchon gurudwara gurudwaron
घर घरों मकान मकानों दुकान दुकानों दुकानें बस्ती बस्तियों मोहल्ला मोहल्ले मस्जिद मस्जिदों मंदिर मंदिरों चर्च गुरुद्वारा गुरुद्वारों
ಮನೆ ಮನೆಗಳನ್ನು ಮನೆಗಳಿಗೆ ಅಂಗಡಿ ಅಂಗಡಿಗಳನ್ನು ಮಸೀದಿ ಮಸೀದಿಗಳನ್ನು ದೇವಸ್ಥಾನ ದೇವಸ್ಥಾನಗಳನ್ನು ಚರ್ಚ್ ಚರ್ಚುಗಳನ್ನು ಕೇರಿ
mane manegalannu angadi angadigalannu maseedi masidi devasthana church keri
"""
KANNADA_OBJECTS = """
ಮುಸ್ಲಿಮರನ್ನು ಮುಸಲ್ಮಾನರನ್ನು ಹಿಂದೂಗಳನ್ನು ಕ್ರಿಶ್ಚಿಯನ್ನರನ್ನು ಕ್ರೈಸ್ತರನ್ನು ದಲಿತರನ್ನು ವಲಸಿಗರನ್ನು ಬಿಹಾರಿಗಳನ್ನು ಹೆಂಗಸರನ್ನು
ಮಹಿಳೆಯರನ್ನು ಮಂಗಳಮುಖಿಯರನ್ನು ಆದಿವಾಸಿಗಳನ್ನು ಬ್ರಾಹ್ಮಣರನ್ನು ತಮಿಳರನ್ನು ಬಾಂಗ್ಲಾದೇಶಿಗಳನ್ನು ರೋಹಿಂಗ್ಯಾಗಳನ್ನು
muslimarannu musalmanarannu hindugalannu christianarannu christiannarannu kraistarannu dalitarannu valasigarannu
biharigalannu hengasarannu mahileyarannu adivasigalannu brahmanarannu tamilarannu bangladeshigalannu
"""
KANNADA_POSSESSIVES = """
ಮುಸ್ಲಿಮರ ಮುಸಲ್ಮಾನರ ಹಿಂದೂಗಳ ಕ್ರಿಶ್ಚಿಯನ್ನರ ಕ್ರೈಸ್ತರ ದಲಿತರ ವಲಸಿಗರ ಬಿಹಾರಿಗಳ ಬ್ರಾಹ್ಮಣರ ತಮಿಳರ
muslimara musalmanara hindugala christianara kraistara dalitara valasigara biharigala brahmanara tamilara
"""
# Killing, burning, beating, driving out and boycotting, as a command, a duty ("... dena chahiye", "...ಬೇಕು") or a
# first-person promise ("maar denge", "ಕೊಲ್ಲುತ್ತೇವೆ").
ACTIONS = """
nikaal do | nikal do | nikalo | nikaalo | nikaal dena chahiye | nikal dena chahiye | nikaalna chahiye |
nikalna chahiye | nikaal denge | nikal denge | bhaga do | bhagao | bhaga dena chahiye | bhagana chahiye | bhaga denge |
bahar karo | bahar kar do | bahar phenko | bahar fenko | khaded do | khadedo | maar do | mar do | maar dalo | mar dalo |
maar daalo | maaro | maar dena chahiye | mar dena chahiye | maarna chahiye | maar dunga | maar denge | maar dalenge |
khatam kar do | khatam karo | khatam kar dena chahiye | khatam kar dunga | khatam kar denge | khatm kar do | khatm karo |
jala do | jalao | jala dena chahiye | jala denge | kaat do | kaat dalo | kaato | kaat denge | mita do | mita denge |
safaya karo | safaya kar do | latka do | kuchal do | boycott karo | boycott kar do | bahishkar karo | bahishkar kar do |
निकाल दो | निकालो | निकाल देना चाहिए | निकालना चाहिए | निकाल देंगे | भगा दो | भगाओ | भगा देना चाहिए | भगाना चाहिए |
भगा देंगे | बाहर करो | बाहर कर दो | बाहर फेंको | खदेड़ो | खदेड़ दो | मार दो | मार डालो | मारो | मार देना चाहिए |
मारना चाहिए | मार दूंगा | मार दूँगा | मार देंगे | मार डालेंगे | खत्म कर दो | ख़त्म कर दो | खत्म करो | ख़त्म करो |
खत्म कर देना चाहिए | खत्म कर देंगे | ख़त्म कर देंगे | जला दो | जलाओ | जला देना चाहिए | जला देंगे | काट दो | काट डालो |
काटो | मिटा दो | मिटा देंगे | सफाया करो | सफाया कर दो | सफ़ाया कर दो | लटका दो | कुचल दो | बहिष्कार करो | बहिष्कार कर दो |
ಓಡಿಸಿ | ಓಡಿಸಿರಿ | ಓಡಿಸಬೇಕು | ಹೊರಗೆ ಹಾಕಿ | ಹೊರಗೆ ಹಾಕಬೇಕು | ಹೊರಹಾಕಿ | ಹೊರಹಾಕಬೇಕು | ಕೊಲ್ಲಿ | ಕೊಲ್ಲಬೇಕು | ಕೊಲ್ಲುತ್ತೇವೆ |
ಕೊಲ್ಲುತ್ತೇನೆ | ಸಾಯಿಸಿ | ಸಾಯಿಸಬೇಕು | ಸಾಯಿಸುತ್ತೇವೆ | ಸುಟ್ಟು ಹಾಕಿ | ಸುಟ್ಟುಹಾಕಿ | ಸುಟ್ಟು ಹಾಕಬೇಕು | ಸುಡಬೇಕು | ಮುಗಿಸಿ |
ಮುಗಿಸಬೇಕು | ಮುಗಿಸುತ್ತೇವೆ | ಹೊಡೆದು ಹಾಕಿ | ಬಹಿಷ್ಕರಿಸಿ | ಬಹಿಷ್ಕರಿಸಬೇಕು | ಗಡಿಪಾರು ಮಾಡಿ | ಗಡೀಪಾರು ಮಾಡಿ |
ಗಡಿಪಾರು ಮಾಡಬೇಕು | ನಿರ್ನಾಮ ಮಾಡಿ |
odisi | odsi | odisbeku | odisabeku | horage haaki | horage haki | horhaaki | horahaaki | horage haakbeku | kolli |
kollbeku | kollabeku | kolteevi | kollutteve | saaysi | saysi | saayisi | saaysbeku | saysbeku | suttu haaki |
suttu haki | mugisi | mugisbeku | gadipaaru maadi | gadipaar maadi
"""
# Negations that turn the call into a plea ("inko mat maaro"): between the group and the action, or just after it.
NEGATIONS = "mat mt nahi nahin na मत नहीं ना ಬೇಡ ಬೇಡಿ beda bedi"
# A copula between the group and the verb starts another clause ("hinduon ka tyohar hai, diye jalao"), as a comma does.
COPULAS = "hai hain h tha thi the है हैं था थी थे ಇದೆ ಇದ್ದಾರೆ ide iddare"
# Reported speech just after the call: "... nikaal do kehna galat hai", "... ಅಂತ ಹೇಳುವುದು ತಪ್ಪು", slogans in news.
REPORTED = """
kehna kehne kehte bolna bolne kaha nare naare nara कहना कहने कहते बोलना बोलने कहा नारे नारा ಅಂತ ಎಂದು ಅನ್ನುವುದು ಘೋಷಣೆ anta
antha
"""
WINDOW = 4  # the action begins at most this many words after the object
# Hindi also puts the command first ("bhagao in bangladeshiyon ko"), with at most two of these words between.
DETERMINERS = "in inn un ye sab saare sabhi इन उन ये सब सारे सभी"
_CLAUSE_END = re.compile(r"[.!?।॥,;:]+(?=\s|$)|\n")


def _set(words: str) -> frozenset[str]:
    return frozenset(w for token in words.split() for w in _words(token))


@lru_cache(maxsize=1)
def _lists() -> dict:
    actions = frozenset(tuple(_words(p)) for p in ACTIONS.split("|") if p.strip())
    lists = {
        "GROUPS": _set(GROUPS),
        "OBJECT_MARKERS": _set(OBJECT_MARKERS),
        "BETWEEN_GROUP_AND_MARKER": _set(BETWEEN_GROUP_AND_MARKER),
        "POSSESSIVE_MARKERS": _set(POSSESSIVE_MARKERS),
        "PROPERTY": _set(PROPERTY),
        "KANNADA_OBJECTS": _set(KANNADA_OBJECTS),
        "KANNADA_POSSESSIVES": _set(KANNADA_POSSESSIVES),
        "NEGATIONS": _set(NEGATIONS),
        "COPULAS": _set(COPULAS),
        "REPORTED": _set(REPORTED),
        "DETERMINERS": _set(DETERMINERS),
    }
    communities = lists["GROUPS"] | lists["KANNADA_OBJECTS"] | lists["KANNADA_POSSESSIVES"]
    return {**lists, "communities": communities, "ACTIONS": actions, "longest": max(map(len, actions))}


def _object_end(words: list[str], i: int) -> int | None:
    """Where the object phrase that starts with a community at word i ends, if it is one (its last word is "ko"
    where it is a Hindi one)."""
    lists = _lists()
    at = words[i : i + 4] + [""] * 4
    if at[0] in lists["KANNADA_OBJECTS"]:
        return i + 1
    if at[0] in lists["KANNADA_POSSESSIVES"]:
        return i + 2 if at[1] in lists["PROPERTY"] else None
    if at[0] not in lists["GROUPS"]:
        return None
    j = 2 if at[1] in lists["BETWEEN_GROUP_AND_MARKER"] else 1
    if at[j] in lists["OBJECT_MARKERS"]:
        return i + j + 1
    if at[j] in lists["POSSESSIVE_MARKERS"] and at[j + 1] in lists["PROPERTY"]:
        return i + j + 2
    return None


def _calls(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, reported) of each call: the characters from the group to the end of the action, and whether
    it is quoted or reported speech."""
    from workers.scoring.normalise import strip_punctuation, token_ranges

    lists = _lists()
    if lists["communities"].isdisjoint(_words(text)):
        return []  # most comments: one normalisation, not one per token
    tokens = token_ranges(text)
    words = [(w, k) for k, (a, b) in enumerate(tokens) for w in _words(text[a:b])]
    plain = [w for w, _ in words]
    ends = [m.start() for m in _CLAUSE_END.finditer(text)]
    clause = [sum(1 for e in ends if e < tokens[k][0]) for _, k in words]
    found = []
    for g in range(len(plain)):
        first = _object_end(plain, g)
        if first is None or clause[first - 1] != clause[g]:
            continue
        for a in range(first, min(first + WINDOW, len(plain))):
            if clause[a] != clause[g] or plain[a] in lists["COPULAS"]:
                break
            longest = min(lists["longest"], len(plain) - a)
            n = next((n for n in range(longest, 0, -1) if tuple(plain[a : a + n]) in lists["ACTIONS"]), 0)
            if not n:
                continue
            if lists["NEGATIONS"].isdisjoint(plain[g + 1 : a + n + 1]):
                found.append((g, a + n))
            break
        else:
            if plain[first - 1] in lists["OBJECT_MARKERS"] and (start := _command_before(plain, clause, g)) is not None:
                found.append((start, first))
    calls = []
    for a, b in found:
        start, end = strip_punctuation(text, tokens[words[a][1]][0], tokens[words[b - 1][1]][1])
        after = [w for w, c in zip(plain[b : b + 3], clause[b : b + 3]) if c == clause[a]]
        calls.append((start, end, _in_quoted_speech(text, start, end) or not lists["REPORTED"].isdisjoint(after)))
    return calls


def _command_before(plain: list[str], clause: list[int], g: int) -> int | None:
    """Where a command that ends just before the community at word g starts (at most two determiners between:
    "nikalo in mullon ko"), if there is one in its clause and it is not negated ("maaro mat inko")."""
    lists = _lists()
    end = g
    while end > 0 and g - end < 2 and plain[end - 1] in lists["DETERMINERS"]:
        end -= 1
    for n in range(min(lists["longest"], end), 0, -1):
        if tuple(plain[end - n : end]) in lists["ACTIONS"] and clause[end - n] == clause[g]:
            return end - n
    return None


def _in_quoted_speech(text: str, start: int, end: int) -> bool:
    """Whether the call stands between quotation marks in its sentence (an apostrophe inside a word is not one)."""
    from workers.scoring.normalise import CLOSING_QUOTES, OPENING_QUOTES

    def is_quote(i: int, marks: str) -> bool:
        inside_word = 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
        return text[i] in marks and not inside_word

    before = next((i for i in range(start - 1, -1, -1) if text[i] in ".!?।\n" or is_quote(i, OPENING_QUOTES)), -1)
    after = next((i for i in range(end, len(text)) if text[i] in ".!?।\n" or is_quote(i, CLOSING_QUOTES)), len(text))
    return before >= 0 and is_quote(before, OPENING_QUOTES) and after < len(text) and is_quote(after, CLOSING_QUOTES)


def group_call_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the calls against a community, from the group to the end of the action, for the
    evidence spans."""
    return [(a, b) for a, b, _ in _calls(text)]


def group_call_weight(text: str) -> float:
    """The blend's `group_call` feature: 1.0 for a comment with such a call, 0.5 where every one is quoted or
    reported speech, 0.0 for none."""
    calls = _calls(text)
    if not calls:
        return 0.0
    return 0.5 if all(reported for _, _, reported in calls) else 1.0
