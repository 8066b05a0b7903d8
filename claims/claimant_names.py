"""Claimant names: one normalised key per entity, whatever the spelling, and a guess of its type.

``claimant_key`` maps every way of writing one claimant to the same text, and different claimants to
different texts: "Russia's Ministry of Defence", "Russian Defense Ministry", "Russian Ministry of
Defense" and "Ministry of Defence of Russia" are all ``russia ministry of defense``; "President
Vladimir Putin" and "Vladimir Putin" are ``vladimir putin``; "Ukrainian Ministry of Defence" stays
``ukraine ministry of defense``. The rules, in order:

1. Unicode compatibility form, accents dropped ("Denís" = "Denis"), lower case, curly quotes straight;
2. a possessive owner moves to the end as "of <owner>" ("Russia's Ministry of Defence" → "ministry of
   defence of russia");
3. punctuation becomes spaces ("U.S." → "u s", joined back to "us"), a leading "the" goes;
4. British spellings become American ones ("defence" → "defense", "organisation" → "organization");
5. a country's adjective or abbreviation becomes its name ("Russian" → "russia", "U.S." → "united states");
6. "<X> of <country>" becomes "<country> <X>" ("Armed Forces of Ukraine" = "Ukrainian Armed Forces");
7. "<country> <X> ministry" becomes "<country> ministry of <X>" ("foreign ministry" = "ministry of foreign
   affairs"; the same for departments);
8. a title before a person's name goes ("President", "Mr", "Dr", "Gen.", "Prime Minister", …), never the
   only word ("the mayor" stays "mayor").

``claimant_type`` guesses ``person``, ``organization`` or ``government`` from the name.

Pure functions with no Django import: ``claims/migrations/0011_claimant_entities.py`` keeps a frozen
copy of them, so that migration keeps working when the rules here change later.
"""

import re
import unicodedata

PERSON = "person"
ORGANIZATION = "organization"
GOVERNMENT = "government"

# Country names (as keys) by the adjectives and abbreviations that also name them.
COUNTRIES = {
    "russia": ("russian", "russian federation"),
    "ukraine": ("ukrainian",),
    "united states": ("us", "usa", "american", "united states of america", "america"),
    "united kingdom": ("uk", "british", "britain", "great britain"),
    "belarus": ("belarusian",),
    "china": ("chinese",),
    "france": ("french",),
    "germany": ("german",),
    "poland": ("polish",),
    "israel": ("israeli",),
    "iran": ("iranian",),
    "turkey": ("turkish", "turkiye"),
    "india": ("indian",),
    "japan": ("japanese",),
    "canada": ("canadian",),
    "italy": ("italian",),
    "spain": ("spanish",),
    "georgia": ("georgian",),
    "moldova": ("moldovan",),
    "syria": ("syrian",),
    "nato": (),
    "european union": ("eu",),
    "kazakhstan": ("kazakh",),
    "lithuania": ("lithuanian",),
    "latvia": ("latvian",),
    "estonia": ("estonian",),
    "finland": ("finnish",),
    "sweden": ("swedish",),
    "norway": ("norwegian",),
    "hungary": ("hungarian",),
    "romania": ("romanian",),
    "brazil": ("brazilian",),
    "mexico": ("mexican",),
    "australia": ("australian",),
    "nigeria": ("nigerian",),
    "egypt": ("egyptian",),
    "saudi arabia": ("saudi",),
    "north korea": ("north korean",),
    "south korea": ("south korean",),
}
COUNTRY_OF = {variant: country for country, variants in COUNTRIES.items() for variant in (country, *variants)}
# Longest first, so "russian federation" wins over "russian" and "north korean" over "north".
_COUNTRY = "|".join(sorted((re.escape(v) for v in COUNTRY_OF), key=len, reverse=True))
COUNTRY_WORDS = re.compile(rf"\b(?:{_COUNTRY})\b")

# British → American spellings (whole words).
SPELLINGS = {
    "defence": "defense",
    "defences": "defenses",
    "organisation": "organization",
    "organisations": "organizations",
    "centre": "center",
    "labour": "labor",
    "programme": "program",
    "honour": "honor",
    "armour": "armor",
    "licence": "license",
    "offence": "offense",
    "favour": "favor",
    "neighbour": "neighbor",
    "harbour": "harbor",
    "behaviour": "behavior",
    "colour": "color",
    "analyse": "analyze",
    "catalogue": "catalog",
    "theatre": "theater",
}


