"""URLs of the content app: the site search."""

from django.urls import path

from content import views

app_name = "content"
urlpatterns = [path("search/", views.search, name="search")]
