"""The learned check-worthiness model: loaded from the repository, scored consistently, explained in words."""

import sys

import pytest

from claims.extraction import PROPOSAL_THRESHOLD, score_sentences
from claims.extraction.model import MODEL_DIR, CheckWorthinessModel, model

SENTENCES = [
    "Property crime is down 40 percent.",
    "Unemployment fell to 3.5 percent in 2019, the lowest rate in fifty years.",
    "The city spent $40 million on the new bridge, twice the original estimate.",
    "Thank you very much, it is great to be here tonight.",
    "Next Tuesday is Election Day.",
    "What are you going to do about it?",
]


def test_the_model_ships_in_the_repository_and_needs_no_training_libraries():
    assert {path.name for path in MODEL_DIR.iterdir()} >= {"checkworthiness.npz", "tokenizer.json", "MODEL_CARD.md"}
    CheckWorthinessModel(MODEL_DIR).scores(["The budget grew by 5 percent."])
    assert "torch" not in sys.modules and "transformers" not in sys.modules


def test_the_model_is_loaded_once_per_process():
    assert model() is model()


def test_figures_and_events_score_high_and_greetings_and_announcements_low():
    scores = dict(zip(SENTENCES, model().scores(SENTENCES), strict=True))
    for sentence in SENTENCES[:3]:
        assert scores[sentence] >= 0.5, sentence
    for sentence in SENTENCES[3:]:
        assert scores[sentence] < 0.5, sentence


def test_a_sentence_scores_the_same_alone_and_in_any_batch():
    together = model().scores(SENTENCES)
    alone = [model().scores([sentence])[0] for sentence in SENTENCES]
    reversed_batch = model().scores(SENTENCES[::-1])[::-1]
    assert together == pytest.approx(alone, abs=1e-6)
    assert together == pytest.approx(reversed_batch, abs=1e-6)
    assert all(0.0 <= value <= 1.0 for value in together)


def test_cues_are_words_of_the_sentence_that_raised_its_score():
    (probability, cues), (_, greeting_cues) = model().explain(SENTENCES[:1] + SENTENCES[3:4])
    assert probability == pytest.approx(model().scores(SENTENCES[:1])[0])
    assert cues and len(cues) <= 3
    assert all(cue in SENTENCES[0] for cue in cues)
    assert "percent" in cues or "40" in cues
    assert all(cue in SENTENCES[3] for cue in greeting_cues)


def test_reasons_name_the_model_and_its_cues_and_the_rules():
    (figure, greeting) = score_sentences([SENTENCES[1], SENTENCES[3]])
    assert figure.proposed and not greeting.proposed
    assert figure.reasons[0].startswith("model 0.") and "“" in figure.reasons[0]
    assert "number" in figure.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        "The offensive could cut off 10,000 Russian troops within days, analysts said.",
        "The ministry did not confirm that 300 soldiers had been killed.",
        "Did the government spend $2 billion on the program last year?",
    ],
)
def test_predictions_unconfirmed_statements_and_questions_stay_below_the_threshold(sentence):
    (candidate,) = score_sentences([sentence])
    assert candidate.check_worthiness < PROPOSAL_THRESHOLD, candidate.reasons
