"""Public pages. Views only fetch and render; rules live in the services of the domain apps."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from livsvillkor.framework.models import EffectGoal, Framework, TargetArea

from .models import ContactDetails, NewsItem


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


def effect_goal(request, code):
    framework = _framework()
    goal = get_object_or_404(
        EffectGoal.objects.select_related("target_area"), target_area__framework=framework, code=code
    )
    siblings = list(goal.target_area.effect_goals.all())
    index = siblings.index(goal)
    return render(
        request,
        "portal/effect_goal.html",
        {
            "framework": framework,
            "goal": goal,
            "target_area": goal.target_area,
            "previous_goal": siblings[index - 1] if index > 0 else None,
            "next_goal": siblings[index + 1] if index + 1 < len(siblings) else None,
        },
    )


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
