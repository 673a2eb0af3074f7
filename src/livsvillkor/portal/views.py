"""Public pages. Views only fetch and render; rules live in the services of the domain apps."""

import functools
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from livsvillkor.charts import export
from livsvillkor.followup import services
from livsvillkor.framework.models import EffectGoal, FocusArea, Framework, Indicator, TargetArea
from livsvillkor.geo.models import Area
from livsvillkor.observations.models import Dimension

from . import presenters
from .models import ContactDetails, NewsItem

DOWNLOAD_FORMATS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("JSON-stat", "application/json; charset=utf-8"),
}


PAGE_CACHE_SECONDS = 300


def cached_page(view):
    """Cache a statistics page's whole response under its URL, language and the data version.

    These pages hold nothing per user (no forms that post, no session), so the rendered bytes are the
    same for everyone until the next import changes the data version. Errors (404) are not cached.
    Edits of texts in the admin (indicator metadata) show after at most ``PAGE_CACHE_SECONDS``.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        def compute():
            response = view(request, *args, **kwargs)
            headers = {k: response[k] for k in ("Content-Type", "Content-Disposition") if k in response}
            return response.status_code, headers, response.content

        key = ("page", request.get_full_path(), get_language())
        status, headers, body = services.cached(key, compute, timeout=PAGE_CACHE_SECONDS)
        response = HttpResponse(body, status=status)
        for key, value in headers.items():
            response[key] = value
        return response

    return wrapper


def _framework() -> Framework:
    framework = Framework.objects.current()
    if framework is None:
        raise Http404("Ingen målbild är inläst.")
    return framework


def home(request):
    framework = Framework.objects.current()
    target_areas = (
        framework.target_areas.prefetch_related("effect_goals")
        if framework is not None
        else TargetArea.objects.none()
    )
    return render(
        request,
        "portal/home.html",
        {
            "framework": framework,
            "target_areas": target_areas,
            "focus_areas": framework.focus_areas.all() if framework else [],
            "area_codes": set(
                Area.objects.filter(
                    code__in=[fa.area_code for fa in framework.focus_areas.all()] if framework else []
                ).values_list("code", flat=True)
            ),
            "news": NewsItem.objects.published()[:3],
            "contact": ContactDetails.current(),
        },
    )


def target_area(request, slug):
    framework = _framework()
    area = get_object_or_404(framework.target_areas.prefetch_related("effect_goals"), slug=slug)
    return render(
        request,
        "portal/target_area.html",
        {
            "framework": framework,
            "target_area": area,
            "other_areas": framework.target_areas.exclude(pk=area.pk),
        },
    )


@cached_page
def effect_goal(request, code):
    framework = _framework()
    goal = get_object_or_404(
        EffectGoal.objects.select_related("target_area"), target_area__framework=framework, code=code
    )
    siblings = list(goal.target_area.effect_goals.all())
    index = siblings.index(goal)
    proposal = services.effect_goal_proposal(goal)
    cards = [
        {
            "status": status,
            "chart": presenters.indicator_card_chart(status),
            "downloads": _downloads("portal:effect-goal-download", [goal.code, status.code], {}),
        }
        for status in proposal.statuses
    ]
    result = proposal.result
    return render(
        request,
        "portal/effect_goal.html",
        {
            "framework": framework,
            "goal": goal,
            "target_area": goal.target_area,
            "previous_goal": siblings[index - 1] if index > 0 else None,
            "next_goal": siblings[index + 1] if index + 1 < len(siblings) else None,
            "cards": cards,
            "result": result,
            "groups": [
                (_("Förbättring"), proposal.names(result.improving)),
                (_("Försämring"), proposal.names(result.worsening)),
                (_("Ingen säkerställd förändring"), proposal.names(result.unchanged)),
                (_("Kan inte bedömas"), proposal.names(result.not_assessable)),
                (_("Skillnaden minskar"), proposal.names(result.gaps_narrowing)),
                (_("Skillnaden ökar"), proposal.names(result.gaps_widening)),
            ],
            "example_data": bool(cards)
            and services.example_data_shown(Indicator.objects.filter(effect_goals=goal)),
        },
    )


@cached_page
def effect_goal_download(request, code, indicator, fmt):
    """The data of one indicator card's sparkline on an effect-goal page."""
    goal = get_object_or_404(EffectGoal, target_area__framework=_framework(), code=code)
    ind = get_object_or_404(Indicator, code=indicator, effect_goals=goal)
    status = next(s for s in services.effect_goal_proposal(goal).statuses if s.code == ind.code)
    chart = presenters.indicator_card_chart(status)
    if chart is None:
        raise Http404("Det finns inga värden för indikatorn")
    return _download_response(chart, fmt, presenters.attribution(ind), f"effektmal-{goal.code}-{ind.code}")


