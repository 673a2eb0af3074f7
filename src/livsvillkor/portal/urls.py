from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("malomraden/<slug:slug>/", views.target_area, name="target-area"),
    path("effektmal/<str:code>/", views.effect_goal, name="effect-goal"),
    path(
        "effektmal/<str:code>/data/<slug:indicator>.<str:fmt>",
        views.effect_goal_download,
        name="effect-goal-download",
    ),
    path("indikatorer/", views.indicator_list, name="indicator-list"),
    path("indikatorer/<slug:code>/", views.indicator, name="indicator"),
    path(
        "indikatorer/<slug:code>/data/<slug:chart>.<str:fmt>",
        views.indicator_download,
        name="indicator-download",
    ),
    path("omraden/", views.area_list, name="area-list"),
    path("omraden/<str:code>/", views.area, name="area"),
    path("omraden/<str:code>/data.<str:fmt>", views.area_download, name="area-download"),
    path("jamfor/", views.compare, name="compare"),
    path("jamfor/data/<slug:chart>.<str:fmt>", views.compare_download, name="compare-download"),
    path("om-malbilden/", views.about, name="about"),
    path("nyheter/", views.news_list, name="news-list"),
    path("nyheter/<slug:slug>/", views.news_detail, name="news-detail"),
    path("kontakt/", views.contact, name="contact"),
]
