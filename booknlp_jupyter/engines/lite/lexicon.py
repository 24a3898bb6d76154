"""BookNLP's WordNet first-sense lexicon (``wordnet.first.sense``) and category maps.

Each line of the file is ``lemma<TAB>pos<TAB>lexfile lexfile ...`` with the lexicographer
files of the lemma's senses in WordNet's sense order; the first is the most frequent sense.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

#: WordNet lexicographer file names by number (the standard 45 files).
LEXNAMES: tuple[str, ...] = (
    "adj.all",
    "adj.pert",
    "adv.all",
    "noun.Tops",
    "noun.act",
    "noun.animal",
    "noun.artifact",
    "noun.attribute",
    "noun.body",
    "noun.cognition",
    "noun.communication",
    "noun.event",
    "noun.feeling",
    "noun.food",
    "noun.group",
    "noun.location",
    "noun.motive",
    "noun.object",
    "noun.person",
    "noun.phenomenon",
    "noun.plant",
    "noun.possession",
    "noun.process",
    "noun.quantity",
    "noun.relation",
    "noun.shape",
    "noun.state",
    "noun.substance",
    "noun.time",
    "verb.body",
    "verb.change",
    "verb.cognition",
    "verb.communication",
    "verb.competition",
    "verb.consumption",
    "verb.contact",
    "verb.creation",
    "verb.emotion",
    "verb.motion",
    "verb.perception",
    "verb.possession",
    "verb.social",
    "verb.stative",
    "verb.weather",
    "adj.ppl",
)


class FirstSenseLexicon:
    """Maps ``(lemma, "n"|"v")`` to the supersense of the lemma's first WordNet sense."""

    def __init__(self, path: str | Path):
        self.senses: dict[tuple[str, str], str] = {}
        #: Longest multiword entry, in words (``living_room`` is 2).
        self.max_words = 1
        with open(path, encoding="utf-8") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 3 or cols[1] not in ("n", "v"):
                    continue
                first = int(cols[2].split(" ")[0])
                name = LEXNAMES[first] if first < len(LEXNAMES) else ""
                if name.startswith(("noun.", "verb.")):
                    self.senses[(cols[0], cols[1])] = name
                    self.max_words = max(self.max_words, cols[0].count("_") + 1)

    def get(self, lemma: str, pos: str) -> str | None:
        """The first-sense supersense of ``lemma`` (words joined by ``_``), or None."""
        return self.senses.get((lemma.lower(), pos))


@lru_cache(maxsize=4)
def load_lexicon(path: str) -> FirstSenseLexicon:
    """Load (once per process) the lexicon at ``path``."""
    return FirstSenseLexicon(path)


# --- Nominal entity categories from a head noun ---------------------------------------
# LitBank's categories for common-noun phrases, decided by the head lemma. Closed word
# lists come first (WordNet's first sense of "coach" is a person, of "church" a group);
# then the first sense: noun.person -> PER, noun.location -> GPE for political units
# (GPE_WORDS) else LOC. noun.group -> PER for human collectives, ORG for institutions.

