"""`ketacare pool` (meta-analysis of a CSV) and `ketacare evidence ...` (the trial records)."""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path
from typing import Any

from ketacare.commands import Output, add_command
from ketacare.core.errors import InputError
from ketacare.core.evidence.effects import (
    BINARY_MEASURES,
    MEASURES,
    BinaryRow,
    ContinuousRow,
    Effect,
    binary_effects,
    continuous_effects,
    generic_effect,
)
from ketacare.core.evidence.plots import forest_png, forest_svg, funnel_png, funnel_svg
from ketacare.core.evidence.pooling import (
    METHODS,
    PoolResult,
    egger_test,
    leave_one_out,
    pool_binary,
    pool_effects,
    subgroup_analysis,
)
from ketacare.core.evidence.trials import (
    CONDITIONS,
    DESIGNS,
    DRUGS,
    OUTCOME_CLASSES,
    ROUTES,
    clinic_vs_literature,
    get_trial,
    list_trials,
    pool_trials,
)

COLUMNS = {
    "binary": ("study", "events_treat", "n_treat", "events_ctrl", "n_ctrl"),
    "continuous": ("study", "mean_treat", "sd_treat", "n_treat", "mean_ctrl", "sd_ctrl", "n_ctrl"),
    "generic": ("study", "yi", "vi"),
}


def _family(measure: str) -> str:
    if measure in BINARY_MEASURES:
        return "binary"
    return "continuous" if measure in ("SMD", "MD") else "generic"


def _cell_int(line: int, study: str, name: str, text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(f"line {line} ({study}), {name}", text, "a whole number >= 0") from None
    if value < 0:
        raise InputError(f"line {line} ({study}), {name}", value, "a whole number >= 0")
    return value


def _cell_float(line: int, study: str, name: str, text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise InputError(f"line {line} ({study}), {name}", text, "a number") from None
    if not math.isfinite(value):
        raise InputError(f"line {line} ({study}), {name}", text, "a finite number")
    return value


def read_effects_csv(
    path: str, measure: str, subgroups: dict[str, str] | None = None
) -> tuple[list[Effect], list[str], list[BinaryRow]]:
    """Read a CSV for ``measure``; every error names the line, the study and the field.

    An optional ``subgroup`` column fills ``subgroups`` (study label -> subgroup).
    """
    family = _family(measure)
    needed = COLUMNS[family]
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError("input", path, f"a readable CSV file ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(
            "input columns",
            ",".join(header),
            f"a header with {','.join(needed)} for {measure} (missing: {','.join(missing)})",
        )
    binary: list[BinaryRow] = []
    continuous: list[ContinuousRow] = []
    generic: list[Effect] = []
    for i, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "") for k, v in raw.items()}
        study = row["study"].strip()
        if not study:
            raise InputError(f"line {i}, study", row["study"], "a study label")
        if subgroups is not None and "subgroup" in header:
            if not row.get("subgroup", "").strip():
                raise InputError(f"line {i} ({study}), subgroup", "", "a subgroup label")
            subgroups[study] = row["subgroup"].strip()
        for c in needed:
            if not row.get(c, "").strip():
                raise InputError(f"line {i} ({study}), {c}", "", "a value (the cell is empty)")
        try:
            if family == "binary":
                ev_t = _cell_int(i, study, "events_treat", row["events_treat"])
                n_t = _cell_int(i, study, "n_treat", row["n_treat"])
                ev_c = _cell_int(i, study, "events_ctrl", row["events_ctrl"])
                n_c = _cell_int(i, study, "n_ctrl", row["n_ctrl"])
                binary.append(BinaryRow(study, ev_t, n_t, ev_c, n_c))
            elif family == "continuous":
                continuous.append(
                    ContinuousRow(
                        study,
                        _cell_float(i, study, "mean_treat", row["mean_treat"]),
                        _cell_float(i, study, "sd_treat", row["sd_treat"]),
                        _cell_int(i, study, "n_treat", row["n_treat"]),
                        _cell_float(i, study, "mean_ctrl", row["mean_ctrl"]),
                        _cell_float(i, study, "sd_ctrl", row["sd_ctrl"]),
                        _cell_int(i, study, "n_ctrl", row["n_ctrl"]),
                    )
                )
            else:
                generic.append(
                    generic_effect(
                        study,
                        _cell_float(i, study, "yi", row["yi"]),
                        _cell_float(i, study, "vi", row["vi"]),
                    )
                )
        except InputError as exc:
            if exc.field.startswith("line "):
                raise
            raise InputError(f"line {i} ({exc.field})", exc.value, exc.allowed) from None
    count = len(binary) + len(continuous) + len(generic)
    if count == 0:
        raise InputError("input", path, "a CSV with at least one study row")
    if family == "binary":
        effects, dropped = binary_effects(binary, measure)
        return effects, dropped, binary
    if family == "continuous":
        return continuous_effects(continuous, measure), [], []
    return generic, [], []


