from django.contrib import admin

from ombuds.directory.models import Listing, Member, Order, Store


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["member_id", "display_name", "email", "kind", "country", "status"]
    list_filter = ["kind", "status", "country"]
    search_fields = ["member_id", "display_name", "email"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "store_url", "minisite_url", "owner"]
    search_fields = ["name", "store_url", "minisite_url", "owner__member_id"]
    raw_id_fields = ["owner"]


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "product_url", "category", "store", "status"]
    list_filter = ["status", "category"]
    search_fields = ["title", "product_url", "store__name"]
    raw_id_fields = ["store"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["order_number", "buyer", "seller", "amount", "currency", "payment", "paid_at"]
    list_filter = ["payment", "currency"]
    search_fields = ["order_number", "buyer__member_id", "seller__member_id"]
    raw_id_fields = ["buyer", "seller", "listing"]
