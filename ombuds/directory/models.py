from django.db import models
from django.db.models.functions import Lower, Upper

from ombuds.directory.urls import normalize_url


class MemberKind(models.TextChoices):
    BUYER = "buyer", "Buyer"
    SUPPLIER = "supplier", "Supplier"
    BOTH = "both", "Buyer and supplier"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LIMITED = "limited", "Limited"
    DISABLED = "disabled", "Disabled"


class Member(models.Model):
    """A member of the marketplace, as its own systems know them."""

    member_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=MemberKind.choices)
    country = models.CharField(max_length=2, blank=True)
    status = models.CharField(
        max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member_id"]
        # The console finds a member by their ID typed in any case.
        indexes = [models.Index(Upper("member_id"), name="member_id_any_case")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.member_id})"

    def is_kind(self, kind: str) -> bool:
        """True for a buyer asked whether a buyer, and for members who are both."""
        return self.kind in (kind, MemberKind.BOTH)


class Store(models.Model):
    name = models.CharField(max_length=200)
    store_url = models.CharField(max_length=500, unique=True)
    minisite_url = models.CharField(max_length=500, blank=True, db_index=True)
    owner = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="stores")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="store_name_lower")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.store_url = normalize_url(self.store_url)
        if self.minisite_url:
            self.minisite_url = normalize_url(self.minisite_url)
        super().save(*args, **kwargs)


class ListingStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESTRICTED = "restricted", "Restricted"
    REMOVED = "removed", "Removed"


class Listing(models.Model):
    product_url = models.CharField(max_length=500, unique=True)
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=120, blank=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="listings")
    status = models.CharField(
        max_length=10, choices=ListingStatus.choices, default=ListingStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_url"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        self.product_url = normalize_url(self.product_url)
        super().save(*args, **kwargs)


class Payment(models.TextChoices):
    ONLINE = "online", "Paid online"
    OFFLINE = "offline", "Paid offline"


class Order(models.Model):
    order_number = models.CharField(max_length=64, unique=True)
    buyer = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="purchases")
    seller = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sales")
    listing = models.ForeignKey(
        Listing, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    payment = models.CharField(max_length=10, choices=Payment.choices)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    protection_ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order_number"]

    def __str__(self) -> str:
        return self.order_number
