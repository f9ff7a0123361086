"""URLs of the campaign tasks on the site (phone pages and evidence), mounted through settings.ELEARN_APP_URLCONFS."""

from django.urls import path

from campaign.tasks import views

app_name = "campaign_tasks"

urlpatterns = [
    path("campaign/tasks/", views.index, name="index"),
    path("campaign/tasks/<int:task_id>/", views.task_detail, name="task"),
    path("campaign/evidence/photos/<int:photo_id>/", views.evidence_photo, name="photo"),
    path("campaign/evidence/files/<int:file_id>/", views.evidence_file, name="file"),
]
