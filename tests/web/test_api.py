"""API tests through FastAPI's TestClient on a real store (bundled data)."""

from __future__ import annotations

import inspect
import math
import os
import time

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from rotation.data.store import open_store
from rotation.regimes import regime_probability_series
from rotation.thesis import evaluate, load_thesis
from rotation.thesis_files import default_thesis_text
from rotation.web import create_app, serve

from .web_support import AS_OF_A, AS_OF_B


@pytest.fixture(scope="module")
def app(store_path, thesis_dir):
    return create_app(store_path, thesis_dir=thesis_dir)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def store(store_path):
    return open_store(store_path, read_only=True)


def _nan(value):
    return math.nan if value is None else value


class TestReference:
    def test_status_is_the_engine_evaluation_as_of_that_date(self, client, store):
        body = client.get(f"/api/thesis/status?as_of={AS_OF_A}").json()
        # Independent path: a fresh store read, the regime provider's defaults
        # and the thesis engine directly.
        market = store.market_data(AS_OF_A)
        extra = {"regime_prob:rotation": regime_probability_series(market)}
        ev = evaluate(load_thesis(default_thesis_text()), market, extra=extra)
        regime = next(p for p in body["pillars"] if p["id"] == "rotation_regime")
        assert regime["status"] in {"holds", "fails"}  # the dashboard feeds it
        assert body["as_of"] == AS_OF_A
        np.testing.assert_allclose(body["health"], ev.health, rtol=1e-12)
        assert [p["id"] for p in body["pillars"]] == [p.id for p in ev.pillars]
        assert [p["status"] for p in body["pillars"]] == [p.status for p in ev.pillars]
        np.testing.assert_allclose(
            [_nan(p["value"]) for p in body["pillars"]],
            [p.value for p in ev.pillars],
            rtol=1e-12,
        )

    def test_switching_as_of_changes_the_pillar_table(self, client):
        a = client.get(f"/api/thesis/status?as_of={AS_OF_A}").json()
        b = client.get(f"/api/thesis/status?as_of={AS_OF_B}").json()
        assert b["as_of"] == AS_OF_B
        assert [p["status"] for p in a["pillars"]] != [
            p["status"] for p in b["pillars"]
        ]

    def test_weekend_date_uses_the_session_before(self, client):
        sunday = client.get("/api/thesis/status?as_of=2025-06-01").json()
        friday = client.get("/api/thesis/status?as_of=2025-05-30").json()
        assert sunday == friday
        assert sunday["as_of"] == "2025-05-30"

    def test_history_row_at_as_of_equals_status(self, client):
        hist = client.get(f"/api/thesis/history?as_of={AS_OF_A}&frequency=daily").json()
        status = client.get(f"/api/thesis/status?as_of={AS_OF_A}").json()
        assert hist["dates"][-1] == AS_OF_A
        np.testing.assert_allclose(hist["health"][-1], status["health"], rtol=1e-12)
        for p in status["pillars"]:
            assert hist["status"][p["id"]][-1] == p["status"]

    def test_weekly_history_keeps_each_weeks_last_session(self, client, store):
        hist = client.get(
            f"/api/thesis/history?as_of={AS_OF_A}&start=2024-01-01&frequency=weekly"
        ).json()
        sessions = store.prices(["SPY"], start="2024-01-01", end=AS_OF_A).index
        expected = [  # slow obvious scan: a session whose next session is in a later week
            str(d.date())
            for i, d in enumerate(sessions)
            if i == len(sessions) - 1
            or sessions[i + 1].to_period("W-FRI") != d.to_period("W-FRI")
        ]
        assert hist["dates"] == expected

    def test_momentum_matches_plain_pandas(self, client, store):
        body = client.get(
            f"/api/indicators/momentum?symbols=XLK,XLE&window=21&as_of={AS_OF_A}&start=2024-01-02"
        ).json()
        dates = pd.DatetimeIndex(body["dates"])
        assert dates[0] >= pd.Timestamp("2024-01-02") and dates[-1] == pd.Timestamp(
            AS_OF_A
        )
        for sym in ("XLK", "XLE"):
            # Each column's own observations (a day the panel has but XLK lacks is NaN).
            px = store.prices([sym], end=AS_OF_A)[sym].dropna()
            expected = (px / px.shift(21) - 1.0).reindex(dates)
            np.testing.assert_allclose(
                [_nan(v) for v in body["values"][sym]], expected, rtol=1e-10
            )

    def test_average_correlation_matches_a_slow_loop(self, client, store):
        window = 63
        body = client.get(
            f"/api/indicators/avg_corr?symbols=NVDA,MSFT,GOOGL,META&window={window}&as_of={AS_OF_A}"
        ).json()
        returns = store.prices(
            ["NVDA", "MSFT", "GOOGL", "META"], end=AS_OF_A
        ).pct_change()
        got = dict(zip(body["dates"], body["values"]["avg_corr"], strict=True))
        for back in (0, 10, 100, 400):
            end = len(returns) - back
            block = returns.iloc[end - window : end].to_numpy()
            corr = np.corrcoef(block.T)
            expected = corr[np.triu_indices(4, k=1)].mean()
            day = str(returns.index[end - 1].date())
            np.testing.assert_allclose(got[day], expected, rtol=1e-9)

    def test_relative_return_matches_plain_pandas(self, client, store):
        body = client.get(
            f"/api/indicators/relative_return?symbols=XLI&benchmark=XLK&window=63&as_of={AS_OF_A}"
        ).json()
        px = store.prices(["XLI", "XLK"], end=AS_OF_A).dropna()
        growth = px.iloc[-1] / px.iloc[-64] - 1.0
        np.testing.assert_allclose(
            body["values"]["relative_return"][-1],
            (1.0 + growth["XLI"]) / (1.0 + growth["XLK"])
            - 1.0,  # documented ratio form
            rtol=1e-9,
        )

    def test_backtest_takes_the_analysis_settings(self, client):
        body = client.get(
            f"/api/backtest?strategy=relative_momentum&lookback=63&top_k=2&as_of={AS_OF_A}"
        ).json()
        assert body["settings"]["lookback"] == 63 and body["settings"]["top_k"] == 2
        data = body["data"]
        assert data["end"] == AS_OF_A and list(data["strategies"]) == [
            "relative_momentum"
        ]
        sheet = data["strategies"]["relative_momentum"]
        assert {"cagr", "sharpe", "max_drawdown"} <= set(sheet["tear_sheet"])
        assert data["curves"]["dates"][-1] <= AS_OF_A

    def test_report_payload_holds_the_requested_sections(self, client):
        body = client.get(f"/api/report?as_of={AS_OF_A}&only=rrg,fed").json()
        assert set(body["sections"]) == {"rrg", "fed"}
        assert body["meta"]["as_of"] == AS_OF_A

    def test_coverage_is_what_is_known_at_as_of(self, client, store):
        rows = client.get("/api/coverage").json()["table"]
        assert {"SPY", "DFF", "FOMC_DOTS"} <= {r["id"] for r in rows}
        assert {r["id"] for r in rows} <= set(store.coverage()["id"])
        past = client.get(f"/api/coverage?as_of={AS_OF_A}").json()["table"]
        assert max(r["last"] for r in past) <= AS_OF_A

    def test_theses_offered_by_name_only(self, client):
        theses = client.get("/api/health").json()["theses"]
        assert theses == ["great_rotation_2026", "my_view"]
        a = client.get(f"/api/thesis/status?thesis=my_view&as_of={AS_OF_A}").json()
        b = client.get(f"/api/thesis/status?as_of={AS_OF_A}").json()
        assert a["pillars"] == b["pillars"]


