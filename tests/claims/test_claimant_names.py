"""The claimant normaliser: one key per entity whatever the spelling, different keys for different entities."""

import importlib

import pytest

from claims import claimant_names
from claims.claimant_names import claimant_key, claimant_type, display_name

FROZEN = importlib.import_module("claims.migrations.0011_claimant_entities")

# Each group: spellings of one claimant, as news copy and fact-checkers' databases write them.
SAME = [
    [
        "Russian Ministry of Defense",
        "Russian Defense Ministry",
        "Russian Ministry of Defence",
        "Russia's Ministry of Defence",
        "Russia’s Defence Ministry",
        "Ministry of Defence of Russia",
        "Ministry of Defense of the Russian Federation",
        "the Russian defence ministry",
        "Russian Federation Ministry of Defence",
        "RUSSIAN MINISTRY OF DEFENSE",
        "Russian Ministry of Defense.",
    ],
    ["Ukrainian Ministry of Defence", "Ukraine's Defense Ministry", "Ministry of Defence of Ukraine"],
    ["Vladimir Putin", "President Vladimir Putin", "Russian President Vladimir Putin", "Mr. Vladimir Putin"],
    ["Volodymyr Zelensky", "President Volodymyr Zelensky", "Ukrainian President Volodymyr Zelensky"],
    ["Anthony Fauci", "Dr. Anthony Fauci", "Dr Anthony Fauci"],
    ["Valery Zaluzhny", "Gen. Valery Zaluzhny", "General Valery Zaluzhny"],
    ["Sergei Lavrov", "Foreign Minister Sergei Lavrov", "Russian Foreign Minister Sergei Lavrov"],
    ["Boris Johnson", "Prime Minister Boris Johnson", "UK Prime Minister Boris Johnson"],
    ["Antony Blinken", "Secretary of State Antony Blinken"],
    ["Denís Pushilin", "Denis Pushilin", "Denis  Pushilin"],
    ["Ukrainian government", "Government of Ukraine", "Ukraine's government", "the Ukrainian Government"],
    ["Armed Forces of Ukraine", "Ukrainian Armed Forces", "Ukraine's armed forces"],
    ["US State Department", "U.S. State Department", "United States Department of State", "US Department of State"],
    ["Foreign Ministry", "the foreign ministry", "Ministry of Foreign Affairs"],
    ["Kremlin", "The Kremlin", "the Kremlin"],
    ["Labour Party", "Labor Party", "the Labour party"],
    ["World Health Organisation", "World Health Organization"],
    ["Russia", "Russian Federation", "the Russian Federation"],
    ["United States", "U.S.", "USA", "U.S.A.", "the United States of America"],
]
# Pairs that name different claimants and must never share a key.
DIFFERENT = [
    ("Russian Ministry of Defense", "Ukrainian Ministry of Defence"),
    ("Ministry of Health", "Ministry of Defence"),
    ("Russian Ministry of Health", "Russian Ministry of Defense"),
    ("Russia", "Russian Ministry of Defense"),
    ("Russia", "Ukraine"),
    ("Russian bloggers", "Russia"),
    ("Ukrainian forces", "Ukrainian government"),
    ("Vladimir Putin", "Putin"),  # a surname alone may be another Putin
    ("Vladimir Putin", "President"),
    ("the mayor", "the governor"),
    ("President's office", "President"),
    ("Foreign Ministry", "Foreign Minister Sergei Lavrov"),
    ("Labour Party", "Conservative Party"),
    ("US State Department", "US Defense Department"),
    ("Ministry of Foreign Affairs", "Ministry of Internal Affairs"),
    ("Russian Ministry of Defense", "Belarusian Ministry of Defense"),
]


@pytest.mark.parametrize("spellings", SAME, ids=lambda group: group[0])
def test_spellings_of_one_claimant_share_a_key(spellings):
    keys = {spelling: claimant_key(spelling) for spelling in spellings}
    assert len(set(keys.values())) == 1, keys


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_claimants_keep_different_keys(one, other):
    assert claimant_key(one) != claimant_key(other)


def test_groups_do_not_collide_with_each_other():
    keys = [claimant_key(group[0]) for group in SAME]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Russian Ministry of Defense", "government"),
        ("Russia", "government"),
        ("Kremlin", "government"),
        ("Ukrainian Armed Forces", "government"),
        ("Labour Party", "organization"),
        ("Reuters", "organization"),
        ("Acme Ltd", "organization"),
        ("Russian bloggers", "organization"),
        ("World Health Organization", "organization"),
        ("Vladimir Putin", "person"),
        ("President Vladimir Putin", "person"),
        ("Denís Pushilin", "person"),
        ("Zelensky", "person"),
        ("the mayor", "person"),
        ("Mr. Smith", "person"),
    ],
)
def test_type_guess(name, expected):
    assert claimant_type(name) == expected


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("President Vladimir Putin", "Vladimir Putin"),
        ("Dr. Anthony Fauci", "Anthony Fauci"),
        ("The Kremlin", "Kremlin"),
        ("the ministry", "the ministry"),
        ("President's office", "President's office"),
        ("Russian Ministry of Defense", "Russian Ministry of Defense"),
        ("  Vitali   Ganchev ", "Vitali Ganchev"),
    ],
)
def test_display_name(name, shown):
    assert display_name(name) == shown
    assert claimant_key(display_name(name)) == claimant_key(name)


def test_empty_and_punctuation_have_no_key():
    assert claimant_key("") == ""
    assert claimant_key("  ...  ") == ""
    assert claimant_key(None) == ""


def test_the_migration_keeps_a_frozen_copy_of_the_rules():
    """0011 must not import the module (its rules may change later), and today gives the same keys."""
    assert FROZEN.claimant_key is not claimant_names.claimant_key
    for group in SAME:
        for spelling in group:
            assert FROZEN.claimant_key(spelling) == claimant_key(spelling)
            assert FROZEN.claimant_type(spelling) == claimant_type(spelling)
