from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_login_failures
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from ombuds.accounts.email_confirmation import send_confirmation
from ombuds.accounts.forms import SignupForm
from ombuds.accounts.ratelimit import (
    RateRefusal,
    check_password_reset_rate,
    check_signup_rate,
    client_ip,
)
from ombuds.accounts.tokens import revoke_user_tokens
from ombuds.policy.loader import get_policy


def _refused(response: HttpResponse, refusal: RateRefusal) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(refusal.retry_after)
    return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("account")
    if request.method == "POST":
        refusal = check_signup_rate(ip=client_ip(request.META))
        if refusal is not None:
            # Not validated: the refusal says nothing about which names or addresses are taken.
            typed = {name: request.POST.get(name, "") for name in ("username", "email")}
            form = SignupForm(initial=typed)
            context = {"form": form, "refusal": refusal}
            return _refused(render(request, "registration/signup.html", context), refusal)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        send_confirmation(user)
        messages.success(
            request, f"Welcome, {user.username}. We sent a confirmation link to {user.email}."
        )
        return redirect("account")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account.html")


class PasswordResetView(auth_views.PasswordResetView):
    """Sends at most a few links per address asked for and per client address; the answer
    is the same whether an account has the address or not."""

    def form_valid(self, form: Any) -> HttpResponse:
        refusal = check_password_reset_rate(
            email=form.cleaned_data["email"], ip=client_ip(self.request.META)
        )
        if refusal is not None:
            context = self.get_context_data(form=form, refusal=refusal)
            return _refused(self.render_to_response(context), refusal)
        self.extra_email_context = {"marketplace_name": get_policy().marketplace.name}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password through the emailed link: the account's API tokens are revoked, and
    its failed log-ins forgotten (the person has shown they own its address)."""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            revoke_user_tokens(form.user)
        reset_login_failures(username=form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """A signed-in user changes their password; their API tokens are revoked."""

    template_name = "registration/change_password.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            revoke_user_tokens(form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/change_password_done.html"
