"""Authored English training rows for what none of the licensed sources teaches: threats, and statements about a
group whose meaning turns on a negation or a quotation.

No licensed data set has them (../shared/data/README.md), so they are written here, as counterfactual pairs: the
same words on both sides of the label, so that the label cannot be learnt from a word alone.

- threats against a person (1), beside the same violent verbs in news reports, fiction and idioms (0);
- harm wished on a person as deserved (1), beside what a person deserves in earnest and the law's punishment (0);
- what should be done to a group (1), beside its rights in the same "should" frame (0);
- hateful statements about a group (1), beside their negation (0);
- negated praise, a group denied rights, trust or belonging (1), beside the affirmation (0);
- counter-speech that quotes or names a hateful claim to reject it (0), beside the claim made (1);
- implicit hate, a stereotype, a conspiracy or a burden claimed of a group in everyday words (1), beside a neutral
  sentence about the group with the same topic words (0), the claim rejected (0) or asserted (1), and praise of the
  group (0).

They train stage 2 of the transformer (workers/training/abuse.py: `tune`), which can read a negation or a quotation.
Not the character model: its n-grams never cross a word, and these rows lowered its AUC on ToxiGen's statements about
groups by about 0.1 (MODEL_CARD.md).

Written for Kavalu, after and apart from the evaluation cases of tests/data/abuse_functional.csv (other templates,
fillers and sentence shapes; the same author, so not a fully independent test: see the model card).
"""

from __future__ import annotations

import random

SOURCE = "functional-templates"


# (object, possessive)
_VICTIMS = [
    ("you", "your"),
    ("that reporter", "that reporter's"),
    ("the editor", "the editor's"),
    ("this columnist", "this columnist's"),
    ("that judge", "that judge's"),
    ("the minister", "the minister's"),
    ("her", "her"),
    ("him", "his"),
]
# (verb phrase with {p} for the victim and {ps} for its possessive, past participle phrase)
_VIOLENCE = [
    ("kill {p}", "killed"),
    ("stab {p}", "stabbed"),
    ("shoot {p}", "shot"),
    ("beat {p} to a pulp", "beaten to a pulp"),
    ("strangle {p}", "strangled"),
    ("hang {p} from a tree", "hanged"),
    ("set {p} on fire", "set on fire"),
    ("break {ps} legs", "crippled"),
    ("bury {p}", "buried"),
    ("smash {ps} skull", "battered"),
]
_THREATS = [
    "i will {v}",
    "i am going to {v} tonight",
    "somebody needs to {v}",
    "one day we will {v}, just wait",
    "give me five minutes alone and i'll {v}",
    "i know your address and i will {v}",
    "post that again and i will {v}",
    "i swear i'm going to {v}",
]
_WISHES = [
    "i hope somebody gets {p} {pp}",
    "i want to see {p} {pp}",
    "i'd pay to watch {p} get {pp}",
    "watch your back, you will be {pp} soon",
]
# The same acts reported, told or condemned; {v} is done to the object given beside the frame.
_NOT_THREATS = [
    ("police say a shopkeeper was {pp} near the bus stand last night", None),
    ("the man accused of trying to {v} was arrested on friday", ("his brother", "his brother's")),
    ("in the last scene the hero refuses to {v}", ("the villain", "the villain's")),
    ("the court heard that the victim was {pp} after an argument", None),
    ("villagers protested after a farmer was {pp} over a land dispute", None),
    ("the novel is about a detective who is afraid he will be {pp}", None),
    ("no one deserves to be {pp}, whatever they wrote", None),
    ("threatening to {v} is a crime and should be punished", ("a journalist", "a journalist's")),
]
# Death or harm wished on a person as deserved (1), beside what a person deserves in earnest and the law's punishment of
# an attack (0): the sources' threats are in the first person, and "This author deserves a bullet." scored 0.06.
# (subject, its verb "deserve(s)")
_DESERVING = [
    ("that reporter", "deserves"),
    ("the editor", "deserves"),
    ("this columnist", "deserves"),
    ("that judge", "deserves"),
    ("the minister", "deserves"),
    ("you", "deserve"),
    ("she", "deserves"),
    ("he", "deserves"),
]
_DESERVED_FRAMES = ["honestly, after this column {s} {d} to be {pp}", "after that article {s} should be {pp}"]
_DESERVED_HARMS = [
    "a bullet between the eyes",
    "a knife in the ribs",
    "a bomb under the car",
    "to burn alive",
    "to be hit by a truck",
]
_DESERVED_GOODS = [
    "a medal for this",
    "a promotion",
    "a fair hearing",
    "a long holiday",
    "an apology from the party",
    "police protection",
]
_DESERVED_PRAISE = ["heard", "thanked", "promoted", "re-elected", "paid on time", "taken seriously"]
_PUNISHMENT = [
    "the men who {pp} the shopkeeper deserve a long prison sentence",
    "whoever {pp} that boy should be arrested and tried",
]
_IDIOMS = [
    "this heat is killing me",
    "the opening batsman killed it today",
    "that last joke killed me",
    "i could murder a plate of biryani right now",
    "our team got beaten badly in the final",
    "onion prices are shooting up again",
    "she absolutely slayed that speech",
    "the budget will hit the middle class hard",
    "the new phone blew me away",
    "we got crushed in the second half",
]

