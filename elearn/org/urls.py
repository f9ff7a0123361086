"""URLs of the org area: login, password, 我的 page, roster import."""

from django.contrib.auth import views as auth_views
from django.urls import path

from elearn.org import views

app_name = "org"
urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("me/", views.me, name="me"),
]
