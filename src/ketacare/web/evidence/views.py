"""Evidence pages: the trial records with filters, one study's page, pooled analyses (with the
forest plot inline), and the clinic beside the literature. All numbers come from the core."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from ketacare.core import evidence as core_evidence
from ketacare.core.errors import InputError, UnknownIdError
from ketacare.web.accounts.permissions import permission_required
from ketacare.web.evidence.charts import comparison_svg
from ketacare.web.evidence.forms import TrialFilterForm, pool_form_from
from ketacare.web.evidence.permissions import VIEW_CLINIC_VS_LITERATURE, VIEW_EVIDENCE
from ketacare.web.evidence.services import BASES, clinic_report
from ketacare.web.lib.forms import add_input_error

#: the numbers of an outcome in reading order, with their labels
NUMBER_LABELS = {
    "events_treat": "events, active",
    "n_treat": "n, active",
    "percent_treat": "% active",
    "events_ctrl": "events, control",
    "n_ctrl": "n, control",
    "percent_ctrl": "% control",
    "mean_baseline": "baseline mean",
    "sd_baseline": "baseline SD",
    "mean_treat": "mean, active",
    "sd_treat": "SD, active",
    "mean_ctrl": "mean, control",
    "sd_ctrl": "SD, control",
    "effect": "effect",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "se": "SE",
    "p": "p",
}


def _doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}" if doi else ""


@permission_required(VIEW_EVIDENCE)
def trial_list(request: HttpRequest) -> HttpResponse:
    form = TrialFilterForm(request.GET or None)
    trials: list[Any] = []
    if not form.is_bound or form.is_valid():
        trials = core_evidence.list_trials(**form.filters())
    return render(
        request,
        "evidence/trial_list.html",
        {"form": form, "trials": [t.summary() for t in trials], "nav": "evidence"},
    )


@permission_required(VIEW_EVIDENCE)
def trial_detail(request: HttpRequest, trial_id: str) -> HttpResponse:
    try:
        trial = core_evidence.get_trial(trial_id)
    except UnknownIdError:
        raise Http404("No such trial record.") from None
    outcomes = []
    for o in trial.outcomes:
        numbers = [(NUMBER_LABELS[k], o.numbers[k]) for k in NUMBER_LABELS if k in o.numbers]
        outcomes.append({**o.to_dict(), "number_rows": numbers})
    return render(
        request,
        "evidence/trial_detail.html",
        {
            "trial": trial.to_dict(),
            "doi_url": _doi_url(trial.doi),
            "outcomes": outcomes,
            "nav": "evidence",
        },
    )


def _pool_context(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        return {}
    try:
        result = core_evidence.pool(**form.pool_kwargs())
    except InputError as exc:
        add_input_error(form, exc)
        return {}
    data = result.to_dict()
    title = f"{data['pooled']['measure']} for {data['filters']['outcome']}"
    context: dict[str, Any] = {
        "analysis": data,
        "pooled": data["pooled"],
        # the core builds the SVG and escapes every label and title it writes
        "forest_svg": mark_safe(result.forest_svg(title=title)),
        "funnel_svg": mark_safe(result.funnel_svg(title=f"Funnel plot: {title}")),
        "subgroup_note": "",
        **_egger_context(result),
    }
    if form.cleaned_data.get("subgroups") and result.subgroups is None:
        labels = sorted({row["subgroup"] for row in data["included"]})
        context["subgroup_note"] = (
            "No subgroup comparison: the included trials form one drug-route group ("
            + ", ".join(labels)
            + ")."
        )
    return context


def _egger_context(result: Any) -> dict[str, Any]:
    """Egger's test as the core gives it; the limit estimate on the reporting scale (the core's
    ``reported``); or the core's reason when there are too few studies."""
    try:
        egger = result.egger()
    except InputError as exc:
        return {"egger_error": f"Not run (k = {exc.value}): the core needs {exc.allowed}."}
    reported = result.result.reported
    return {
        "egger": egger.to_dict(),
        "egger_limit": {
            "estimate": reported(egger.limit_estimate),
            "ci_low": reported(egger.limit_ci[0]),
            "ci_high": reported(egger.limit_ci[1]),
        },
    }


@permission_required(VIEW_EVIDENCE)
def pool_view(request: HttpRequest) -> HttpResponse:
    form = pool_form_from(request.GET)
    context = {"form": form, "nav": "evidence", **_pool_context(form)}
    return render(request, "evidence/pool.html", context)


@permission_required(VIEW_CLINIC_VS_LITERATURE)
def clinic_vs_literature_view(request: HttpRequest) -> HttpResponse:
    basis = request.GET.get("basis", "last")
    basis_error = ""
    if basis not in BASES:
        basis_error = str(InputError("basis", basis, "one of " + ", ".join(BASES)))
    clinic = request.user.clinic  # type: ignore[union-attr]  # login required: request.user is a staff User with a clinic
    report = clinic_report(clinic, basis="last" if basis_error else basis)  # type: ignore[arg-type]  # view_clinic_report is given to clinic members only
    for group in report["groups"]:
        for outcome in ("response", "remission"):
            comparison = group.get(outcome)
            if comparison:
                # built from the core's numbers; labels escaped by comparison_svg
                comparison["svg"] = mark_safe(comparison_svg(comparison, outcome))
    return render(
        request,
        "evidence/clinic.html",
        {
            "report": report,
            "bases": BASES,
            "basis": report["basis"],
            "basis_error": basis_error,
            "nav": "evidence",
        },
        status=400 if basis_error else 200,
    )