def about(request):
    framework = _framework()
    framework = Framework.objects.prefetch_related(
        "levels",
        "steering_documents",
        "processes",
        "focus_areas",
        Prefetch("target_areas", queryset=TargetArea.objects.prefetch_related("effect_goals")),
    ).get(pk=framework.pk)
    versions = Framework.objects.filter(slug=framework.slug).order_by("-version")
    return render(request, "portal/about.html", {"framework": framework, "versions": versions})


def news_list(request):
    page = Paginator(NewsItem.objects.published(), 10).get_page(request.GET.get("sida"))
    return render(request, "portal/news_list.html", {"page": page})


def news_detail(request, slug):
    item = get_object_or_404(NewsItem.objects.published(), slug=slug)
    return render(request, "portal/news_detail.html", {"item": item})


def contact(request):
    return render(request, "portal/contact.html", {"contact": ContactDetails.current()})


# ---------------------------------------------------------------------------------------------------
# Statistics pages


def _downloads(url_name: str, args: list, query: dict) -> list[dict]:
    qs = ("?" + urlencode(query, doseq=True)) if query else ""
    return [
        {"url": reverse(url_name, args=[*args, fmt]) + qs, "label": label}
        for fmt, (label, _type) in DOWNLOAD_FORMATS.items()
    ]


def _download_response(chart, fmt: str, attribution: str, filename: str) -> HttpResponse:
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404("Okänt format")
    if fmt == "csv":
        body = export.to_csv(chart, attribution)
    elif fmt == "xlsx":
        body = export.to_xlsx(chart, attribution)
    else:
        body = export.to_jsonstat_bytes(chart, attribution)
    response = HttpResponse(body, content_type=DOWNLOAD_FORMATS[fmt][1])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def indicator_list(request):
    indicators = Indicator.objects.filter(is_active=True).prefetch_related("effect_goals").order_by("name")
    return render(request, "portal/indicator_list.html", {"indicators": indicators})


def _indicator_params(request) -> dict:
    query = {}
    for key in ("niva", "skillnad", "karta", "utsatta"):
        value = request.GET.get(key, "")
        if value:
            query[key] = value
    return query


def _outlines(query: dict) -> bool:
    """The Police's outlines are on unless the map form was sent without its checkbox."""
    return "karta" not in query or query.get("utsatta") == "ja"


@cached_page
def indicator(request, code):
    ind = get_object_or_404(Indicator.objects.prefetch_related("goal_links__effect_goal"), code=code)
    query = _indicator_params(request)
    page = presenters.indicator_page(ind, query.get("niva"), query.get("skillnad"), _outlines(query))
    panels = {
        key: {
            "chart": chart,
            "downloads": _downloads("portal:indicator-download", [ind.code, key], query),
        }
        for key, chart in page.charts.items()
    }
    breakdowns = [panels[k] for k in panels if k.startswith("breakdown-")]
    return render(
        request,
        "portal/indicator.html",
        {
            "indicator": ind,
            "page": page,
            "panels": panels,
            "breakdowns": breakdowns,
            "goal_links": [link for link in ind.goal_links.all()],
            "attribution": presenters.attribution(ind),
            "source_attribution": presenters.source_attribution(ind),
            "life_stages": presenters.life_stages(ind),
            "example_data": bool(page.charts) and services.example_data_shown([ind]),
        },
    )


@cached_page
def indicator_download(request, code, chart, fmt):
    ind = get_object_or_404(Indicator, code=code)
    query = _indicator_params(request)
    page = presenters.indicator_page(ind, query.get("niva"), query.get("skillnad"), _outlines(query))
    if chart not in page.charts:
        raise Http404("Diagrammet finns inte")
    return _download_response(
        page.charts[chart], fmt, presenters.attribution(ind, derived=chart == "gap"), f"{ind.code}-{chart}"
    )


