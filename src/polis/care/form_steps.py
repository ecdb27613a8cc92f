"""A form that takes one step on a staff page (the desk's request and letter pages, the back
office's mode change): one way to answer it."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from polis.care.states import CareError


def form_step(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict[str, Any]], str],
    *,
    done: tuple[str, int],
    again: Callable[..., HttpResponse],
) -> HttpResponse:
    """When the form is valid, `act` takes the step with its cleaned data and says what happened:
    back to the page `done` (url name, pk) with that message. A refusal (CareError) goes onto
    the form, and `again(<prefix>_form=form)` shows the page with the form as typed."""
    if form.is_valid():
        try:
            text = act(form.cleaned_data)
        except CareError as error:
            form.add_refusal(error)  # type: ignore[attr-defined]
        else:
            messages.success(request, text)
            return redirect(done[0], pk=done[1])
    return again(**{f"{form.prefix}_form": form})
