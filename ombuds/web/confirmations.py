"""The link in a new account's email: a page with a button (GET) that confirms the address
(POST), and then sends what the account filed while it waited (`file_once_confirmed`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ombuds.accounts.email_confirmation import confirm_email, user_to_confirm
from ombuds.cases.actions.filing import file_once_confirmed


def confirm_account_email(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        user = user_to_confirm(token)
        if user is None:
            return render(request, "registration/confirm_failed.html", status=400)
        return render(request, "registration/confirm_email.html", {"person": user})
    user = confirm_email(token)
    if user is None:
        return render(request, "registration/confirm_failed.html", status=400)
    text = "Your email address is confirmed."
    if user.member_id:
        text += f" Your account is linked to the marketplace member {user.member}."
    sent = file_once_confirmed(user)
    if sent:
        text += f" We sent what you filed meanwhile: {', '.join(c.reference for c in sent)}."
    messages.success(request, text)
    return redirect("account" if request.user.is_authenticated else "login")
