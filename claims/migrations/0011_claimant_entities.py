"""Today's free-text claimants become entities: every claim with a ``claimant`` is linked to one.

The claimant texts are grouped by their normalised key (the rules of ``claims/claimant_names.py`` as they
were when this migration was written, frozen below: the migration must give the same result when those
rules change later). Each group becomes one ``Claimant``, named after its most frequent spelling (ties:
the first in alphabetical order), typed from that name, with one ``ClaimantAlias`` for the key. Every
claim of the group is linked to it and shows its name; a claim whose text changes so gets a history
record saying why (its former spelling stays in its history, and a verified claim's published record,
on its review, is untouched). A claim without a claimant stays unlinked. None is lost: the migration
checks that every claim with a claimant text is linked before it ends.

Backwards: the links are removed and the claimants deleted; the claims keep the names they show.
"""

import re
import unicodedata
from collections import Counter

from django.db import migrations
from django.db.models import Count
from django.utils import timezone

# --- Frozen copy of claims/claimant_names.py (do not edit: the migration's result must not change) ------

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


# --- The migration ------------------------------------------------------------------------------------

REASON = "claimant linked to its entity (migration 0011)"


def link_claimants(apps, schema_editor):
    db = schema_editor.connection.alias
    Claim = apps.get_model("claims", "Claim")
    HistoricalClaim = apps.get_model("claims", "HistoricalClaim")
    Claimant = apps.get_model("claims", "Claimant")
    ClaimantAlias = apps.get_model("claims", "ClaimantAlias")
    claims = Claim.objects.using(db)
    groups = {}
    rows = claims.exclude(claimant="").order_by().values("claimant").annotate(n=Count("pk"))
    for row in rows.values_list("claimant", "n"):
        key = claimant_key(row[0])
        if key:
            groups.setdefault(key, Counter())[row[0]] += row[1]
    now = timezone.now()
    fields = [field.attname for field in Claim._meta.concrete_fields]
    for key, spellings in sorted(groups.items()):
        name = sorted(spellings, key=lambda spelling: (-spellings[spelling], spelling))[0]
        claimant = Claimant.objects.using(db).create(name=name[:300], type=claimant_type(name))
        ClaimantAlias.objects.using(db).create(claimant=claimant, name=name[:300], key=key)
        others = [spelling for spelling in spellings if spelling != name]
        for claim in claims.filter(claimant__in=others).iterator(chunk_size=2000):
            claim.claimant = claimant.name
            claim.claimant_entity_id = claimant.pk
            HistoricalClaim.objects.using(db).create(
                **{name: getattr(claim, name) for name in fields},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
            )
        claims.filter(claimant__in=list(spellings)).update(claimant_entity=claimant, claimant=claimant.name)
    unlinked = claims.exclude(claimant="").filter(claimant_entity__isnull=True)
    # A text with no letter or digit has no key: it stays as it is, unlinked (none was found in the data).
    keyless = [text for text in unlinked.values_list("claimant", flat=True).distinct() if claimant_key(text)]
    if keyless:
        raise RuntimeError(f"Claims left without their claimant: {keyless[:10]}")


def unlink_claimants(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("claims", "Claim").objects.using(db).update(claimant_entity=None)
    apps.get_model("claims", "ClaimantAlias").objects.using(db).all().delete()
    apps.get_model("claims", "Claimant").objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_claimants")]

    operations = [migrations.RunPython(link_claimants, unlink_claimants)]