class TestNoLookAhead:
    def test_indicator_prefix_invariance(self, client):
        early = client.get(
            f"/api/indicators/zscore?symbols=XLE&window=63&as_of={AS_OF_B}&start=2023-01-03"
        ).json()
        late = client.get(
            "/api/indicators/zscore?symbols=XLE&window=63&start=2023-01-03"
        ).json()
        n = len(early["dates"])
        assert late["dates"][:n] == early["dates"]
        np.testing.assert_allclose(
            [_nan(v) for v in late["values"]["XLE"][:n]],
            [_nan(v) for v in early["values"]["XLE"]],
            rtol=1e-12,
        )

    def test_status_never_reports_a_date_after_as_of(self, client):
        body = client.get(f"/api/thesis/status?as_of={AS_OF_B}").json()
        for p in body["pillars"]:
            assert p["since"] is None or p["since"] <= AS_OF_B


class TestErrors:
    @pytest.mark.parametrize(
        ("url", "status", "needle"),
        [
            ("/api/thesis/status?as_of=1900-01-01", 422, "before the first date"),
            ("/api/thesis/status?as_of=2099-01-01", 422, "as_of 2099-01-01 is after"),
            ("/api/thesis/status?as_of=2025-02-30", 422, "not a valid calendar date"),
            ("/api/thesis/status?as_of=yesterday", 422, "as_of"),
            (
                "/api/thesis/status?thesis=nope",
                404,
                "allowed: great_rotation_2026, my_view",
            ),
            ("/api/thesis/status?thesis=../../etc/passwd", 422, "thesis"),
            ("/api/thesis/status?thesis=notes", 404, "unknown thesis"),
            ("/api/indicators/nope", 404, "allowed: momentum"),
            ("/api/indicators/momentum?symbols=ZZZZ", 404, "unknown symbol"),
            ("/api/indicators/momentum?window=1", 422, "window"),
            ("/api/indicators/momentum?window=abc", 422, "window"),
            ("/api/indicators/avg_corr?symbols=XLK", 422, "cannot be computed"),
            ("/api/sections/nope", 404, "allowed: thesis"),
            ("/api/backtest?strategy=martingale", 404, "allowed: thesis_tilt, book"),
            ("/api/backtest?cost_bps=-1", 422, "cost_bps"),
            ("/api/nope", 404, "no page or endpoint"),
            # Before any price in the store: nothing is known yet.
            ("/api/thesis/status?as_of=1970-01-02", 422, "as_of"),
        ],
    )
    def test_bad_requests_get_a_clear_4xx(self, client, url, status, needle):
        response = client.get(url)
        assert response.status_code == status, response.text
        body = response.json()
        assert needle in body["error"]
        assert body["status"] == status
        assert "Traceback" not in response.text

    def test_pages_answer_errors_in_html(self, client):
        response = client.get("/section/nope")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "allowed: thesis" in response.text

    def test_missing_engine_parts_are_503_not_500(self, client):
        response = client.get("/api/regimes")
        assert response.status_code in (200, 503)
        if response.status_code == 503:
            assert "not available yet" in response.json()["error"]

    def test_unexpected_errors_leak_no_trace(self, store_path):
        app = create_app(store_path)

        @app.get("/api/boom")
        def boom() -> None:
            raise RuntimeError("secret internals at /home/user")

        response = TestClient(app, raise_server_exceptions=False).get("/api/boom")
        assert response.status_code == 500
        assert "secret" not in response.text and "Traceback" not in response.text


