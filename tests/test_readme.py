"""What the README says about the figures agrees with what the app computes."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_a_signed_variance_in_the_readme_follows_actual_minus_budget():
    """Variance is actual − budget everywhere, positive over budget: an example the README gives of
    an overrun is positive and one of an underrun negative."""
    text = " ".join(README.read_text().split())
    assert "Variance is actual − budget everywhere: positive is over." in text
    examples = re.findall(r"an (overrun|underrun) reads ([-−+]?)\d", text)
    assert examples, "the README gives no signed example"
    for kind, sign in examples:
        negative = sign in ("-", "−")
        assert negative == (kind == "underrun"), f"an {kind} reads {sign or '+'}…, against the sign convention"
