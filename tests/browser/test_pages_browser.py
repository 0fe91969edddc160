"""The first pages in Chromium: reachable by keyboard, the "?" help opens, it fits a phone."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_to_types_and_help_by_keyboard(live_server, page):
    page.goto(live_server.url + "/")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Something went wrong? Tell us here."
    )
    page.get_by_role("link", name="See the complaint types").click()
    page.wait_for_url("**/types/")
    firearms = page.locator("#prohibited_goods summary", has_text="Firearms")
    help_text = page.locator("#prohibited_goods details", has_text="Firearms").locator("p")
    assert not help_text.is_visible()
    firearms.focus()
    page.keyboard.press("Enter")
    assert help_text.is_visible()
    assert "Guns, their parts" in help_text.inner_text()


def test_skip_link_is_the_first_tab_stop(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_layout_fits_a_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    phone = context.new_page()
    phone.goto(live_server.url + "/types/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    context.close()


def test_log_in_as_a_member(live_server, page, django_user_model):
    django_user_model.objects.create_user("grace", "grace@example.com", "a-long-password-1")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Username").input_value() == "grace"
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("link", name="grace").is_visible()
