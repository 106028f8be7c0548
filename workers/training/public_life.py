"""Counterfactual templates about Indian public life, written for Kavalu: politicians and parties, communities and
places of worship, in English, Roman Hindi, Devanagari Hindi, Kannada script and Roman Kannada.

Why: the character model learnt names and religious words as abuse from the sources, where most comments that
name them are attacks (DravidianCodeMix's offensive comments about politicians, RUHSOLD's tweets about India and
Hindus): per word, "mandir" +14, "modi" +11.8, "mulla" +22.8, and "ಮೋದಿ ಅವರು ಇಂದು ಹೊಸ ಮಸೂದೆ ಮಂಡಿಸಿದರು" ("Modi
presented a new bill today") scored 0.70, "Siddaramaiah avaru budget mandisidaru" 0.59. A news site's readers
name these people and places in every other comment. Every template here is filled with every term of its kind
and language, the neutral ones labelled 0 and the abusive ones 1, so that a name carries no weight of its own and
the insult beside it does (as `identity-templates` does for the English identity terms).

The evaluation templates use other wording, and also terms the training templates never use (`EVAL_ONLY_TERMS`),
so the figures show whether the model learnt "a name is neutral" or only these names.
"""

from __future__ import annotations

SOURCE = "written-public-life"
EVAL_SOURCE = "public-life-eval"
LANGUAGES = ("en", "hi-Latn", "hi", "kn", "kn-Latn")

TERMS: dict[str, dict[str, list[str]]] = {
    "leader": {
        "en": ["Modi", "Rahul Gandhi", "Siddaramaiah", "Yediyurappa", "Kumaraswamy", "Kejriwal", "Owaisi", "the BJP"],
        "hi-Latn": ["Modi", "Rahul Gandhi", "Siddaramaiah", "Kejriwal", "Yogi", "Owaisi", "BJP", "Congress"],
        "hi": ["मोदी", "राहुल गांधी", "सिद्धारमैया", "केजरीवाल", "योगी", "ओवैसी", "भाजपा", "कांग्रेस"],
        "kn": ["ಮೋದಿ", "ರಾಹುಲ್ ಗಾಂಧಿ", "ಸಿದ್ದರಾಮಯ್ಯ", "ಯಡಿಯೂರಪ್ಪ", "ಕುಮಾರಸ್ವಾಮಿ", "ಡಿ.ಕೆ. ಶಿವಕುಮಾರ್", "ಬಿಜೆಪಿ", "ಕಾಂಗ್ರೆಸ್"],
        "kn-Latn": [
            "Modi",
            "Rahul Gandhi",
            "Siddaramaiah",
            "Yediyurappa",
            "Kumaraswamy",
            "DK Shivakumar",
            "BJP",
            "JDS",
        ],
    },
    "community": {
        "en": ["Hindu", "Muslim", "Sikh", "Christian", "Dalit", "Brahmin", "Lingayat", "Vokkaliga"],
        "hi-Latn": [
            "Hindu",
            "Muslim",
            "Musalman",
            "Sikh",
            "Isai",
            "Yahoodi",
            "Dalit",
            "Brahmin",
            "Bihari",
            "Bangali",
            "Jain",
        ],
        "hi": ["हिंदू", "मुस्लिम", "सिख", "ईसाई", "दलित", "ब्राह्मण", "बिहारी", "जैन"],
        "kn": ["ಹಿಂದೂ", "ಮುಸ್ಲಿಂ", "ಸಿಖ್", "ಕ್ರೈಸ್ತ", "ದಲಿತ", "ಲಿಂಗಾಯತ", "ಒಕ್ಕಲಿಗ", "ಜೈನ"],
        "kn-Latn": ["Hindu", "Muslim", "Sikh", "Christian", "Dalit", "Lingayat", "Vokkaliga", "Jain"],
    },
    "place": {
        "en": ["temple", "mosque", "church", "gurudwara", "dargah", "mutt"],
        "hi-Latn": ["mandir", "masjid", "church", "gurudwara", "dargah"],
        "hi": ["मंदिर", "मस्जिद", "चर्च", "गुरुद्वारा", "दरगाह"],
        "kn": ["ದೇವಸ್ಥಾನ", "ಮಸೀದಿ", "ಚರ್ಚ್", "ಗುರುದ್ವಾರ", "ದರ್ಗಾ", "ಮಠ"],
        "kn-Latn": ["devasthana", "masidi", "church", "gurudwara", "dargah", "mutt"],
    },
}
# Only in the evaluation: does a name the templates never had stay neutral too?
EVAL_ONLY_TERMS: dict[str, dict[str, list[str]]] = {
    "leader": {
        "en": ["Nitish Kumar", "Shashi Tharoor"],
        "hi-Latn": ["Nitish Kumar", "Mamata"],
        "hi": ["नीतीश कुमार", "ममता"],
        "kn": ["ಬೊಮ್ಮಾಯಿ", "ಖರ್ಗೆ"],
        "kn-Latn": ["Bommai", "Kharge"],
    },
    "community": {
        "en": ["Parsi", "Kuruba"],
        "hi-Latn": ["Parsi", "Punjabi"],
        "hi": ["पारसी", "पंजाबी"],
        "kn": ["ಕುರುಬ", "ತಮಿಳು"],
        "kn-Latn": ["Kuruba", "Tamil"],
    },
    "place": {
        "en": ["synagogue"],
        "hi-Latn": ["math"],
        "hi": ["मठ"],
        "kn": ["ಬಸದಿ"],
        "kn-Latn": ["basadi"],
    },
}

