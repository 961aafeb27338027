"""mfr/input_checks.py: which raw inputs never reach the classifier as they are."""

from __future__ import annotations

import pytest

from mfr.input_checks import EMPTY, MAX_MESSAGE_CHARS, NO_TEXT, NON_LATIN, TOO_LONG, clip, input_issue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(None, EMPTY, id="none"),
        pytest.param("", EMPTY, id="empty-string"),
        pytest.param("   ", EMPTY, id="spaces"),
        pytest.param("\n\t \r\n", EMPTY, id="whitespace-mix"),
        pytest.param("\u3000\u00a0", EMPTY, id="unicode-spaces"),
        pytest.param("😀😀🙏", NO_TEXT, id="emoji-only"),
        pytest.param("???", NO_TEXT, id="question-marks"),
        pytest.param("!!! ... :-)", NO_TEXT, id="punctuation-only"),
        pytest.param("a" * (MAX_MESSAGE_CHARS + 1), TOO_LONG, id="one-over-limit"),
        pytest.param("my neck hurts " * 200, TOO_LONG, id="very-long-english"),
        pytest.param("?" * (MAX_MESSAGE_CHARS + 5), TOO_LONG, id="long-symbols-are-too-long"),
        pytest.param("Что такое миофасциальный релиз?", NON_LATIN, id="russian"),
        pytest.param("什么是肌筋膜放松？", NON_LATIN, id="chinese"),
        pytest.param("ما هو التحرير العضلي اللفافي؟", NON_LATIN, id="arabic"),
        pytest.param("MFR это опасно для спины?", NON_LATIN, id="mostly-cyrillic-with-latin-acronym"),
        pytest.param("What is myofascial release?", None, id="english"),
        pytest.param("my neck hurts 😣", None, id="english-with-emoji"),
        pytest.param("¿Qué es la liberación miofascial?", None, id="spanish-accents"),
        pytest.param("Ça fait mal après la séance, c'est normal ?", None, id="french-accents"),
        pytest.param("123", None, id="digits-only"),
        pytest.param("a" * MAX_MESSAGE_CHARS, None, id="exactly-at-limit"),
        pytest.param("Is MFR safe? (Я из Киева)", None, id="mostly-latin-with-some-cyrillic"),
    ],
)
def test_input_issue(text, expected):
    assert input_issue(text) == expected


def test_input_issue_respects_custom_limit():
    assert input_issue("hello there", max_chars=5) == TOO_LONG
    assert input_issue("hello", max_chars=5) is None


@pytest.mark.parametrize(
    ("length", "max_chars", "expected_length"),
    [
        pytest.param(MAX_MESSAGE_CHARS + 500, MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS, id="long-clipped"),
        pytest.param(MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS, id="at-limit-unchanged"),
        pytest.param(12, MAX_MESSAGE_CHARS, 12, id="short-unchanged"),
        pytest.param(50, 10, 10, id="custom-limit"),
    ],
)
def test_clip_length(length, max_chars, expected_length):
    text = ("abcdefghij" * (length // 10 + 1))[:length]
    clipped = clip(text, max_chars)
    assert len(clipped) == expected_length
    assert text.startswith(clipped)


def test_clipped_long_message_is_no_longer_too_long():
    text = "please help " * 300
    assert input_issue(text) == TOO_LONG
    assert input_issue(clip(text)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("is it safe?", "is it safe?", id="plain-unchanged"),
        pytest.param("<b>is it safe?</b>", "is it safe?", id="bold-tags"),
        pytest.param("<script>alert('x')</script>what is MFR?", "what is MFR?", id="script-removed"),
        pytest.param("<style>p {color: red}</style><p>does it hurt?</p>", "does it hurt?", id="style-removed"),
        pytest.param("knots &amp; stiffness", "knots & stiffness", id="entity-unescaped"),
        pytest.param("pain < 3 out of 10", "pain < 3 out of 10", id="lone-less-than-kept"),
    ],
)
def test_strip_markup(text, expected):
    from mfr.input_checks import strip_markup

    assert strip_markup(text) == expected
