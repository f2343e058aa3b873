"""The thesis specification: pydantic models of a thesis file.

Unknown keys are errors everywhere (``extra="forbid"``); every expression is
parsed and checked against the function whitelist while the file loads, so a
thesis that loads never fails later on syntax.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    field_validator,
    model_validator,
)

from rotation.thesis._ast import KEYWORDS, Call, Expr, String, walk
from rotation.thesis._errors import ExpressionError
from rotation.thesis._functions import (
    BUILTIN_NAMES,
    FUNCTIONS,
    UNIVERSE,
    check_expression,
)
from rotation.thesis._parser import PERIOD_WORDS, parse_expression
from rotation.thesis._rule import Rule, parse_rule

__all__ = [
    "GROUPS",
    "LocatedValueError",
    "PANELS",
    "SHOCK_FACTORS",
    "Basket",
    "Book",
    "Claimed",
    "CoreSpread",
    "EventStudyPair",
    "EventStudySpec",
    "FamaFrenchProxy",
    "Meta",
    "Pillar",
    "Risk",
    "Scenario",
    "Thesis",
    "Trigger",
    "Universe",
]

#: The default pillar groups (the default thesis's); any id-like name is allowed.
GROUPS: tuple[str, ...] = ("drivers", "winners_losers", "small_caps", "watch_metrics")

#: Market factors a scenario may shock, with their units. A scenario may also
#: shock any basket of its own thesis by name (the basket's return, fraction).
SHOCK_FACTORS: dict[str, str] = {
    "DGS2": "change of the 2-year Treasury yield, basis points",
    "DGS10": "change of the 10-year Treasury yield, basis points",
    "T10YIE": "change of 10-year breakeven inflation, basis points",
    "fed_path": "repricing of the Fed's expected path (dot-plot medians), bp",
    "copper": "copper return, fraction",
    "oil": "crude-oil return, fraction",
    "natgas": "natural-gas return, fraction",
    "equity": "broad US equity (SPY) return, fraction",
}

#: Macro panels a thesis may ask the report to show (``panels:``).
PANELS: tuple[str, ...] = ("copper", "rates", "fed")
Panel = Literal["copper", "rates", "fed"]
Rebalance = Literal["daily", "weekly", "month_end", "quarter_end"]

_ID = r"^[a-z][a-z0-9_]{0,47}$"
_RuleField = Annotated[Rule, BeforeValidator(parse_rule), PlainSerializer(str)]


class LocatedValueError(ValueError):
    """A validation failure that knows which key of the document it is about.

    ``offset`` is the character offset inside the value (an expression) where
    the problem is; ``more`` holds further ``(message, path, offset)``
    problems found in the same pass, so one error reports them all.
    """

    def __init__(
        self,
        message: str,
        path: tuple[str | int, ...],
        *,
        offset: int | None = None,
        more: tuple[tuple[str, tuple[str | int, ...], int | None], ...] = (),
    ) -> None:
        super().__init__(message)
        self.path = path
        self.offset = offset
        self.more = more


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Meta(_Model):
    """Where a thesis comes from."""

    title: str = Field(min_length=1)
    source: str = ""
    date: dt.date | None = None
    url: str = ""
    summary: str = ""


class Basket(_Model):
    """A named set of assets with weights (equal weights by default).

    ``members`` lists price symbols (or, in a Fama–French proxy, ``FF_IND_*``
    series of daily returns); ``weights`` may give each member's weight.
    ``min_members`` is how many members must have listed (have a price by
    then) for the basket to have a value; by default all of them, so a
    basket never silently stands for fewer members than it names (a value
    before that is "no data", naming the members not yet priced).
    """

    members: tuple[str, ...] = Field(min_length=1)
    weights: dict[str, float] | None = None
    min_members: int | None = Field(default=None, ge=1)
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            return {"members": tuple(data)}
        return data

    @model_validator(mode="after")
    def _check_weights(self) -> Basket:
        if len(set(self.members)) != len(self.members):
            raise ValueError(f"basket members repeat: {list(self.members)}")
        if self.weights is not None:
            unknown = set(self.weights) - set(self.members)
            missing = set(self.members) - set(self.weights)
            if unknown or missing:
                raise ValueError(
                    "weights must name exactly the members "
                    f"(unknown: {sorted(unknown)}, missing: {sorted(missing)})"
                )
            if any(w <= 0 for w in self.weights.values()):
                raise ValueError("basket weights must be positive")
        if self.min_members is not None and self.min_members > len(self.members):
            raise ValueError(
                f"min_members {self.min_members} is more than the basket's "
                f"{len(self.members)} members"
            )
        return self

    def minimum(self) -> int:
        """Members that must be priced for the basket to have a value."""
        return self.min_members or len(self.members)

    def weight_map(self) -> dict[str, float] | None:
        """Weights as a plain dict (``None`` for equal weights)."""
        return None if self.weights is None else dict(self.weights)


class Claimed(_Model):
    """The value the source claimed, if it gave one."""

    text: str = ""
    value: float | None = None
    date: dt.date | None = None


class _Checked(_Model):
    """A model holding an expression and a rule, parsed on load."""

    expr: str | None = None
    rule: _RuleField | None = None
    hysteresis: float = Field(default=0.0, ge=0.0)
    min_persistence: int = Field(default=1, ge=1, le=252)
    _tree: Expr | None = PrivateAttr(default=None)

    @field_validator("expr")
    @classmethod
    def _parse(cls, value: str | None) -> str | None:
        if value is not None:
            parse_expression(value)
        return value

    def model_post_init(self, context: Any, /) -> None:
        if self.expr is not None:
            self._tree = parse_expression(self.expr)

    @property
    def tree(self) -> Expr | None:
        """The parsed expression (``None`` when there is none)."""
        return self._tree


class Pillar(_Checked):
    """One testable claim of a thesis.

    A pillar with no ``expr`` has no data by construction; ``no_data_reason``
    must then say which data would fill it.
    """

    id: str = Field(pattern=_ID)
    claim: str = Field(min_length=1)
    group: str = Field(default="drivers", pattern=_ID)
    claimed: Claimed | None = None
    weight: float = Field(default=1.0, ge=0.0, le=100.0)
    no_data_reason: str = ""
    notes: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Pillar:
        if (self.expr is None) != (self.rule is None):
            raise ValueError("a pillar needs both 'expr' and 'rule', or neither")
        if self.expr is None and not self.no_data_reason:
            raise ValueError(
                "a pillar without 'expr' must give 'no_data_reason' (what data "
                "would fill it)"
            )
        return self


class Trigger(_Checked):
    """A condition that, when it holds, says a risk is playing out."""

    weight: float = Field(default=0.0, ge=0.0, le=100.0)

    @model_validator(mode="after")
    def _complete(self) -> Trigger:
        if self.expr is None or self.rule is None:
            raise ValueError("a trigger needs both 'expr' and 'rule'")
        return self


class Scenario(_Model):
    """A stress scenario in market terms; the risk engine applies it.

    ``shocks`` maps a market factor (see :data:`SHOCK_FACTORS`) to its move:
    yields in basis points, prices and spreads as fractional returns.
    """

    description: str = ""
    horizon_days: int = Field(default=21, ge=1, le=756)
    shocks: dict[str, float] = Field(min_length=1)


class Risk(_Model):
    """A named risk: a stress scenario and/or a trigger that must not hold."""

    id: str = Field(pattern=_ID)
    description: str = Field(min_length=1)
    scenario: Scenario | None = None
    trigger: Trigger | None = None

    @model_validator(mode="after")
    def _something(self) -> Risk:
        if self.scenario is None and self.trigger is None:
            raise ValueError("a risk needs a 'scenario', a 'trigger' or both")
        return self


class EventStudyPair(_Model):
    """A long-versus-short comparison whose forward returns are studied."""

    id: str = Field(pattern=_ID)
    long: str
    short: str


class FamaFrenchProxy(_Model):
    """A pillar re-evaluated on Fama–French industry indices back to 1926.

    ``baskets`` maps the pillar's basket names to ``FF_IND_*`` series of daily
    returns; the pillar's expression is evaluated on indices built from them.
    """

    id: str = Field(pattern=_ID)
    pillar: str
    baskets: dict[str, Basket]
    long: str
    short: str


class EventStudySpec(_Model):
    """Which forward returns to study, conditional on thesis health."""

    level: float = Field(default=0.6, ge=0.0, le=1.0)
    horizons: tuple[int, ...] = (21, 63, 126, 252)
    pairs: tuple[EventStudyPair, ...] = ()
    fama_french: tuple[FamaFrenchProxy, ...] = ()

    @field_validator("horizons")
    @classmethod
    def _positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(h < 1 or h > 2520 for h in value):
            raise ValueError(f"horizons must be 1..2520 sessions (got {value})")
        return value


class CoreSpread(_Model):
    """The thesis's core spread: a long basket against a short basket.

    The report's regime model, the headline spread and the ``core_spread``
    book signal read it. ``long_label`` and ``short_label`` name the two
    directions in every text (the default thesis: "rotation" and "tech
    leadership"); ``regime_prob("rotation")`` in the thesis language is the
    probability that the long basket leads.
    """

    long: str
    short: str
    window: int = Field(default=63, ge=5, le=756)
    long_label: str = Field(default="long leads", min_length=1, max_length=40)
    short_label: str = Field(default="short leads", min_length=1, max_length=40)


class Universe(_Model):
    """Assets ranked against a benchmark: the RRG, sector momentum, price panels."""

    members: tuple[str, ...] = Field(min_length=2, max_length=200)
    benchmark: str = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Universe:
        if len(set(self.members)) != len(self.members):
            raise ValueError(f"universe members repeat: {list(self.members)}")
        return self


class Book(_Model):
    """What acting on the thesis means: the positions and when to hold them.

    The book is long ``long`` (its basket weights scaled to 1) and short
    ``short`` scaled to ``short_weight`` (none: long only). The backtest holds
    it while ``signal`` is on (``health``: thesis health >= the event-study
    level; ``core_spread``: the core spread's trailing return > 0;
    ``regime``: P(long leads) > 0.5) and half long, half short leg otherwise;
    the risk section measures the book itself.
    """

    long: str
    short: str | None = None
    short_weight: float = Field(default=1.0, ge=0.0, le=5.0)
    rebalance: Rebalance = "month_end"
    signal: Literal["health", "core_spread", "regime"] = "health"


def _check_nesting(
    baskets: dict[str, Basket], name: str, chain: tuple[str, ...]
) -> None:
    """Refuse a basket that contains itself through baskets of baskets."""
    if len(chain) > 8:
        raise LocatedValueError(
            f"baskets nest deeper than 8 levels ({' -> '.join(chain)})", (chain[0],)
        )
    for member in baskets[name].members:
        if member in chain:
            raise LocatedValueError(
                f"basket {chain[0]!r} contains itself through "
                f"{' -> '.join((*chain, member))}; a basket of baskets may not "
                "loop",
                (chain[0], "members"),
            )
        if member in baskets:
            _check_nesting(baskets, member, (*chain, member))


class Thesis(_Model):
    """A market thesis: metadata, baskets, pillars, risks and an event study.

    Load one with :func:`rotation.thesis.load_thesis`.
    """

    version: Literal[1] = 1
    meta: Meta
    baskets: dict[str, Basket] = Field(default_factory=dict)
    pillars: tuple[Pillar, ...] = Field(min_length=1)
    risks: tuple[Risk, ...] = ()
    event_study: EventStudySpec = Field(default_factory=EventStudySpec)
    core_spread: CoreSpread | None = None
    universe: Universe | None = None
    spreads: tuple[EventStudyPair, ...] = ()
    book: Book | None = None
    panels: tuple[Panel, ...] = ()

    @field_validator("baskets")
    @classmethod
    def _basket_names(cls, value: dict[str, Basket]) -> dict[str, Basket]:
        import re

        for name in value:
            if not re.match(_ID, name):
                raise LocatedValueError(
                    f"basket name {name!r} must be lower-case letters, digits "
                    "and '_', starting with a letter",
                    (name,),
                )
            if (
                name in BUILTIN_NAMES
                or name in FUNCTIONS
                or name in SHOCK_FACTORS
                or name in KEYWORDS
                or name in PERIOD_WORDS
                or name == UNIVERSE
            ):
                raise LocatedValueError(
                    f"basket name {name!r} clashes with a builtin name, function, "
                    "keyword, calendar window, 'universe' or scenario shock "
                    "factor; pick another name",
                    (name,),
                )
        for name in value:
            _check_nesting(value, name, (name,))
        return value

    def language_baskets(self) -> dict[str, Basket]:
        """Baskets the metric language can name: the thesis's, and ``universe``."""
        baskets = dict(self.baskets)
        if self.universe is not None:
            baskets[UNIVERSE] = Basket(members=self.universe.members)
        return baskets

    def locate(
        self, path: tuple[str | int, ...], offset: int | None = None
    ) -> tuple[int, int] | None:
        """1-based (line, column) of ``path`` in the source text, if known.

        With ``offset`` (a character offset inside an expression on one line)
        the column points at that character.
        """
        marks = self._marks
        for end in range(len(path), -1, -1):
            if path[:end] in marks:
                line, column = marks[path[:end]]
                if offset is not None and end == len(path) and path in self._inline:
                    column += self._inline[path] + offset
                return line, column
        return None

    _marks: dict[tuple[str | int, ...], tuple[int, int]] = PrivateAttr(
        default_factory=dict
    )
    _inline: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _cross_check(self) -> Thesis:
        ids = [p.id for p in self.pillars] + [r.id for r in self.risks]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"pillar/risk ids must be unique (repeated: {dupes})")
        checked: list[tuple[tuple[str | int, ...], _Checked]] = [
            (("pillars", i, "expr"), p) for i, p in enumerate(self.pillars)
        ]
        checked += [
            (("risks", j, "trigger", "expr"), r.trigger)
            for j, r in enumerate(self.risks)
            if r.trigger is not None
        ]
        problems: list[tuple[str, tuple[str | int, ...], int | None]] = []
        names = self.language_baskets()
        for path, item in checked:
            if item.tree is not None:
                try:
                    check_expression(item.tree, text=item.expr or "", baskets=names)
                except ExpressionError as exc:
                    problems.append((str(exc), path, exc.offset))
        if problems:
            message, path, offset = problems[0]
            raise LocatedValueError(
                message, path, offset=offset, more=tuple(problems[1:])
            )
        for k, pair in enumerate(self.event_study.pairs):
            for side_name, side in (("long", pair.long), ("short", pair.short)):
                if side not in self.baskets:
                    raise LocatedValueError(
                        f"event_study pair {pair.id!r}: unknown basket {side!r}; "
                        f"allowed: {', '.join(sorted(self.baskets))}",
                        ("event_study", "pairs", k, side_name),
                    )
        self._check_product_parts()
        pillar_ids = {p.id for p in self.pillars}
        for k, proxy in enumerate(self.event_study.fama_french):
            where = ("event_study", "fama_french", k)
            if proxy.pillar not in pillar_ids:
                raise LocatedValueError(
                    f"fama_french proxy {proxy.id!r}: unknown pillar "
                    f"{proxy.pillar!r}; allowed: {', '.join(sorted(pillar_ids))}",
                    (*where, "pillar"),
                )
            for side_name, side in (("long", proxy.long), ("short", proxy.short)):
                if side not in proxy.baskets:
                    raise LocatedValueError(
                        f"fama_french proxy {proxy.id!r}: {side!r} is not one of "
                        f"its baskets ({', '.join(sorted(proxy.baskets))})",
                        (*where, side_name),
                    )
        return self

    def _basket_ref(self, name: str | None, where: tuple[str | int, ...]) -> None:
        if name is not None and name not in self.baskets:
            raise LocatedValueError(
                f"unknown basket {name!r}; allowed: "
                f"{', '.join(sorted(self.baskets)) or '(the thesis has no baskets)'}",
                where,
            )
        if name is not None and any(
            m in self.baskets for m in self.baskets[name].members
        ):
            raise LocatedValueError(
                f"basket {name!r} holds other baskets; the core spread, spreads, "
                "book and event-study pairs trade baskets of symbols (a basket of "
                "baskets works in pillar expressions)",
                where,
            )

    def _check_product_parts(self) -> None:
        """Baskets named by the core spread, spreads, book and scenarios exist."""
        if self.core_spread is not None:
            self._basket_ref(self.core_spread.long, ("core_spread", "long"))
            self._basket_ref(self.core_spread.short, ("core_spread", "short"))
        for k, pair in enumerate(self.spreads):
            self._basket_ref(pair.long, ("spreads", k, "long"))
            self._basket_ref(pair.short, ("spreads", k, "short"))
        if self.book is not None:
            self._basket_ref(self.book.long, ("book", "long"))
            self._basket_ref(self.book.short, ("book", "short"))
            if self.book.signal == "core_spread" and self.core_spread is None:
                raise LocatedValueError(
                    "book signal 'core_spread' needs a 'core_spread' section",
                    ("book", "signal"),
                )
        if self.core_spread is None and self.regime_labels():
            raise LocatedValueError(
                "regime_prob(...) reads the regime model fitted on the thesis's "
                "core spread; add 'core_spread: {long: <basket>, short: <basket>}'",
                ("core_spread",),
            )
        for j, risk in enumerate(self.risks):
            if risk.scenario is None:
                continue
            unknown = sorted(
                set(risk.scenario.shocks) - set(SHOCK_FACTORS) - set(self.baskets)
            )
            if unknown:
                raise LocatedValueError(
                    f"unknown shock factor(s) {unknown}; allowed: a basket of this "
                    f"thesis ({', '.join(sorted(self.baskets)) or 'none'}) or "
                    f"{', '.join(sorted(SHOCK_FACTORS))}",
                    ("risks", j, "scenario", "shocks"),
                )

    def spread_pairs(self) -> tuple[EventStudyPair, ...]:
        """Basket pairs the spreads section shows: ``spreads``, else the core spread."""
        if self.spreads:
            return self.spreads
        if self.core_spread is not None:
            core = self.core_spread
            return (EventStudyPair(id="core", long=core.long, short=core.short),)
        return ()

    def members(self, basket: str) -> tuple[str, ...]:
        """Symbols of basket ``basket``, through baskets of baskets.

        Raises
        ------
        KeyError
            Naming the baskets, if ``basket`` is not one.
        """
        if basket not in self.baskets:
            raise KeyError(
                f"no basket {basket!r}; baskets: {', '.join(sorted(self.baskets))}"
            )
        out: list[str] = []
        for member in self.baskets[basket].members:
            inner = self.members(member) if member in self.baskets else (member,)
            out += [m for m in inner if m not in out]
        return tuple(out)

    def scenarios(self) -> list[dict[str, Any]]:
        """Risk scenarios as plain dicts (``name``, ``description``, ``shocks``).

        The shape :meth:`rotation.risk.Scenario.from_dict` takes.
        """
        return [
            {
                "name": r.id,
                "description": r.scenario.description or r.description,
                "shocks": dict(r.scenario.shocks),
                "horizon_days": r.scenario.horizon_days,
            }
            for r in self.risks
            if r.scenario is not None
        ]

    def regime_labels(self) -> set[str]:
        """Labels the thesis reads with ``regime_prob("...")`` (pillars and triggers).

        Callers fit a regime model only when this is not empty.
        """
        items: list[_Checked] = [*self.pillars]
        items += [r.trigger for r in self.risks if r.trigger is not None]
        return {
            node.args[0].value
            for item in items
            if item.tree is not None
            for node in walk(item.tree)
            if isinstance(node, Call)
            and node.func == "regime_prob"
            and isinstance(node.args[0], String)
        }

    def pillar(self, pillar_id: str) -> Pillar:
        """Return the pillar called ``pillar_id``."""
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(
            f"no pillar {pillar_id!r}; pillars: {', '.join(p.id for p in self.pillars)}"
        )
