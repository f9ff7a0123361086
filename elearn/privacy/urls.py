"""URLs of the privacy capability: the notice, 我的数据 and its downloads, revealing one mobile number."""

from django.urls import path

from elearn.privacy import views

app_name = "privacy"
urlpatterns = [
    path("privacy/notice/", views.notice, name="notice"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/download.<str:fmt>", views.my_data_download, name="my_data_download"),
    path("privacy/reveal/<int:user_id>/", views.reveal, name="reveal"),
]