def _pool_data(result: PoolResult) -> dict[str, Any]:
    return result.to_dict()


def _pool_text(result: PoolResult) -> str:
    r = result.reported
    scale = " (ratio scale)" if result.is_ratio else ""
    lines = [
        f"{result.measure} pooled by {result.method}{' with HKSJ' if result.hksj else ''}, "
        f"k = {result.k}{scale}",
        f"  estimate {r(result.estimate):.4f}  95% CI {r(result.ci_low):.4f} to "
        f"{r(result.ci_high):.4f}  p = {result.p:.4g}",
        f"  prediction interval {r(result.pi_low):.4f} to {r(result.pi_high):.4f}",
        f"  tau2 = {result.tau2:.4f}  I2 = {result.i2:.2f}%  H2 = {result.h2:.2f}  "
        f"Q = {result.q:.4f} (df {result.q_df}"
        + (f", p = {result.q_p:.4g})" if result.q_p is not None else ")"),
    ]
    if result.tau2_ci:
        lines.append(
            f"  tau2 95% CI (Q-profile) {result.tau2_ci[0]:.4f} to {result.tau2_ci[1]:.4f}"
        )
    for s in result.dropped:
        lines.append(f"  dropped (no events in either arm): {s}")
    for n in result.notes:
        lines.append(f"  note: {n}")
    return "\n".join(lines)


def _write_plot(path: str, result: PoolResult, kind: str, title: str) -> None:
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise InputError(f"{kind} file", path, "a file name ending in .svg or .png")
    if suffix == ".svg":
        svg = (forest_svg if kind == "forest" else funnel_svg)(result, title=title)
        target.write_text(svg, encoding="utf-8")
    else:
        target.write_bytes((forest_png if kind == "forest" else funnel_png)(result, title=title))


def _handle_pool(args: argparse.Namespace) -> Output:
    measure = args.measure.upper()
    groups: dict[str, str] = {}
    effects, dropped, rows = read_effects_csv(args.input, measure, groups)
    if args.method.upper() == "MH":
        if measure not in BINARY_MEASURES:
            raise InputError("method", args.method, "FE, DL, REML or PM for this measure")
        result = pool_binary(rows, measure, method="MH", hksj=args.hksj)
    else:
        result = pool_effects(
            effects, method=args.method, hksj=args.hksj, measure=measure, dropped=dropped
        )
    data = _pool_data(result)
    text = _pool_text(result)
    if result.k >= 3:
        eg = egger_test(
            effects,
            method="FE" if result.method == "MH" else result.method,
            hksj=result.hksj,
        )
        data["egger"] = eg.to_dict()
        text += f"\n  Egger's test: statistic {eg.statistic:.4f}, p = {eg.p:.4g} (k = {eg.k})"
    if args.leave_one_out:
        loo = leave_one_out(
            effects, method=result.method if result.method != "MH" else "FE", hksj=result.hksj
        )
        data["leave_one_out"] = [
            {
                "omitted": s,
                **{
                    k: v
                    for k, v in _pool_data(r).items()
                    if k in ("estimate", "ci_low", "ci_high", "tau2", "i2")
                },
            }
            for s, r in loo
        ]
        for s, r in loo:
            text += (
                f"\n  without {s}: {r.reported(r.estimate):.4f} "
                f"({r.reported(r.ci_low):.4f} to {r.reported(r.ci_high):.4f})"
            )
    if groups and len(set(groups.values())) >= 2:
        sub = subgroup_analysis(
            effects,
            [groups[e.study] for e in effects],
            method="FE" if result.method == "MH" else result.method,
            hksj=result.hksj,
        )
        data["subgroups"] = sub.to_dict()
        for g, r in sub.groups.items():
            text += (
                f"\n  subgroup {g}: {r.reported(r.estimate):.4f} ({r.reported(r.ci_low):.4f} to "
                f"{r.reported(r.ci_high):.4f}), k = {r.k}"
            )
        text += (
            f"\n  test for subgroup differences: Q = {sub.q_between:.4f}, df {sub.df}, "
            f"p = {sub.p:.4g}"
        )
    if args.forest:
        _write_plot(args.forest, result, "forest", Path(args.input).stem)
    if args.funnel:
        _write_plot(args.funnel, result, "funnel", Path(args.input).stem)
    return Output(data, text)


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--condition", choices=CONDITIONS)
    p.add_argument("--drug", choices=DRUGS)
    p.add_argument("--route", choices=ROUTES)
    p.add_argument("--design", choices=DESIGNS)


