"""The rollout app's urls: each feature's own, joined in one namespace."""

from __future__ import annotations

from rollout.events import urls as events
from rollout.faq import urls as faq
from rollout.officehours import urls as officehours
from rollout.people import urls as people
from rollout.programme import urls as programme
from rollout.search import urls as search
from rollout.surveys import urls as surveys
from rollout.usecases import urls as usecases

app_name = "rollout"
urlpatterns = [
    *programme.urlpatterns,
    *events.urlpatterns,
    *people.urlpatterns,
    *usecases.urlpatterns,
    *faq.urlpatterns,
    *officehours.urlpatterns,
    *surveys.urlpatterns,
    *search.urlpatterns,
]