def _word_set(text):
    return frozenset(text.split())


# Titles that may stand before a person's name (as key words: lower case, no dots).
_TITLE_WORD_SET = _word_set(
    """president vice prime minister deputy foreign defense secretary of state governor gov mayor
        chancellor senator sen rep representative congressman congresswoman dr doctor prof professor mr mrs
        ms miss sir dame lord lady general gen lieutenant lt major maj colonel col commander captain capt
        sergeant sgt admiral adm marshal field chief judge justice ambassador speaker sheriff prosecutor
        attorney pope king queen prince princess sheikh rev reverend father bishop archbishop spokesman
        spokeswoman spokesperson mp msp mep councillor councilor alderman premier"""
)
# Words that name an organisation, and those that name a government body or a state's forces.
GOVERNMENT_WORDS = _word_set(
    """ministry ministries government department kremlin parliament senate congress cabinet embassy
    army military forces navy police presidency administration house duma rada council
    commission authorities authority state agency office bureau prosecutors"""
)
ORGANIZATION_WORDS = _word_set(
    """party inc ltd llc plc corp corporation company co group association union institute foundation
    center university hospital bank court committee organization news times post agency press
    network channel tv radio service services board society league federation alliance
    coalition movement front club trust fund reuters ap afp bloomberg nato eu un who imf unicef
    campaign team staff officials official bloggers residents analysts experts sources witnesses
    troops soldiers fighters separatists rebels media spokespeople members leaders workers"""
)
ORGANIZATION_WORDS |= GOVERNMENT_WORDS

_NAME_WORD = re.compile(r"^[^\W\d_][\w'\-]*$")


def _ascii(text):
    """Compatibility form without accents, curly quotes straightened."""
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _possessive(text):
    """``russia's ministry of defence`` → ``ministry of defence of russia`` (the first possessive, and only
    when what it owns is an organisation: "Putin's spokesman" stays)."""
    match = re.match(r"^(?:the\s+)?(?P<owner>[^']+?)'s?\s+(?P<rest>\S.*)$", text)
    if match and not match.group("owner").endswith(" of"):
        rest = match.group("rest")
        if any(word in ORGANIZATION_WORDS for word in re.sub(r"[^\w\s]", " ", rest).split()):
            return f"{rest} of {match.group('owner')}"
    return text


def _words(text):
    """Lower-case words: punctuation is a space; runs of initials ("u s", "u k") are joined again."""
    words = re.sub(r"[^\w\s]", " ", text).split()
    joined, initials = [], False
    for word in words:
        single = len(word) == 1 and word.isalpha()
        if single and initials:
            joined[-1] += word
            continue
        joined.append(word)
        initials = single
    return joined


def _countries(text):
    return COUNTRY_WORDS.sub(lambda m: COUNTRY_OF[m.group(0)], text)


def _country_first(text):
    """``armed forces of ukraine`` → ``ukraine armed forces``; ``ministry of defense of russia`` → ``russia
    ministry of defense``. Only when the last "of" is followed by a country and nothing else."""
    for country in sorted(COUNTRIES, key=len, reverse=True):
        for suffix in (f" of {country}", f" of the {country}"):
            if text.endswith(suffix) and len(text) > len(suffix):
                return f"{country} {text[: -len(suffix)]}"
    return text


# "<X> ministry" → "ministry of <X>": the same body written the other way round.
_BODIES = ("ministry", "department")
_SUBJECT_ALIASES = {"foreign": "foreign affairs", "interior": "internal affairs", "home": "internal affairs"}