def _handle_list(args: argparse.Namespace) -> Output:
    trials = list_trials(
        condition=args.condition,
        drug=args.drug,
        route=args.route,
        outcome=args.outcome,
        design=args.design,
    )
    data = [t.summary() for t in trials]
    lines = [
        f"{t.id:<20} {t.year}  {t.design:<26} {t.condition:<13} {t.drug:<11} {t.route:<4} "
        f"{','.join(sorted({o.outcome_class for o in t.outcomes}))}"
        for t in trials
    ]
    return Output(data, "\n".join(lines) if lines else "no trial records match")


def _handle_show(args: argparse.Namespace) -> Output:
    t = get_trial(args.trial_id)
    lines = [
        f"{t.short}: {t.citation}",
        f"  DOI {t.doi or '-'}; design {t.design} ({t.blinding or '-'}); {t.population}",
        f"  {t.drug} {t.route}: {t.dose or '-'}; comparator: {t.comparator or '-'}",
    ]
    for note in t.notes:
        lines.append(f"  note: {note}")
    for o in t.outcomes:
        nums = ", ".join(f"{k} {v}" for k, v in o.numbers.items())
        flag = " [RECONSTRUCTED]" if o.reconstructed else ""
        lines.append(f"  - {o.name} ({o.timepoint}){flag}: {nums or o.definition}")
        lines.append(f"      source: {o.source}")
    return Output(t.to_dict(), "\n".join(lines))


def _trial_pool(args: argparse.Namespace) -> Any:
    return pool_trials(
        outcome=args.outcome,
        measure=args.measure.upper(),
        method=args.method.upper(),
        hksj=args.hksj,
        condition=args.condition,
        drug=args.drug,
        route=args.route,
        design=args.design,
        include_reconstructed=args.include_reconstructed,
        subgroup_by_drug_route=getattr(args, "subgroups", False),
    )


def _handle_evidence_pool(args: argparse.Namespace) -> Output:
    tp = _trial_pool(args)
    text = _pool_text(tp.result)
    for inc in tp.included:
        flag = " [RECONSTRUCTED]" if inc["reconstructed"] else ""
        text += (
            f"\n  + {inc['study']}: {inc['events_treat']}/{inc['n_treat']} vs "
            f"{inc['events_ctrl']}/{inc['n_ctrl']}{flag}"
        )
    for exc in tp.excluded:
        text += f"\n  - {exc['trial']}: {exc['reason']}"
    if tp.subgroups:
        s = tp.subgroups
        text += (
            f"\n  subgroup difference ({', '.join(s.groups)}): Q = {s.q_between:.4f}, "
            f"df {s.df}, p = {s.p:.4g}"
        )
    return Output(tp.to_dict(), text)


def _handle_plot(kind: str) -> Any:
    def handler(args: argparse.Namespace) -> Output:
        tp = _trial_pool(args)
        title = f"{args.outcome} ({args.condition or 'all conditions'})"
        if args.output:
            _write_plot(args.output, tp.result, kind, title)
            return Output(
                {"written": args.output, "format": Path(args.output).suffix[1:]},
                f"wrote {args.output}",
            )
        svg = (forest_svg if kind == "forest" else funnel_svg)(tp.result, title=title)
        return Output({"svg": svg}, svg)

    return handler


