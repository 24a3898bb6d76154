"""The lite engine's word lists (speech verbs, titles, pronouns, gendered words), shared by
its entity, quote and coref stages."""

from __future__ import annotations

#: Lemmas of verbs that introduce speech ("said", "replied"...).
SPEECH_VERBS = frozenset(
    [
        "say",
        "tell",
        "ask",
        "reply",
        "answer",
        "cry",
        "exclaim",
        "add",
        "continue",
        "remark",
        "observe",
        "return",
        "repeat",
        "whisper",
        "shout",
        "call",
        "murmur",
        "mutter",
        "respond",
        "retort",
        "rejoin",
        "declare",
        "insist",
        "protest",
        "explain",
        "inquire",
        "enquire",
        "demand",
        "resume",
        "interrupt",
        "suggest",
        "scream",
        "sob",
        "laugh",
        "sigh",
        "groan",
        "stammer",
        "urge",
        "plead",
        "beg",
        "admit",
        "agree",
        "announce",
        "assert",
        "venture",
        "persist",
        "gasp",
        "growl",
        "roar",
        "yell",
        "snap",
        "bellow",
        "whimper",
        "howl",
        "hiss",
        "drawl",
        "chuckle",
        "stutter",
        "pursue",
        "conclude",
        "thunder",
        "interpose",
        "put",
        "go",
        "begin",
        "breathe",
        "falter",
        "shriek",
        "wail",
        "moan",
        "reason",
        "argue",
        "object",
        "warn",
        "order",
        "command",
        "counter",
        "confess",
        "affirm",
        "maintain",
        "reflect",
        "think",
        "write",
    ]
)

#: Titles that open a name ("Mr.", "Lady"), lower-cased.
TITLES = frozenset(
    [
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "miss",
        "ms",
        "ms.",
        "sir",
        "lady",
        "lord",
        "dr",
        "dr.",
        "doctor",
        "captain",
        "capt.",
        "colonel",
        "col.",
        "general",
        "major",
        "lieutenant",
        "sergeant",
        "uncle",
        "aunt",
        "madame",
        "madam",
        "monsieur",
        "mademoiselle",
        "master",
        "mistress",
        "king",
        "queen",
        "prince",
        "princess",
        "duke",
        "duchess",
        "count",
        "countess",
        "baron",
        "professor",
        "rev.",
        "reverend",
        "father",
        "mother",
        "sister",
        "brother",
        "saint",
        "st.",
        "dame",
        "herr",
        "frau",
        "signor",
        "signora",
        "senor",
        "señor",
        "don",
    ]
)

#: Personal pronouns that are PER mentions ("it" is left out).
PRONOUNS = frozenset(
    [
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "we",
        "us",
        "our",
        "ours",
        "ourselves",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "thou",
        "thee",
        "thy",
        "thine",
        "thyself",
        "ye",
    ]
)

HE = frozenset(("he", "him", "his", "himself"))

SHE = frozenset(("she", "her", "hers", "herself"))

THEY = frozenset(("they", "them", "their", "theirs", "themselves"))

WE = frozenset(("we", "us", "our", "ours", "ourselves"))

FIRST_PERSON = frozenset(("i", "me", "my", "mine", "myself"))

#: Singular "you" and its forms (and the archaic ones); "yourselves" and "ye" are plural.
SECOND_PERSON = frozenset(
    ("you", "your", "yours", "yourself", "thou", "thee", "thy", "thine", "thyself")
)

#: Referential gender of common person nouns (BookNLP's name prior covers only names).
NOUN_HE = frozenset(
    [
        "man",
        "men",
        "father",
        "son",
        "brother",
        "husband",
        "king",
        "lord",
        "gentleman",
        "boy",
        "uncle",
        "sir",
        "master",
        "mr",
        "fellow",
        "nephew",
        "grandfather",
        "prince",
        "duke",
        "count",
        "baron",
        "monk",
        "priest",
        "bishop",
        "lad",
        "widower",
        "bachelor",
        "gentlemen",
        "boys",
    ]
)

NOUN_SHE = frozenset(
    [
        "woman",
        "women",
        "mother",
        "daughter",
        "sister",
        "wife",
        "queen",
        "lady",
        "girl",
        "aunt",
        "mistress",
        "madam",
        "miss",
        "niece",
        "grandmother",
        "princess",
        "duchess",
        "countess",
        "baroness",
        "nun",
        "maid",
        "widow",
        "girls",
        "ladies",
        "maiden",
        "housekeeper",
    ]
)

#: Nouns naming one person per possessor (a father, a wife): "her father" twice, with
#: the same "her", is one man. Siblings, children and friends can be several.
KIN = frozenset(
    [
        "father",
        "mother",
        "wife",
        "husband",
        "papa",
        "mamma",
        "mama",
        "pa",
        "ma",
        "grandfather",
        "grandmother",
        "stepmother",
        "stepfather",
        "guardian",
        "godmother",
        "godfather",
    ]
)
#: Kin nouns whose bearer usually shares the possessor's surname, and the titles that
#: bearer goes by: "her father" of Emma Woodhouse is Mr. Woodhouse, "his wife" of Mr.
#: Bennet is Mrs. Bennet (not Miss Bennet, nor Master Bennet).
PARENT_TITLES: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ["father", "papa", "pa", "husband"],
        frozenset(
            ["mr", "mr.", "mister", "sir", "lord", "monsieur", "m.", "herr", "signor", "don"]
        ),
    ),
    **dict.fromkeys(
        ["mother", "mamma", "mama", "ma", "wife"],
        frozenset(["mrs", "mrs.", "lady", "madame", "mme", "mme.", "dame", "frau", "signora"]),
    ),
}
#: Common nouns that are also titles: "the doctor" is the book's one Dr. Archie.
TITLE_NOUNS: dict[str, frozenset[str]] = {
    "doctor": frozenset(["dr", "dr.", "doctor"]),
    "captain": frozenset(["captain", "capt."]),
    "colonel": frozenset(["colonel", "col."]),
    "major": frozenset(["major"]),
    "general": frozenset(["general"]),
    "professor": frozenset(["professor", "prof."]),
    "parson": frozenset(["parson"]),
    "squire": frozenset(["squire"]),
    "judge": frozenset(["judge"]),
    "lieutenant": frozenset(["lieutenant", "lt."]),
    "sergeant": frozenset(["sergeant", "sgt."]),
    "governor": frozenset(["governor"]),
    "king": frozenset(["king"]),
    "queen": frozenset(["queen"]),
    "prince": frozenset(["prince"]),
    "princess": frozenset(["princess"]),
    "duke": frozenset(["duke"]),
    "duchess": frozenset(["duchess"]),
    "count": frozenset(["count"]),
    "countess": frozenset(["countess"]),
    "baron": frozenset(["baron"]),
}
POSSESSIVES = frozenset(("his", "her", "my", "their", "your", "our", "thy"))
