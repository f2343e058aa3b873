"""Readers against the quirks of the real files (PROVENANCE.md "Known defects")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.data.sources.files import (
    read_dot_plot,
    read_fama_french,
    read_observations_csv,
    read_price_csv,
)
from rotation.exceptions import ValidationError


class TestFredCsv:
    @pytest.mark.parametrize(
        "header", ["DATE,value", "date,VALUE", "Date,DGS2", "observation_date,DGS2"]
    )
    def test_header_variants(self, tmp_path, header):
        path = tmp_path / "DGS2.csv"
        path.write_text(
            f"{header}\n2024-01-02,4.33\n2024-01-03,.\n2024-01-04,\n2024-01-05,4.38\n"
        )
        frame = read_observations_csv(path)
        assert list(frame["series_id"].unique()) == ["DGS2"]
        np.testing.assert_allclose(
            frame["value"].to_numpy(), [4.33, np.nan, np.nan, 4.38]
        )
        assert frame["_row"].tolist() == [2, 3, 4, 5]

    def test_non_utf8_is_a_clean_error(self, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_bytes(b"date,value\n2024-01-02,\xff\xfe\n")
        with pytest.raises(ValidationError, match="not valid UTF-8"):
            read_observations_csv(path)


class TestPriceCsv:
    def test_tz_aware_newest_first(self, tmp_path):
        path = tmp_path / "hg.csv"
        path.write_text(
            "Date,Open,High,Low,Close,Adj Close,Volume\n"
            "2024-07-01 00:00:00-04:00,4.4,4.5,4.3,4.45,4.45,10\n"
            "2024-01-02 00:00:00-05:00,3.9,4.0,3.8,3.85,3.85,12\n"
        )
        frame = read_price_csv(path, symbol="HG=F")
        assert frame["date"].tolist() == [
            pd.Timestamp("2024-07-01"),
            pd.Timestamp("2024-01-02"),
        ]
        assert frame["adj_close"].tolist() == [4.45, 3.85]

    def test_missing_symbol_is_an_error(self, tmp_path):
        path = tmp_path / "x.csv"
        path.write_text("date,close\n2024-01-02,1\n")
        with pytest.raises(ValidationError, match="symbol"):
            read_price_csv(path)


class TestFamaFrench:
    def test_copyright_lines_percent_and_annual_block(self, tmp_path):
        path = tmp_path / "ff.csv"
        path.write_text(
            "This file was created using the 202604 CRSP database.\n\n"
            ",Mkt-RF,SMB,HML,RF\n198710,  -23.24,  -0.5, 1.0, 0.6\n198711, -7.0, 1.0, 2.0, -99.99\n\n"
            " Annual Factors: January-December \n,Mkt-RF,SMB,HML,RF\n1987,  1.0, 2.0, 3.0, 4.0\n\n"
            "Copyright 2026 Eugene F. Fama and Kenneth R. French\n"
        )
        frame = read_fama_french(path)
        mkt = frame[frame["series_id"] == "FF_MKT_RF"]
        assert mkt["date"].tolist() == [
            pd.Timestamp("1987-10-31"),
            pd.Timestamp("1987-11-30"),
        ]
        np.testing.assert_allclose(mkt["value"], [-0.2324, -0.07], rtol=0, atol=1e-12)
        rf = frame[frame["series_id"] == "FF_RF"]["value"]
        assert np.isnan(rf.iloc[1])  # -99.99 is the library's missing marker


class TestDotPlot:
    def test_wide_and_long_layouts_agree(self, tmp_path):
        wide = tmp_path / "wide.csv"
        wide.write_text(
            "date,midpoint,2026,longer_run\n2026-06-17,3.875,2,\n2026-06-17,3.625,1,3\n"
        )
        long = tmp_path / "long.csv"
        long.write_text(
            "meeting_date,midpoint,year,num_participants\n"
            "2026-06-17,3.88,2026,2\n2026-06-17,3.625,2026,1\n2026-06-17,3.625,longer_run,3\n"
        )
        a = read_dot_plot(wide)
        b = read_dot_plot(long)
        b["midpoint"] = (
            b["midpoint"] * 8
        ).round() / 8  # the FT file rounds 3.875 to 3.88
        cols = ["meeting_date", "horizon", "midpoint", "participants"]
        pd.testing.assert_frame_equal(
            a[cols].reset_index(drop=True),
            b[cols].reset_index(drop=True),
            check_dtype=False,
        )
