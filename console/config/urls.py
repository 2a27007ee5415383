"""Configuration › Import configuration: the form, its tests, its history, export and import."""

from django.urls import path

from console.config import views

urlpatterns = [
    path("config/", views.config_edit, name="config"),
    path("config/test/akeneo", views.config_test, {"target": "akeneo"}, name="config_test_akeneo"),
    path("config/test/sfcc", views.config_test, {"target": "sfcc"}, name="config_test_sfcc"),
    path("config/history/", views.config_history, name="config_history"),
    path("config/history/compare", views.config_compare, name="config_compare"),
    path("config/history/restore", views.config_restore, name="config_restore"),
    path("config/akeneo-lists", views.config_akeneo_lists, name="config_akeneo_lists"),
    path("config/export", views.config_export, name="config_export"),
    path("config/import", views.config_import, name="config_import"),
]
