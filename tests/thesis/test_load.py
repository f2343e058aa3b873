from __future__ import annotations

from pathlib import Path

import pytest

from rotation.thesis import (
    SHOCK_FACTORS,
    ThesisError,
    load_thesis,
)
from rotation.thesis._yaml import MAX_TEXT_BYTES, load_yaml
from rotation.thesis_files import default_thesis_text

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """\
meta: {title: T}
baskets: {tangible: [XLI, XLB], tech: [XLK]}
pillars:
  - id: a
    claim: c
    expr: rel_return(tangible, tech, 63)
    rule: "> 0"
"""


class TestReference:
    def test_minimal(self):
        thesis = load_thesis(MINIMAL)
        assert thesis.meta.title == "T"
        assert thesis.baskets["tangible"].members == ("XLI", "XLB")
        pillar = thesis.pillars[0]
        assert str(pillar.rule) == "> 0"
        assert pillar.tree is not None and pillar.tree.func == "rel_return"

    def test_bytes_and_text_agree(self):
        assert load_thesis(MINIMAL.encode("utf-8")) == load_thesis(MINIMAL)

    def test_small_thesis_loads(self, small_thesis_text):
        thesis = load_thesis(small_thesis_text)
        assert [p.id for p in thesis.pillars][-1] == "valuation"
        assert thesis.risks[0].scenario is not None
        assert thesis.risks[0].scenario.shocks == {"tech": 0.15, "tangible": -0.05}

    def test_marks_point_at_values(self):
        _, marks = load_yaml("a: 1\nb:\n  - x\n  - y\n")
        assert marks[("a",)] == (1, 4)
        assert marks[("b", 1)] == (4, 5)


class TestDefaultThesis:
    def test_packaged_copy_is_identical(self):
        top = (ROOT / "theses" / "great_rotation_2026.yaml").read_bytes()
        packaged = (
            ROOT / "src" / "rotation" / "theses" / "great_rotation_2026.yaml"
        ).read_bytes()
        assert top == packaged
        assert default_thesis_text().encode("utf-8") == packaged

    def test_loads_and_covers_the_article(self):
        thesis = load_thesis(default_thesis_text())
        ids = {p.id for p in thesis.pillars}
        # Every quantified claim of THESIS.md has a pillar.
        for needed in (
            "tangible_leads_tech",
            "small_leads_large",
            "ai_correlation_collapse",
            "ai_platform_infra_divergence",
            "copper_trajectory",
            "oil_glut",
            "gas_over_oil_producers",
            "fed_funds_range",
            "terminal_rate_support",
            "inflation_above_target",
            "small_cap_valuation_gap",
            "small_cap_earnings_growth",
        ):
            assert needed in ids
        assert {r.id for r in thesis.risks} == {
            "fed_reversal",
            "sticky_inflation",
            "copper_cliff",
            "tech_rebound",
        }
        assert thesis.pillar("ai_correlation_collapse").expr == "avg_corr(ai_large, 63)"
        assert str(thesis.pillar("fed_funds_range").rule) == "between 3.5 3.75"

    def test_scenarios_in_market_terms(self):
        thesis = load_thesis(default_thesis_text())
        shocks = {r.id: r.scenario.shocks for r in thesis.risks if r.scenario}
        assert shocks["fed_reversal"]["DGS2"] == 75
        assert shocks["sticky_inflation"] == {"T10YIE": 50, "DGS10": 50}
        assert shocks["copper_cliff"] == {"copper": -0.20, "ai_infra": -0.30}
        assert shocks["tech_rebound"]["tech"] == 0.15
        assert shocks["tech_rebound"]["tangible"] == -0.05
        # a shock names a market factor or one of the thesis's own baskets
        known = set(SHOCK_FACTORS) | set(thesis.baskets)
        assert all(set(s) <= known for s in shocks.values())
        assert {"tech", "tangible", "ai_infra"} <= set(thesis.baskets)

    def test_scenarios_feed_the_risk_engine(self):
        from rotation.risk import FACTOR_UNITS
        from rotation.risk import Scenario as RiskScenario

        thesis = load_thesis(default_thesis_text())
        specs = thesis.scenarios()
        built = [RiskScenario.from_dict(s) for s in specs]
        assert [s.name for s in built] == [r.id for r in thesis.risks]
        # Market factors the risk engine knows; the rest are thesis baskets.
        known = set(FACTOR_UNITS) | set(thesis.baskets)
        assert all(set(s.shocks) <= known for s in built)

    def test_no_data_pillars_say_what_would_fill_them(self):
        thesis = load_thesis(default_thesis_text())
        for pid in ("small_cap_valuation_gap", "small_cap_earnings_growth"):
            pillar = thesis.pillar(pid)
            assert pillar.expr is None
            assert "needs" in pillar.no_data_reason


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


