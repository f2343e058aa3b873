"""The headline part: the numbers a reader sees first, and the summary bullets.

Every number is read off another part of the same Analysis (never computed
again), with the date it is known on; every bullet is written from that
thesis's own pillars, baskets, labels and risks, so a custom thesis's summary
never names the default thesis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from rotation.analysis._omitted import Omitted

if TYPE_CHECKING:
    from rotation.analysis._analysis import Analysis
    from rotation.analysis._thesis_check import ThesisCheck

__all__ = ["Headline", "HeadlineNumber", "compute_headline"]

Unit = Literal["share", "probability", "return", "correlation", "percent", "rate"]


@dataclass(frozen=True)
class HeadlineNumber:
    """One headline number, with the date it is known on.

    Attributes
    ----------
    key : str
        Generic name, the same for every thesis (``"health"``,
        ``"long_leads_probability"``, ``"core_spread"``,
        ``"watched_correlation"``, ``"copper_momentum"``, ``"dots_terminal"``).
    label : str
        The number in words, from the thesis (its baskets and labels).
    value : float
        NaN when the part has no value.
    unit : {"share", "probability", "return", "correlation", "percent", "rate"}
        ``share``/``return``: fractions; ``percent``: already in percent;
        ``rate``: percent per year.
    date : Timestamp or None
        The session the value is known at (never after the as-of date).
    direction : {1, -1, 0}
        Whether a rise supports the thesis (1), weakens it (-1) or neither.
    part : str
        The part the number is read from.
    """

    key: str
    label: str
    value: float
    unit: Unit
    date: pd.Timestamp | None
    direction: int
    part: str


@dataclass(frozen=True)
class Headline:
    """The headline numbers and the plain-language summary of one thesis.

    Attributes
    ----------
    as_of : Timestamp
    title : str
        The thesis's title.
    numbers : dict of str to HeadlineNumber
        By key, in display order; a number whose part is omitted is absent.
    regime : str or None
        The core spread's current direction (a thesis label), when known.
    statuses : dict of str to str
        Pillar id -> status as of the date.
    bullets : tuple of str
        The summary, each sentence with its figure and its date.
    """

    as_of: pd.Timestamp
    title: str
    numbers: dict[str, HeadlineNumber]
    regime: str | None
    statuses: dict[str, str]
    bullets: tuple[str, ...]


def _present(part: Any) -> Any:
    """Return the part, or None when it is omitted for this thesis."""
    return None if isinstance(part, Omitted) else part


def _day(value: Any) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def compute_headline(analysis: Analysis) -> Headline:
    """Collect the headline numbers and write the bullets of ``analysis``.

    Parameters
    ----------
    analysis : Analysis
        Its parts: ``thesis_check`` (health, pillar statuses), ``regimes``
        (P(long leads)), ``spreads`` (the core spread's relative return),
        ``correlation`` (the watched correlation), ``copper`` and ``rates``
        (when the thesis lists those panels) and ``risk`` (the worst scenario).

    Returns
    -------
    Headline

    Notes
    -----
    Nothing is computed here: each number is an attribute of another part.
    NaN handling: a part that is omitted for this thesis leaves its number
    out (and its bullet); a number without a value is NaN and its bullet is
    left out.
    """
    check: ThesisCheck = analysis.thesis_check
    readers = (
        _health_number,
        _regime_number,
        _core_spread_number,
        _correlation_number,
        _copper_number,
        _dots_number,
    )
    numbers = {}
    for reader in readers:
        number = reader(analysis)
        if number is not None:
            numbers[number.key] = number
    regimes = _present(analysis.regimes)
    return Headline(
        as_of=analysis.as_of,
        title=check.thesis.title,
        numbers=numbers,
        regime=None if regimes is None else str(regimes.current.state),
        statuses=check.statuses,
        bullets=tuple(_bullets(analysis, numbers)),
    )


# -- the numbers -----------------------------------------------------------------
def _health_number(analysis: Analysis) -> HeadlineNumber:
    check = analysis.thesis_check
    return HeadlineNumber(
        key="health",
        label="Thesis health",
        value=check.health,
        unit="share",
        date=check.as_of,
        direction=1,
        part="thesis_check",
    )


def _regime_number(analysis: Analysis) -> HeadlineNumber | None:
    regimes = _present(analysis.regimes)
    core = analysis.thesis.core_spread
    if regimes is None or core is None:
        return None
    return HeadlineNumber(
        key="long_leads_probability",
        label=f"P({core.long_label}), filtered",
        value=_float(regimes.current.probability),
        unit="probability",
        date=_day(regimes.current.date),
        direction=1,
        part="regimes",
    )


def _core_pair(analysis: Analysis) -> tuple[Any, int, int] | None:
    """Return the core spread's latest row of the spreads part, with its windows.

    When the thesis's ``spreads`` leave the core pair out, the pair is read
    with the explorer's basket-pair helper over the same window.
    """
    core = analysis.thesis.core_spread
    if core is None:
        return None
    spreads = _present(analysis.spreads)
    if spreads is not None:
        for row in spreads.latest:
            if (row.long, row.short) == (core.long, core.short):
                return row, spreads.window, spreads.long_window
    from rotation.analysis._basket_pair import compute_basket_pair

    window = analysis.config.indicators.spread_window
    pair = compute_basket_pair(analysis, core.long, core.short, window)
    valid = pair.relative_return.dropna()
    if not len(valid):
        return None
    row = _PairRow(core.long, core.short, valid.index[-1], float(valid.iloc[-1]))
    return row, window, 0


@dataclass(frozen=True)
class _PairRow:
    long: str
    short: str
    date: pd.Timestamp
    relative_return: float
    long_relative_return: float = math.nan


def _core_spread_number(analysis: Analysis) -> HeadlineNumber | None:
    found = _core_pair(analysis)
    if found is None:
        return None
    row, window, _ = found
    return HeadlineNumber(
        key="core_spread",
        label=f"{row.long} vs {row.short}, {window}-session relative return",
        value=_float(row.relative_return),
        unit="return",
        date=_day(row.date),
        direction=1,
        part="spreads",
    )


def _rule_direction(rule: str) -> int:
    """+1 when the rule asks for a high value, -1 for a low one, else 0."""
    text = rule.strip()
    return 1 if text.startswith(">") else -1 if text.startswith("<") else 0


def _watched(analysis: Analysis) -> Any:
    correlation = _present(analysis.correlation)
    return correlation.baskets[0] if correlation and correlation.baskets else None


def _correlation_number(analysis: Analysis) -> HeadlineNumber | None:
    watched = _watched(analysis)
    if watched is None:
        return None
    return HeadlineNumber(
        key="watched_correlation",
        label=f"{watched.basket} avg correlation ({watched.window}d)",
        value=_float(watched.value),
        unit="correlation",
        date=_day(watched.date),
        direction=_rule_direction(watched.rule),
        part="correlation",
    )


def _copper_row(analysis: Analysis) -> Any:
    """Return the copper gauge with the latest data (the first one on a tie)."""
    copper = _present(analysis.copper)
    if copper is None or copper.trend.empty:
        return None
    trend = copper.trend.dropna(subset=["date", "mom_3m"])
    if trend.empty:
        return None
    latest = trend["date"].max()
    return trend[trend["date"] == latest].iloc[0]


def _copper_number(analysis: Analysis) -> HeadlineNumber | None:
    row = _copper_row(analysis)
    if row is None:
        return None
    return HeadlineNumber(
        key="copper_momentum",
        label=f"Copper ({row['series']}) 3-month momentum",
        value=_float(row["mom_3m"]),
        unit="return",
        date=_day(row["date"]),
        direction=1,
        part="copper",
    )


def _dots_number(analysis: Analysis) -> HeadlineNumber | None:
    rates = _present(analysis.rates)
    if rates is None or "dots_terminal" not in rates.latest:
        return None
    return HeadlineNumber(
        key="dots_terminal",
        label="Dot-plot terminal median",
        value=_float(rates.latest["dots_terminal"]),
        unit="rate",
        date=_day(rates.date),
        direction=0,
        part="rates",
    )


# -- the bullets -----------------------------------------------------------------
def _members(analysis: Analysis, basket: str) -> str:
    return "+".join(analysis.thesis.members(basket))


def _bullets(analysis: Analysis, numbers: dict[str, HeadlineNumber]) -> list[str]:
    """Write the summary: health, flips, core spread, panels, regime, risks."""
    out = [*_health_bullets(analysis)]
    for writer in (_spread_bullet, _correlation_bullet, _copper_bullet, _rates_bullet):
        text = writer(analysis, numbers)
        if text:
            out.append(text)
        if writer is _spread_bullet:
            out.append(_other_spreads_bullet(analysis))
    out.extend(_regime_bullet(analysis, numbers))
    out.extend(_risk_bullets(analysis))
    return [text for text in out if text]


def _health_bullets(analysis: Analysis) -> list[str]:
    check = analysis.thesis_check
    day = check.as_of.date()
    if math.isnan(check.health):
        return [f"No pillar of {check.thesis.title} has data as of {day}."]
    out = [
        f"Thesis health is {check.health:.0%} as of {day}: {check.n_holding} of "
        f"{check.n_with_data} pillars with data hold."
    ]
    failing = [p.id for p in check.pillars if p.status == "fails"]
    if failing:
        out[0] += f" Failing: {', '.join(failing)}."
    flips = [f for f in check.changes.flips]
    if flips:
        moves = ", ".join(f"{f.id} ({f.before} -> {f.after})" for f in flips)
        out.append(
            f"Since {check.changes.start.date()} ({check.change_lookback} "
            f"sessions): {moves}."
        )
    return out


def _spread_bullet(analysis: Analysis, numbers: dict[str, HeadlineNumber]) -> str:
    found = _core_pair(analysis)
    if found is None or math.isnan(found[0].relative_return):
        return ""
    row, window, long_window = found
    rel = row.relative_return
    tail = (
        f" ({row.long_relative_return:+.1%} over {long_window})"
        if long_window and not math.isnan(row.long_relative_return)
        else ""
    )
    return (
        f"{row.long} ({_members(analysis, row.long)}) "
        f"{'led' if rel > 0 else 'lagged'} {row.short} "
        f"({_members(analysis, row.short)}) by {abs(rel):.1%} over the {window} "
        f"sessions to {_day(row.date).date()}{tail}."  # type: ignore[union-attr]
    )


def _other_spreads_bullet(analysis: Analysis) -> str:
    spreads = _present(analysis.spreads)
    core = analysis.thesis.core_spread
    core_pair = (core.long, core.short) if core else None
    rows = [
        r
        for r in (spreads.latest if spreads else ())
        if (r.long, r.short) != core_pair and not math.isnan(r.relative_return)
    ]
    if not rows:
        return ""
    moves = ", ".join(f"{r.long} vs {r.short} {r.relative_return:+.1%}" for r in rows)
    day = max(r.date for r in rows if r.date is not None).date()
    return f"The thesis's other pairs over {spreads.window} sessions to {day}: {moves}."


def _correlation_bullet(analysis: Analysis, numbers: dict[str, HeadlineNumber]) -> str:
    watched = _watched(analysis)
    if watched is None or watched.date is None or math.isnan(watched.value):
        return ""
    claim = watched.claimed_text or f"rule {watched.rule}"
    tail = ""
    if watched.past_year_low_date is not None:
        tail = (
            f"; its 12-month range was {watched.past_year_low:.2f} "
            f"({watched.past_year_low_date.date()}) to {watched.past_year_high:.2f} "
            f"({watched.past_year_high_date.date()})"
        )
    return (
        f"The {watched.window}-day average correlation of {watched.basket} "
        f"({'+'.join(watched.members)}) is {watched.value:.2f} on "
        f"{watched.date.date()} ({watched.pillar}: {claim}){tail}."
    )


def _copper_bullet(analysis: Analysis, numbers: dict[str, HeadlineNumber]) -> str:
    number = numbers.get("copper_momentum")
    if number is None or number.date is None or math.isnan(number.value):
        return ""
    row = _copper_row(analysis)
    return (
        f"Copper ({row['series']}) moved {number.value:+.1%} over three months "
        f"to {number.date.date()}."
    )


def _rates_bullet(analysis: Analysis, numbers: dict[str, HeadlineNumber]) -> str:
    rates = _present(analysis.rates)
    wanted = ("fed_mid", "dots_terminal", "dgs2_minus_mid", "core_pce_yoy_gap")
    if rates is None or rates.date is None:
        return ""
    latest = {k: _float(rates.latest.get(k)) for k in wanted}
    if any(math.isnan(v) for v in latest.values()):
        return ""
    claims = [c for c in rates.claimed if c.gauge == "dots:terminal"]
    claim = f" (thesis: {claims[0].value:g}%)" if claims else ""
    return (
        f"Fed funds midpoint {latest['fed_mid']:.3f}% vs a dot-plot terminal "
        f"median of {latest['dots_terminal']:.3f}%{claim}; the 2-year yield is "
        f"{latest['dgs2_minus_mid']:+.2f} pp from the midpoint and core PCE runs "
        f"{latest['core_pce_yoy_gap']:+.2f} pp above the "
        f"{rates.inflation_target:g}% target, as known on {rates.date.date()}."
    )


def _regime_bullet(analysis: Analysis, numbers: dict[str, HeadlineNumber]) -> list[str]:
    number = numbers.get("long_leads_probability")
    core = analysis.thesis.core_spread
    if number is None or core is None or math.isnan(number.value):
        return []
    day = number.date.date() if number.date is not None else analysis.as_of.date()
    text = (
        f"The filtered probability that {core.long} ({_members(analysis, core.long)}) "
        f"leads {core.short} ({_members(analysis, core.short)}), the "
        f"'{core.long_label}' phase, is {number.value:.2f} on {day}"
    )
    regimes = analysis.regimes
    current = getattr(regimes, "current", None)
    if current is not None and getattr(current, "since", None) is not None:
        sessions = current.sessions_since
        text += (
            f"; the current {current.state} phase began {current.since.date()} as "
            f"known then ({sessions} session{'s' if sessions != 1 else ''}, core "
            f"spread {100 * current.spread_since:+.1f}% since)"
        )
    note = getattr(current, "evidence_note", "") if current is not None else ""
    note = note[:1].upper() + note[1:]
    return [f"{text}. {note}".strip()]


def _risk_bullets(analysis: Analysis) -> list[str]:
    check = analysis.thesis_check
    out = []
    if check.live_risks:
        out.append(
            f"Risk triggers live as of {check.as_of.date()}: "
            f"{', '.join(check.live_risks)}."
        )
    risk = _present(analysis.risk)
    priced = [s for s in risk.scenarios if s.pnl is not None] if risk else []
    if priced:
        worst = min(priced, key=lambda s: s.pnl)
        out.append(
            f"Of this thesis's named risks, {worst.name} would hurt its book "
            f"({risk.book.label}) most ({worst.pnl:+.1%}), as of {risk.as_of.date()}."
        )
    return out
