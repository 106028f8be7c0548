"""Everyday comments in Kannada, Roman Kannada, Roman Hindi and Devanagari Hindi, written for Kavalu as an
evaluation set only (never trained on; tests/test_abuse_multilingual.py checks that none is a training row).

Why: the sources in these languages are YouTube comments and tweets, and the character model learnt ordinary
words that they mostly use in abuse as abuse: "chod" (leave), "ಮಕ್ಕಳು" (children), "gandu" (male, in Kannada),
"ಅಡುಗೆ" (cooking). A news site's readers write about children, school, homes, prices and the weather. Most
sentences here use such a word in its everyday sense; the abusive ones use the same words as the swear, so that
the set shows whether the model tells the senses apart and not only whether it stays low.
Comments on crime news and everyday numbers were added on 2026-12-06, because the sources use news words such as
"चोर", "chor", "ಕಳ್ಳ" (thief) and "नंबर" (number, as in "number one scoundrel") as insults, while readers use them
for thefts, frauds, arrests and court cases, and for phone, house, bus and roll numbers. On 2026-12-07 (s), 16 more
Roman Hindi ones (the last 16 of NEWS_NEUTRAL["hi-Latn"]), written by another writer than the Roman Hindi training
rows of `kavalu-authored-news` added the same day, which never saw them; and comments about dogs (the last five
Roman Hindi and three Devanagari ones of NEUTRAL, the last three and one of ABUSIVE), because the sources use
"kutta"/"कुत्ता" (dog) only as an insult while stray dogs are a constant topic of local news. On 2026-12-07 (u),
comments on other animals in the news (ANIMAL_NEUTRAL: pigs, owls, donkeys, monkeys, snakes) and insults that call a
person one of them (ANIMAL_ABUSIVE), for the same reason: "suar", "ullu", "gadha", "ಕತ್ತೆ", "ಹಂದಿ", "ಗೂಬೆ" are insults
in the sources. On 2026-12-07 (w), counter-speech (COUNTER_NEUTRAL: a reader who quotes a slur to condemn it, denies a
stereotype or defends someone insulted) and the same words in earnest (COUNTER_ABUSIVE): the sources never quote a
slur except to use it. On 2026-12-07 (x), implicit hate (IMPLICIT_ABUSIVE: a stereotype stated as fact, a call not to
rent to, hire or admit a group, a conspiracy about its numbers, doubt of its ability or loyalty, a veiled threat, with
no abusive word) beside the same groups in the same settings (IMPLICIT_NEUTRAL: housing societies, hospitals, hiring,
hostels, matrimonial ads, elections), written by another writer than the training rows of
`kavalu-authored-implicit-hate`, in other settings: the sources' hate in these languages almost always carries a slur,
and the (w) model caught 8 of the 48. On 2026-12-07 (z), household chores and civic complaints (CHORES_NEUTRAL) and the
same words turned on a person (CHORES_ABUSIVE): the sources' threats use "बाहर"/"ಹೊರಗೆ" (out) and "फेंको" (throw), and
(y) rejected "कचरा घर से बाहर फेंको" (throw the garbage out).
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
        "gali me awara kutte bahut ho gaye hain, nagar nigam kuch kare",
        "awara kutton ne school jaate bachche ko kaat liya",
        "hamare kutte ka naam Sheru hai, bahut samajhdar hai",
        "kutta insaan ka sabse wafadar dost hota hai",
        "police ke kutte ne chor ko dhoondh nikala",
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
        "आवारा कुत्तों ने बच्चे को काट लिया, नगर निगम सो रहा है",
        "हमारे मोहल्ले में कुत्तों को खाना खिलाने वाली आंटी बहुत भली हैं",
        "पुलिस के खोजी कुत्ते ने बम ढूंढ निकाला",
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
        "tu kutta hai saale",
        "kamine kutte, sharam kar",
        "kutte ki aulaad, dobara comment kiya to dekh lena",
    ],
    "hi": [
        "तेरी माँ को चोद दूँगा",
        "मादरचोद नेता ने देश लूट लिया",
        "कुत्ते की औलाद, दोबारा कमेंट किया तो देख लेना",
    ],
}


# Comments on crime news and everyday numbers (2026-12-06), apart from the lists above so that each set's test
# states what the model does on it.
NEWS_NEUTRAL: dict[str, list[str]] = {
    "kn": [
        "ನಮ್ಮ ಬಡಾವಣೆಯಲ್ಲಿ ರಾತ್ರಿ ಎರಡು ಅಂಗಡಿಗಳಲ್ಲಿ ಕಳ್ಳತನ ನಡೆದಿದೆ, ಪೊಲೀಸರು ಗಸ್ತು ಹೆಚ್ಚಿಸಲಿ",
        "ಸಂತೆಯಲ್ಲಿ ಪರ್ಸ್ ಎಗರಿಸುತ್ತಿದ್ದ ಕಳ್ಳನನ್ನು ವ್ಯಾಪಾರಿಗಳೇ ಹಿಡಿದು ಪೊಲೀಸರಿಗೆ ಒಪ್ಪಿಸಿದರು",
        "ಆನ್ಲೈನ್ ಮೋಸದಿಂದ ಬಚಾವಾಗಲು ಯಾರಿಗೂ OTP ಹೇಳಬೇಡಿ",
        "ಬ್ಯಾಂಕ್ ಹೆಸರಿನಲ್ಲಿ ಕರೆ ಮಾಡಿ ಮೋಸ ಮಾಡುವವರ ಬಗ್ಗೆ ಎಚ್ಚರ ಇರಲಿ",
        "ಹೆದ್ದಾರಿಯಲ್ಲಿ ದರೋಡೆ ಮಾಡುತ್ತಿದ್ದ ಗ್ಯಾಂಗ್ ಬಂಧನ, ಪೊಲೀಸರಿಗೆ ಅಭಿನಂದನೆ",
        "ಎಟಿಎಂ ದರೋಡೆ ಪ್ರಕರಣದ ಆರೋಪಿಗಳಿಗೆ ಶಿಕ್ಷೆ ಯಾವಾಗ ಆಗುತ್ತೆ, ವಿಚಾರಣೆ ತುಂಬಾ ನಿಧಾನ",
        "ಕಳ್ಳತನವಾದ ನನ್ನ ಬೈಕ್ ಒಂದು ವಾರದಲ್ಲಿ ಸಿಕ್ಕಿತು, ಠಾಣೆಯವರಿಗೆ ಧನ್ಯವಾದ",
        "ಆಧಾರ್ ಜೊತೆ ಮೊಬೈಲ್ ನಂಬರ್ ಲಿಂಕ್ ಮಾಡಲು ಅಂಚೆ ಕಚೇರಿಯಲ್ಲಿ ಶಿಬಿರ ಇದೆ",
        "ನನ್ನ ರೋಲ್ ನಂಬರ್ ಫಲಿತಾಂಶದ ಪಟ್ಟಿಯಲ್ಲಿ ಕಾಣುತ್ತಿಲ್ಲ",
        "ಇನ್ನು ಮುಂದೆ 500 ನಂಬರ್ ಬಸ್ ಹೊಸ ನಿಲ್ದಾಣದಿಂದ ಹೊರಡುತ್ತದೆ",
        "ನಮ್ಮ ಮನೆ ನಂಬರ್ ಬದಲಾಗಿದೆ, ಕಂದಾಯ ರಸೀದಿ ಇನ್ನೂ ಬಂದಿಲ್ಲ",
        "ಸ್ವಚ್ಛತೆಯಲ್ಲಿ ನಮ್ಮ ನಗರ ಈ ಸಲ ನಂಬರ್ ಒನ್ ಸ್ಥಾನ ಪಡೆದಿದೆ",
    ],
    "kn-Latn": [
        "namma area alli ninne raatri eradu angadi kallatana aagide, police round haakbeku",
        "santeyalli purse egaristidda kallanna vyaparigale hididu police ge kottru",
        "online mosa aagbardu andre yarigu OTP helbedi",
        "bank inda call maadtivi antha mosa maadoru jasti agidare, hushar",
        "highway alli daroode madtidda gang na police arrest madidru",
        "ATM daroode case aaropigalige shikshe yavaga aagutte, vicharane tumba nidhana",
        "kallatana aagidda nanna bike ondu vaaradalli sikkitu, station avrige thanks",
        "aadhaar ge mobile number link maadoke post office alli camp ide",
        "nanna roll number result list alli kaanstilla, yaranna kelodu",
        "500 number bus inmele hosa bus stand inda hortide",
        "namma mane number badalaagide, tax receipt innu bandilla",
        "swachhate alli namma ooru ee sala number one bandide",
    ],
    "hi-Latn": [
        "kal raat hamari gali me do bike chori ho gayi, police kuch nahi kar rahi",
        "train me yatriyon ka saman churane wala chor RPF ne pakda",
        "online thagi se bacho, koi bhi OTP maange to mat batana",
        "bank ke naam pe call karne wale thug bahut active h aajkal",
        "highway wala lutera gang aakhir pakda gaya, achha kaam kiya police ne",
        "ration ghotala ki jaanch CBI ko deni chahiye",
        "court ne ghotale wale case me faisla agle mahine tak tal diya",
        "aadhaar se mobile number link karwana ho to post office me camp laga h",
        "mera roll number admit card pe galat chhapa h, kya karun",
        "bus number 15 ka time badal gaya kya? subah nahi aayi",
        "naye makaan ka number abhi tak nagar nigam ne nahi diya",
        "hamare district ka hospital state me number one bana, staff ko salaam",
        "police ne chor ko pakad liya",
        "mandir ki daan peti se chori karne wale do aaropi giraftaar",
        "chain snatcher ko logon ne pakad ke police ko saunp diya",
        "cyber thagi ke 20 case is mahine darj hue",
        "hamare mohalle me chor ghoom rahe hain, sab dhyan rakho",
        "chor CCTV me saaf dikh raha hai, police jaldi pakde",
        "bhai ye chori ka maal tha, police ne zabt kar liya",
        "ATM se paise nikalte waqt thag se saavdhan rahein",
        "dakait gang ke teen sadasya giraftaar",
        "ye news padh ke dukh hua, gareeb ka saman chori ho gaya",
        "mele me jebkatre aur chor bahut the, mera purse bhi gaya",
        "naukri dilane ke naam pe thagne wala aadmi jail gaya",
        "lutere bike pe aaye aur dukaandar ka galla le gaye",
        "chor ne khidki tod ke ghar me ghusa, par kutte ne bhaunk ke bhaga diya",
        "insurance ke naam par thagi ho rahi h, koi call kare to number block karo",
        "dakaiti ke case me court ne paanch saal ki saza sunayi",
    ],
    "hi": [
        "हमारे मोहल्ले में रात को दो दुकानों में चोरी हो गई, पुलिस गश्त बढ़ाए",
        "मेले में जेब काटते हुए एक चोर रंगे हाथ धरा गया",
        "ऑनलाइन ठगी से बचना है तो किसी को भी OTP मत बताइए",
        "बैंक वाले बनकर फोन करने वाले ठग से सावधान रहें",
        "हाईवे पर लुटेरों ने ट्रक ड्राइवर से पैसे छीन लिए, बहुत बुरा हुआ",
        "भर्ती घोटाले की जांच जल्दी पूरी होनी चाहिए",
        "घोटाले में फंसे अफसर की जमानत अर्जी कोर्ट से खारिज हो गई",
        "आधार से मोबाइल नंबर जोड़ने के लिए डाकघर में कैंप लगा है",
        "मेरा रोल नंबर रिजल्ट की लिस्ट में नहीं दिख रहा, किससे पूछें",
        "बस नंबर 42 अब नए बस अड्डे से चलेगी क्या",
        "हमारा मकान नंबर बदल गया है, नई रसीद कब आएगी",
        "सफाई में हमारा शहर इस बार नंबर एक पर आया",
    ],
}

NEWS_ABUSIVE: dict[str, list[str]] = {
    "kn": [
        "ಕಾಮೆಂಟ್ ಬರೆಯೋ ನೀನೇ ಅಸಲಿ ಕಳ್ಳ, ಬೇರೆಯವರಿಗೆ ಬುದ್ಧಿ ಹೇಳಬೇಡ",
        "ಈ ವರದಿಗಾರನೇ ನಂಬರ್ ಒನ್ ಮೋಸಗಾರ, ಚಿಟ್ ಫಂಡ್ ಕಂಪನಿಗೆ ಪ್ರಚಾರ ಮಾಡಿದ್ದು ಇವನೇ",
        "ಕಳ್ಳ ಸೂಳೆಮಗ ಅಧಿಕಾರಿ, ಬಡವರ ದುಡ್ಡು ತಿಂದುಬಿಟ್ಟ",
        "ದರೋಡೆಕೋರ ನನ್ ಮಗನೇ, ಇಲ್ಲಿ ಬಂದು ನೀತಿ ಪಾಠ ಮಾಡ್ತೀಯಾ",
    ],
    "kn-Latn": [
        "comment bareyo neene asli kalla, bere avrige buddhi helbeda",
        "ee reporter ne number one mosagaara, chit fund company ge prachara madiddu ivne",
        "kalla sulemaga adhikari, badavara duddu tindbitta",
        "daroodekora nan magane, illi bandu neeti paata madtiya",
    ],
    "hi-Latn": [
        "tu khud sabse bada chor h, comment me gyaan mat de",
        "reporter sahab khud number one thug h, chit fund company ka prachar yahi karte the",
        "ghotalebaaz afsar saala, gareebon ki kamai hadap li kamine ne",
        "abe lutere harami, tere jaise log comment me bhashan dete h",
    ],
    "hi": [
        "सबसे बड़ा चोर तो तू ही निकला, दूसरों को ज्ञान मत बांट",
        "रिपोर्टर महोदय खुद नंबर वन ठग हैं, चिटफंड कंपनी का प्रचार यही करते थे",
        "घोटालेबाज अफसर साला, गरीबों की कमाई हड़प ली कमीने ने",
        "अबे लुटेरे हरामी, तेरे जैसे लोग ही कमेंट में ज्ञान देते हैं",
    ],
}


# 2026-12-07 (u): animals in the news, in their literal sense (all but the last two Roman Hindi and the last Kannada and Roman Kannada ones by a writer that never saw the training rows).
ANIMAL_NEUTRAL: dict[str, list[str]] = {
    "kn": [
        "ನಮ್ಮ ಊರಲ್ಲಿ ಕಾಡು ಹಂದಿಗಳು ರಾತ್ರಿ ಬಂದು ಜೋಳದ ಬೆಳೆ ಪೂರ್ತಿ ಹಾಳು ಮಾಡ್ತಿವೆ, ಅರಣ್ಯ ಇಲಾಖೆ ಏನ್ ಮಾಡ್ತಿದೆ?",
        "ಹಂದಿ ಜ್ವರ ಬಂದ ಮೇಲೆ ಹಂದಿ ಸಾಕಣೆದಾರರಿಗೆ ಭಾರಿ ನಷ್ಟ ಆಗಿದೆ, ಪರಿಹಾರ ಬೇಗ ಕೊಡ್ಲಿ.",
        "ಗೂಬೆ ಮನೆ ಮೇಲೆ ಕೂತ್ರೆ ಅಪಶಕುನ ಅನ್ನೋದು ಮೂಢನಂಬಿಕೆ, ಅದು ಇಲಿ ತಿಂದು ರೈತರಿಗೆ ಸಹಾಯ ಮಾಡುತ್ತೆ.",
        "ಗೂಬೆಗಳನ್ನ ವಾಮಾಚಾರಕ್ಕೆ ಮಾರೋ ದಂಧೆ ಇನ್ನೂ ನಡೀತಿದೆ ಅಂದ್ರೆ ನಾಚಿಕೆ ಆಗ್ಬೇಕು.",
        "ಕತ್ತೆ ಹಾಲು ಲೀಟರ್‌ಗೆ ಸಾವಿರಾರು ರೂಪಾಯಿ ಅಂತೆ, ನಮ್ಮ ಕಡೆ ಯಾರಾದ್ರೂ ಕತ್ತೆ ಸಾಕಾಣಿಕೆ ಶುರು ಮಾಡಿದ್ದಾರಾ?",
        "ಹಿಂದೆ ಇಟ್ಟಿಗೆ ಭಟ್ಟಿಯಲ್ಲಿ ಕತ್ತೆಗಳೇ ಮಣ್ಣು ಹೊರ್ತಿದ್ವು, ಈಗ ಅವು ಕಾಣ್ಸೋದೇ ಕಮ್ಮಿ.",
        "ಹಂಪಿಯಲ್ಲಿ ಕೋತಿ ನನ್ನ ಕೈಯಿಂದ ಬಾಳೆಹಣ್ಣು ಕಿತ್ಕೊಂಡು ಓಡ್ತು, ಮಕ್ಕಳು ನಕ್ಕು ನಕ್ಕು ಸುಸ್ತಾದ್ರು.",
        "ಮಂಗಗಳ ಕಾಟಕ್ಕೆ ತೆಂಗಿನಕಾಯಿ ಒಂದೂ ಉಳೀತಿಲ್ಲ, ಮಲೆನಾಡಲ್ಲಿ ಮಂಗನ ಕಾಯಿಲೆ ಭಯ ಬೇರೆ.",
        "ಮಳೆಗಾಲದಲ್ಲಿ ಮನೆಗೆ ಹಾವು ಬಂದ್ರೆ ಹೊಡೀಬೇಡಿ, ಸ್ನೇಕ್ ರೆಸ್ಕ್ಯೂ ಅವರಿಗೆ ಫೋನ್ ಮಾಡಿ.",
        "ನಾಗರಪಂಚಮಿಗೆ ಹುತ್ತಕ್ಕೆ ಹಾಲು ಎರೆಯೋದು ನಂಬಿಕೆ, ಆದ್ರೆ ಹಾವು ಹಾಲು ಕುಡಿಯಲ್ಲ ಅಂತ ಇವತ್ತೇ ಗೊತ್ತಾಯ್ತು.",
        "ಹೈವೇನಲ್ಲಿ ರಾತ್ರಿ ಕತ್ತೆ ಅಡ್ಡ ಬಂದು ಬೈಕ್ ಅಪಘಾತ ಆಯ್ತು, ಬೀದಿಗೆ ಪ್ರಾಣಿ ಬಿಡೋರ ಮೇಲೆ ಕ್ರಮ ಆಗ್ಲಿ.",
        "ಮೃಗಾಲಯದಲ್ಲಿ ಹೊಸ ಗೂಬೆ ಮತ್ತು ಕೋತಿ ಮರಿ ನೋಡೋಕೆ ಭಾನುವಾರ ಹೋಗ್ತೀವಿ, ಟಿಕೆಟ್ ದರ ಎಷ್ಟು?",
        "ಕತ್ತೆ ಹಾಲು ಮಾರಾಟದಿಂದ ಲಾಭ ಎಂದು ವರದಿ",
    ],
    "kn-Latn": [
        "Namma oorali kaadu handi raatri bandu kabbu bele full haalu maadtive, forest department yen maadtide?",
        "Handi saakaNe maadoru swine fever inda tumba nashta anubhavisidaare, sarkaara bega parihaara kodbeku.",
        "Goobe mane mele koothre apashakuna anta hELodu mooDhanambike, adu ili tindu raitharige sahaaya maadutte.",
        "Deepavali time alli goobe smuggling jaasti aagutte antha gottiralilla, police strict aagbeku.",
        "Katte haalu litre ge saavira roopaayi anta news nodi shock aaythu, nijana idu?",
        "Highway alli raatri katte adda bandu bike accident aaythu, beedi ge praaNi bidoru mele fine haakbeku.",
        "Hampi alli kothi nanna sunglasses kitkondu hoytu, baaLehaNNu kotmele vaapas kottu, full comedy aaythu.",
        "Malenaadalli manga gaLa kaata jaasti, thengina kaayi ondu uLithilla, jothege manganakaayile bhaya bere.",
        "MaLegaaladalli manege haavu bandre hodeebedi, snake rescue avrige phone maadi, avru safe aagi bidtaare.",
        "Nagarapanchami ge huttakke haalu eryodu nambike, aadre haavu haalu kudiyalla anta ivatte gotthaaythu.",
        "Zoo alli hosa kothi mari nodoke makkaLu tumba khushi aadru, ee weekend naavu hogtivi.",
        "Airport alli bag olage jeevantha haavu sikkide antha news, smugglers ge heavy shikshe aagli.",
        "handi saakane maadva raitharige sahaya dhana",
    ],
    "hi-Latn": [
        "Hamare gaon mein jangli suar raat ko aakar poori makka ki fasal ukhaad dete hain, van vibhag kuch kare.",
        "African swine fever se itne suar mar gaye, palne walon ko muavza kab milega?",
        "Diwali par ullu ki bali wali khabar padhkar dukh hua, ye andhvishwas kab khatam hoga?",
        "Kal raat chhat par safed ullu dekha, bachchon ne pehli baar itna bada pakshi dekha.",
        "Bhatte par kaam karne wale gadhe bhi garmi mein bina paani ke bojh dhote hain, unka bhi socho.",
        "Gadhi ka doodh 5000 rupaye litre? Ye khabar sach hai ya mazaak, koi batao.",
        "Mandir ke paas bandar roz logon ke haath se prasad chheen lete hain, bachche dar jaate hain.",
        "Bandar ne tourist ka chashma chheen liya aur kela milne par hi lautaya, video dekh kar hasi nahi ruki.",
        "Barsaat mein khet mein saanp bahut nikalte hain, gaon ke hospital mein anti-venom hona hi chahiye.",
        "Naag Panchami par saanp ko doodh pilana galat hai, saanp doodh peeta hi nahi, reporter ne sahi likha.",
        "Airport par pakde gaye tasker ke bag mein zinda saanp aur ullu the, shukr hai bach gaye.",
        "Highway par gadha gaadi se takra gaya, raat mein sadak par janwar chhode hi kyon jaate hain?",
        "swine flu ke baad suar ke maans ki bikri par rok lagi",
        "raat ko ullu bolta hai to dadi kehti thi kuch hone wala hai",
    ],
    "hi": [
        "जंगली सूअरों ने रात में पूरी गन्ने की फसल बर्बाद कर दी, किसानों को मुआवज़ा मिलना चाहिए।",
        "स्वाइन फ्लू के डर से लोग सूअर पालन बंद कर रहे हैं, सरकार जागरूकता फैलाए।",
        "दिवाली से पहले उल्लू की तस्करी बढ़ जाती है, वन विभाग को सख्ती करनी चाहिए।",
        "उल्लू रात में चूहे खाकर किसानों की मदद करता है, उसे अशुभ मानना गलत है।",
        "पहाड़ों में आज भी गधे और खच्चर ही राशन ऊपर तक पहुँचाते हैं।",
        "गधों की घटती संख्या पर यह रिपोर्ट अच्छी लगी, पहले गाँव में बहुत दिखते थे।",
        "बंदरों के आतंक से कॉलोनी में लोग छत पर कपड़े नहीं सुखा पाते, नगर निगम कब पकड़ेगा?",
        "मथुरा में एक बंदर ने मेरा चश्मा छीन लिया था, फ्रूटी देने पर ही वापस किया, हँसी आ गई।",
        "स्कूल के शौचालय में साँप निकलना बहुत डरावना है, बच्चों की सुरक्षा पर ध्यान दीजिए।",
        "साँप काटे तो झाड़-फूंक नहीं, सीधे अस्पताल जाइए, हमारे गाँव में इसी से एक जान गई थी।",
        "चिड़ियाघर के नए बाड़े में बंदर और साँप देखकर बच्चे बहुत खुश हुए, टिकट भी सस्ता है।",
        "सड़क पर आवारा गधे से टकराकर बाइक सवार घायल हुआ, पशु मालिकों पर जुर्माना लगे।",
    ],
}

# 2026-12-07 (u): a commenter, a reporter or an official called one of those animals.
ANIMAL_ABUSIVE: dict[str, list[str]] = {
    "kn": [
        "ಲೇ ಗೂಬೆ, ಸುದ್ದಿ ಪೂರ್ತಿ ಓದಿ ಆಮೇಲೆ ಕಾಮೆಂಟ್ ಮಾಡು.",
        "ಈ ರಿಪೋರ್ಟರ್ ಒಬ್ಬ ಕತ್ತೆ, ಪ್ರತಿ ಸಾರಿ ತಪ್ಪು ಮಾಹಿತಿ ಬರೀತಾನೆ.",
        "ಏನೋ ಮಂಗ, ನಿನಗೆ ಏನೂ ಗೊತ್ತಿಲ್ಲ, ಸುಮ್ನೆ ಕುಣೀಬೇಡ.",
        "ಬಾಯ್ ಮುಚ್ಕೊಳೋ ಹಂದಿ, ದರಿದ್ರ ನನ್ಮಗನೆ, ನಿನ್ನ ಕಮೆಂಟ್ ಯಾರಿಗೂ ಬೇಕಿಲ್ಲ.",
    ],
    "kn-Latn": [
        "Lo goobe, news full odi aamele comment maadu.",
        "Ee reporter ondu katte, yaavaglu thappu info haaktaane.",
        "Aa officer ondu vishada haavu, duddu tagondu kai kodtaane.",
        "Baai mucchko handi, nan magane, ninna kasa comment yaarigu beda.",
    ],
    "hi-Latn": [
        "Abe ullu, khabar poori padh le phir comment karna.",
        "Ye reporter sach mein gadha hai, har baar aadhi adhoori news chhaapta hai.",
        "Nagar nigam ka ye afsar aasteen ka saanp hai, paisa khaakar mukar jaata hai.",
        "Chup kar suar, kameene, teri bakwaas koi nahi sunta.",
    ],
    "hi": [
        "अरे उल्लू, पहले खबर ठीक से पढ़ फिर ज्ञान दे।",
        "ये तहसीलदार पूरा गधा है, एक फाइल में छह महीने लगा देता है।",
        "तुम जैसे आस्तीन के साँप ही इस शहर का नुकसान करते हैं।",
        "चुप कर सूअर, कमीने, तेरी बकवास कोई नहीं सुनता।",
    ],
}


# 2026-12-07 (v): Roman Kannada comments full of the function words the sources use most in abuse ("alla", "ella", "ondu", "ninna", "anta"), by a writer that never saw the training rows.
FUNCTION_WORDS_NEUTRAL: dict[str, list[str]] = {
    "kn-Latn": [
        "Ee movie trailer nodi guru, namma Sandalwood level ondu step mele hogide antha anisuthe",
        "First half swalpa slow ittu, aadre climax ella super, family jothe hogi nodi",
        "Nimma review odide, songs ishta aagalla antha alla, bgm swalpa loud ittu ashte",
        "Ticket rate 400 antha hakidare namma tara middle class jana hogi nodoke aagalla",
        "Ee sala cup namde antha ella varsha heltivi, ondu sala aadru bandre saaku guru",
        "Bowling swalpa improve maadi guru, illa andre kashta",
        "Nimma prediction correct ittu guru, naanu RCB gelalla antha andkondidde",
        "Chinnaswamy ticket online alli sikkilla nodi, ella ondu nimishadalli sold out aaythu",
        "Kohli form bagge chinte beda, ondu innings saaku match change maadoke guru",
        "Prati election alli ella party free current antha promise kodtare, aamele ondu kelsa maadalla",
        "Nimma kshetradalli road repair aagide na? namma area alli innu ondu gundi mucchilla",
        "Vote haakoke hogi, mane alli kootkondu complaint maadi prayojana illa",
        "Naanu nimma jothe agree maadalla, manifesto alli ella bharavase ide antha nanage anisalla",
        "Namma team alli ondu tingalige 20 jana layoff aadru, yaarigu notice kodalla",
        "Layoff aadre tension beda guru, swalpa upskill maadi, bere kade kelsa sigutte",
        "Hike kodalla, bonus illa, aadru weekend kelsa maadi antha manager heltare",
        "Ella company AI antha hesru helkondu hiring nilsive, freshers ge swalpa kashta ide, namma college batch alli ardha jana ge innu offer letter bandilla",
        "Idu fake news alla, namma office alli ella team ge layoff notice bandide",
        "Nimma company alli work from home ide na? namma office ge vaaradalli mooru dina hogi barbeku",
        "Silk Board signal alli ondu gante nintidde, metro illa andre Bengaluru alli jeevana aagalla",
        "Yellow line metro shuru aagide, ella kade swalpa traffic kadime aagutte antha kaayta iddivi",
        "Namma metro innu ella kade beku guru",
        "Auto avru meter haakalla, app alli book maadi, illa andre double rate anta kelthare",
        "Ninna point sari guru, aadre traffic ge metro ondu solution alla, bus kooda beku",
        "Nimma area alli flyover kelsa mugidide na? namma kade innu ondu varsha aagutte anta helidare",
        "Ee darshini alli masala dose ondu sala try maadi guru, chutney sakkath",
        "Hotel chennagide, aadre service swalpa slow, rush time alli hogi beda",
        "Nimma review nodi hogidvi, biryani chennagittu aadre price swalpa jaasti antha anistu",
        "Namma ooru holige ella kade sigalla, Mysore kade hogi nodi, alli rucchi bere",
        "Coorg ge monsoon alli hogi, aadre ghat road alli swalpa jaagrate maadi",
        "Hampi sunrise nodi, ella kallu mantapagalu chinnada tara kaanutte, ondu sala hogi banni",
        "Chikmagalur alli ondu homestay book maadbeku, nimma anubhava heli, family jothe hogoke safe na?",
        "Weekend alli Nandi Hills ge hogi time waste maadbedi, ella kade traffic, bere ondu plan maadi",
        "Eega maduve antha andre ella lakhs lakhs kharchu, simple aagi maadi saaku",
        "Ee actor maduve photos nodi khushi aaytu, namma kade inthaa decoration ella nodilla",
        "Registered marriage ondu olle idea, nimma hana jothe time kooda ulitaaye",
        "SSLC result bandide, marks kadime bandre makkaLige baiyodu beda, swalpa dhairya kodi, ella sari aagutte",
        "Result website open aagalla guru, ondu gante inda try maadtidini",
        "Bank inda call maadtivi antha OTP kelidre naanantu kodalla, nimma OTP yaarigu kodbedi, ella fraud",
        "Nin phone alli ee update bandideya? nanna battery swalpa bega khaali aagtide, modalu intha problem illa",
    ],
}

# 2026-12-07 (v): insults of a commenter, the reporter or a politician with the same function words.
FUNCTION_WORDS_ABUSIVE: dict[str, list[str]] = {
    "kn-Latn": [
        "Ninna comment odidre gottagutte nee ondu dadda antha, swalpa tale upayoga maadi",
        "Ee reporter ondu murkha, ella news copy paste maadi haaktane, facts illa",
        "Nimma MLA ondu loafer, election aada mele kshetrakke hogi nodalla",
        "Nin tara dadda jothe argue maadi time waste maadalla guru",
        "Murkha, RCB bagge ninge ondu vishaya gottilla, ella match nodi aamele comment maadi",
        "Ee minister ondu loafer antha ella janakke gottu, innu avanige vote beda",
        "Bolimaga, nin comment ella fake, ondu sala baayi muchkondu iru",
        "Soole maga reporter, namma ooru bagge ella sullu news bareetiya, swalpa naachike illa",
        "Ninn ammun, ee MLA ondu rupayi kelsa maadalla, ella duddu tinnutane antha ella janakke gottu",
        "Bevarsi, ninna tara jana inda namma Bengaluru haalagide, tika muchkondu hogi",
        "Ninn akkan, nimma party ge support maadi enu sikkide? swalpa yochane maadi bolimaga",
        "Thu nin janma, soole maga, ondu fraud link kalsi ella jana na mosa maadtiya, naachike illa",
    ],
}


# Counter-speech under news of potholes, schools, farmers' protests, hospitals, water cuts, transgender rights, night
# buses and TV debates (2026-12-07 (w)): a reader who quotes a slur to condemn it or to ask for its removal, denies a
# stereotype, defends someone insulted, or reports a case over a slur; and firm criticism with no insult. Written by
# another writer than the training rows of kavalu-authored-counter-speech, which had other settings. (v) sent 20 of
# these 48 to review, 10 of the 12 in Devanagari.
COUNTER_NEUTRAL: dict[str, list[str]] = {
    "hi": [
        "ऊपर किसी ने ट्रैफिक पुलिस वाले को 'हरामी' लिखा है, ये भाषा ठीक नहीं है। मॉडरेटर कृपया वो कमेंट हटाएं।",
        "ये कहना कि सारे किन्नर भीख मांगते हैं या ज़बरदस्ती पैसे वसूलते हैं, बिल्कुल गलत है। मेरी कॉलोनी के क्लिनिक में एक ट्रांस महिला नर्स है।",
        "किसी को 'छक्का' बोलना मज़ाक नहीं, गाली है। खबर अधिकारों की है और आप लोग नाम बिगाड़ने में लगे हो।",
        "जो लोग किसानों को 'खालिस्तानी' और 'गद्दार' कह रहे हैं, पहले उनकी मांगें तो पढ़ लीजिए। असहमति देशद्रोह नहीं होती।",
        "अस्पताल प्रशासन ने तीन दिन तक FIR नहीं लिखी, ये सीधी लापरवाही है। CMO को जवाब देना होगा।",
        "खबर के मुताबिक पार्षद पर दलित सफाईकर्मी को 'भंगी' कहने के आरोप में SC/ST एक्ट के तहत केस दर्ज हुआ है। अगली सुनवाई 14 तारीख को है।",
        "एंकर ने जिस महिला पैनलिस्ट को 'पागल औरत' कहा, वो तीस साल से पानी के मुद्दे पर काम कर रही हैं। उनकी बात में दम था।",
        "बिहारी बच्चे पढ़ाई में कमज़ोर होते हैं, ये घटिया सोच है। इसी सरकारी स्कूल की पिछले साल की टॉपर बिहार से आई थी।",
        "रात को बस में सफर करने वाली लड़कियां 'ऐसी-वैसी' होती हैं, यही सोच असली समस्या है। वो नौकरी से लौट रही होती हैं, कंडक्टर से सवाल पूछो।",
        "नीचे एक कमेंट में मुसलमानों के लिए 'कटुआ' लिखा है। ऐसी गाली की इस साइट पर कोई जगह नहीं, मैंने रिपोर्ट कर दिया है।",
        "जल बोर्ड तीन हफ्ते से टैंकर भेजने का झूठा वादा कर रहा है। अधिकारियों से लिखित जवाब मांगो।",
        "डिबेट में प्रवक्ता ने दूसरे मेहमान को 'चूतिया' कहा और एंकर चुप बैठा रहा। चैनल को ऑन-एयर माफ़ी मांगनी चाहिए।",
    ],
    "hi-Latn": [
        "Bhai upar wale comment me traffic constable ke liye 'chutiya' likha hai, mods please ye hata do.",
        "Ye bolna ki trans log sirf trains me paise maangte hain, bilkul galat hai. Meri office ki HR head ek trans woman hai.",
        "Farmers ko 'andolanjeevi' aur 'gaddar' bolne walon, MSP wala ek point bhi padha hai kya? Asehmati ka matlab deshdroh nahi hota.",
        "Update: principal ke khilaf complaint hui thi ki usne ek bachche ko class me 'bhangi' bola. DEO ne inquiry baitha di hai.",
        "Jis nurse ko log yahan 'kaamchor' aur 'besharam' bol rahe hain, wahi 36 ghante ki shift kar rahi thi. Galti management ki hai, usko target mat karo.",
        "Kuch log likh rahe hain ladkiyan raat ko bahar kyun jaati hain. Yaar wo job se laut rahi hain, sawaal police patrol pe hona chahiye.",
        "Ye myth band karo ki reservation wale doctors incompetent hote hain. Is case me negligent doctor general category ka tha, caste ka koi lena dena nahi.",
        "Teen mahine me chauthi baar same road khodi gayi. Contractor ka naam public karo aur payment rok do.",
        "Anchor ne guest ko live 'harami' bola aur channel ne clip edit tak nahi ki. NBDSA me complaint banti hai, maine kar di.",
        "Har Muslim ko 'katua' ya terrorist bolne wale comments dekh ke sharam aati hai. Water protest me sabse aage Salma aunty khadi thi.",
        "BMC walon ne notice tak nahi diya, seedha ek hafte ka supply cut. Ward officer ko answerable banana padega.",
        "'Madrasi log Hindi nahi samajhte' wala comment kitna lazy hai. Mera Tamil roommate mujhse better Hindi bolta hai.",
    ],
    "kn": [
        "ಮೇಲೆ ಯಾರೋ ಟ್ರಾಫಿಕ್ ಪೊಲೀಸರಿಗೆ 'ಸೂಳೆ ಮಗ' ಅಂತ ಬರೆದಿದ್ದಾರೆ. ಇಂಥ ಕಮೆಂಟ್ ತೆಗೆದುಹಾಕಿ, ಮಾಡರೇಟರ್ ಅವರೇ.",
        "ಮಂಗಳಮುಖಿಯರು ಎಲ್ಲರೂ ಭಿಕ್ಷೆ ಬೇಡ್ತಾರೆ ಅನ್ನೋದು ತಪ್ಪು ಕಲ್ಪನೆ. ನಮ್ಮ ಊರಿನ ಸರ್ಕಾರಿ ಶಾಲೆಯಲ್ಲಿ ಒಬ್ಬ ಟ್ರಾನ್ಸ್ ಟೀಚರ್ ಪಾಠ ಮಾಡ್ತಾರೆ.",
        "ರೈತರನ್ನು 'ದೇಶದ್ರೋಹಿ' ಅಂತ ಕರೆಯೋರು ಒಂದು ದಿನ ಹೊಲದಲ್ಲಿ ಕೆಲಸ ಮಾಡಿ ನೋಡಲಿ. ಬೆಂಬಲ ಬೆಲೆ ಕೇಳೋದು ಅಪರಾಧ ಅಲ್ಲ.",
        "ಡಿಬೇಟ್ ಶೋನಲ್ಲಿ ಅತಿಥಿಯನ್ನು 'ಬೋಳಿಮಗ' ಅಂತ ಬೈದಿದ್ದಕ್ಕೆ ನಿರೂಪಕನ ವಿರುದ್ಧ ಬೆಂಗಳೂರಿನಲ್ಲಿ ದೂರು ದಾಖಲಾಗಿದೆ ಅಂತ ವರದಿ ಆಗಿದೆ.",
        "ಆ ಆಶಾ ಕಾರ್ಯಕರ್ತೆಯನ್ನು ಇಲ್ಲಿ 'ಹುಚ್ಚಿ' ಅಂತ ಕರೆಯೋದು ಸರಿಯಲ್ಲ. ಆಸ್ಪತ್ರೆಯ ನಿರ್ಲಕ್ಷ್ಯವನ್ನು ಮೊದಲು ಬಯಲಿಗೆಳೆದಿದ್ದೇ ಅವರು.",
        "ಉತ್ತರ ಕರ್ನಾಟಕದವರು ಒರಟು, ಓದಿಲ್ಲ ಅನ್ನೋ ಮಾತು ಸುಳ್ಳು. ಈ ವರ್ಷದ SSLC ಟಾಪರ್ ವಿಜಯಪುರದ ಸರ್ಕಾರಿ ಶಾಲೆಯ ಹುಡುಗಿ.",
        "ರಾತ್ರಿ ಬಸ್‌ನಲ್ಲಿ ಹೋಗೋ ಹೆಣ್ಣುಮಕ್ಕಳ ಮೇಲೆ ಗೂಬೆ ಕೂರಿಸಬೇಡಿ. KSRTC ಬಸ್‌ಗಳಲ್ಲಿ CCTV, ಪ್ಯಾನಿಕ್ ಬಟನ್ ಯಾಕೆ ಕೆಲಸ ಮಾಡ್ತಿಲ್ಲ ಅಂತ ಕೇಳಿ.",
        "ಐದು ದಿನದಿಂದ ನಲ್ಲಿಯಲ್ಲಿ ನೀರು ಬಂದಿಲ್ಲ, ಜಲಮಂಡಳಿ ಯಾವುದೇ ಮಾಹಿತಿ ಕೊಟ್ಟಿಲ್ಲ. ಇದು ಬೇಜವಾಬ್ದಾರಿ, ಅಧಿಕಾರಿಗಳು ಉತ್ತರ ಕೊಡಬೇಕು.",
        "ಮುಖ್ಯ ಶಿಕ್ಷಕರನ್ನು 'ಮುಠ್ಠಾಳ' ಅಂತ ಬೈದ ಕಮೆಂಟ್ ನೋಡಿ ಬೇಜಾರಾಯ್ತು. ಟೀಕೆ ಮಾಡಿ, ಆದ್ರೆ ಬೈಗುಳ ಬೇಡ.",
        "ದಲಿತರು ಸ್ವಚ್ಛತೆ ಕಾಪಾಡಲ್ಲ ಅನ್ನೋ ಕಮೆಂಟ್ ಶುದ್ಧ ಜಾತಿವಾದ. ಈ ವಾರ್ಡ್‌ನ ಕಸ ಎತ್ತೋದೇ ಅವರು, ಕೊಳಕು ಮಾಡೋದು ನಾವು.",
        "ಕ್ರಿಶ್ಚಿಯನ್ ಮಿಷನರಿ ಆಸ್ಪತ್ರೆಗಳು ಮತಾಂತರಕ್ಕೆ ಮಾತ್ರ ಅನ್ನೋದು ಸುಳ್ಳು ಆರೋಪ. ನನ್ನ ತಾಯಿಗೆ ಅಲ್ಲಿ ಉಚಿತ ಚಿಕಿತ್ಸೆ ಸಿಕ್ಕಿತು, ಯಾರೂ ಧರ್ಮ ಕೇಳಲಿಲ್ಲ.",
        "ಕಂಡಕ್ಟರ್‌ನ್ನು 'ನಾಯಿ' ಅಂತ ಕರೆದ ಕಮೆಂಟ್ ರಿಪೋರ್ಟ್ ಮಾಡಿದ್ದೀನಿ. ಅವರು ರಾತ್ರಿ ಪೂರ್ತಿ ಡ್ಯೂಟಿ ಮಾಡ್ತಾರೆ, ಸ್ವಲ್ಪ ಗೌರವ ಕೊಡಿ.",
    ],
    "kn-Latn": [
        "Yaaro mele BBMP engineer ge 'bolimaga' antha bardidare. Pothole bagge complaint maadi, bayyodu beda. Mods pls remove.",
        "Transgender jana ella crime maadtare antha helodu sullu. Namma area alli ond trans akka tiffin center nadustare, students ge credit kooda kodtare.",
        "Raitharige 'gaddar' antha heLorige MSP andre enu antha gotta? Protest maadodu avara hakku.",
        "News: night bus conductor mahila passenger ge 'soole' antha baididdakke KSRTC avnna suspend maadide, police case kooda register aagide.",
        "Aa TV debate guest ge ella 'huchcha' antha kareyodu sari alla. Avru data itkondu maathadidru, anchor maathu bidlilla aste.",
        "Bihar inda bandavru ella kallaru antha comment haakidira? Namma water tanker driver Bihar avnu, hatthu varsha inda honest aagi kelsa maadtidaane.",
        "'Holeya' antha jaati hesru bayyoke use maadodu crime, SC/ST Act alli case aagutte. Aa comment delete maadi please.",
        "District hospital alli oxygen cylinder khaali iddaru yaaru check maadilla. DHO resign maadbeku, full inquiry beku.",
        "Hudgirge driving barolla, adke accident antha heLodu nonsense. Ee road alli accident aagiddu pothole inda, gender inda alla.",
        "Headmaster ge 'nayi' antha bardiro comment nodi besara aaytu. School alli toilet illa andre SDMC na keli, avrna bayyodu yaake?",
        "Mooru dina inda neeru illa, tanker ge 500 rupees kodbeku. Corporator phone receive maadalla. Idu full failure.",
        "Muslims ella traffic rules follow maadalla antha generalise maadbedi. Signal jump maadidavnu yaaro obba, avna number plate nodi fine haaki.",
    ],
}
# The same words in earnest: a slur at a person or a group, hate stated as fact, fake counter-speech that ends in an
# insult ("I'm not saying they are X, but ...").
COUNTER_ABUSIVE: dict[str, list[str]] = {
    "hi": [
        "ये छक्के लोग हक़ की बात करेंगे? सड़क पर ताली बजाओ, वही तुम्हारी औकात है।",
        "मैं ये नहीं कह रहा कि सारे किसान गद्दार हैं, लेकिन ये धरने पर बैठे लोग तो पक्के देशद्रोही ही हैं।",
        "गाली देना गलत है, मानता हूं, पर इस अस्पताल का डॉक्टर सच में हरामी है।",
        "इस मोहल्ले में पानी इसीलिए नहीं आता क्योंकि ये कटुए पाइपलाइन से चोरी करते हैं, सबको पता है।",
    ],
    "hi-Latn": [
        "Ye anchor saala chutiya hai, har debate me bas bhaunkta rehta hai.",
        "Casteist mat samajhna, lekin in quota walon se ilaaj karwana matlab maut ko bulana. Bhangi ka kaam jhaadu lagana hai, operation nahi.",
        "Gaali dena galat hai yaar, sab calm raho... waise ye MLA ek number ka harami hai, road ka paisa kha gaya.",
        "Raat ko 11 baje bus me ghoomne wali ladkiyan sharif nahi hoti, jo hota hai unki apni galti se hota hai.",
    ],
    "kn": [
        "ಈ ರಸ್ತೆ ಕಂಟ್ರಾಕ್ಟರ್ ಒಬ್ಬ ಸೂಳೆ ಮಗ, ದುಡ್ಡು ತಿಂದು ಗುಂಡಿ ಬಿಟ್ಟು ಹೋಗಿದ್ದಾನೆ.",
        "ನಾನು ಯಾರ ವಿರುದ್ಧನೂ ಅಲ್ಲ, ಆದ್ರೆ ಈ ಹಿಜ್ಡಾಗಳಿಗೆ ಹಕ್ಕು ಕೊಟ್ರೆ ಊರೆಲ್ಲ ಹಾಳಾಗುತ್ತೆ, ಅವರು ಮನುಷ್ಯರೇ ಅಲ್ಲ.",
        "ಬೈಗುಳ ಬೇಡ ಅಂತೀರಾ, ಸರಿ. ಆದ್ರೆ ಈ ಡಿಬೇಟ್ ಆಂಕರ್ ನಿಜವಾಗ್ಲೂ ಮುಠ್ಠಾಳ, ಹುಚ್ಚ ನಾಯಿ ತರ ಕಿರುಚ್ತಾನೆ.",
        "ಪ್ರತಿಭಟನೆ ಮಾಡೋ ರೈತರು ಎಲ್ಲ ಸೋಮಾರಿ ಬೋಳಿಮಕ್ಕಳು, ಕೆಲಸ ಇಲ್ಲದೆ ರಸ್ತೆ ಬಂದ್ ಮಾಡ್ತಾರೆ.",
    ],
    "kn-Latn": [
        "Ee chakka galige enu rights kodtira, road alli chappale hodkondu dudd kitkolode avra kelsa.",
        "Naanu caste bagge maathadalla, but ee school alli quota teachers ge enu gottilla, ella muttala galu.",
        "Yaarigu bayyabaardu antha gottu, aadru ee MLA ondu soole maga, neeru cut maadi tanker business nadusthidaane.",
        "Ee debate alli kootiro feminist guest ondu huchchi nayi, yaavaglu bogaluttale.",
    ],
}

IMPLICIT_NEUTRAL: dict[str, list[str]] = {
    "hi": [
        "हमारी सोसाइटी में मणिपुर का एक परिवार रहता है, दिवाली पर सबसे पहले मिठाई वही लेकर आते हैं।",
        "जिला अस्पताल में ओपीडी की कतार तीन घंटे लंबी थी, सरकार को नए डॉक्टरों की भर्ती जल्दी करनी चाहिए।",
        "मस्जिद कमेटी ने इस बार रामनवमी की शोभायात्रा के रास्ते पर पानी और शरबत के स्टॉल लगाए, देखकर अच्छा लगा।",
        "सरकार की नई किराया नीति से मैं सहमत नहीं हूं, मकान मालिकों पर बोझ बढ़ेगा, पर इसके लिए किरायेदारों को दोष देना गलत है।",
        "हर बिहारी को एक ही नज़र से देखना बंद कीजिए, मेरे ऑफिस के सबसे भरोसेमंद इंजीनियर पटना से हैं।",
        "हॉस्टल मेस में शाकाहारी और मांसाहारी दोनों खाने मिलते हैं, जिसको जो पसंद हो खाए, इसमें झगड़े की कोई बात नहीं।",
        "खबर के मुताबिक इस साल शहर के निजी स्कूलों में आरटीई के तहत दो हज़ार से ज्यादा गरीब बच्चों को दाखिला मिला।",
        "मेरी बहन ने दूसरी जाति में शादी की थी, आज दोनों परिवार मिलकर होली और दिवाली मनाते हैं।",
        "ट्रांसजेंडर समुदाय की एक महिला ने पार्षद का चुनाव जीता है, उनके वार्ड में पानी की समस्या सबसे पहले सुलझी।",
        "हमारे मोहल्ले की किराना दुकान व्हीलचेयर पर चलने वाले अंकल चलाते हैं, पूरे इलाके में उनसे ईमानदार दुकानदार कोई नहीं।",
        "कबड्डी लीग में इस बार आदिवासी गांव से आए रेडर ने सबसे ज्यादा अंक बनाए, पूरा स्टेडियम खड़ा होकर ताली बजा रहा था।",
        "ऑटो वाले मीटर से नहीं चलते तो परिवहन विभाग में शिकायत कीजिए, किसी एक भाषा बोलने वालों को निशाना बनाना ठीक नहीं।",
    ],
    "hi-Latn": [
        "Hamari society me Nagaland ki ek doctor rehti h, covid ke time sabse pehle wahi sabki madad ke liye aayi thi.",
        "Government hospital me OPD ki line 4 ghante ki thi, staff bahut kam h, sarkar ko nayi bharti karni chahiye.",
        "Mujhe is govt ki reservation policy ke kuch points se disagreement h, par isme kisi student ki kaabiliyat pe sawal uthana galat h.",
        "Bhai har auto wala zyada paisa nhi maangta, kal raat ek uncle ne mera chhuta hua phone ghar tak pahuncha diya.",
        "Office me veg aur non veg dono wale ek hi table pe lunch karte h, koi problem nhi, apna tiffin apni choice.",
        "Meri cousin ne Muslim ladke se shaadi ki, ab dono ghar wale Eid aur Diwali saath me manate h.",
        "Kabaddi final me Haryana aur Karnataka dono ki crowd ne ek dusre ke players ke liye taali bajayi, mast mahaul tha yaar.",
        "News ke hisaab se is saal company ne 40 percent women engineers hire ki h, achhi baat h.",
        "Ye kehna ki trans log kaam nhi karna chahte bilkul galat h, hamari shop pe do trans ladkiyan billing sambhalti h aur ekdum perfect.",
        "Church ke paas wali gali me har Christmas pe pure mohalle ke bacche aate h, kisi ko kabhi koi dikkat nhi hui.",
        "Municipal corporation ne street vendors ke liye naya zone banaya h, idea theek h par license ka process bahut slow h.",
        "Blind students ke liye school me braille library khuli h, admission ke form abhi bhi office me mil rahe h.",
    ],
    "kn": [
        "ನಮ್ಮ ಬಿಲ್ಡಿಂಗ್\u200cನಲ್ಲಿ ಅಸ್ಸಾಂನ ಕುಟುಂಬ ಇದೆ, ರಾಜ್ಯೋತ್ಸವದ ದಿನ ಅವರ ಮಗಳು ಕನ್ನಡ ಹಾಡು ಹಾಡಿದ್ದು ಎಲ್ಲರಿಗೂ ಖುಷಿ ಕೊಟ್ಟಿತು.",
        "ಮ್ಯಾಟ್ರಿಮೋನಿ ಜಾಹೀರಾತುಗಳಲ್ಲಿ ಜಾತಿ ಬೇಡ ಅಂತ ಬರೆಯುವವರ ಸಂಖ್ಯೆ ಹೆಚ್ಚುತ್ತಿದೆ ಅನ್ನೋ ಸುದ್ದಿ ಓದಿ ಖುಷಿ ಆಯ್ತು.",
        "ಈ ವರ್ಷ ಆರ್\u200cಟಿಇ ಅಡಿಯಲ್ಲಿ ನಗರದ ಖಾಸಗಿ ಶಾಲೆಗಳಲ್ಲಿ ಸಾವಿರಕ್ಕೂ ಹೆಚ್ಚು ಬಡ ಮಕ್ಕಳಿಗೆ ಸೀಟು ಸಿಕ್ಕಿದೆ ಎಂದು ವರದಿ ಹೇಳುತ್ತದೆ.",
        "ಮಸೀದಿ ಸಮಿತಿಯವರು ಗಣೇಶ ಮೆರವಣಿಗೆಗೆ ನೀರು ಮತ್ತು ಪಾನಕ ವಿತರಿಸಿದರು, ನಮ್ಮ ಊರಿನ ಸೌಹಾರ್ದ ಯಾವಾಗಲೂ ಹೀಗೆ ಇರಲಿ.",
        "ಸರ್ಕಾರದ ಹೊಸ ಬಾಡಿಗೆ ಕಾನೂನು ನನಗೆ ಒಪ್ಪಿಗೆಯಿಲ್ಲ, ಆದರೆ ಅದಕ್ಕೆ ಬಾಡಿಗೆದಾರರನ್ನು ದೂರುವುದು ಸರಿಯಲ್ಲ.",
        "ಹೊರರಾಜ್ಯದವರೆಲ್ಲ ಒಂದೇ ತರ ಅಂತ ಹೇಳೋದು ತಪ್ಪು, ನಮ್ಮ ಆಫೀಸಿನ ಬಿಹಾರದ ಹುಡುಗ ಈಗ ನಮಗಿಂತ ಚೆನ್ನಾಗಿ ಕನ್ನಡ ಮಾತಾಡ್ತಾನೆ.",
        "ಆಫೀಸ್ ಕ್ಯಾಂಟೀನ್\u200cನಲ್ಲಿ ಸಸ್ಯಾಹಾರ ಮಾಂಸಾಹಾರ ಎರಡೂ ಸಿಗುತ್ತೆ, ಯಾರಿಗೆ ಏನು ಬೇಕೋ ಅದನ್ನು ತಿನ್ನಲಿ, ಜಗಳ ಬೇಡ.",
        "ನನ್ನ ಅಕ್ಕ ಬೇರೆ ಜಾತಿಯವರನ್ನು ಮದುವೆ ಆದಳು, ಈಗ ಎರಡೂ ಕುಟುಂಬಗಳು ಸೇರಿ ಯುಗಾದಿ ಹಬ್ಬ ಮಾಡ್ತಾರೆ.",
        "ಪ್ರೊ ಕಬಡ್ಡಿಯಲ್ಲಿ ಬುಡಕಟ್ಟು ಹಳ್ಳಿಯಿಂದ ಬಂದ ರೈಡರ್ ಹೆಚ್ಚು ಅಂಕ ಗಳಿಸಿದ, ಇಡೀ ಸ್ಟೇಡಿಯಂ ಎದ್ದು ನಿಂತು ಚಪ್ಪಾಳೆ ತಟ್ಟಿತು.",
        "ಮಂಗಳಮುಖಿ ಸಮುದಾಯದ ಮಹಿಳೆ ಪಾಲಿಕೆ ಚುನಾವಣೆಯಲ್ಲಿ ಗೆದ್ದಿದ್ದಾರೆ, ಅವರ ವಾರ್ಡ್\u200cನಲ್ಲಿ ಕುಡಿಯುವ ನೀರಿನ ಸಮಸ್ಯೆ ಬಗೆಹರಿದಿದೆ.",
        "ಗಾಲಿಕುರ್ಚಿಯಲ್ಲಿರುವ ನಮ್ಮ ಬೀದಿಯ ಅಂಗಡಿ ಮಾಲೀಕರು ಇಡೀ ಲೆಕ್ಕ ಅವರೇ ನೋಡಿಕೊಳ್ತಾರೆ, ಅವರಷ್ಟು ಪ್ರಾಮಾಣಿಕ ವ್ಯಾಪಾರಿ ಯಾರೂ ಇಲ್ಲ.",
        "ಆಟೋ ಚಾಲಕರು ಮೀಟರ್ ಹಾಕದಿದ್ದರೆ ಸಾರಿಗೆ ಇಲಾಖೆಗೆ ದೂರು ಕೊಡಿ, ಯಾವುದೋ ಒಂದು ಭಾಷೆಯವರನ್ನು ಗುರಿ ಮಾಡುವುದು ಸರಿಯಲ್ಲ.",
    ],
    "kn-Latn": [
        "Namma building alli Manipur family ide, Deepavali ge ellarigintha modlu avre sweets tandu kottru.",
        "Victoria hospital OPD line 3 ghante ittu, staff kammi ide, sarkaara innu doctors na recruit maadbeku.",
        "Reservation policy bagge nanage swalpa bhinna abhipraya ide, aadre adakke students saamarthya bagge prashne maadodu thappu.",
        "Ella auto drivers jaasti duddu kelalla guru, ninne raatri ondu uncle nanna phone vaapas kottru ondu rupai kooda tagolde.",
        "Office alli veg non veg ellaru ondu table alli oota maadtivi, yaarigu problem illa, avravra tiffin avravra ishta.",
        "Nanna cousin Christian hudugana maduve aadlu, eega eradu mane avru Christmas mattu Ugadi jothege aacharistaare.",
        "Kabaddi final alli Haryana mattu Karnataka fans ibbaru opposite team players ge chappale hodedru, super vaatavarana ittu.",
        "News prakaara ee varsha namma city IT company 40 percent women engineers na hire maadide, olle vishaya.",
        "Trans jana kelsa maadalla antha helodu sullu, namma angadi alli ibbaru trans hudgiyaru billing nodkoltare, super kelsa.",
        "Mosque pakkada beedi alli Ramzan time alli ellaru serkondu iftar maadtaare, hindu makkalu kooda barthaare.",
        "Corporation street vendors ge hosa zone maadide, idea olledu aadre license process tumba slow ide.",
        "Blind makkalige namma school alli braille library open aagide, admission form innu office alli sigtide.",
    ],
}
IMPLICIT_ABUSIVE: dict[str, list[str]] = {
    "hi": [
        "हमारी सोसाइटी में बाहर के राज्य वालों को फ्लैट किराए पर मत दो, ये लोग आते हैं तो पूरा माहौल बदल जाता है।",
        "मंदिर वाली गली में दूसरे धर्म वालों को दुकान लगाने की इजाजत ही नहीं होनी चाहिए, मेले में अपने लोग ही सामान बेचें।",
        "आदिवासी इलाके से आए लोगों को शहर में ऑटो परमिट देने से पहले सोचना चाहिए, ये लोग शहर के नियम कभी नहीं समझेंगे।",
        "कंपनी में औरतों को मैनेजर बनाना ठीक नहीं, बड़े फैसले लेने का दम उनमें होता ही नहीं।",
        "हॉस्टल में मांस खाने वालों का अलग फ्लोर कर दो, हमारे बच्चे उनके साथ एक मेज पर खाना नहीं खाएंगे।",
        "स्कूल एडमिशन में झुग्गी वाले बच्चों का कोटा बंद करो, उनके आने से बाकी बच्चों की पढ़ाई का स्तर गिर जाता है।",
        "इनकी आबादी जिस रफ्तार से बढ़ रही है वो कोई इत्तेफाक नहीं, पूरी सोची समझी योजना है, चुनाव से पहले समझ जाओ।",
        "दूसरी जाति में शादी करने वाली लड़की के परिवार को बिरादरी के हर कार्यक्रम से दूर रखना चाहिए, तभी बाकी लोग सबक लेंगे।",
        "किन्नरों को सोसाइटी में फ्लैट दिया तो बच्चों पर क्या असर पड़ेगा, उन्हें शहर के बाहर ही बसने दो।",
        "नगर निगम चुनाव में उस समुदाय के उम्मीदवार को जिताया तो याद रखना, अगले साल इस मोहल्ले में त्योहार कैसे मनेंगे।",
        "पूर्वोत्तर से आए लड़के भारत पाकिस्तान मैच में किसके लिए ताली बजाएंगे, इस पर मुझे आज भी भरोसा नहीं होता।",
        "विकलांग लोगों को दुकान पर नौकरी देने का मतलब है काम आधा और तनख्वाह पूरी, दान दे दो पर काम पर मत रखो।",
    ],
    "hi-Latn": [
        "Society ki meeting me decide karo ki flat sirf apne logo ko hi rent pe denge, bahar walo ke aane se area ka mahaul badal jata h.",
        "Ye log cricket match me hamesha padosi desh ki team ko support karte h, inko stadium ke andar entry hi nhi milni chahiye.",
        "Hiring karte time North East wale candidates ko mat lena, wo kuch mahine me wapas chale jaate h, commitment hota hi nhi.",
        "Ladkiyon ko night shift wali job dena hi galat h, unka kaam ghar sambhalna h, office ka pressure wo nhi jhel paati.",
        "Hostel me non veg khane walo ko alag building do, veg bacche unke saath ek mess me kyu baithe.",
        "Matrimonial ad me clearly likho ki sirf apni caste chahiye, warna aage chal ke khandaan ki pehchaan hi khatam ho jayegi.",
        "Inke mohalle ke paas property lene se pehle soch lena, dheere dheere ye puri colony apne logo se bhar dete h, ye sab planned hota h.",
        "Reservation se aaye teachers bacchon ko kya hi padhayenge, admission lene se pehle school ka staff check kar lo bhai.",
        "Gay couple ko flat dene se pehle baaki society walo se pooch lena, families apne bacchon ko kya samjhayengi.",
        "Municipal election me unko vote diya toh agle saal tumhare mandir ke paas kya banega, abhi se yaad rakhna.",
        "Tribal area ke bacche city school me kabhi adjust nhi kar paate, unke liye alag school hi sahi h, sab ka bhala hoga.",
        "Footpath pe aadhe vendors bahar ke state se h, inko wapas bhejo toh apne ladko ko kaam milega aur sheher bhi apna lagega.",
    ],
    "kn": [
        "ನಮ್ಮ ಅಪಾರ್ಟ್\u200cಮೆಂಟ್\u200cನಲ್ಲಿ ಹೊರರಾಜ್ಯದವರಿಗೆ ಮನೆ ಬಾಡಿಗೆಗೆ ಕೊಡಬೇಡಿ, ಅವರು ಬಂದ ಮೇಲೆ ಏರಿಯಾದ ಸಂಸ್ಕೃತಿನೇ ಬದಲಾಗುತ್ತೆ.",
        "ಮಹಿಳೆಯರನ್ನು ಟೀಮ್ ಲೀಡರ್ ಮಾಡಿದರೆ ಕಂಪನಿ ಮುಂದೆ ಹೋಗಲ್ಲ, ದೊಡ್ಡ ನಿರ್ಧಾರ ತೆಗೆದುಕೊಳ್ಳೋ ಶಕ್ತಿ ಅವರಿಗೆ ಇರಲ್ಲ.",
        "ಹಾಸ್ಟೆಲ್\u200cನಲ್ಲಿ ಮಾಂಸಾಹಾರಿಗಳಿಗೆ ಬೇರೆ ಮೆಸ್ ಮಾಡಿ, ನಮ್ಮ ಮಕ್ಕಳು ಅವರ ಜೊತೆ ಕೂತು ಊಟ ಮಾಡೋದು ಸರಿಯಲ್ಲ.",
        "ಆ ಸಮುದಾಯದವರ ಜನಸಂಖ್ಯೆ ಹೀಗೆ ಏರುತ್ತಿರುವುದು ಆಕಸ್ಮಿಕ ಅಲ್ಲ, ಇದರ ಹಿಂದೆ ದೊಡ್ಡ ಯೋಜನೆ ಇದೆ, ಎಚ್ಚರವಾಗಿರಿ.",
        "ಅಂಗವಿಕಲರನ್ನು ಅಂಗಡಿಯಲ್ಲಿ ಕೆಲಸಕ್ಕೆ ಇಟ್ಟುಕೊಂಡರೆ ಗ್ರಾಹಕರು ಬರಲ್ಲ, ಬೇಕಾದರೆ ಸಹಾಯ ಮಾಡಿ ಆದರೆ ಕೆಲಸ ಕೊಡಬೇಡಿ.",
        "ದೇವಸ್ಥಾನದ ರಸ್ತೆಯಲ್ಲಿ ಬೇರೆ ಧರ್ಮದವರ ಅಂಗಡಿಗಳಿಗೆ ಅನುಮತಿ ಕೊಡಬಾರದು, ಜಾತ್ರೆಯಲ್ಲಿ ನಮ್ಮವರೇ ವ್ಯಾಪಾರ ಮಾಡಲಿ.",
        "ಬೇರೆ ಜಾತಿಯ ಹುಡುಗನನ್ನು ಮದುವೆಯಾದ ಹುಡುಗಿಯ ಮನೆಯವರನ್ನು ಊರಿನ ಎಲ್ಲಾ ಕಾರ್ಯಕ್ರಮಗಳಿಂದ ದೂರ ಇಡಬೇಕು.",
        "ಈಶಾನ್ಯ ರಾಜ್ಯಗಳಿಂದ ಬಂದವರಿಗೆ ಕೆಲಸ ಕೊಡಬೇಡಿ, ಅವರು ಇಲ್ಲಿ ಹೆಚ್ಚು ದಿನ ನಿಲ್ಲಲ್ಲ, ಅವರ ಮೇಲೆ ನಂಬಿಕೆ ಇಡೋಕೆ ಆಗಲ್ಲ.",
        "ಮಂಗಳಮುಖಿಯರಿಗೆ ಸೊಸೈಟಿಯಲ್ಲಿ ಫ್ಲ್ಯಾಟ್ ಕೊಟ್ಟರೆ ಮಕ್ಕಳ ಮೇಲೆ ಪರಿಣಾಮ ಬೀರುತ್ತೆ, ಅವರು ಊರ ಹೊರಗೆ ಇರಲಿ.",
        "ಕನ್ನಡ ಬಾರದವರಿಗೆ ನಗರಸಭೆ ಚುನಾವಣೆಯಲ್ಲಿ ಮತದಾನದ ಹಕ್ಕು ಯಾಕೆ ಬೇಕು, ಅವರು ಇಲ್ಲಿ ಅತಿಥಿಗಳು ಮಾತ್ರ.",
        "ಕೊಳಗೇರಿ ಮಕ್ಕಳನ್ನು ನಮ್ಮ ಶಾಲೆಗೆ ಸೇರಿಸಿದರೆ ಉಳಿದ ಮಕ್ಕಳ ಓದಿನ ಮಟ್ಟ ಕುಸಿಯುತ್ತೆ, ಅವರಿಗೆ ಬೇರೆ ಶಾಲೆ ಇರಲಿ.",
        "ಪಾಲಿಕೆ ಚುನಾವಣೆಯಲ್ಲಿ ಅವರ ಅಭ್ಯರ್ಥಿ ಗೆದ್ದರೆ ಆ ಬಡಾವಣೆಯಲ್ಲಿ ಅವರು ಹೇಗೆ ನೆಮ್ಮದಿಯಾಗಿ ಇರ್ತಾರೆ ನೋಡೋಣ, ನಮ್ಮವರು ಸುಮ್ಮನೆ ಇರಲ್ಲ.",
    ],
    "kn-Latn": [
        "Namma apartment alli hora rajyadavrige mane baadige kodbedi, ivru bandmele area culture ne change aagogutte.",
        "Hudgirige night shift kelsa kodbaardu, avrige office pressure thadkolloke aagalla, mane nodkondre saaku.",
        "Ivru cricket match nalli yaavaglu pakkada desha team ge support madtare, stadium olage bidbaardu.",
        "North East inda bandavrige kelsa kodbedi, swalpa tingalalli vaapas hogtare, ivrige commitment irolla.",
        "Hostel alli non veg tinnovrige bere floor kodi, namma makkalu avra jothe ondu table alli koorodu beda.",
        "Aa community population heege jaasti aagtiruvudu plan maadiddu, mundina election ge munche ellaru artha maadkoli.",
        "Matrimony ad alli namma jaati matra beku antha clear aagi haaki, illandre mundhe vamsha ne haalagogutte.",
        "Reservation inda banda teachers makkalige yen kalistaare, admission madsoke munche school staff yaaru antha check maadi.",
        "Gay couple ge flat kodo munche society meeting alli kelri, bere families avra makkalige yen heltare.",
        "Corporation election alli avrige vote haakidre mundina varsha ninna temple pakka yen aagutte antha nodkoltiya.",
        "Tribal hudugaru city school alli yaavattu adjust aagalla, avrige bere school ne sari, ellarigu olledu.",
        "Kannada baradiro vendors ge footpath alli jaaga kodbaardu, avrella avra oorige vaapas hogli, illi namma hudugarige kelsa sigli.",
    ],
}


# Household chores and civic complaints (2026-12-07 (z)): garbage thrown out, strays caught or tied, mosquitoes killed,
# old things taken out, with "बाहर"/"bahar"/"ಹೊರಗೆ" (out), "फेंको"/"phenko" (throw), "ಹೊರಗೆ ಹಾಕಿ", "ಕಟ್ಟಿ ಹಾಕಿ",
# "kachra"/"ಕಸ" (garbage) and "kutta"/"ನಾಯಿ" (dog), which the sources' threats and insults use; beside the same words
# turned on a person. Written before the training rows of that kind, by another writer, who never saw these.
CHORES_NEUTRAL: dict[str, list[str]] = {
    "hi": [
        "कचरा घर से बाहर फेंको",
        "पुराने कपड़े बाहर निकालो",
        "गंदा पानी नाली से बाहर बह रहा है",
        "आवारा कुत्तों को पकड़कर बाहर छोड़ दो",
        "नगर निगम हफ्ते भर से कचरा नहीं उठा रहा",
        "हमारी गली में कचरे का ढेर लगा है",
        "डेंगू फैल रहा है, घर के आसपास मच्छर मार दो",
        "दिवाली से पहले पूरे घर का पुराना सामान बाहर निकाल दिया",
        "बंदर छत पर आ जाते हैं, उन्हें भगाने का कोई उपाय बताइए",
        "पालतू कुत्ते को रात में बाहर मत बांधो, ठंड बहुत है",
    ],
    "hi-Latn": [
        "kachra bahar phenko yaar",
        "kooda bahar phenk do, badboo aa rahi hai",
        "plastic kachra nadi mein mat phenko",
        "kutte ko bahar bandh do",
        "kachra gaadi roz nahi aati hamare mohalle mein",
        "sadak pe kachra faila hua hai, koi dhyan nahi deta",
        "cockroach bahut ho gaye hain kitchen mein, koi spray batao jisse sab mar jaayen",
        "ghar shift kar rahe hain, saara furniture bahar nikalna padega",
        "gaay khet mein ghus gayi thi, bhaga di",
        "bachche bahar khel rahe hain, gaadi dheere chalao",
    ],
    "kn": [
        "ಕಸವನ್ನು ಮನೆಯಿಂದ ಹೊರಗೆ ಹಾಕಿ",
        "ಹಳೆಯ ಪುಸ್ತಕಗಳನ್ನು ಹೊರಗೆ ಹಾಕಿ",
        "ನಾಯಿಯನ್ನು ಹೊರಗೆ ಕಟ್ಟಿ ಹಾಕಿ",
        "ಅಡುಗೆಗೆ ಸ್ವಲ್ಪ ಉಪ್ಪು ಹಾಕಿ",
        "ನೀರನ್ನು ಕುದಿಸಿ ಕುಡಿಯಿರಿ",
        "ಬೀದಿ ನಾಯಿಗಳನ್ನು ಹಿಡಿಯಿರಿ",
        "ನಮ್ಮ ಬೀದಿಯಲ್ಲಿ ಕಸದ ರಾಶಿ ಬಿದ್ದಿದೆ",
        "ಮಳೆಗಾಲದಲ್ಲಿ ಸೊಳ್ಳೆಗಳನ್ನು ಕೊಲ್ಲಲು ಬಲೆ ಹಾಕಿ",
        "ತೋಟಕ್ಕೆ ಬಂದ ಹಸುಗಳನ್ನು ಓಡಿಸಿ ಗೇಟ್ ಹಾಕಿ",
        "ಒಣಗಿದ ಎಲೆಗಳನ್ನು ಸುಡಬೇಡಿ, ಹೊಗೆ ಜಾಸ್ತಿ ಆಗುತ್ತದೆ",
    ],
    "kn-Latn": [
        "kasa horage haaki, mane clean maadi",
        "ee hale papers ella horage haaki",
        "kasa vilevari sariyagi aagtilla",
        "nayi ge oota haaki, paapa hasividhe",
        "namma rasthe alli beedi nayigalu jaasti aagive, BBMP hidibeku",
        "kothigalu terrace ge bartave, avanna odisoke yenu maadbeku",
        "solle jaasti aagide, dengue barodakke munche solle kolli",
        "mane shift maadbeku, furniture ella horage idi",
        "batte horage onagisi, bisilu chennagide",
        "makkalu horage aata aadtidare, gaadi nidhanakke odisi",
    ],
}
CHORES_ABUSIVE: dict[str, list[str]] = {
    "hi": [
        "ऐसे कचरे जैसे नेता को कुर्सी से बाहर फेंको",
        "तू कुत्ते की तरह भौंकता रहता है, चुप कर",
        "इस बेशर्म रिपोर्टर को धक्के मारकर बाहर निकालो",
        "तुझे घर से बाहर घसीटकर पीटेंगे",
    ],
    "hi-Latn": [
        "is kachra reporter ko channel se bahar phenko",
        "tu kutte ki tarah dum hilata hai neta ke aage",
        "bahar mil tu, tujhe maar maar ke seedha kar denge",
        "ye official kooda hai, isko uthake bahar phenko",
    ],
    "kn": [
        "ಈ ಕಸದಂತಹ ಅಧಿಕಾರಿಯನ್ನು ಕಚೇರಿಯಿಂದ ಹೊರಗೆ ಹಾಕಿ",
        "ನೀನು ಬೀದಿ ನಾಯಿಗಿಂತ ಕಡೆ",
        "ಆ ರಿಪೋರ್ಟರ್‌ನ ಕಟ್ಟಿ ಹಾಕಿ ಹೊಡೆಯಬೇಕು",
        "ನಿನ್ನನ್ನು ಊರಿಂದ ಹೊರಗೆ ಹಾಕಿ ಬಡಿಯುತ್ತೇವೆ",
    ],
    "kn-Latn": [
        "ee kasa tara MLA na horage haaki",
        "nin thara nayi ge yaaru vote haaktare",
        "aa reporter na katti haaki hodibeku",
        "ninna oorinda horage haaki badiyuttivi",
    ],
}


def rows() -> list[dict]:
    return [
        {"text": text, "label": label, "source": SOURCE, "lang": lang, "target": lang}
        for label, sets in enumerate(
            (
                (
                    NEUTRAL,
                    NEWS_NEUTRAL,
                    ANIMAL_NEUTRAL,
                    FUNCTION_WORDS_NEUTRAL,
                    COUNTER_NEUTRAL,
                    IMPLICIT_NEUTRAL,
                    CHORES_NEUTRAL,
                ),
                (
                    ABUSIVE,
                    NEWS_ABUSIVE,
                    ANIMAL_ABUSIVE,
                    FUNCTION_WORDS_ABUSIVE,
                    COUNTER_ABUSIVE,
                    IMPLICIT_ABUSIVE,
                    CHORES_ABUSIVE,
                ),
            )
        )
        for by_language in sets
        for lang, texts in by_language.items()
        for text in texts
    ]
