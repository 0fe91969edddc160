from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ombuds.policy.loader import get_policy
from ombuds.web.catalog import catalog_sections


def home(request: HttpRequest) -> HttpResponse:
    policy = get_policy()
    return render(request, "web/home.html", {"sections": catalog_sections(policy)})


def complaint_types(request: HttpRequest) -> HttpResponse:
    policy = get_policy()
    return render(
        request,
        "web/complaint_types.html",
        {"sections": catalog_sections(policy), "departments": policy.departments},
    )
