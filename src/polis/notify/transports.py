"""Where an SMS or e-mail actually goes. Chosen by settings; the console is the default."""

import json
import logging
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger("polis.notify")


class DeliveryError(Exception):
    pass


def send_sms(*, phone: str, text: str) -> None:
    backend = settings.SMS_BACKEND
    if backend == "console":
        logger.info("SMS → %s: %s", phone, text)
        return
    if backend == "smsru":
        _send_smsru(phone=phone, text=text)
        return
    raise DeliveryError(f"Неизвестный SMS_BACKEND: {backend}")


def _send_smsru(*, phone: str, text: str) -> None:
    params = {"api_id": settings.SMS_API_KEY, "to": phone.lstrip("+"), "msg": text, "json": "1"}
    if settings.SMS_SENDER:
        params["from"] = settings.SMS_SENDER
    data = urllib.parse.urlencode(params).encode()
    with urllib.request.urlopen("https://sms.ru/sms/send", data=data, timeout=15) as response:
        answer = json.load(response)
    if answer.get("status") != "OK":
        raise DeliveryError(f"SMS.ru: {answer.get('status_text') or answer}")


def send_email(*, to: str, subject: str, text: str) -> None:
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
