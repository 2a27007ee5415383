"""Operations › Job History."""

from django.urls import path

from console.history import views

urlpatterns = [
    path("history/", views.history, name="history"),
]
