"""Sign in and out, Administration › Users and Roles and API clients, Account › Time zone and
API tokens."""

from django.contrib.auth import views as auth_views
from django.urls import path

from console.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/", views.user, name="user"),
    path("users/<int:user_id>/active", views.user_active, name="user_active"),
    path("users/<int:user_id>/password", views.user_password, name="user_password"),
    path("account/time-zone/", views.time_zone, name="time_zone"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
    path("api-clients/", views.api_clients, name="api_clients"),
    path("api-clients/<int:client_pk>/revoke", views.api_client_revoke, name="api_client_revoke"),
]