# Training templates per kind and language: news frames (neutral), then pairs of a neutral and an abusive frame
# that differ only in the insult ("{t} log mehnati deshbhakt hain" / "{t} log gande gaddar hain"), so that the
# frame's own words ("hain", "सब", "saare") are learnt as neither. Abusive frames without a twin taught the
# character model "हैं" +21.6 and "सब" +9.3 per word, and "हम सब एक हैं" reached 0.97.
TRAIN: dict[str, dict[str, tuple[list[str], list[tuple[str, str]]]]] = {
    "leader": {
        "en": (
            [
                "{t} announced a new scheme for farmers today",
                "{t} will address a rally in Hubballi on Sunday",
                "the interview with {t} was informative",
                "{t} met the flood victims and promised help",
                "I voted for {t} last time and may do so again",
            ],
            [
                ("{t} is a hardworking leader and a patient listener", "{t} is a corrupt bastard and a shameless liar"),
                ("{t} and his loyal supporters are volunteers", "{t} and his idiot supporters are scum"),
                ("well said {t}, you thoughtful speaker", "shut up {t}, you worthless moron"),
            ],
        ),
        "hi-Latn": (
            [
                "{t} ne aaj kisanon ke liye nayi yojana ki ghoshna ki",
                "{t} ki rally ravivar ko Hubli mein hogi",
                "{t} ka interview kaafi jaankari bhara tha",
                "{t} ne baadh peediton se mulakat ki",
                "pichhli baar maine {t} ko vote diya tha",
                "{t} ke samarthak rally ki taiyari kar rahe hain",
            ],
            [
                ("{t} ek number ka mehnati aur imandar hai", "{t} ek number ka kamina aur jhootha hai"),
                ("{t} aur uske saathi sab mehnati hain", "{t} aur uske chamche sab harami hain"),
                ("kaam kar {t}, imandar kahin ka", "chup kar {t}, bewakoof kahin ka"),
            ],
        ),
        "hi": (
            [
                "{t} ने आज किसानों के लिए नई योजना की घोषणा की",
                "{t} की रैली रविवार को हुबली में होगी",
                "{t} का इंटरव्यू काफी जानकारी भरा था",
                "{t} ने बाढ़ पीड़ितों से मुलाकात की",
                "पिछली बार मैंने {t} को वोट दिया था",
                "{t} के समर्थक रैली की तैयारी कर रहे हैं",
            ],
            [
                ("{t} एक नंबर का मेहनती और ईमानदार है", "{t} एक नंबर का कमीना और झूठा है"),
                ("{t} और उसके साथी सब मेहनती हैं", "{t} और उसके चमचे सब हरामी हैं"),
                ("काम कर {t}, ईमानदार कहीं का", "चुप कर {t}, बेवकूफ कहीं का"),
            ],
        ),
        "kn": (
            [
                "{t} ಇಂದು ರೈತರಿಗಾಗಿ ಹೊಸ ಯೋಜನೆ ಘೋಷಿಸಿದರು",
                "{t} ಅವರ ಸಮಾವೇಶ ಭಾನುವಾರ ಹುಬ್ಬಳ್ಳಿಯಲ್ಲಿ ನಡೆಯಲಿದೆ",
                "{t} ಅವರ ಸಂದರ್ಶನ ತುಂಬಾ ಮಾಹಿತಿಪೂರ್ಣವಾಗಿತ್ತು",
                "{t} ನೆರೆ ಸಂತ್ರಸ್ತರನ್ನು ಭೇಟಿ ಮಾಡಿದರು",
                "ಕಳೆದ ಬಾರಿ ನಾನು {t} ಅವರಿಗೆ ಮತ ಹಾಕಿದ್ದೆ",
            ],
            [
                ("{t} ಒಬ್ಬ ಒಳ್ಳೆಯ ನಾಯಕ, ಕೆಲಸಗಾರ", "{t} ಒಬ್ಬ ಬೋಳಿಮಗ, ಸುಳ್ಳುಗಾರ"),
                ("{t} ಮತ್ತು ಅವನ ಬೆಂಬಲಿಗರು ಎಲ್ಲಾ ಕೆಲಸಗಾರರು", "{t} ಮತ್ತು ಅವನ ಚೇಲಾಗಳು ಎಲ್ಲಾ ಬೇವರ್ಸಿಗಳು"),
                ("ಚೆನ್ನಾಗಿ ಹೇಳಿದಿರಿ {t}, ಬುದ್ಧಿವಂತ ನಾಯಕ", "ಬಾಯಿ ಮುಚ್ಚು {t}, ಮೂರ್ಖ ನನ್ಮಗ"),
            ],
        ),
        "kn-Latn": (
            [
                "{t} indu raitarigagi hosa yojane ghoshisidaru",
                "{t} avara samavesha bhanuvara Hubballiyalli nadeyalide",
                "{t} avara sandarshana tumba mahitipurnavagittu",
                "{t} nere santrastarannu bheti madidaru",
                "kaleda bari naanu {t} avarige mata hakidde",
            ],
            [
                ("{t} obba olleya nayaka, kelasagara", "{t} obba bolimaga, sullugara"),
                ("{t} mattu avana bembaligaru ella kelasagararu", "{t} mattu avana chelagalu ella bevarsigalu"),
                ("chennagi helidiri {t}, buddhivanta nayaka", "bayi muchu {t}, murkha nanmaga"),
            ],
        ),
    },
    "community": {
        "en": (
            [
                "{t} families celebrated the festival together",
                "the survey spoke to {t} voters in the district",
                "a {t} student topped the state exam this year",
                "{t} leaders appealed for calm after the clash",
                "my {t} neighbours brought us sweets",
            ],
            [
                ("{t} people are honest workers, welcome them in", "{t} people are filthy traitors, throw them out"),
                ("all {t} are citizens and should be heard", "all {t} are scum and should be wiped out"),
                ("these {t} volunteers fix everything", "these {t} bastards ruin everything"),
            ],
        ),
        "hi-Latn": (
            [
                "{t} parivaron ne milkar tyohar manaya",
                "survey mein zile ke {t} matdataon se baat ki gayi",
                "is saal ek {t} chhatra ne rajya pariksha mein top kiya",
                "jhadap ke baad {t} netaon ne shanti ki appeal ki",
                "hamare {t} padosi mithai lekar aaye",
                "{t} parivar shaadi ki taiyariyon mein lage hain",
            ],
            [
                ("{t} log mehnati deshbhakt hain, inhe aage badhao", "{t} log gande gaddar hain, inhe bahar nikalo"),
                ("saare {t} bhai hain, inka samman karo", "saare {t} kutte hain, inka safaya karo"),
                ("ye {t} padosi sab madad kar dete hain", "ye {t} harami sab barbaad kar dete hain"),
                ("{t} logon se mujhe bahut pyaar hai", "{t} logon se mujhe sakht nafrat hai"),
                ("saare {t} ko badhai deni chahiye", "saare {t} ko goli maar deni chahiye"),
                ("{t} sab deshbhakt hain, inhe gale lagao", "{t} sab aatankwadi hain, inhe jail mein daalo"),
            ],
        ),
        "hi": (
            [
                "{t} परिवारों ने मिलकर त्योहार मनाया",
                "सर्वे में जिले के {t} मतदाताओं से बात की गई",
                "इस साल एक {t} छात्र ने राज्य परीक्षा में टॉप किया",
                "झड़प के बाद {t} नेताओं ने शांति की अपील की",
                "हमारे {t} पड़ोसी मिठाई लेकर आए",
                "{t} परिवार शादी की तैयारियों में लगे हैं",
            ],
            [
                ("{t} लोग मेहनती देशभक्त हैं, इन्हें आगे बढ़ाओ", "{t} लोग गंदे गद्दार हैं, इन्हें बाहर निकालो"),
                ("सारे {t} भाई हैं, इनका सम्मान करो", "सारे {t} कुत्ते हैं, इनका सफाया करो"),
                ("ये {t} पड़ोसी सब मदद कर देते हैं", "ये {t} हरामी सब बर्बाद कर देते हैं"),
                ("{t} लोगों से मुझे बहुत प्यार है", "{t} लोगों से मुझे सख्त नफरत है"),
                ("सारे {t} को बधाई देनी चाहिए", "सारे {t} को गोली मार देनी चाहिए"),
                ("{t} सब देशभक्त हैं, इन्हें गले लगाओ", "{t} सब आतंकवादी हैं, इन्हें जेल में डालो"),
            ],
        ),
        "kn": (
            [
                "{t} ಕುಟುಂಬಗಳು ಒಟ್ಟಾಗಿ ಹಬ್ಬ ಆಚರಿಸಿದವು",
                "ಸಮೀಕ್ಷೆಯಲ್ಲಿ ಜಿಲ್ಲೆಯ {t} ಮತದಾರರನ್ನು ಮಾತನಾಡಿಸಲಾಯಿತು",
                "ಈ ವರ್ಷ ಒಬ್ಬ {t} ವಿದ್ಯಾರ್ಥಿ ರಾಜ್ಯಕ್ಕೆ ಪ್ರಥಮ ಸ್ಥಾನ ಪಡೆದ",
                "ಘರ್ಷಣೆಯ ನಂತರ {t} ಮುಖಂಡರು ಶಾಂತಿ ಕಾಪಾಡಲು ಮನವಿ ಮಾಡಿದರು",
                "ನಮ್ಮ {t} ನೆರೆಯವರು ಸಿಹಿ ತಂದರು",
            ],
            [
                ("{t} ಜನ ಶ್ರಮಜೀವಿ ದೇಶಭಕ್ತರು, ಅವರನ್ನು ಗೌರವಿಸಿ", "{t} ಜನ ಹೊಲಸು ದ್ರೋಹಿಗಳು, ಅವರನ್ನು ಓಡಿಸಿ"),
                ("ಎಲ್ಲಾ {t} ನಮ್ಮವರು, ಅವರನ್ನು ಬೆಂಬಲಿಸಿ", "ಎಲ್ಲಾ {t} ನಾಯಿಗಳು, ಅವರನ್ನು ಮುಗಿಸಿ"),
                ("ಈ {t} ಸ್ನೇಹಿತರು ಎಲ್ಲಾ ಸಹಾಯ ಮಾಡ್ತಾರೆ", "ಈ {t} ಬೇವರ್ಸಿಗಳು ಎಲ್ಲಾ ಹಾಳು ಮಾಡ್ತಾರೆ"),
            ],
        ),
        "kn-Latn": (
            [
                "{t} kutumbagalu ottagi habba acharisidavu",
                "samikshe alli jilleya {t} matadararannu matanadisalayitu",
                "ee varsha obba {t} vidyarthi rajyakke prathama sthana padeda",
                "gharshaneya nantara {t} mukhandaru shanti kapadalu manavi madidaru",
                "namma {t} nereyavaru sihi tandaru",
            ],
            [
                (
                    "{t} jana shramajeevi deshabhaktaru, avarannu gauravisi",
                    "{t} jana holasu drohigalu, avarannu odisi",
                ),
                ("ella {t} nammavaru, avarannu bembalisi", "ella {t} nayigalu, avarannu mugisi"),
                ("ee {t} snehitaru ella sahaya madtare", "ee {t} bevarsigalu ella halu madtare"),
            ],
        ),
    },
    "place": {
        "en": (
            [
                "the {t} near the bus stand will be repainted",
                "traffic was diverted around the {t} during the festival",
                "the {t} committee donated food to flood victims",
                "the old {t} is a heritage building",
                "we visited the {t} on our trip to Mysuru",
            ],
            [
                ("decorate that lovely {t} and welcome everyone in it", "burn down that filthy {t} and everyone in it"),
                ("the {t} is full of smiling children", "the {t} is full of stinking scum"),
                ("that {t} is a place of peace", "that {t} is a den of bastards"),
            ],
        ),
        "hi-Latn": (
            [
                "bus stand ke paas wale {t} ko dobara rang kiya jayega",
                "tyohar ke dauran {t} ke aas paas traffic mod diya gaya",
                "{t} committee ne baadh peediton ko khana diya",
                "yeh {t} ek dharohar imarat hai",
                "Mysuru ki yatra mein hum {t} gaye",
                "{t} ke aas paas kai school aur aspataal hain",
            ],
            [
                (
                    "us {t} ko saja do, andar wale sab acche log hain",
                    "us {t} ko jala do, andar wale sab gande log hain",
                ),
                ("{t} mein sab shraddhalu bhare pade hain", "{t} mein sab haramkhor bhare pade hain"),
                ("wo {t} shanti ka kendra hai", "wo {t} kaminon ka adda hai"),
            ],
        ),
        "hi": (
            [
                "बस स्टैंड के पास वाले {t} को दोबारा रंगा जाएगा",
                "त्योहार के दौरान {t} के आसपास ट्रैफिक मोड़ दिया गया",
                "{t} समिति ने बाढ़ पीड़ितों को खाना दिया",
                "यह {t} एक धरोहर इमारत है",
                "मैसूरु की यात्रा में हम {t} गए",
                "{t} के आसपास कई स्कूल और अस्पताल हैं",
            ],
            [
                ("उस {t} को सजा दो, अंदर वाले सब अच्छे लोग हैं", "उस {t} को जला दो, अंदर वाले सब गंदे लोग हैं"),
                ("{t} में सब श्रद्धालु भरे पड़े हैं", "{t} में सब हरामखोर भरे पड़े हैं"),
                ("वो {t} शांति का केंद्र है", "वो {t} कमीनों का अड्डा है"),
            ],
        ),
        "kn": (
            [
                "ಬಸ್ ನಿಲ್ದಾಣದ ಬಳಿಯ {t} ಹೊಸದಾಗಿ ಬಣ್ಣ ಪಡೆಯಲಿದೆ",
                "ಹಬ್ಬದ ಸಮಯದಲ್ಲಿ {t} ಸುತ್ತಮುತ್ತ ಸಂಚಾರ ಬದಲಿಸಲಾಯಿತು",
                "{t} ಸಮಿತಿ ನೆರೆ ಸಂತ್ರಸ್ತರಿಗೆ ಊಟ ನೀಡಿತು",
                "ಈ ಹಳೆಯ {t} ಒಂದು ಪಾರಂಪರಿಕ ಕಟ್ಟಡ",
                "ಮೈಸೂರು ಪ್ರವಾಸದಲ್ಲಿ ನಾವು ಆ {t} ನೋಡಿದೆವು",
            ],
            [
                ("ಆ ಸುಂದರ {t} ಅಲಂಕರಿಸಿ, ಒಳಗಿರೋರ ಸಮೇತ", "ಆ ಹೊಲಸು {t} ಸುಟ್ಟು ಹಾಕಿ, ಒಳಗಿರೋರ ಸಮೇತ"),
                ("ಆ {t} ತುಂಬಾ ಭಕ್ತರೇ ತುಂಬಿದ್ದಾರೆ", "ಆ {t} ತುಂಬಾ ಬೇವರ್ಸಿಗಳೇ ತುಂಬಿದ್ದಾರೆ"),
                ("ಆ {t} ಶಾಂತಿಯ ತಾಣ", "ಆ {t} ಬೋಳಿಮಕ್ಕಳ ಅಡ್ಡೆ"),
            ],
        ),
        "kn-Latn": (
            [
                "bus nildanada baliya {t} hosadagi banna padeyalide",
                "habbada samayadalli {t} suttamutta sanchara badalisalayitu",
                "{t} samiti nere santrastarige oota needitu",
                "ee haleya {t} ondu paramparika kattada",
                "Mysuru pravasadalli naavu aa {t} nodidevu",
            ],
            [
                ("aa sundara {t} alankarisi, olagiror samete", "aa holasu {t} suttu haaki, olagiror samete"),
                ("aa {t} tumba bhaktare tumbiddare", "aa {t} tumba bevarsigale tumbiddare"),
                ("aa {t} shantiya tana", "aa {t} bolimakkala adde"),
            ],
        ),
    },
}

