"""The campaign app's models, for Django: each capability owns its models (campaign.<capability>.models); this module
only imports them so that Django registers them under the one app label "campaign"."""

from campaign.tasks.models import (  # noqa: F401
    Campaign,
    CampaignTask,
    ChecklistItem,
    SubmissionFile,
    SubmissionPhoto,
    TaskSubmission,
)
