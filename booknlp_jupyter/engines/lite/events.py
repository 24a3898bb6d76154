"""Realis events by rule (BookNLP tags realis events: things depicted as happening).

A token is an event when it is a main verb (POS ``VERB``, not an auxiliary, not a form
of "be"/"have"/"seem") that is asserted in the narrative past:

* past tense (``VBD``), or a participle (``VBN``/``VBG``) whose auxiliaries are past
  ("had gone", "was walking", "was taken");
* not negated (no ``neg`` dependent), no modal auxiliary ("would go", "might have gone");
* not inside a quotation (dialogue is mostly present, future or hypothetical);
* not in a conditional clause ("if"/"unless" marker) and not governed by a verb of
  wanting or seeming through ``xcomp`` ("wanted to leave" has no leaving).
"""

from __future__ import annotations

from .tokens import TokenColumns

NON_EVENT_LEMMAS = frozenset(("be", "have", "seem", "appear", "become", "remain"))
IRREALIS_MARKERS = frozenset(("if", "unless", "whether", "though", "although"))


def tag_events(cols: TokenColumns, in_quote: bytearray, children: list[list[int]]) -> list[int]:
    """Token ids of realis events, in order."""
    pos, tags, deps, lemmas, words = cols.pos, cols.tags, cols.deps, cols.lemmas, cols.words
    events = []
    for i in range(len(cols)):
        if pos[i] != "VERB" or in_quote[i] or lemmas[i].lower() in NON_EVENT_LEMMAS:
            continue
        tag = tags[i]
        if tag not in ("VBD", "VBN", "VBG"):
            continue
        past_aux = tag == "VBD"
        ok = True
        for c in children[i]:
            d = deps[c]
            if d == "neg" or tags[c] == "MD":
                ok = False
                break
            if d == "mark" and words[c].lower() in IRREALIS_MARKERS:
                ok = False
                break
            if d in ("aux", "auxpass") and tags[c] == "VBD":
                past_aux = True
        if not ok or not past_aux:
            continue
        if deps[i] == "xcomp" and tags[cols.heads[i]] != "VBD":
            continue
        if deps[i] == "xcomp" and lemmas[cols.heads[i]].lower() in (
            "want",
            "wish",
            "hope",
            "try",
            "seem",
            "intend",
            "mean",
            "plan",
            "refuse",
            "fail",
            "decide",
            "desire",
            "expect",
            "promise",
            "like",
            "long",
        ):
            continue
        events.append(i)
    return events