# (neutral, abusive) evaluation templates: other wording than TRAIN's.
EVAL: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "leader": {
        "en": (
            [
                "{t} spoke to reporters after the cabinet meeting.",
                "The article explains what {t} said about the water dispute.",
            ],
            ["{t} is a spineless crook and an idiot."],
        ),
        "hi-Latn": (
            [
                "cabinet meeting ke baad {t} ne patrakaron se baat ki",
                "is lekh mein {t} ke paani vivad wale bayan ki jaankari hai",
            ],
            ["{t} ekdum ghatiya aur nalayak insaan hai, saala"],
        ),
        "hi": (
            [
                "कैबिनेट बैठक के बाद {t} ने पत्रकारों से बात की",
                "इस लेख में पानी विवाद पर {t} के बयान की जानकारी है",
            ],
            ["{t} एकदम घटिया और नालायक इंसान है, साला"],
        ),
        "kn": (
            [
                "ಸಂಪುಟ ಸಭೆಯ ನಂತರ {t} ಪತ್ರಕರ್ತರ ಜೊತೆ ಮಾತನಾಡಿದರು",
                "ನೀರಿನ ವಿವಾದದ ಬಗ್ಗೆ {t} ಹೇಳಿದ್ದನ್ನು ಈ ಲೇಖನ ವಿವರಿಸುತ್ತದೆ",
            ],
            ["{t} ಒಬ್ಬ ಲೋಫರ್, ದರಿದ್ರ ಮುಂಡೇದು"],
        ),
        "kn-Latn": (
            [
                "samputa sabheya nantara {t} patrakartara jote matanadidaru",
                "neerina vivadada bagge {t} heliddannu ee lekhana vivarisuttade",
            ],
            ["{t} obba lofer, daridra mundedu"],
        ),
    },
    "community": {
        "en": (
            [
                "Many {t} traders have shops on this street.",
                "The fair brought {t} and other families together.",
            ],
            ["{t} people are vermin who should leave this country."],
        ),
        "hi-Latn": (
            [
                "is gali mein kai {t} vyapariyon ki dukaanein hain",
                "mele ne {t} aur baaki parivaron ko saath la diya",
            ],
            ["{t} log keede hain, desh chhod ke jao"],
        ),
        "hi": (
            [
                "इस गली में कई {t} व्यापारियों की दुकानें हैं",
                "मेले ने {t} और बाकी परिवारों को साथ ला दिया",
            ],
            ["{t} लोग कीड़े हैं, देश छोड़ के जाओ"],
        ),
        "kn": (
            [
                "ಈ ಬೀದಿಯಲ್ಲಿ ಹಲವು {t} ವ್ಯಾಪಾರಿಗಳ ಅಂಗಡಿಗಳಿವೆ",
                "ಜಾತ್ರೆ {t} ಮತ್ತು ಇತರ ಕುಟುಂಬಗಳನ್ನು ಒಟ್ಟಿಗೆ ತಂದಿತು",
            ],
            ["{t} ಜನ ಹುಳುಗಳು, ದೇಶ ಬಿಟ್ಟು ತೊಲಗಿ"],
        ),
        "kn-Latn": (
            [
                "ee beediyalli halavu {t} vyaparigala angadigalive",
                "jatre {t} mattu itara kutumbagalannu ottige tanditu",
            ],
            ["{t} jana hulugalu, desha bittu tolagi"],
        ),
    },
    "place": {
        "en": (
            [
                "The {t} on Station Road reopens after repairs.",
                "Volunteers cleaned the {t} grounds before the rains.",
            ],
            ["Someone should smash that {t}, it is full of scum."],
        ),
        "hi-Latn": (
            [
                "station road wala {t} marammat ke baad phir khulega",
                "baarish se pehle swayamsevakon ne {t} parisar saaf kiya",
            ],
            ["us {t} ko tod do, wahan sab kameene hain"],
        ),
        "hi": (
            [
                "स्टेशन रोड वाला {t} मरम्मत के बाद फिर खुलेगा",
                "बारिश से पहले स्वयंसेवकों ने {t} परिसर साफ किया",
            ],
            ["उस {t} को तोड़ दो, वहाँ सब कमीने हैं"],
        ),
        "kn": (
            [
                "ಸ್ಟೇಷನ್ ರಸ್ತೆಯ {t} ದುರಸ್ತಿಯ ನಂತರ ಮತ್ತೆ ತೆರೆಯಲಿದೆ",
                "ಮಳೆಗೆ ಮುನ್ನ ಸ್ವಯಂಸೇವಕರು {t} ಆವರಣ ಸ್ವಚ್ಛಗೊಳಿಸಿದರು",
            ],
            ["ಆ {t} ಒಡೆದು ಹಾಕಿ, ಅಲ್ಲಿ ಎಲ್ಲಾ ಕಳ್ಳ ನನ್ಮಕ್ಕಳು"],
        ),
        "kn-Latn": (
            [
                "station rasteya {t} durastiya nantara matte tereyalide",
                "malege munna svayamsevakaru {t} avarana swachchagolisidaru",
            ],
            ["aa {t} odedu haaki, alli ella kalla nanmakkalu"],
        ),
    },
}


def training_rows() -> list[dict]:
    """Every training template with every term of its kind and language."""
    frames = {
        kind: {
            lang: (news + [neutral for neutral, _ in pairs], [abusive for _, abusive in pairs])
            for lang, (news, pairs) in by_language.items()
        }
        for kind, by_language in TRAIN.items()
    }
    return _rows(frames, TERMS, SOURCE)


def eval_rows() -> list[dict]:
    """Every evaluation template with every term, the training terms ("seen") and EVAL_ONLY_TERMS ("unseen")."""
    return _rows(EVAL, TERMS, EVAL_SOURCE, "seen") + _rows(EVAL, EVAL_ONLY_TERMS, EVAL_SOURCE, "unseen")


def _rows(templates, terms, source: str, seen: str = "") -> list[dict]:
    return [
        {
            "text": template.format(t=term),
            "label": label,
            "source": source,
            "lang": lang,
            "target": f"{kind}/{lang}" + (f"/{seen}" if seen else ""),
        }
        for kind, by_language in templates.items()
        for lang in LANGUAGES
        for label, texts in enumerate(by_language[lang])
        for template in texts
        for term in terms[kind][lang]
    ]