def area_list(request):
    framework = Framework.objects.current()
    focus_codes = (
        list(
            FocusArea.objects.filter(framework=framework)
            .exclude(area_code="")
            .values_list("area_code", flat=True)
        )
        if framework
        else []
    )
    place = services.places()
    focus = list(Area.objects.filter(code__in=focus_codes).order_by("name"))
    districts = list(
        Area.objects.filter(kind=Area.Kind.DISTRICT, municipality_code=place.municipality).order_by("name")
    )
    regso = list(
        Area.objects.filter(kind=Area.Kind.REGSO, municipality_code=place.municipality).order_by("name")
    )
    return render(
        request,
        "portal/area_list.html",
        {"focus": focus, "districts": districts, "regso": regso, "municipality": place},
    )


def _area(code: str) -> Area:
    area = Area.objects.filter(code=code).select_related("parent").order_by("-vintage").first()
    if area is None:
        raise Http404("Området finns inte")
    return area


@cached_page
def area(request, code):
    area = _area(code)
    profile = presenters.area_profile(area)
    focus = FocusArea.objects.filter(area_code=area.code).first()
    return render(
        request,
        "portal/area.html",
        {
            "area": area,
            "focus": focus,
            "profile": profile,
            "members": area.members.order_by("code")[:50],
            "downloads": _downloads("portal:area-download", [area.code], {}) if profile.chart else [],
            "example_data": profile.chart is not None and services.example_data_shown(),
        },
    )


@cached_page
def area_download(request, code, fmt):
    area = _area(code)
    profile = presenters.area_profile(area)
    if profile.chart is None:
        raise Http404("Det finns inga värden för området")
    return _download_response(profile.chart, fmt, _("Källor: se respektive indikator"), f"omrade-{area.code}")


def _compare_choices():
    place = services.places()
    kinds = [
        Area.Kind.COUNTRY,
        Area.Kind.COUNTY,
        Area.Kind.MUNICIPALITY,
        Area.Kind.DISTRICT,
        Area.Kind.CUSTOM,
    ]
    areas = Area.objects.filter(kind__in=kinds).exclude(code__startswith=presenters.POLICE_PREFIX)
    areas = [
        a
        for a in areas
        if a.kind in (Area.Kind.COUNTRY, Area.Kind.COUNTY) or a.municipality_code == place.municipality
    ]
    return sorted(areas, key=lambda a: (kinds.index(a.kind), a.name))


MAX_COMPARE = 12


def _compare_selection(request):
    ind = Indicator.objects.filter(code=request.GET.get("indikator", ""), is_active=True).first()
    wanted = request.GET.getlist("omrade")[:MAX_COMPARE]
    known = set(Area.objects.filter(code__in=wanted).values_list("code", flat=True))
    codes = [c for c in dict.fromkeys(wanted) if c in known]
    dimension = request.GET.get("grupp", "")
    return ind, codes, dimension if dimension in presenters.COMPARE_DIMENSIONS else ""


@cached_page
def compare(request):
    ind, codes, dimension = _compare_selection(request)
    charts = presenters.compare_charts(ind, codes, dimension) if ind and codes else {}
    query = {"indikator": ind.code, "omrade": codes} if ind else {}
    if dimension:
        query["grupp"] = dimension
    labels = dict(Dimension.objects.values_list("code", "label"))
    panels = [
        {"chart": chart, "downloads": _downloads("portal:compare-download", [key], query)}
        for key, chart in charts.items()
    ]
    return render(
        request,
        "portal/compare.html",
        {
            "indicators": Indicator.objects.filter(is_active=True).order_by("name"),
            "areas": _compare_choices(),
            "selected_indicator": ind,
            "selected_areas": codes,
            "dimensions": [(d, labels.get(d, d)) for d in presenters.COMPARE_DIMENSIONS],
            "selected_dimension": dimension,
            "panels": panels,
            "asked": "indikator" in request.GET,
            "attribution": presenters.attribution(ind) if ind else "",
            "example_data": bool(panels) and services.example_data_shown([ind]),
        },
    )


@cached_page
def compare_download(request, chart, fmt):
    ind, codes, dimension = _compare_selection(request)
    if ind is None or not codes:
        raise Http404("Välj en indikator och minst ett område")
    charts = presenters.compare_charts(ind, codes, dimension)
    if chart not in charts:
        raise Http404("Diagrammet finns inte")
    return _download_response(
        charts[chart], fmt, presenters.attribution(ind), f"jamforelse-{ind.code}-{chart}"
    )