def _handle_clinic(args: argparse.Namespace) -> Output:
    out = clinic_vs_literature(
        args.responders,
        args.n,
        route=args.route,
        condition=args.condition,
        outcome=args.outcome,
        drug=args.drug,
        include_reconstructed=not args.exclude_reconstructed,
    )
    c, lit = out["clinic"], out["literature"]
    text = (
        f"clinic: {c['responders']}/{c['n']} = {100 * c['rate']:.1f}% "
        f"(95% CI {100 * c['ci_low']:.1f} to {100 * c['ci_high']:.1f}, Wilson)"
    )
    if lit["rate"] is None:
        text += "\nliterature: no published event counts for this route, condition and outcome"
    else:
        text += (
            f"\nliterature: {100 * lit['rate']:.1f}% (95% CI {100 * lit['ci_low']:.1f} to "
            f"{100 * lit['ci_high']:.1f}), k = {lit['k']}"
        )
        for s in lit["studies"]:
            flag = " [RECONSTRUCTED]" if s["reconstructed"] else ""
            text += f"\n  {s['study']}: {s['events']}/{s['n']}, {s['timepoint']}{flag}"
    for r in lit["rates_only"]:
        text += f"\n  (rate only) {r['study']}: {r['percent']}%, {r['timepoint']}"
    for n in out["notes"]:
        text += f"\nnote: {n}"
    return Output(out, text)


def _nonneg_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def register(subparsers: Any) -> None:
    """Register `ketacare pool` and `ketacare evidence`."""
    p = add_command(subparsers, "pool", "Meta-analysis of a CSV of studies", _handle_pool)
    p.add_argument("--measure", required=True, type=str.upper, choices=MEASURES)
    p.add_argument("--method", default="REML", type=str.upper, choices=METHODS)
    p.add_argument("--hksj", action="store_true", help="Hartung-Knapp-Sidik-Jonkman interval")
    p.add_argument("--input", required=True, metavar="FILE.csv")
    p.add_argument("--leave-one-out", action="store_true")
    p.add_argument("--forest", metavar="FILE.svg|FILE.png")
    p.add_argument("--funnel", metavar="FILE.svg|FILE.png")

    ev = add_command(
        subparsers, "evidence", "Trial records and pooled analyses", _handle_list, json_flag=False
    )
    sub = ev.add_subparsers(dest="evidence_command", required=True, metavar="SUBCOMMAND")
    ls = add_command(sub, "list", "List trial records (with filters)", _handle_list)
    _add_filters(ls)
    ls.add_argument("--outcome", choices=OUTCOME_CLASSES)
    show = add_command(sub, "show", "A trial record in full", _handle_show)
    show.add_argument("trial_id")
    for name, help_text, handler in (
        ("pool", "Pool the records' event counts", _handle_evidence_pool),
        (
            "forest",
            "Forest plot of a pooled analysis (SVG on stdout or --output)",
            _handle_plot("forest"),
        ),
        ("funnel", "Funnel plot of a pooled analysis", _handle_plot("funnel")),
    ):
        q = add_command(sub, name, help_text, handler)
        _add_filters(q)
        q.add_argument("--outcome", default="response", choices=OUTCOME_CLASSES)
        q.add_argument("--measure", default="RR", type=str.upper, choices=BINARY_MEASURES)
        q.add_argument("--method", default="REML", type=str.upper, choices=METHODS)
        q.add_argument("--hksj", action="store_true")
        q.add_argument("--include-reconstructed", action="store_true")
        if name == "pool":
            q.add_argument(
                "--subgroups",
                action="store_true",
                help="subgroups by drug and route, with a test for difference",
            )
        else:
            q.add_argument("--output", metavar="FILE.svg|FILE.png")
    cl = add_command(
        sub, "clinic", "Clinic response rate beside the published rate", _handle_clinic
    )
    cl.add_argument("--responders", required=True, type=_nonneg_int)
    cl.add_argument("--n", required=True, type=_nonneg_int)
    cl.add_argument("--route", required=True, choices=ROUTES)
    cl.add_argument("--condition", required=True, choices=CONDITIONS)
    cl.add_argument("--outcome", default="response", choices=OUTCOME_CLASSES)
    cl.add_argument("--drug", choices=DRUGS)
    cl.add_argument("--exclude-reconstructed", action="store_true")


__all__ = ["read_effects_csv", "register"]
