from __future__ import annotations

import pytest

from qa.bridge import asking_part, bridge_sentence, can_bridge, described_part
from qa.types import Chunk, Hit


@pytest.mark.parametrize(
    ("question", "described"),
    [
        (
            "Ayaz Gul says a 2019 attack led to the Balakot strikes. How many troops died in that attack?",
            "Ayaz Gul says a 2019 attack led to the Balakot strikes.",
        ),
        (
            "Mahmood told Hale that Pakistan backed the talks; in which city were they held?",
            "Mahmood told Hale that Pakistan backed the talks",
        ),
        ("How many troops died in the attack that led to the Balakot strikes?", "that led to the Balakot strikes?"),
        ("Who is the ambassador in the city where Kugelman's group is based?", "where Kugelman's group is based?"),
        ("How did the U.S. president who met Khan describe it?", "who met Khan describe it?"),
        ("In which city did Imran Khan speak about that attack?", ""),  # "that attack" is no clause
        ("What did Imran Khan say about the Pahalgam attack?", ""),
        ("With which group did the U.S. sign a deal?", ""),  # "which" after a preposition asks
        ("How long has Stephane Dujarric held that job?", ""),
        (  # a curly closing quote before the full stop ends the statement too
            "Qureshi called Russia a \u2018factor of stability\u2019. Which word did he use?",
            "Qureshi called Russia a \u2018factor of stability\u2019.",
        ),
        (  # and so does a full stop inside one
            'VOA says Modi revoked Kashmir\'s "semiautonomous status." What does the Hale report call it?',
            'VOA says Modi revoked Kashmir\'s "semiautonomous status."',
        ),
        (  # sentences split as the articles' are: no break after "Mr." or inside "U.S."
            "Mr. Khan met the U.S. envoy. Which city hosted them?",
            "Mr. Khan met the U.S. envoy.",
        ),
        (  # a statement that ends in a capitalised word (the old hand-written split needed a small letter)
            "Harkirpal Singh calls the Pakistan-held part PoK. What term does the VOA report use?",
            "Harkirpal Singh calls the Pakistan-held part PoK.",
        ),
        (  # a statement after a sentence that asks is part of what is asked
            "Which is bigger: the doses sent or the doses bought? Give that figure.",
            "",
        ),
    ],
)
def test_described_part(question: str, described: str) -> None:
    assert described_part(question) == described


def test_only_names_of_the_describing_part_can_be_bridged() -> None:
    question = "How many troops died in the attack that led to India's Balakot strikes?"
    assert can_bridge(question, {"balakot"})
    assert not can_bridge(question, {"balakot", "troops"})
    assert not can_bridge(question, set())
    assert not can_bridge("What did Imran Khan say about the Pahalgam attack?", {"pahalgam"})


def chunk(source: str, text: str) -> Hit:
    return Hit.from_chunk(Chunk(f"{source}:0", source, text, 0, len(text)), 1.0)


def test_the_bridge_is_the_naming_sentence_that_says_most_of_what_is_described() -> None:
    question = "How many troops died in the attack that led to India's Balakot strikes?"
    passages = [
        chunk("a.txt", "Forty troops died in the attack. It was in February."),
        chunk("b.txt", "Balakot is a town. India carried out the Balakot strikes after a 2019 attack."),
        chunk("c.txt", "The Balakot strikes led to a standoff."),
    ]
    bridge = bridge_sentence(question, {"balakot"}, passages, {"a.txt", "c.txt"}, 5, {})
    assert bridge is not None
    assert (bridge.number, bridge.source, bridge.text) == (5, "b.txt", passages[1].text[19:])
    assert (bridge.start, bridge.end) == (19, len(passages[1].text))
    assert bridge_sentence(question, {"balakot"}, passages, {"a.txt", "b.txt", "c.txt"}, 5, {}) is None


@pytest.mark.parametrize(
    ("question", "asking"),
    [
        (
            "Pakistan told David Hale it backs an Afghan-led peace process. According to Russia's foreign "
            "ministry, which movement should take part in an inclusive Afghan government?",
            "According to Russia's foreign ministry, which movement should take part in an inclusive Afghan "
            "government?",
        ),
        (  # "that" before a clause points back at nothing
            "VOA says Imran Khan wants a stable relationship with India. Which Indian leader did Khan tell "
            "that dialogue was the way forward?",
            "Which Indian leader did Khan tell that dialogue was the way forward?",
        ),
        (  # "that" before a noun is read as the asking sentence's own (it is often a conjunction)
            "Harkirpal Singh says a 2019 attack led to the Balakot strikes. How many troops died in that attack?",
            "How many troops died in that attack?",
        ),
        ("Lavrov met Pakistan's army chief. Who was that?", None),  # the asking part points back
        ("Lavrov gave two dose figures. What was the smaller one?", None),  # a choice between what it names
        ("The report gives two death tolls. What is the lower of the two tolls?", None),
        ("Ayaz Gul says a 2019 attack led to the Balakot strikes. How many troops died in it?", None),
        ("The report names the strikes. What name does it give those strikes?", None),
        ("Which is larger? Give that figure.", None),  # the first sentence asks
        ("Who met Lavrov?", None),
    ],
)
def test_the_asking_part_leaves_out_only_what_it_does_not_point_back_at(question: str, asking: str | None) -> None:
    assert asking_part(question) == (asking or question)
