"""Spam rules: links, shorteners, fingerprints and verbatim copies of the article."""

from __future__ import annotations

import pytest

from service.scoring.jobs import ScoringInput
from workers.scoring.spam import (
    SpamScorer,
    count_links,
    find_links,
    find_shortener_links,
    text_fingerprint,
    verbatim_copy,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("see https://example.com/a?b=1 now", ["https://example.com/a?b=1"]),
        ("visit www.loans4u.in.", ["www.loans4u.in"]),
        ("earn daily at easy-money.xyz/join", ["easy-money.xyz/join"]),
        ("go to quickcash.in today", ["quickcash.in"]),
        ("(http://a.co/x), and bit.ly/3abc!", ["http://a.co/x", "bit.ly/3abc"]),
    ],
)
def test_links_are_found(text, expected):
    assert [link.url for link in find_links(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "He came.In the end nobody won.",
        "e.g. the minister, i.e. Mr.Singh",
        "write to me at ravi@example.com",
        "Version 2.0 is out, price 3.5 lakh",
        "Dr.Rao and St.Aloysius college",
    ],
)
def test_ordinary_text_has_no_links(text):
    assert count_links(text) == 0


@pytest.mark.parametrize(
    "url",
    [
        "bit.ly/x1",
        "https://tinyurl.com/abc",
        "t.co/Zz",
        "goo.gl/maps",
        "ow.ly/a",
        "is.gd/q",
        "buff.ly/1",
        "cutt.ly/w",
        "rb.gy/e",
        "https://shorturl.at/abc",
        "http://www.bit.ly/x",
    ],
)
def test_shorteners(url):
    assert [link.url for link in find_shortener_links(f"click {url} now")] == [url]


def test_spam_score_over_link_limit_or_shortener():
    scorer = SpamScorer(max_links=2)
    two = scorer.score("a.com b.com")
    three = scorer.score("https://a.com https://b.com https://c.com")
    short = scorer.score("free gift bit.ly/abc")
    assert two.scores == {"spam": 0.0}
    assert three.scores == {"spam": 1.0}
    assert short.scores == {"spam": 1.0}
    assert [s.label for s in short.spans] == ["shortener"]
    assert [s.label for s in three.spans] == ["link"] * 3
    assert scorer.score("https://a.com https://b.com", max_links=1).scores == {"spam": 1.0}
    assert [r.scores["spam"] for r in scorer.score_batch([ScoringInput("hi"), ScoringInput("t.co/x")])] == [0, 1]


def test_fingerprint_ignores_case_spacing_punctuation_and_width():
    base = text_fingerprint("Buy cheap gold now! Call today.")
    assert text_fingerprint("  buy CHEAP gold now   call today ") == base
    assert text_fingerprint("Ｂｕｙ cheap gold now!!! Call today…") == base
    assert text_fingerprint("Buy cheap gold\u200b now, call today") == base
    assert text_fingerprint("Buy cheap silver now! Call today.") != base
    assert len(base) == 64 and int(base, 16) >= 0


ARTICLE = (
    "New Delhi, May 5 (IANS): India and Russia held a confidential exchange of views in Goa on Thursday "
    "to drive forward the dynamics of cooperation in key areas of the Special and Privileged Strategic "
    "Partnership between both countries. External Affairs Minister S Jaishankar and Russian Foreign "
    "Minister Sergei Lavrov, who held a bilateral on the sidelines of the ongoing meeting of Foreign "
    "Ministers of the member States of the Shanghai Cooperation Organisation, discussed ways to "
    "strengthen coordination activities between New Delhi and Moscow."
)


def test_verbatim_copy_marks_the_copied_passage():
    copied = " ".join(ARTICLE.split()[5:55])
    comment = f"Read this: {copied.upper()} -- amazing."
    span = verbatim_copy(comment, ARTICLE, min_words=40)
    assert span is not None and span.category == "infringing"
    assert comment[span.start : span.end].split() == copied.upper().split()


def test_short_quotes_and_unrelated_text_are_not_copies():
    quote = " ".join(ARTICLE.split()[5:25])
    assert verbatim_copy(f"As the article says, {quote}. Good.", ARTICLE, min_words=40) is None
    assert verbatim_copy("Totally unrelated comment " * 20, ARTICLE, min_words=40) is None
    assert verbatim_copy("anything", "", min_words=40) is None


def test_verbatim_copy_counts_whole_kannada_and_hindi_words():
    """\\w+ cut "ಕನ್ನಡ" into "ಕನ" and "ನಡ": a Kannada quote of 16 words counted as over 40."""
    words = [
        "ಬೆಂಗಳೂರು",
        "ನಗರದಲ್ಲಿ",
        "ಇಂದು",
        "ಭಾರೀ",
        "ಮಳೆಯಾಗಿದ್ದು",
        "ಹಲವು",
        "ರಸ್ತೆಗಳಲ್ಲಿ",
        "ನೀರು",
        "ನಿಂತಿದೆ",
        "ಎಂದು",
        "ಅಧಿಕಾರಿಗಳು",
        "ತಿಳಿಸಿದ್ದಾರೆ",
        "ಮತ್ತು",
        "ಜನರು",
        "ಎಚ್ಚರಿಕೆಯಿಂದ",
        "ಇರಬೇಕು",
    ]
    article = " ".join(words * 4)
    assert verbatim_copy(" ".join(words), article, min_words=40) is None  # 16 words
    assert verbatim_copy(" ".join(words * 3), article, min_words=40) is not None  # 48 words
