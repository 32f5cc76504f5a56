from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import enrolment_views, security_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The account page: password, two-factor authentication, log out everywhere.
    path("password/", security_views.AccountView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("logout-everywhere/", security_views.logout_everywhere, name="logout_everywhere"),
    path("2fa/", include("accounts.two_factor_urls")),
    # Administrators issue the one-time links that let someone set up their first second factor.
    path("set-up-links/", enrolment_views.enrolment_links, name="enrolment_links"),
]