VEHICLE_WORDS = frozenset(
    [
        "carriage",
        "coach",
        "chaise",
        "cart",
        "wagon",
        "waggon",
        "ship",
        "boat",
        "vessel",
        "train",
        "car",
        "cab",
        "barouche",
        "gig",
        "sledge",
        "sleigh",
        "canoe",
        "schooner",
        "steamer",
        "brig",
        "frigate",
        "yacht",
        "raft",
        "omnibus",
        "bus",
        "tram",
        "automobile",
        "motor-car",
        "buggy",
        "phaeton",
        "landau",
        "curricle",
        "britzka",
        "britska",
        "post-chaise",
        "stagecoach",
        "stage-coach",
        "carriages",
        "ships",
        "boats",
        "ferry",
        "launch",
        "skiff",
        "craft",
        "submarine",
        "airship",
        "aeroplane",
        "airplane",
        "wheelbarrow",
        "barge",
        "whaler",
        "whaleboat",
        "lifeboat",
        "cutter",
        "sloop",
        "ark",
        "truck",
        "van",
        "taxi",
        "taxicab",
        "hansom",
    ]
)
BUILDING_WORDS = frozenset(
    [
        "house",
        "home",
        "room",
        "garden",
        "street",
        "road",
        "hall",
        "church",
        "kitchen",
        "office",
        "parlour",
        "parlor",
        "drawing-room",
        "building",
        "school",
        "cottage",
        "cabin",
        "hotel",
        "inn",
        "churchyard",
        "station",
        "library",
        "hospital",
        "shop",
        "store",
        "nursery",
        "workhouse",
        "square",
        "stairs",
        "staircase",
        "stair",
        "bridge",
        "castle",
        "palace",
        "tower",
        "chamber",
        "bedroom",
        "apartment",
        "apartments",
        "lodge",
        "farmhouse",
        "mill",
        "prison",
        "jail",
        "gaol",
        "courtyard",
        "yard",
        "barn",
        "stable",
        "stables",
        "cellar",
        "attic",
        "garret",
        "closet",
        "corridor",
        "passage",
        "gallery",
        "chapel",
        "abbey",
        "cathedral",
        "temple",
        "mansion",
        "manor",
        "park",
        "lane",
        "avenue",
        "alley",
        "tavern",
        "theatre",
        "theater",
        "saloon",
        "dining-room",
        "sitting-room",
        "breakfast-room",
        "bedchamber",
        "hut",
        "shed",
        "tent",
        "fort",
        "fortress",
        "wharf",
        "pier",
        "dock",
        "porch",
        "veranda",
        "verandah",
        "terrace",
        "lawn",
        "market",
        "market-house",
        "parish",
        "study",
        "hallway",
        "lobby",
        "cottage",
        "vestibule",
        "warehouse",
        "factory",
        "bank",
        "pub",
        "alehouse",
        "public-house",
        "farm",
        "dwelling",
        "residence",
        "rectory",
        "parsonage",
        "vicarage",
        "pavilion",
        "greenhouse",
        "conservatory",
        "doorway",
        "threshold",
        "gate",
        "gateway",
        "dungeon",
        "cell",
        "ward",
        "classroom",
        "schoolroom",
        "schoolhouse",
        "mansion-house",
        "court",
        "quarters",
        "lodgings",
        "lodging",
        "shrubbery",
        "orchard",
        "path",
        "walk",
        "highway",
        "plantation",
    ]
)
NATURAL_LOCATION_WORDS = frozenset(
    [
        "sea",
        "ocean",
        "river",
        "lake",
        "stream",
        "brook",
        "hill",
        "hills",
        "mountain",
        "mountains",
        "valley",
        "forest",
        "wood",
        "woods",
        "island",
        "shore",
        "coast",
        "beach",
        "field",
        "fields",
        "meadow",
        "moor",
        "moors",
        "earth",
        "world",
        "land",
        "sky",
        "heaven",
        "heavens",
        "desert",
        "plain",
        "plains",
        "prairie",
        "marsh",
        "swamp",
        "cliff",
        "cave",
        "bay",
        "creek",
        "pond",
        "water",
        "waters",
        "glen",
        "heath",
        "wilderness",
        "jungle",
        "north",
        "south",
        "east",
        "west",
        "countryside",
        "seashore",
        "seaside",
        "harbour",
        "harbor",
        "gulf",
        "strait",
        "channel",
        "lagoon",
        "canyon",
        "ravine",
        "dale",
        "vale",
        "down",
        "downs",
        "common",
    ]
)
GPE_WORDS = frozenset(
    [
        "town",
        "city",
        "village",
        "country",
        "nation",
        "kingdom",
        "state",
        "county",
        "province",
        "colony",
        "empire",
        "republic",
        "capital",
        "metropolis",
        "hamlet",
        "borough",
        "district",
        "township",
        "shire",
        "principality",
        "realm",
        "dominion",
        "commonwealth",
        "suburb",
        "suburbs",
        "neighbourhood",
        "neighborhood",
    ]
)
ORG_WORDS = frozenset(
    [
        "army",
        "regiment",
        "government",
        "firm",
        "society",
        "club",
        "navy",
        "parliament",
        "council",
        "committee",
        "college",
        "university",
        "police",
        "militia",
        "troop",
        "troops",
        "corps",
        "congress",
        "senate",
        "ministry",
        "brotherhood",
        "guild",
        "union",
        "league",
        "church",
        "institution",
        "association",
        "board",
        "bureau",
        "department",
        "agency",
        "convent",
        "monastery",
        "order",
        "court",
    ]
)
HUMAN_GROUP_WORDS = frozenset(
    [
        "family",
        "people",
        "crowd",
        "party",
        "company",
        "couple",
        "pair",
        "household",
        "audience",
        "congregation",
        "mob",
        "folk",
        "folks",
        "gentry",
        "servants",
        "crew",
        "staff",
        "band",
        "gang",
        "tribe",
        "race",
        "group",
        "assembly",
        "throng",
        "multitude",
        "nobility",
        "aristocracy",
        "peasantry",
        "children",
        "men",
        "women",
    ]
)


def nominal_category(lemma: str, lexicon: FirstSenseLexicon) -> str | None:
    """LitBank category of a common-noun phrase headed by ``lemma`` (None: not an entity)."""
    word = lemma.lower()
    if word in VEHICLE_WORDS:
        return "VEH"
    if word in BUILDING_WORDS:
        return "FAC"
    if word in GPE_WORDS:
        return "GPE"
    if word in NATURAL_LOCATION_WORDS:
        return "LOC"
    sense = lexicon.get(word, "n")
    if sense == "noun.person":
        return "PER"
    if sense == "noun.location":
        return "LOC"
    if sense == "noun.group":
        if word in HUMAN_GROUP_WORDS:
            return "PER"
        if word in ORG_WORDS:
            return "ORG"
    return None
