from __future__ import annotations

from rollout.routes import events, people, programme, search, usecases

app_name = "rollout"
urlpatterns = [
    *programme.urlpatterns,
    *events.urlpatterns,
    *people.urlpatterns,
    *usecases.urlpatterns,
    *search.urlpatterns,
]
