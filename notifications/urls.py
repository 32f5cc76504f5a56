from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    # A party's answer to a reminder: no login, the signed token in the address is the key.
    path("r/<str:token>/", views.reply, name="reply"),
    # Texts sent back to the SMS provider's number, forwarded by the provider.
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
]
