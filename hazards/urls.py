"""Site URLs of the hazards app (mounted through settings.ELEARN_APP_URLCONFS)."""

from django.urls import path

from hazards import views

app_name = "hazards"
urlpatterns = [
    path("hazards/new/", views.report_new, name="new"),
    path("hazards/receipt/", views.receipt, name="receipt"),
    path("hazards/mine/", views.mine, name="mine"),
    path("hazards/<int:pk>/", views.detail, name="detail"),
    path("hazards/follow/", views.follow, name="follow"),
    path("hazards/board/", views.board, name="board"),
    path("hazards/photos/<int:pk>/", views.photo, name="photo"),
]
