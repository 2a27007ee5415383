"""Configuration › Import configuration, included at config/."""

from django.urls import path

from console.views import config

urlpatterns = [
    path("", config.config_edit, name="config"),
    path("test/akeneo", config.config_test, {"target": "akeneo"}, name="config_test_akeneo"),
    path("test/sfcc", config.config_test, {"target": "sfcc"}, name="config_test_sfcc"),
    path("history/", config.config_history, name="config_history"),
    path("history/compare", config.config_compare, name="config_compare"),
    path("history/restore", config.config_restore, name="config_restore"),
    path("akeneo-lists", config.config_akeneo_lists, name="config_akeneo_lists"),
    path("export", config.config_export, name="config_export"),
    path("import", config.config_import, name="config_import"),
]
