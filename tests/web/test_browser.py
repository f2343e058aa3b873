"""End-to-end: the dashboard in headless Chromium against a real server."""

from __future__ import annotations

import pytest

from .web_support import AS_OF_A, AS_OF_B, Browser, chromium_available

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium"),
]

SECTIONS = "rrg,fed"


def _pillars(page) -> list[tuple[str, str]]:
    rows = page.locator("#pillar-table tbody tr")
    return [
        (
            rows.nth(i).get_attribute("data-pillar"),
            rows.nth(i).locator("td").nth(4).inner_text(),
        )
        for i in range(rows.count())
    ]


class TestDashboard:
    def test_loads_and_switching_as_of_changes_the_pillar_table(self, server, tmp_path):
        with Browser(tmp_path / "profile") as browser:
            page = browser.page
            page.goto(
                f"{server.url}/?as_of={AS_OF_A}&sections={SECTIONS}", timeout=120_000
            )
            page.wait_for_selector("#pillar-table tbody tr")
            page.wait_for_function(
                "() => document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= 3",
                timeout=60_000,
            )
            assert page.locator("#pillar-table").get_attribute("data-as-of") == AS_OF_A
            before = _pillars(page)
            assert len(before) >= 10
            assert browser.rendered_charts() >= 3  # explorer + RRG + Fed charts
            browser.screenshot("dashboard_as_of_a.png")

            # The date picker submits the form on change (GET ?as_of=...). One
            # change event, as a user's pick gives: fill() already fires one, and
            # a second submit aborted the first navigation (flaky ERR_ABORTED).
            with page.expect_navigation(timeout=120_000):
                page.eval_on_selector(
                    "#as_of",
                    "(el, day) => { el.value = day;"
                    " el.dispatchEvent(new Event('change')); }",
                    AS_OF_B,
                )
            page.wait_for_selector("#pillar-table tbody tr")
            assert page.locator("#pillar-table").get_attribute("data-as-of") == AS_OF_B
            assert f"as_of={AS_OF_B}" in page.url
            after = _pillars(page)
            assert [p for p, _ in after] == [p for p, _ in before]
            assert [s for _, s in after] != [s for _, s in before]
            page.wait_for_function(
                "() => document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= 3",
                timeout=60_000,
            )
            browser.screenshot("dashboard_as_of_b.png")
            assert browser.console_errors == []
            assert browser.external_requests == []

    def test_choosing_thesis_basket_and_window(self, server, tmp_path):
        with Browser(tmp_path / "profile") as browser:
            page = browser.page
            page.goto(
                f"{server.url}/?as_of={AS_OF_A}&sections=coverage", timeout=120_000
            )
            page.select_option("#thesis", "my_view")
            page.select_option("#basket", "ai_large")
            page.select_option("#benchmark", "tangible")
            page.fill("#window", "126")
            with page.expect_navigation(timeout=120_000):
                page.click("form#controls button[type=submit]")
            for part in (
                "thesis=my_view",
                "basket=ai_large",
                "benchmark=tangible",
                "window=126",
                f"as_of={AS_OF_A}",
            ):
                assert part in page.url
            heading = page.locator("#basket-explorer h2").inner_text()
            assert heading == "Basket explorer: ai_large versus tangible"
            page.wait_for_selector("#basket-explorer svg.main-svg", timeout=60_000)
            assert "thesis my_view" in page.locator("header .meta").inner_text()
            browser.screenshot("dashboard_explorer.png")
            assert browser.console_errors == []

    def test_section_page_draws_its_charts(self, server, tmp_path):
        with Browser(tmp_path / "profile") as browser:
            browser.page.goto(
                f"{server.url}/section/rrg?as_of={AS_OF_A}", timeout=120_000
            )
            browser.page.wait_for_selector(
                ".plotly-graph-div svg.main-svg", timeout=60_000
            )
            assert browser.rendered_charts() >= 1
            assert browser.page.locator("section#rrg h2").count() == 1
            browser.screenshot("section_rrg.png")
            assert browser.console_errors == []
            assert browser.external_requests == []

    def test_bad_date_shows_a_clear_message(self, server, tmp_path):
        with Browser(tmp_path / "profile") as browser:
            response = browser.page.goto(f"{server.url}/?as_of=1900-01-01")
            assert response is not None and response.status == 422
            text = browser.page.locator("#error-message").inner_text()
            assert "as_of 1900-01-01 is before the first date" in text
            assert "Traceback" not in browser.page.content()

    @pytest.mark.slow
    def test_full_dashboard_draws_every_section(self, server, tmp_path):
        with Browser(tmp_path / "profile") as browser:
            page = browser.page
            page.goto(f"{server.url}/?as_of={AS_OF_A}", timeout=300_000)
            ids = page.evaluate(
                "() => Array.from(document.querySelectorAll('main section')).map(s => s.id)"
            )
            assert ids[:3] == ["pillars", "watch", "basket-explorer"]
            assert set(ids[3:]) == set(server.app.state.service.section_ids)
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".every(d => d.querySelector('svg.main-svg'))",
                timeout=120_000,
            )
            assert browser.rendered_charts() >= 10
            browser.screenshot("dashboard_full.png")
            assert browser.console_errors == []
            assert browser.external_requests == []
