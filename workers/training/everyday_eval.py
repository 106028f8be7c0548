"""Everyday comments in Kannada, Roman Kannada, Roman Hindi and Devanagari Hindi, written for Kavalu as an
evaluation set only (never trained on; tests/test_abuse_multilingual.py checks that none is a training row).

Why: the sources in these languages are YouTube comments and tweets, and the character model learnt ordinary
words that they mostly use in abuse as abuse: "chod" (leave), "ಮಕ್ಕಳು" (children), "gandu" (male, in Kannada),
"ಅಡುಗೆ" (cooking). A news site's readers write about children, school, homes, prices and the weather. Most
sentences here use such a word in its everyday sense; the abusive ones use the same words as the swear, so that
the set shows whether the model tells the senses apart and not only whether it stays low.
"""

from __future__ import annotations

SOURCE = "everyday-eval"

NEUTRAL: dict[str, list[str]] = {
    "kn": [
        "ಮಕ್ಕಳು ಶಾಲೆಗೆ ಹೋದರು",
        "ನಮ್ಮ ಊರಿನಲ್ಲಿ ಮಳೆ ಜಾಸ್ತಿ ಆಗಿದೆ",
        "ಸರ್ಕಾರ ರಸ್ತೆ ದುರಸ್ತಿ ಮಾಡಬೇಕು",
        "ಈ ಸುದ್ದಿ ಓದಿ ತುಂಬಾ ಸಂತೋಷವಾಯಿತು",
        "ನಾಳೆ ಬೆಂಗಳೂರಿಗೆ ಹೋಗುತ್ತೇನೆ",
        "ಅಮ್ಮ ಮನೆಯಲ್ಲಿ ಅಡುಗೆ ಮಾಡುತ್ತಿದ್ದಾರೆ",
        "ನನ್ನ ಮಗ ಪರೀಕ್ಷೆಯಲ್ಲಿ ಪಾಸಾದ",
        "ಬೆಲೆ ಏರಿಕೆಯಿಂದ ಜನರಿಗೆ ತೊಂದರೆ",
        "ರೈತರಿಗೆ ನೀರು ಸಿಗುತ್ತಿಲ್ಲ",
        "ಆಸ್ಪತ್ರೆಯಲ್ಲಿ ವೈದ್ಯರು ಇಲ್ಲ",
        "ಅವರ ಮನೆಗೆ ಅತಿಥಿಗಳು ಬಂದರು",
        "ಅವರ ಮನೆಗೆ ಗಂಡು ಮಗು ಬಂದಿದೆ",
        "ಗಂಡು ಮಕ್ಕಳು ಮತ್ತು ಹೆಣ್ಣು ಮಕ್ಕಳು ಸಮಾನ",
        "ನಮ್ಮ ಮಕ್ಕಳಿಗೆ ಒಳ್ಳೆಯ ಶಿಕ್ಷಣ ಬೇಕು",
        "ಶಿಕ್ಷಕರಿಗೆ ಸಂಬಳ ಹೆಚ್ಚಿಸಬೇಕು",
    ],
    "kn-Latn": [
        "makkalu shalege hodaru",
        "namma oorinalli male jasti aagide",
        "sarkara raste durasti madbeku",
        "ee suddi odi tumba santosha aaytu",
        "nanna maga pareekshe alli pass aada",
        "avara manege gandu magu bandide",
        "ninna gandu maga ellide",
        "raitarige neeru sigtilla",
        "bus time ge barolla",
        "namma makkalige olle shikshana beku",
        "amma maneli aduge madtidare",
        "gandu makkalu mattu hennu makkalu ibbaru samana",
    ],
    "hi-Latn": [
        "bachon ko school chod ke aata hoon",
        "chodo yaar, ye politics hai",
        "mujhe station pe chod do",
        "usne apni purani naukri chhod di",
        "wo ghar chhod ke chala gaya",
        "bhai tension mat le, chhod de",
        "usko airport chhod ke aata hoon",
        "usne cigarette chod di hai",
        "hamare gaon mein baarish bahut hui",
        "sarkar ko sadak theek karni chahiye",
        "mera beta exam mein pass ho gaya",
        "mehngai se log pareshan hain",
        "kisaanon ko paani nahi mil raha",
        "maa ne kaha ki padhai mat chodna",
    ],
    "hi": [
        "बच्चे स्कूल गए हैं",
        "हमारे गांव में बारिश बहुत हुई",
        "सरकार को सड़क ठीक करनी चाहिए",
        "मेरा बेटा परीक्षा में पास हो गया",
        "महंगाई से लोग परेशान हैं",
        "किसानों को पानी नहीं मिल रहा",
        "उसने अपनी पुरानी नौकरी छोड़ दी",
        "अस्पताल में डॉक्टर नहीं है",
        "माँ रसोई में खाना बना रही है",
        "बच्चों को अच्छी शिक्षा चाहिए",
    ],
}

# The same everyday words as the swear, or beside an insult.
ABUSIVE: dict[str, list[str]] = {
    "kn": [
        "ಈ ಕಳ್ಳ ನನ್ ಮಕ್ಕಳು ಊರು ಲೂಟಿ ಮಾಡಿದರು",
        "ಸೂಳೆ ಮಕ್ಕಳು ಎಲ್ಲಾ ಇಲ್ಲೇ ಇದ್ದಾರೆ",
        "ನಿನ್ನ ಮನೆಗೆ ಬಂದು ಹೊಡೆಯುತ್ತೇನೆ ಬೋಳಿಮಗನೆ",
    ],
    "kn-Latn": [
        "ee kalla nan makkalu ooru loot madidru",
        "ninna manege bandu hodithini bolimagane",
        "sule makkalu ella illi idare",
    ],
    "hi-Latn": [
        "teri maa ko chod dunga",
        "teri behen ko chodunga saale",
        "abe gandu, school chod ke bhaag gaya kya",
        "madarchod neta ne desh loot liya",
    ],
    "hi": [
        "तेरी माँ को चोद दूँगा",
        "मादरचोद नेता ने देश लूट लिया",
    ],
}


def rows() -> list[dict]:
    return [
        {"text": text, "label": label, "source": SOURCE, "lang": lang, "target": lang}
        for label, by_language in enumerate((NEUTRAL, ABUSIVE))
        for lang, texts in by_language.items()
        for text in texts
    ]
