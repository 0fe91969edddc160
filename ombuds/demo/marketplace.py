"""A demo marketplace: members, stores with minisites, listings and orders, always the same.

The records go through the directory importer, so the demo is built the way an operator's
own data would be.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

BASE = "https://market.example"

# (username, member_id, display name, email, kind, country)
NAMED_MEMBERS = [
    ("buyer", "us1001anna", "Anna Keller", "anna.keller@buyer.example", "buyer", "US"),
    ("buyer2", "de1002jonas", "Jonas Weber", "jonas.weber@buyer.example", "buyer", "DE"),
    (
        "supplier",
        "cn2001bright",
        "Shenzhen Brightway Electronics Co., Ltd.",
        "sales@brightway.example",
        "supplier",
        "CN",
    ),
    (
        "supplier2",
        "cn2002sunrise",
        "Yiwu Sunrise Crafts Co., Ltd.",
        "info@sunrise-crafts.example",
        "supplier",
        "CN",
    ),
]
FIRST = [
    "Maria",
    "Liam",
    "Sofia",
    "Noah",
    "Emma",
    "Lucas",
    "Mia",
    "Ethan",
    "Chloe",
    "Mateo",
    "Aisha",
    "Omar",
    "Yuki",
    "Hana",
    "Ivan",
    "Olga",
    "Pedro",
    "Lucia",
    "Kofi",
    "Amara",
]
LAST = [
    "Garcia",
    "Smith",
    "Rossi",
    "Novak",
    "Silva",
    "Kim",
    "Tanaka",
    "Okafor",
    "Dubois",
    "Jensen",
    "Kowalski",
    "Haddad",
    "Nguyen",
    "Petrov",
    "Moreau",
]
COUNTRIES = ["US", "DE", "FR", "GB", "ES", "IT", "PL", "BR", "MX", "NG", "JP", "KR", "AE", "AU"]
SUPPLIER_WORDS = [
    ("Ningbo", "Homeware"),
    ("Guangzhou", "Apparel"),
    ("Hangzhou", "Tools"),
    ("Xiamen", "Outdoor"),
    ("Dongguan", "Toys"),
    ("Suzhou", "Textiles"),
    ("Qingdao", "Machinery"),
    ("Foshan", "Lighting"),
    ("Istanbul", "Leather"),
    ("Mumbai", "Spices"),
    ("Ho Chi Minh", "Furniture"),
    ("Bangkok", "Beauty"),
    ("Lodz", "Fabrics"),
    ("Porto", "Footwear"),
    ("Izmir", "Ceramics"),
]
PRODUCTS = {
    "Electronics": [
        "USB-C fast charger 65W",
        "Bluetooth earbuds with charging case",
        "10000mAh power bank",
        "4K HDMI cable 2 m",
        "Smart watch with heart rate",
        "LED desk lamp with wireless charger",
    ],
    "Home": [
        "Stainless steel water bottle 750 ml",
        "Bamboo cutting board set",
        "Ceramic coffee mug 350 ml",
        "Cotton bath towel set",
        "Glass food containers",
    ],
    "Apparel": [
        "Men's cotton T-shirt",
        "Women's rain jacket",
        "Wool knit beanie",
        "Running shoes lightweight",
        "Leather belt with steel buckle",
    ],
    "Tools": [
        "Cordless drill 18V",
        "Screwdriver set 32 pieces",
        "Digital tape measure",
        "Adjustable wrench 10 inch",
    ],
    "Toys": ["Wooden building blocks 100 pieces", "Remote control car 1:16", "Plush teddy bear"],
    "Beauty": ["Vitamin C face serum 30 ml", "Hair dryer 1800W", "Makeup brush set"],
}
PROHIBITED = [
    ("Firearms", "Replica pistol convertible to live fire, full metal"),
    ("Police equipment", "Police handcuffs and telescopic baton set"),
    ("Cold weapons", "Butterfly knife balisong, sharpened"),
    ("Cartridges", "9mm cartridges, box of 50"),
    ("Pyrotechnics", "Professional fireworks cake 500 shots"),
    ("Medicines", "Oxycodone 30 mg tablets, no prescription needed"),
    ("Software licenses", "Windows 11 Pro lifetime license key, instant delivery"),
    ("Endangered animals", "Carved ivory bracelet, genuine elephant ivory"),
    ("Narcotics", "Cannabis seeds high THC, discreet shipping"),
    ("Poisons", "Potassium cyanide 99% pure, 100 g"),
    ("Malware", "Remote access tool, undetectable by antivirus"),
]


def _member(member_id: str, name: str, email: str, kind: str, country: str) -> dict[str, Any]:
    return {
        "type": "member",
        "member_id": member_id,
        "email": email,
        "display_name": name,
        "kind": kind,
        "country": country,
        "status": "active",
    }


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")


def demo_records(now: datetime | None = None) -> Iterator[dict[str, Any]]:
    rng = random.Random(20261121)
    now = now or timezone.now()
    suppliers: list[tuple[str, str]] = []
    buyers: list[str] = []
    for _, member_id, name, email, kind, country in NAMED_MEMBERS:
        yield _member(member_id, name, email, kind, country)
        if kind == "supplier":
            suppliers.append((member_id, name))
        else:
            buyers.append(member_id)
    for i in range(36):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        member_id = f"{COUNTRIES[i % len(COUNTRIES)].lower()}{3000 + i}{first.lower()}"
        kind = "both" if i % 9 == 0 else "buyer"
        yield _member(
            member_id,
            f"{first} {last}",
            f"{first}.{last}{i}@mail.example".lower(),
            kind,
            COUNTRIES[i % len(COUNTRIES)],
        )
        buyers.append(member_id)
    for i, (city, trade) in enumerate(SUPPLIER_WORDS):
        member_id = f"sup{4000 + i}{_slug(city).replace('-', '')}"
        name = f"{city} {trade} Trading Co., Ltd."
        yield _member(
            member_id,
            name,
            f"sales{i}@{_slug(city)}-{trade.lower()}.example",
            "supplier",
            "CN" if i < 8 else COUNTRIES[i % len(COUNTRIES)],
        )
        suppliers.append((member_id, name))
    stores: list[tuple[str, str]] = []
    for member_id, name in suppliers:
        short = _slug(name.split(" Co.")[0].replace("Shenzhen ", "").replace("Yiwu ", ""))
        store_url = f"{BASE}/store/{short}"
        yield {
            "type": "store",
            "store_url": store_url,
            "name": name.split(" Co.")[0],
            "owner": member_id,
            "minisite_url": f"https://{short}.market.example",
        }
        stores.append((store_url, member_id))
    listings: list[tuple[str, str]] = []
    number = 1600000000
    for index in range(230):
        category = rng.choice(list(PRODUCTS))
        title = rng.choice(PRODUCTS[category])
        store_url, owner = stores[index % len(stores)]
        number += rng.randint(1, 900)
        url = f"{BASE}/product/{_slug(title)}-{number}.html"
        yield {
            "type": "listing",
            "product_url": url,
            "title": title,
            "store": store_url,
            "category": category,
            "status": "active",
        }
        listings.append((url, owner))
    for index, (category, title) in enumerate(PROHIBITED):
        store_url, owner = stores[(index * 5 + 3) % len(stores)]
        url = f"{BASE}/product/{_slug(title)[:40]}-{1700000000 + index}.html"
        yield {
            "type": "listing",
            "product_url": url,
            "title": title,
            "store": store_url,
            "category": category,
            "status": "active",
        }
    for index in range(130):
        listing_url, seller = listings[(index * 13) % len(listings)]
        buyer = "us1001anna" if index < 6 else ("de1002jonas" if index < 10 else rng.choice(buyers))
        online = index % 3 != 0
        paid = now - timedelta(days=rng.randint(2, 120), hours=rng.randint(0, 23))
        shipped = paid + timedelta(days=rng.randint(1, 5))
        delivered = shipped + timedelta(days=rng.randint(5, 20))
        yield {
            "type": "order",
            "order_number": f"{'ON' if online else 'OF'}-{2026000 + index:07d}",
            "buyer": buyer,
            "seller": seller,
            "listing": listing_url,
            "amount": f"{rng.randint(20, 9000)}.{rng.randint(0, 99):02d}",
            "currency": rng.choice(["USD", "USD", "EUR"]),
            "payment": "online" if online else "offline",
            "paid_at": paid.isoformat(),
            "shipped_at": shipped.isoformat() if index % 7 else "",
            "delivered_at": delivered.isoformat() if index % 5 and delivered < now else "",
            "protection_ends_at": (paid + timedelta(days=60)).isoformat() if online else "",
        }


def demo_jsonl(now: datetime | None = None) -> str:
    return "".join(json.dumps(r) + "\n" for r in demo_records(now))
