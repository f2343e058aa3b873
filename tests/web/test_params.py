from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.web import ApiError
from rotation.web._params import parse_as_of, parse_name, parse_symbols, parse_window

SESSIONS = pd.bdate_range("2020-01-01", "2020-12-31")
FIRST, LAST = SESSIONS[0], SESSIONS[-1]


def _as_of(value):
    return parse_as_of(value, first=FIRST, last=LAST, sessions=SESSIONS)


class TestReference:
    def test_default_is_last_session(self):
        assert _as_of(None) == LAST
        assert _as_of("") == LAST

    def test_weekend_maps_to_the_friday_before(self):
        assert _as_of("2020-06-07") == pd.Timestamp("2020-06-05")  # a Sunday
        assert _as_of("2020-06-05") == pd.Timestamp("2020-06-05")

    def test_symbols_deduplicated_in_order(self):
        assert parse_symbols("B, A,B", allowed=["A", "B"], default=["A"]) == ["B", "A"]
        assert parse_symbols(None, allowed=["A", "B"], default=["A"]) == ["A"]


class TestProperties:
    @settings(deadline=None, max_examples=50)
    @given(st.dates(min_value=FIRST.date(), max_value=LAST.date()))
    def test_result_is_the_last_session_on_or_before(self, day):
        got = _as_of(day.isoformat())
        expected = SESSIONS[SESSIONS <= pd.Timestamp(day)][-1]  # slow obvious scan
        assert got == expected

    @settings(deadline=None, max_examples=50)
    @given(st.text(max_size=30))
    def test_any_text_is_a_session_or_a_422(self, text):
        try:
            got = _as_of(text)
        except ApiError as exc:
            assert exc.status_code == 422
            assert exc.parameter == "as_of"
        else:
            assert got in SESSIONS


class TestErrors:
    @pytest.mark.parametrize("value", ["2019-12-31", "2021-01-01", "1900-01-01"])
    def test_outside_range_names_parameter_value_and_range(self, value):
        with pytest.raises(
            ApiError,
            match=f"as_of {value} is (after|before) the .* date of the data; "
            "allowed: 2020-01-01 .. 2020-12-31",
        ) as info:
            _as_of(value)
        assert info.value.status_code == 422

    @pytest.mark.parametrize(
        "value", ["2020-02-30", "2020-13-01", "06/01/2020", "x", "2020-1-1"]
    )
    def test_malformed(self, value):
        with pytest.raises(ApiError, match="as_of") as info:
            _as_of(value)
        assert info.value.status_code == 422

    def test_unknown_name_lists_allowed(self):
        with pytest.raises(ApiError, match="allowed: a, b") as info:
            parse_name("c", allowed=["a", "b"], parameter="section_id", what="section")
        assert info.value.status_code == 404
        assert info.value.allowed == ["a", "b"]

    def test_unknown_symbol_is_404_with_names(self):
        with pytest.raises(ApiError, match="unknown symbol.*'ZZZ'") as info:
            parse_symbols("A,ZZZ", allowed=["A"], default=["A"])
        assert info.value.status_code == 404

    def test_path_like_symbol_refused(self):
        with pytest.raises(ApiError) as info:
            parse_symbols("../../etc/passwd", allowed=["A"], default=["A"])
        assert info.value.status_code == 404

    @pytest.mark.parametrize("value", [1, 0, -5, 2521])
    def test_window_range(self, value):
        with pytest.raises(
            ApiError, match=f"window must be .* between 2 and 2520 \\(got {value}\\)"
        ):
            parse_window(value, default=63)
