from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ombuds.accounts.email_confirmation import confirm_email, send_confirmation
from ombuds.accounts.forms import SignupForm


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("account")
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


def confirm_email_view(request: HttpRequest, token: str) -> HttpResponse:
    user = confirm_email(token)
    if user is None:
        return render(request, "registration/confirm_failed.html", status=400)
    text = "Your email address is confirmed."
    if user.member_id:
        text += f" Your account is linked to the marketplace member {user.member}."
    messages.success(request, text)
    return redirect("account" if request.user.is_authenticated else "login")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account.html")
