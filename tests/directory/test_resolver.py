"""The resolver turns each kind of identifier into a member, or says precisely why not."""

import pytest

from ombuds.directory.resolver import ResolutionError, resolve_respondent
from tests.factories import make_market

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    return make_market()


def refused(identifier, **kwargs) -> ResolutionError:
    with pytest.raises(ResolutionError) as info:
        resolve_respondent(identifier, **kwargs)
    return info.value


def test_email_in_any_case(market):
    resolution = resolve_respondent("SUPBOB@Example.com")
    assert resolution.member == market.supplier and resolution.via == "email"


def test_member_id(market):
    resolution = resolve_respondent("supbob")
    assert resolution.member == market.supplier and resolution.via == "member_id"


@pytest.mark.parametrize(
    "url",
    [
        "https://market.example/product/usb-charger-1600123.html",
        "http://www.market.example/product/usb-charger-1600123.html?spm=a2700&utm=x#reviews",
        "market.example/product/usb-charger-1600123.html",
        "  HTTPS://MARKET.EXAMPLE/product/usb-charger-1600123.html/  ",
    ],
)
def test_product_url_however_written(market, url):
    resolution = resolve_respondent(url)
    assert resolution.member == market.supplier
    assert resolution.listing == market.listing and resolution.via == "product_url"


def test_store_url_and_store_name(market):
    by_url = resolve_respondent("https://www.market.example/store/bob-supplies/")
    assert by_url.member == market.supplier and by_url.via == "store_url"
    by_name = resolve_respondent("bob SUPPLIES")
    assert by_name.member == market.supplier and by_name.via == "store_name"


def test_order_number_names_the_seller(market):
    resolution = resolve_respondent("ON-1", accept=("order",))
    assert resolution.member == market.supplier and resolution.order == market.online_order


@pytest.mark.parametrize(
    "url", ["https://bobsupplies.market.example", "https://bobsupplies.market.example/page/about"]
)
def test_minisite_url_is_refused_with_advice(market, url):
    error = refused(url)
    assert error.code == "respondent_minisite_url"
    assert "product URL" in error.message


def test_minisite_known_to_the_directory_even_off_pattern(market):
    market.store.minisite_url = "https://shop.bobsupplies.example"
    market.store.save()
    assert refused("https://shop.bobsupplies.example/").code == "respondent_minisite_url"


def test_unknown_identifiers_say_what_was_tried(market):
    error = refused("nobody-here")
    assert error.code == "respondent_not_found"
    assert error.tried == ["order number", "member ID", "store name"]
    assert "member ID" in error.message and "store name" in error.message
    assert refused("ghost@example.com").code == "respondent_not_found"
    missing_listing = refused("https://market.example/product/missing-1.html")
    assert missing_listing.code == "respondent_not_found" and missing_listing.tried == [
        "product URL"
    ]
    other_site = refused("https://another-shop.example/item/1")
    assert other_site.code == "respondent_not_found"
    assert "not a product or store page of Demo Market" in other_site.message


def test_kinds_the_form_does_not_accept(market):
    error = refused("supbob@example.com", accept=("product_url",))
    assert error.code == "respondent_kind_not_accepted"
    assert "product URL" in error.message
    assert refused("", accept=("email", "member_id")).code == "respondent_required"
    assert refused("not an email@", accept=("email",)).code == "respondent_invalid_email"


def test_two_stores_with_one_name_are_ambiguous(market):
    market.store.pk = None
    market.store.store_url = "https://market.example/store/bob-2"
    market.store.minisite_url = ""
    market.store.save()
    assert refused("Bob Supplies").code == "respondent_ambiguous"
