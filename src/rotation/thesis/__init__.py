"""The thesis engine (pure core).

A thesis is a YAML document of baskets, pillars (claims checked against data
through a small safe expression language), risks and an event study.

Loading and the language
    :func:`load_thesis`, :func:`parse_expression`,
    :func:`unparse`, :func:`check_expression`, :func:`parse_rule`,
    :func:`lint_thesis`, :func:`window_anchors`
Reading files (the packaged default included) is left to the shell
:mod:`rotation.thesis_files`.

Evaluation
    :func:`evaluate`, :func:`history`, :func:`diff`, :func:`compare_claims`,
    :func:`event_study`, :func:`thesis_event_study`
"""

from __future__ import annotations

from rotation.thesis._ast import (
    Binary,
    Call,
    Compare,
    Expr,
    Logical,
    Name,
    Number,
    Period,
    String,
    Unary,
)
from rotation.thesis._errors import ExpressionError, ThesisError
from rotation.thesis._evaluate import (
    compare_claims,
    diff,
    evaluate,
    evaluate_with_history,
    history,
)
from rotation.thesis._event_study import (
    EventStudyResult,
    event_study,
    fama_french_index,
    forward_relative_return,
    thesis_event_study,
)
from rotation.thesis._functions import (
    BUILTIN_NAMES,
    FUNCTIONS,
    References,
    check_expression,
)
from rotation.thesis._fundamentals import STALENESS_LIMIT, harmonic_pe
from rotation.thesis._lint import LintWarning, lint_expression, lint_thesis
from rotation.thesis._load import load_thesis
from rotation.thesis._parser import parse_expression, unparse
from rotation.thesis._results import (
    Flip,
    PillarStatus,
    RiskStatus,
    ThesisDiff,
    ThesisEvaluation,
    ThesisHistory,
)
from rotation.thesis._rule import Rule, parse_rule
from rotation.thesis._spec import (
    GROUPS,
    PANELS,
    SHOCK_FACTORS,
    Basket,
    Book,
    Claimed,
    CoreSpread,
    EventStudyPair,
    Pillar,
    Risk,
    Scenario,
    Thesis,
    Trigger,
    Universe,
)
from rotation.thesis._state import pillar_states
from rotation.thesis._windows import window_anchors

__all__ = [
    "BUILTIN_NAMES",
    "FUNCTIONS",
    "GROUPS",
    "PANELS",
    "STALENESS_LIMIT",
    "SHOCK_FACTORS",
    "Basket",
    "Book",
    "Binary",
    "Call",
    "Claimed",
    "Compare",
    "CoreSpread",
    "EventStudyPair",
    "EventStudyResult",
    "Expr",
    "ExpressionError",
    "Flip",
    "LintWarning",
    "Logical",
    "Name",
    "Number",
    "Period",
    "Pillar",
    "PillarStatus",
    "References",
    "Risk",
    "RiskStatus",
    "Rule",
    "Scenario",
    "String",
    "Thesis",
    "ThesisDiff",
    "ThesisError",
    "ThesisEvaluation",
    "ThesisHistory",
    "Trigger",
    "Universe",
    "Unary",
    "check_expression",
    "compare_claims",
    "diff",
    "evaluate",
    "evaluate_with_history",
    "event_study",
    "fama_french_index",
    "forward_relative_return",
    "harmonic_pe",
    "history",
    "lint_expression",
    "lint_thesis",
    "load_thesis",
    "parse_expression",
    "parse_rule",
    "pillar_states",
    "thesis_event_study",
    "unparse",
    "window_anchors",
]
