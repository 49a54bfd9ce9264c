"""Lambda-style handlers for the checkout sample: plain functions of (event, context)."""

_attempts: dict[str, int] = {}


class CardDeclined(Exception):
    """The card issuer said no."""


class PaymentGatewayBusy(Exception):
    """A transient payment failure: the workflow retries it."""


class OutOfStock(Exception):
    """An item cannot be reserved."""


def validate_cart(event, context):
    total = sum(item["price"] * item["qty"] for item in event["items"])
    return {"total": total, "lines": len(event["items"])}


def charge_card(event, context):
    card = event["card"]
    if card == "declined":
        raise CardDeclined(f"card {card} declined")
    if card == "busy":  # busy on the first attempt of each cart, to show Retry at work
        n = _attempts[event["cartId"]] = _attempts.get(event["cartId"], 0) + 1
        if n == 1:
            raise PaymentGatewayBusy("gateway busy, try again")
    return {"chargeId": f"ch_{event['cartId']}", "amount": event["cart"]["total"]}


def reserve_stock(event, context):
    gone = [item["sku"] for item in event["items"] if item["sku"].startswith("GONE")]
    if gone:
        raise OutOfStock(f"out of stock: {', '.join(gone)}")
    return {"reserved": [item["sku"] for item in event["items"]]}


def send_receipt(event, context):
    return {"to": event["email"], "total": event["cart"]["total"]}


def refund(event, context):
    charge = event.get("charge") or {}
    return {"refunded": charge.get("chargeId")}
