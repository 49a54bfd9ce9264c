"""Handler for the orders-csv sample: prices a batch of orders read from a CSV object."""


class EmptyOrder(Exception):
    """An order with no quantity cannot be priced."""


def price_batch(event, context):
    """One batch: `{"Items": [CSV rows as strings], "BatchInput": {"currency", "vatRate"}}`."""
    settings = event["BatchInput"]
    priced = []
    for order in event["Items"]:
        quantity = int(order["quantity"])
        if quantity == 0:
            raise EmptyOrder(f"order {order['order_id']} has no quantity")
        net = round(quantity * float(order["unit_price"]), 2)
        priced.append({"orderId": order["order_id"], "customer": order["customer"], "net": net,
                       "gross": round(net * (1 + settings["vatRate"]), 2), "currency": settings["currency"]})
    return priced