_GROUPS = [
    "muslims",
    "women",
    "refugees",
    "gay people",
    "disabled people",
    "black people",
    "jews",
    "trans people",
    "dalits",
    "immigrants",
    "christians",
    "hindus",
    "sikhs",
    "migrants",
    "lesbians",
    "deaf people",
]
# (claim, negation of it)
_HATE = [
    ("{g} are vermin", "{g} are not vermin"),
    ("{g} are a danger to our children", "{g} are no danger to our children"),
    ("{g} are all criminals", "{g} are not criminals"),
    ("{g} are subhuman", "{g} are not subhuman"),
    ("{g} are a sickness in society", "{g} are not a sickness in society"),
    ("{g} are born liars", "{g} are no more liars than anyone else"),
    ("i despise {g}", "i have never despised {g}"),
    ("{g} ruin every neighbourhood they move into", "{g} do not ruin neighbourhoods"),
]
# (negated praise, the praise)
_DENIED = [
    ("{g} should not have the right to vote", "{g} should have the right to vote"),
    ("{g} do not belong in this country", "{g} belong in this country like everyone else"),
    ("never trust any of the {g}", "you can trust {g} like anyone else"),
    ("{g} are not real people to me", "{g} are people like me"),
    ("{g} can never be our equals", "{g} are our equals"),
    ("no school should ever hire {g}", "schools should hire {g} on merit"),
]
# (claim in everyday words, a neutral sentence about the group on the same topic). No word of a claim is abusive on
# its own, and the transformer tuned without them read such claims as clean ("Jews control the banks and the media."
# at a logit of -1.5).
_IMPLICIT = [
    ("{g} secretly run the banks and the newspapers", "{g} work in banks and newspapers like everyone else"),
    ("{g} are lazy by nature and live off our taxes", "{g} pay taxes and work long hours like the rest of us"),
    ("{g} multiply like rats to outnumber the rest of us", "{g} families are about the same size as other families"),
    ("crime goes up in every street where {g} move in", "{g} moved into our street last year and opened a bakery"),
    ("{g} should not be allowed anywhere near our children", "{g} teachers at our school are loved by the children"),
    ("{g} carry diseases wherever they go", "{g} doctors worked day and night during the epidemic"),
    ("{g} are a drain on the hospitals and the welfare budget", "{g} nurses keep our hospitals running"),
    ("{g} only look after their own kind", "{g} volunteers look after anyone who needs help"),
    ("{g} cannot think for themselves and need to be told what to do", "{g} think for themselves like anyone else"),
    ("the country was better off before {g} got any say", "the country is better off now that {g} have a say"),
    ("{g} are born to lie and cheat", "{g} are born and raised here like the rest of us"),
    ("it would be better for all of us if {g} lived somewhere else", "{g} have lived in this town for generations"),
    ("{g} always play the victim to get special treatment", "{g} often face discrimination at work, a survey found"),
    ("{g} are taking our jobs and our homes", "{g} found jobs and homes here and pay rent like anyone else"),
]
# A group in a "should" frame: what should be done to it (1), beside its rights (0). The sources' claims are in this
# frame ("... should be deported"), and support of a group in it went to review ("Gay people should all be allowed to
# marry." 0.87).
_SHOULD = [
    ("{g} should be run out of town by force", "{g} should be able to rent a home in any town"),
    ("{g} should be banned from working with children", "{g} should be able to work in any profession they choose"),
    ("{g} should be refused treatment at hospitals", "{g} should get the same care at hospitals as anyone else"),
    ("{g} should be rounded up and put on trains", "{g} should all be treated with dignity"),
    ("{g} should be barred from standing for election", "{g} should be able to stand for election like anyone else"),
    ("{g} should be beaten until they learn their place", "{g} should be safe walking home at night"),
    ("{g} should be thrown out of the university", "{g} should be welcome at every university"),
]
# Praise of a group (0), in the shapes of the claims, so that a sentence about a group is not read as a claim against
# it ("Gay couples are just as loving as anyone else." went from 0.25 to 0.57 without these).
_PRAISE = [
    "{g} have made this town a better place",
    "{g} deserve the same respect as everybody else",
    "i am proud of my {g} friends and neighbours",
    "{g} are some of the kindest people i have met",
    "{g} have every right to live here in peace",
]
_COUNTER = [
    'saying that "{claim}" is bigotry, plain and simple',
    "the speaker claimed {claim}, which is a disgraceful lie",
    'a placard said "{claim}" and the organisers apologised',
    "people who keep posting that {claim} should be banned",
    'i was shocked to hear my uncle say "{claim}"',
    "it is false and hateful to claim {claim}",
]
_CLAIMED = [
    "{claim}, everyone knows it",
    "let's be honest, {claim}",
    "{claim} and that will never change",
]


