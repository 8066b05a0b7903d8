"""The rules about claimants: resolving a name to its entity, editing claimants, merging duplicates, their record.

A claimant is one entity whatever the spelling of its name: each of its names is a ``ClaimantAlias``
whose normalised key (``claims.claimant_names.claimant_key``) is unique across claimants, a database
constraint. ``resolve`` finds the claimant a name names through those keys, or creates it (typed by
``claimant_type``); claim creation and editing (``claims.services``) and extraction go through it.

A claim's ``claimant`` text is its entity's name (the API's display name): renaming or merging a
claimant rewrites it on every claim of the entity, with a history record naming who and why. A
verified claim's *published record* is not rewritten: readers, the public page and the exports keep
the name as published until an editor publishes a correction (which then lists the claimant's new
name); what ClaimReview reads from the live entity is its type and ``sameAs`` (see README "Claimants").
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from claims.claimant_names import claimant_key, claimant_type, display_name
from claims.models import Claim, Claimant, ClaimantAlias, Verdict
from claims.validators import MAX_SAME_AS, validate_same_as
from factcheck.concurrency import advance_version, bump_version
from factcheck.roles import is_editor

MAX_NAME = 300
MAX_ALIASES = 100
MAX_DESCRIPTION = 1000
# Claims rewritten per statement when a claimant is renamed or merged.
BATCH_SIZE = 1000


def _record(instance, *, by, reason):
    instance._history_user = by if by is not None and by.is_authenticated else None
    instance._change_reason = reason


def _clean_name(name):
    return " ".join((name or "").split())


def find(name):
    """The claimant ``name`` names (by its normalised key), or None."""
    key = claimant_key(name)
    if not key:
        return None
    alias = ClaimantAlias.objects.select_related("claimant").filter(key=key).first()
    return alias.claimant if alias is not None else None


def resolve(name, *, by=None):
    """The claimant ``name`` names: the one with an alias of the same normalised key, else a new one
    (named without a title before a person's name, typed by ``claimant_type``). None for an empty name."""
    name = _clean_name(name)[:MAX_NAME]
    key = claimant_key(name)
    if not key:
        return None
    found = find(name)
    if found is not None:
        return found
    shown = display_name(name)
    if claimant_key(shown) != key:
        shown = name
    try:
        with transaction.atomic():  # a savepoint: a concurrent request may create it first
            claimant = Claimant(name=shown, type=claimant_type(name))
            _record(claimant, by=by, reason=f"created for the claimant name “{name}”")
            claimant.save()
            alias = ClaimantAlias(claimant=claimant, name=shown, key=key)
            _record(alias, by=by, reason="created")
            alias.save()
    except IntegrityError:
        return ClaimantAlias.objects.select_related("claimant").get(key=key).claimant
    return claimant


def resolve_many(names, *, by=None):
    """``{name: Claimant}`` for every non-empty name of ``names``, in one query when all exist."""
    keys = {name: claimant_key(name) for name in set(names) if name}
    keys = {name: key for name, key in keys.items() if key}
    aliases = ClaimantAlias.objects.select_related("claimant").filter(key__in=set(keys.values()))
    by_key = {alias.key: alias.claimant for alias in aliases}
    for name, key in sorted(keys.items()):
        if key not in by_key:
            by_key[key] = resolve(name, by=by)
    return {name: by_key[key] for name, key in keys.items()}


def claimant_for_claim(*, name=None, entity=None, by=None):
    """``(display name, Claimant or None)`` for a claim given a claimant ``name``, an ``entity``, or both.

    With an entity, the name (when given) must be one of its names; the claim shows the entity's name.
    """
    if entity is not None:
        if name and claimant_key(name) and claimant_key(name) not in _keys(entity):
            raise ValidationError({"claimant": f"“{name}” is not a name of claimant {entity.pk} ({entity.name})."})
        return entity.name, entity
    claimant = resolve(name, by=by) if name else None
    if claimant is None:
        return "", None
    return claimant.name, claimant


def _keys(claimant):
    return set(ClaimantAlias.objects.filter(claimant=claimant).values_list("key", flat=True))


def _require_editor(by):
    if not is_editor(by):
        raise PermissionDenied("Only editors may change claimants.")


def _validate(*, name, type, description, same_as, aliases):
    errors = {}
    if not claimant_key(name):
        errors["name"] = ["Enter a name with at least one letter or digit."]
    elif len(name) > MAX_NAME:
        errors["name"] = [f"Ensure this field has no more than {MAX_NAME} characters."]
    if type not in Claimant.Type.values:
        errors["type"] = [f"“{type}” is not one of {', '.join(Claimant.Type.values)}."]
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = [f"Ensure this field has no more than {MAX_DESCRIPTION} characters."]
    try:
        validate_same_as(same_as)
    except ValidationError as exc:
        errors["same_as"] = exc.messages
    if len(aliases) > MAX_ALIASES:
        errors["aliases"] = [f"Enter at most {MAX_ALIASES} aliases."]
    elif any(not claimant_key(alias) or len(alias) > MAX_NAME for alias in aliases):
        errors["aliases"] = [f"Each alias needs a letter or digit and at most {MAX_NAME} characters."]
    if errors:
        raise ValidationError(errors)


def _alias_rows(name, aliases):
    """``{key: name}`` of the claimant's names: its own first, then each alias (one per key)."""
    rows = {}
    for alias in [name, *aliases]:
        rows.setdefault(claimant_key(alias), alias)
    return rows


def _check_free(rows, claimant=None):
    taken = ClaimantAlias.objects.filter(key__in=list(rows)).select_related("claimant")
    if claimant is not None:
        taken = taken.exclude(claimant=claimant)
    clashes = [
        f"“{rows[alias.key]}” already names claimant {alias.claimant_id} ({alias.claimant.name})" for alias in taken
    ]
    if clashes:
        raise ValidationError({"aliases": [f"{'; '.join(clashes)}. Merge the two claimants instead."]})


@transaction.atomic
def create_claimant(*, name, by, type=None, description="", same_as=(), aliases=()):
    """A new claimant (editors). Its name and aliases must name no other claimant; ``type`` defaults to
    the guess from its name."""
    _require_editor(by)
    name, aliases, same_as = _clean_name(name), [_clean_name(a) for a in aliases], list(same_as)
    type = type or claimant_type(name)
    _validate(name=name, type=type, description=description, same_as=same_as, aliases=aliases)
    rows = _alias_rows(name, aliases)
    _check_free(rows)
    claimant = Claimant(name=name, type=type, description=description, same_as=same_as)
    _record(claimant, by=by, reason="created")
    claimant.save()
    for key, alias_name in rows.items():
        alias = ClaimantAlias(claimant=claimant, name=alias_name, key=key)
        _record(alias, by=by, reason="created")
        alias.save()
    return claimant


@transaction.atomic
def update_claimant(claimant, *, by, aliases=None, if_match=None, version=None, **changes):
    """Change a claimant's ``name``, ``type``, ``description``, ``same_as`` (editors); ``aliases``, when
    given, replaces its other names (its name always stays one). A new name is written on its claims.

    ``if_match`` (a header's version) or ``version`` (the body's) names the version the caller read:
    412 or 409 when the claimant has moved on since, 428 with neither (``advance_version``)."""
    _require_editor(by)
    unknown = set(changes) - {"name", "type", "description", "same_as"}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    claimant = Claimant.objects.select_for_update().get(pk=claimant.pk)
    current = list(claimant.aliases.values_list("name", flat=True))
    name = _clean_name(changes.get("name", claimant.name))
    new_aliases = [_clean_name(a) for a in aliases] if aliases is not None else current
    values = {
        "name": name,
        "type": changes.get("type", claimant.type),
        "description": changes.get("description", claimant.description),
        "same_as": list(changes.get("same_as", claimant.same_as)),
    }
    _validate(**values, aliases=new_aliases)
    rows = _alias_rows(name, new_aliases)
    _check_free(rows, claimant)
    renamed = name != claimant.name
    changed = [field for field, value in values.items() if value != getattr(claimant, field)]
    advance_version(claimant, if_match=if_match, version=version)
    for field in changed:
        setattr(claimant, field, values[field])
    _record(claimant, by=by, reason="edited")
    claimant.save()
    kept = set()
    for alias in list(claimant.aliases.all()):
        if alias.key in rows:
            kept.add(alias.key)
        else:
            _record(alias, by=by, reason="alias removed")
            alias.delete()
    for key, alias_name in rows.items():
        if key not in kept:
            alias = ClaimantAlias(claimant=claimant, name=alias_name, key=key)
            _record(alias, by=by, reason="alias added")
            alias.save()
    if renamed:
        _relink(Claim.objects.filter(claimant_entity=claimant), claimant, by=by, reason=f"claimant renamed to {name}")
    return claimant


def _relink(claims, claimant, *, by, reason):
    """Point ``claims`` at ``claimant`` and show its name, a version further, each with a history record."""
    user = by if by is not None and by.is_authenticated else None
    ids = list(claims.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(Claim.objects.select_for_update().filter(pk__in=ids[start : start + BATCH_SIZE]).order_by("pk"))
        for claim in batch:
            claim.claimant_entity = claimant
            claim.claimant = claimant.name
            claim.version += 1
            claim.updated_at = now
        bulk_update_with_history(
            batch,
            Claim,
            ["claimant_entity", "claimant", "version", "updated_at"],
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
    return len(ids)


@transaction.atomic
def merge_claimants(duplicate, *, into, by, reason=None):
    """Merge ``duplicate`` into ``into`` (editors): its names, links and claims move to ``into``, which
    keeps its own name, type and description (taking the duplicate's description if it has none);
    ``duplicate`` is deleted. Every moved claim shows the survivor's name and gets a history record
    (who, and "claimant merged into …"); the claimant's history records the deletion and why.
    Returns ``into``."""
    _require_editor(by)
    if duplicate.pk == into.pk:
        raise ValidationError({"into": ["A claimant cannot be merged into itself."]})
    pair = Claimant.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk]).order_by("pk")
    locked = {claimant.pk: claimant for claimant in pair}
    if into.pk not in locked:
        raise ValidationError({"into": [f"Claimant {into.pk} does not exist."]})
    if duplicate.pk not in locked:
        raise ValidationError(f"Claimant {duplicate.pk} does not exist.")
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    why = reason or f"claimant merged into {into.name} ({into.pk})"
    moved = _relink(Claim.objects.filter(claimant_entity=duplicate), into, by=by, reason=why)
    for alias in list(duplicate.aliases.all()):
        alias.claimant = into
        _record(alias, by=by, reason=why)
        alias.save()
    # The survivor changes (names, perhaps links): a version further, so that an edit read before fails.
    into.same_as = list(dict.fromkeys([*into.same_as, *duplicate.same_as]))[:MAX_SAME_AS]
    into.description = into.description or duplicate.description
    bump_version(into)
    _record(into, by=by, reason=f"merged with {duplicate.name} ({duplicate.pk}): {moved} claim(s) moved")
    into.save()
    _record(duplicate, by=by, reason=f"merged into {into.name} ({into.pk}): {moved} claim(s) moved")
    duplicate.delete()
    return into


def claimant_record(claimant):
    """The claimant's record: ``{"total": n, "verdicts": {verdict: count}}`` of its verified claims'
    published verdicts (every verdict listed, zero included). The same for everyone: only published
    verdicts count."""
    rows = (
        Claim.objects.verified()
        .filter(claimant_entity=claimant)
        .order_by()
        .values("verdict")
        .annotate(n=Count("pk"))
        .values_list("verdict", "n")
    )
    verdicts = dict.fromkeys(Verdict.values, 0)
    for verdict, count in rows:
        if verdict in verdicts:
            verdicts[verdict] += count
    return {"total": sum(verdicts.values()), "verdicts": verdicts}
