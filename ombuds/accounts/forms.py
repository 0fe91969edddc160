from django import forms
from django.contrib.auth.forms import UserCreationForm

from ombuds.accounts.models import User


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        help_text="We send a link to confirm it. Members: use the address your marketplace "
        "account has, and your complaints will be linked to it."
    )

    class Meta:
        model = User
        fields = ["username", "email"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address exists. Log in, or reset its password."
            )
        return email