class TestSecurity:
    def test_reads_never_change_the_store(self, client, store):
        before = store.fingerprint()
        for url in (
            "/api/thesis/status",
            "/api/coverage",
            "/?sections=coverage",
            "/api/data/update",
        ):
            client.get(url)
        client.post("/api/data/update")
        assert store.fingerprint() == before

    def test_writes_are_off_by_default(self, client):
        response = client.post(
            "/api/data/update", headers={"Authorization": "Bearer x" * 20}
        )
        assert response.status_code == 403
        assert "writes are disabled" in response.json()["error"]

    def test_writes_need_a_token_when_enabled(self, store_path):
        with pytest.raises(ValueError, match="token"):
            create_app(store_path, allow_writes=True)
        with pytest.raises(ValueError, match="16 characters"):
            create_app(store_path, allow_writes=True, token="short")
        token = "t0ken-for-tests-0123456789"
        client = TestClient(create_app(store_path, allow_writes=True, token=token))
        assert client.post("/api/data/update").status_code == 401
        bad = client.post("/api/data/update", headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 401
        ok = client.post(
            "/api/data/update", headers={"Authorization": f"Bearer {token}"}
        )
        assert ok.status_code == 200
        assert ok.json() == {"loaded": False, "last_date": ok.json()["last_date"]}

    def test_thesis_folder_offers_only_yaml_files_inside_it(self, store_path, tmp_path):
        outside = tmp_path / "outside.yaml"
        outside.write_text(default_thesis_text(), encoding="utf-8")
        folder = tmp_path / "theses"
        folder.mkdir()
        (folder / "inside.yaml").write_text(default_thesis_text(), encoding="utf-8")
        (folder / "escape.yaml").symlink_to(outside)
        (folder / "bad name!.yaml").write_text(default_thesis_text(), encoding="utf-8")
        client = TestClient(create_app(store_path, thesis_dir=folder))
        assert client.get("/api/health").json()["theses"] == [
            "great_rotation_2026",
            "inside",
        ]
        assert client.get("/api/thesis/status?thesis=escape").status_code == 404

    def test_security_headers(self, client):
        headers = client.get("/api/health").headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"

    def test_serve_binds_loopback_by_default(self):
        assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"

    def test_plotly_is_served_locally_not_from_a_cdn(self, client):
        page = client.get("/?sections=coverage").text
        assert '<script src="/static/plotly.min.js">' in page
        assert "cdn" not in page.lower()
        js = client.get("/static/plotly.min.js")
        assert js.status_code == 200 and "plotly.js" in js.text[:200]


class TestCaching:
    def test_second_request_is_served_from_cache(self, app, client):
        cache = app.state.service.cache
        url = f"/api/thesis/status?as_of={AS_OF_B}"
        first = client.get(url)
        misses = cache.misses
        second = client.get(url)
        assert second.content == first.content
        assert cache.misses == misses

    def test_page_and_api_share_one_analysis(self, app, client):
        service = app.state.service
        client.get(f"/api/thesis/status?as_of={AS_OF_A}")
        analysis = service.analysis("great_rotation_2026", pd.Timestamp(AS_OF_A))
        check = analysis.thesis_check  # computed once, by the API call
        page = client.get(f"/?as_of={AS_OF_A}&sections=coverage")
        assert page.status_code == 200
        assert f'data-as-of="{AS_OF_A}"' in page.text
        again = service.analysis("great_rotation_2026", pd.Timestamp(AS_OF_A))
        assert again is analysis and again.thesis_check is check

    def test_repeated_url_is_replayed_before_routing(self, app, client):
        url = f"/api/thesis/history?as_of={AS_OF_B}&frequency=weekly"
        first = client.get(url)
        hits = app.state.service.cache.hits
        second = client.get(url)
        assert second.content == first.content
        assert second.headers["x-content-type-options"] == "nosniff"
        assert app.state.service.cache.hits == hits  # the app did not run

    def test_errors_are_not_replayed(self, client):
        assert client.get("/api/indicators/nope").status_code == 404
        assert client.get("/api/indicators/nope").status_code == 404

    def test_editing_a_thesis_file_invalidates_its_answers(self, store_path, tmp_path):
        folder = tmp_path / "theses"
        folder.mkdir()
        path = folder / "edited.yaml"
        text = default_thesis_text()
        path.write_text(text, encoding="utf-8")
        client = TestClient(create_app(store_path, thesis_dir=folder))
        url = f"/api/thesis/status?thesis=edited&as_of={AS_OF_A}"
        before = client.get(url).json()["title"]
        path.write_text(
            text.replace(f"title: {before}", "title: Edited title", 1), encoding="utf-8"
        )
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
        assert client.get(url).json()["title"] == "Edited title"

    def test_a_write_invalidates_replayed_answers(self, store_path):
        token = "t0ken-for-tests-0123456789"
        app = create_app(store_path, allow_writes=True, token=token)
        client = TestClient(app)
        client.get("/api/coverage")
        generation = app.state.service.generation
        client.post("/api/data/update", headers={"Authorization": f"Bearer {token}"})
        assert app.state.service.generation == generation + 1
        misses = app.state.service.cache.misses
        client.get("/api/coverage")
        assert app.state.service.cache.misses > misses  # recomputed, not replayed


def test_thesis_status_before_a_basket_member_listed(client):
    # GEV listed in 2024: in 2022 the power-equipment basket uses its other members.
    response = client.get("/api/thesis/status", params={"as_of": "2022-06-01"})
    assert response.status_code == 200, response.text
    assert response.json()["as_of"] == "2022-06-01"
