"""Lambda-style handlers for the order sample: plain functions of (event, context)."""

_attempts: dict[str, int] = {}


class InvalidOrder(Exception):
    """The order cannot be processed as given."""


class PaymentGatewayBusy(Exception):
    """A transient payment failure: the workflow retries it."""


class OutOfStock(Exception):
    """No warehouse or supplier can ship the items."""


def validate_order(event, context):
    if not event.get("items"):
        raise InvalidOrder(f"order {event.get('orderId')} has no items")
    return {"valid": True, "itemCount": len(event["items"])}


def charge_card(event, context):
    # The gateway is busy on the first attempt of every order, to show Retry at work.
    n = _attempts[event["orderId"]] = _attempts.get(event["orderId"], 0) + 1
    if n == 1:
        raise PaymentGatewayBusy("gateway busy, try again")
    return {"chargeId": f"ch_{event['orderId']}", "attempt": n}


def check_warehouse(event, context):
    missing = [i["sku"] for i in event["items"] if i["sku"].startswith("RARE")]
    if missing:
        raise OutOfStock(f"not in the warehouse: {', '.join(missing)}")
    return {"source": "warehouse", "available": True}


def check_supplier(event, context):
    return {"source": "supplier", "leadDays": 3}


def notify_customer(event, context):
    return {"sent": event["message"]}


def refund_charge(event, context):
    return {"refunded": event["charge"]["chargeId"]}
