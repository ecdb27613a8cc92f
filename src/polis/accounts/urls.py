from django.urls import path

from polis.accounts import profile_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("register/confirm/", views.register_confirm, name="register_confirm"),
    path("register/resend/", views.register_resend, name="register_resend"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
    path("consent/<slug:kind>/", views.consent_text, name="consent_text"),
    path("profile/", profile_views.profile, name="profile"),
    path("profile/marketing/", profile_views.marketing, name="marketing"),
    path("profile/consent/withdraw/", profile_views.consent_withdraw, name="consent_withdraw"),
    path("profile/policies/add/", profile_views.policy_add, name="policy_add"),
]