class TestErrors:
    def test_billion_laughs(self):
        with pytest.raises(ThesisError, match="anchors") as info:
            load_thesis(BILLION_LAUGHS)
        assert info.value.line == 1

    def test_alias_without_anchor_definition_seen_first(self):
        with pytest.raises(ThesisError, match="not allowed|invalid YAML"):
            load_thesis("a: *undefined\n")

    def test_merge_key(self):
        with pytest.raises(ThesisError, match="anchors|merge"):
            load_thesis("base: &b {x: 1}\nother:\n  <<: *b\n")

    def test_non_utf8_bytes(self):
        with pytest.raises(ThesisError, match="not valid UTF-8") as info:
            load_thesis(b"meta: {title: caf\xe9}\n")
        assert info.value.line == 1

    def test_python_tags_refused(self):
        with pytest.raises(ThesisError, match="constructor"):
            load_thesis("a: !!python/object/apply:os.system [ls]\n")

    def test_too_large(self):
        with pytest.raises(ThesisError, match="limit"):
            load_thesis(b"#" * (MAX_TEXT_BYTES + 1))

    def test_duplicate_keys(self):
        with pytest.raises(ThesisError, match="duplicate key 'meta'") as info:
            load_thesis(MINIMAL + "meta: {title: again}\n")
        assert info.value.line == 8

    def test_not_a_mapping(self):
        with pytest.raises(ThesisError, match="mapping"):
            load_thesis("- a\n- b\n")

    def test_syntax_error_has_line(self):
        with pytest.raises(ThesisError, match="invalid YAML") as info:
            load_thesis("meta: {title: T\npillars: []\n")
        assert info.value.line is not None

    def test_unknown_key_lists_allowed_keys_and_line(self):
        text = MINIMAL + "    colour: red\n"
        with pytest.raises(ThesisError, match="unknown key 'colour'") as info:
            load_thesis(text)
        assert info.value.line == 8
        assert "min_persistence" in info.value.allowed
        assert "allowed keys here" in str(info.value)

    def test_unknown_top_level_key(self):
        with pytest.raises(ThesisError, match="unknown key 'pilars'") as info:
            load_thesis(MINIMAL.replace("pillars:", "pilars:"))
        assert "pillars" in info.value.allowed

    def test_unknown_basket_lists_baskets(self):
        text = MINIMAL.replace("rel_return(tangible, tech, 63)", "avg_corr(ai, 63)")
        with pytest.raises(ThesisError, match="unknown basket 'ai'") as info:
            load_thesis(text)
        assert info.value.line == 6
        assert "tangible, tech" in str(info.value)

    def test_unknown_function_lists_functions(self):
        text = MINIMAL.replace("rel_return(tangible, tech, 63)", "system(1)")
        with pytest.raises(ThesisError, match="unknown function 'system'") as info:
            load_thesis(text)
        # Every function is named; the nearest ones would be shown with usage.
        assert "avg_corr" in str(info.value) and "pctile" in str(info.value)

    def test_hostile_expression_in_file(self):
        text = MINIMAL.replace("rel_return(tangible, tech, 63)", "__import__('os')")
        with pytest.raises(ThesisError, match="names starting with '_'") as info:
            load_thesis(text)
        assert info.value.line == 6

    def test_bad_rule(self):
        with pytest.raises(ThesisError, match="rule '=> 0' is not understood"):
            load_thesis(MINIMAL.replace('"> 0"', '"=> 0"'))

    def test_between_order(self):
        with pytest.raises(ThesisError, match="a <= b"):
            load_thesis(MINIMAL.replace('"> 0"', '"between 2 1"'))

    def test_pillar_needs_rule_with_expr(self):
        with pytest.raises(ThesisError, match="both 'expr' and 'rule'"):
            load_thesis(MINIMAL.replace('    rule: "> 0"\n', ""))

    def test_no_expr_needs_reason(self):
        text = MINIMAL.replace("    expr: rel_return(tangible, tech, 63)\n", "")
        text = text.replace('    rule: "> 0"\n', "")
        with pytest.raises(ThesisError, match="no_data_reason"):
            load_thesis(text)

    def test_unknown_shock_factor(self):
        text = MINIMAL + (
            "risks:\n  - id: r\n    description: d\n"
            "    scenario: {shocks: {gold_bugs: 0.1}}\n"
        )
        with pytest.raises(ThesisError, match="unknown shock factor") as info:
            load_thesis(text)
        assert "DGS2" in str(info.value)

    def test_duplicate_ids(self):
        text = MINIMAL + MINIMAL.split("pillars:\n")[1]
        with pytest.raises(ThesisError, match="unique"):
            load_thesis(text)

    def test_basket_name_clash(self):
        with pytest.raises(ThesisError, match="clashes") as info:
            load_thesis(MINIMAL.replace("tech: [XLK]", "value: [XLK]"))
        assert info.value.path[:2] == ("baskets", "value")

    def test_window_must_be_integer(self):
        text = MINIMAL.replace("tech, 63)", "tech, 6.3)")
        with pytest.raises(ThesisError, match="whole number of sessions"):
            load_thesis(text)

    def test_event_study_pair_unknown_basket(self):
        text = (
            MINIMAL
            + "event_study:\n  pairs:\n    - {id: p, long: tangible, short: nope}\n"
        )
        with pytest.raises(ThesisError, match="unknown basket 'nope'") as info:
            load_thesis(text)
        assert info.value.line == 10

    def test_errors_are_value_errors_of_our_family(self):
        from rotation.exceptions import RotationError

        with pytest.raises(RotationError):
            load_thesis("meta: 1\n")
        with pytest.raises(ValueError):
            load_thesis("meta: 1\n")

    def test_wrong_type(self):
        with pytest.raises(ThesisError, match="str or bytes"):
            load_thesis(123)  # type: ignore[arg-type]
