import pytest

from wkm.text_tags import continues_sentence


@pytest.mark.parametrize(
    "typed, reads",
    [
        ("Turn music down after 11pm.", "turn music down after 11pm"),
        ("turn music down", "turn music down"),
        ("I will call first", "I will call first"),
        ("BBC licence to be shared", "BBC licence to be shared"),
        ("McDonald's bins go out on Monday", "McDonald's bins go out on Monday"),
        ("Wait…", "wait…"),
        ("Pay £20 by 1 Jan...", "pay £20 by 1 Jan..."),
        ("", ""),
    ],
)
def test_a_term_reads_on_after_will(typed, reads):
    assert continues_sentence(typed) == reads
