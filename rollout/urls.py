from __future__ import annotations

from rollout.routes import (
    events,
    faq,
    officehours,
    people,
    programme,
    search,
    surveys,
    usecases,
)

app_name = "rollout"
urlpatterns = [
    *programme.urlpatterns,
    *events.urlpatterns,
    *people.urlpatterns,
    *usecases.urlpatterns,
    *search.urlpatterns,
    *faq.urlpatterns,
    *officehours.urlpatterns,
    *surveys.urlpatterns,
]