def functional_training_rows(seed: int = 0) -> list[dict]:
    """The rows (text, label, source, lang, target), in a fixed order for a seed."""
    rows: list[tuple[str, int]] = []
    for victim, possessive in _VICTIMS:
        for verb, participle in _VIOLENCE:
            v = verb.format(p=victim, ps=possessive)
            rows += [(t.format(v=v), 1) for t in _THREATS]
            rows += [(t.format(p=victim, pp=participle), 1) for t in _WISHES]
    for verb, participle in _VIOLENCE:
        for frame, target in _NOT_THREATS:
            v = verb.format(p=target[0], ps=target[1]) if target else ""
            rows.append((frame.format(v=v, pp=participle), 0))
    for subject, deserve in _DESERVING:
        for _, participle in _VIOLENCE:
            rows += [(t.format(s=subject, d=deserve, pp=participle), 1) for t in _DESERVED_FRAMES]
        rows += [(f"{subject} {deserve} {harm}", 1) for harm in _DESERVED_HARMS]
        rows += [(f"{subject} {deserve} {good}", 0) for good in _DESERVED_GOODS]
        for praised in _DESERVED_PRAISE:
            rows += [(t.format(s=subject, d=deserve, pp=praised), 0) for t in _DESERVED_FRAMES]
    for _, participle in _VIOLENCE:
        rows += [(t.format(pp=participle), 0) for t in _PUNISHMENT]
    rows += [(t, 0) for t in _IDIOMS for _ in range(4)]
    for group in _GROUPS:
        for claim, negation in _HATE:
            c = claim.format(g=group)
            rows += [(c, 1), (negation.format(g=group), 0)]
            rows += [(t.format(claim=c), 0) for t in _COUNTER]
            rows += [(t.format(claim=c), 1) for t in _CLAIMED]
        for denial, praise in _DENIED:
            rows += [(denial.format(g=group), 1), (praise.format(g=group), 0)]
        for call, right in _SHOULD:
            rows += [(call.format(g=group), 1), (right.format(g=group), 0)]
        # One counter-speech frame and one assertion frame per claim, in turn, so that the implicit claims do not
        # outweigh the others among the template rows.
        for k, (claim, neutral) in enumerate(_IMPLICIT):
            c = claim.format(g=group)
            rows += [(c, 1), (neutral.format(g=group), 0)]
            rows.append((_COUNTER[(k + len(group)) % len(_COUNTER)].format(claim=c), 0))
            rows.append((_CLAIMED[(k + len(group)) % len(_CLAIMED)].format(claim=c), 1))
        rows += [(t.format(g=group), 0) for t in _PRAISE]
    rng = random.Random(seed)
    rng.shuffle(rows)
    return [{"text": text, "label": label, "source": SOURCE, "lang": "en", "target": ""} for text, label in rows]
