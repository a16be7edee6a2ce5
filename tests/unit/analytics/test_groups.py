import polars as pl
import pytest

from candour.analytics.groups import compare_groups


def test_means_intervals_and_order():
    frame = pl.DataFrame(
        {
            "rating": ["Good", "Good", "Good", "Inadequate", "Inadequate", None],
            "v": [1.0, 2.0, 3.0, 5.0, None, 9.0],
        }
    )
    result = compare_groups(frame, value="v", group="rating", order=["Inadequate", "Good"])
    assert result["rating"].to_list() == ["Inadequate", "Good"]
    good = result.row(1, named=True)
    assert good["n"] == 3
    assert good["mean"] == 2.0
    assert good["sd"] == 1.0
    # t(0.975, 2) = 4.302653; half width = 4.302653 * 1 / sqrt(3)
    assert good["ci_low"] == pytest.approx(2 - 4.302653 / 3**0.5, abs=1e-6)
    inadequate = result.row(0, named=True)
    assert inadequate["n"] == 1
    assert inadequate["ci_low"] is None
