from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("malomraden/<slug:slug>/", views.target_area, name="target-area"),
    path("effektmal/<str:code>/", views.effect_goal, name="effect-goal"),
    path("om-malbilden/", views.about, name="about"),
    path("nyheter/", views.news_list, name="news-list"),
    path("nyheter/<slug:slug>/", views.news_detail, name="news-detail"),
    path("kontakt/", views.contact, name="contact"),
]
