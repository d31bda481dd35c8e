from __future__ import annotations

from rollout.routes import events, people, programme

app_name = "rollout"
urlpatterns = [*programme.urlpatterns, *events.urlpatterns, *people.urlpatterns]