def _body_of(text):
    """``russia defense ministry`` → ``russia ministry of defense``; ``foreign ministry`` → ``ministry of
    foreign affairs``."""
    country = ""
    for name in sorted(COUNTRIES, key=len, reverse=True):
        if text.startswith(name + " "):
            country, text = name + " ", text[len(name) + 1 :]
            break
    for body in _BODIES:
        match = re.fullmatch(rf"(?P<subject>[a-z ]+?) {body}", text)
        if match and match.group("subject") not in ("the", "a"):
            subject = match.group("subject")
            text = f"{body} of {subject}"
        match = re.fullmatch(rf"{body} of (?:the )?(?P<subject>[a-z ]+)", text)
        if match:
            subject = _SUBJECT_ALIASES.get(match.group("subject"), match.group("subject"))
            text = f"{body} of {subject}"
    return country + text


def _without_title(words):
    """The words without the title(s) before a name: ``president vladimir putin`` → ``vladimir putin``.

    Only when what follows is not itself a title or an organisation: "the mayor", "Foreign Minister"
    and "President's office" stay as they are.
    """
    index = 0
    for size in (3, 2, 1):  # "Russian President …", "UK Prime Minister …": the title's country goes too
        if " ".join(words[:size]) in COUNTRY_OF and len(words) > size and words[size] in _TITLE_WORD_SET:
            index = size
            break
    start = index
    while index < len(words) and words[index] in _TITLE_WORD_SET:
        index += 1
    rest = words[index:]
    if index == start or not rest or any(word in ORGANIZATION_WORDS for word in rest):
        return words
    if rest[0] == "of" or words[index - 1] == "of":
        return words
    return rest


def claimant_key(name):
    """The normalised key of a claimant's name: equal for two spellings of one claimant, different for
    two claimants. ``""`` for a name with no letters."""
    text = _ascii(name or "").lower().strip()
    text = _possessive(text)
    words = _words(text)
    while len(words) > 1 and words[0] in ("the", "a", "an"):
        words = words[1:]
    words = [SPELLINGS.get(word, word) for word in words]
    words = _without_title(words)
    text = " ".join(words)
    text = _countries(text)
    text = _country_first(text)
    text = _body_of(text)
    return text[:300]


def display_name(name):
    """The name as an entity's name: spaces collapsed, a title before a person's name dropped
    ("President Vladimir Putin" → "Vladimir Putin"), a leading "the" dropped when more follows."""
    words = " ".join((name or "").split()).split(" ")
    while len(words) > 1 and words[0].lower() in ("the", "a", "an") and words[1][:1].isupper():
        words = words[1:]
    lowered = [_words(_ascii(word).lower()) for word in words]
    index = 0
    if len(words) > 1 and " ".join(lowered[0]) in COUNTRY_OF and lowered[1][:1] and lowered[1][0] in _TITLE_WORD_SET:
        index = 1  # "Russian President Vladimir Putin"
    start = index
    while index < len(words) and len(lowered[index]) == 1 and lowered[index][0] in _TITLE_WORD_SET:
        index += 1
    rest = words[index:]
    rest_keys = [key for part in lowered[index:] for key in part]
    if (
        index > start
        and rest
        and not any(key in ORGANIZATION_WORDS for key in rest_keys)
        and rest_keys[:1] != ["of"]
        and lowered[index - 1] != ["of"]
        and all(word[:1].isupper() for word in rest)
    ):
        words = rest
    return " ".join(words)[:300]


def claimant_type(name):
    """``government`` (a country, a ministry, an army…), ``organization`` (a party, a company, a group of
    people…) or ``person`` (a name, with or without its title, or a title alone: "the mayor")."""
    key = claimant_key(name)
    words = key.split()
    if not words:
        return ORGANIZATION
    if key in COUNTRIES:
        return GOVERNMENT
    if any(word in GOVERNMENT_WORDS for word in words):
        return GOVERNMENT
    if any(word in ORGANIZATION_WORDS for word in words) or key.startswith(tuple(f"{c} " for c in COUNTRIES)):
        return ORGANIZATION
    raw = _words(_ascii(name).lower())
    while raw and raw[0] in ("the", "a", "an"):
        raw = raw[1:]
    if raw and raw[0] in _TITLE_WORD_SET:
        return PERSON  # "President Putin", "the mayor"
    original = [word for word in " ".join((name or "").split()).split(" ") if word.lower() not in ("the",)]
    if 1 <= len(original) <= 4 and all(_NAME_WORD.match(word) and word[:1].isupper() for word in original):
        return PERSON
    return ORGANIZATION
