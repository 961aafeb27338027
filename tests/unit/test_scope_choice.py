"""The CLINC-size choice validates on sentences that no candidate trains on."""

from evaluation import scope_choice
from evaluation.clinc import read_split
from scripts.make_clinc_training_data import PER_INTENT


def test_unseen_sentences_are_outside_every_candidates_training_sample():
    used = {t for t, _ in scope_choice.clinc_rows(scope_choice.LARGEST)}
    unseen = scope_choice.unseen_out_of_scope()
    assert len(unseen) == scope_choice.VALIDATION_N
    assert not used & set(unseen)
    assert PER_INTENT <= scope_choice.LARGEST


def test_unseen_sentences_never_come_from_the_validation_split_that_make_evaluate_scores():
    validation = {t for t, _ in read_split("val.tsv")} | {t for t, _ in read_split("oos_val.tsv")}
    assert not validation & set(scope_choice.unseen_out_of_scope())


def test_clinc_rows_grow_with_the_sample_size_and_keep_the_smaller_sample():
    small = set(scope_choice.clinc_rows(10))
    large = set(scope_choice.clinc_rows(20))
    assert len(large) > len(small)
    assert small <= large
    labels = {label for _, label in large}
    assert "out_of_scope" in labels and "greet" in labels
