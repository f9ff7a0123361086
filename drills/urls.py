"""Site URLs of the drills app (namespace drills): check-in by QR code, 我参加的演练与培训, photos."""

from django.urls import path

from drills import views

app_name = "drills"

urlpatterns = [
    path("drills/checkin/<str:token>/", views.checkin_page, name="checkin"),
    path("drills/mine/", views.mine, name="mine"),
    path("drills/photos/<int:pk>/", views.photo, name="photo"),
]
