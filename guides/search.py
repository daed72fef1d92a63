"""Search over the guides that works the same on SQLite and PostgreSQL, through an index.

A guide's words (title, summary, text) are folded (lower case, no accents, "e-mail" also
as "email"), cut of a plural "s"/"x", and stored in `GuideTerm` with their prefixes of
three letters or more, so that "scan" finds "scanner" and "candidat" finds
"candidature". A search folds the query the same way and asks for the guides holding
every word: an equality on an indexed column, one grouped query, ordered by weight.
Pure functions here; the selector runs the query (guides/selectors.py)."""

import re
import unicodedata
from collections import Counter

TERM_MAX = 40
PREFIX_MIN = 3
# Prefixes of longer words add little and weigh on the index.
PREFIX_WORD_MAX = 20
QUERY_MAX_CHARS = 100
QUERY_MAX_TERMS = 8
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 8, 4, 1

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")

# Words too common in French to tell guides apart.
STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cet",
        "cette",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "elles",
        "en",
        "est",
        "et",
        "etre",
        "il",
        "ils",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "mes",
        "mon",
        "n",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "s",
        "sa",
        "se",
        "ses",
        "si",
        "son",
        "sont",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
    ]
)


def fold(text: str) -> str:
    """Lower case, accents and ligatures off: "Numérique Œuvre" -> "numerique oeuvre"."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stem(word: str) -> str:
    """A light French plural cut: "candidatures" -> "candidature", "bureaux" -> "bureau"."""
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The searchable words of `text`, in order, stopwords left out."""
    text = _URL.sub(" ", _MARKDOWN_LINK_TARGET.sub("]", fold(text)))
    found: list[str] = []
    for match in _WORD.finditer(text):
        token = match.group()
        parts = token.split("-")
        # "e-mail": "e", "mail" and "email"; "France-Travail": "france", "travail".
        candidates = [*parts, "".join(parts)] if len(parts) > 1 else parts
        for word in candidates:
            word = _stem(word)[:TERM_MAX]
            if len(word) > 1 and word not in STOPWORDS:
                found.append(word)
    return found


def index_terms(*, title: str, summary: str, body: str) -> dict[str, int]:
    """term -> weight for one guide: each word and its prefixes, weighted by where they
    appear (a whole word counts twice as much as a prefix)."""
    weights: Counter[str] = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (summary, SUMMARY_WEIGHT), (body, BODY_WEIGHT)):
        for word in words(text):
            weights[word] += 2 * weight
            if len(word) <= PREFIX_WORD_MAX:
                for end in range(PREFIX_MIN, len(word)):
                    weights[word[:end]] += weight
    return dict(weights)


def query_terms(query: str) -> list[str]:
    """The distinct terms a search asks for (at most QUERY_MAX_TERMS), in order."""
    terms: list[str] = []
    for word in words(query[:QUERY_MAX_CHARS]):
        if word not in terms:
            terms.append(word)
    return terms[:QUERY_MAX_TERMS]
