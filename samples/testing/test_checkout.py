"""The checkout machine under pytest: `pytest samples/testing --sfn-coverage` (sfn's plugin gives `sfn`)."""

from pathlib import Path

MACHINE = Path(__file__).parent / "checkout.asl.json"
CART = {"cartId": "c1", "email": "ada@example.com", "card": "visa",
        "items": [{"sku": "BOOK-1", "price": 12, "qty": 2}]}


def test_paid_cart_is_fulfilled(sfn):
    execution = sfn.run(MACHINE, CART)  # the handlers of resources.yaml answer every Task
    assert execution.status == "SUCCEEDED"
    assert execution.path == ["ValidateCart", "RouteByTotal", "ChargeCard", "Fulfil", "ReserveStock",
                              "SendReceipt", "Done"]
    assert execution.output["fulfilment"]["receipt"] == {"to": "ada@example.com", "total": 24}


def test_free_cart_skips_the_charge(sfn):
    execution = sfn.run(MACHINE, {**CART, "items": [{"sku": "GIFT", "price": 0, "qty": 1}]})
    assert execution.status == "SUCCEEDED"
    assert "ChargeCard" not in execution.path


def test_big_cart_goes_to_review(sfn):
    execution = sfn.run(MACHINE, {**CART, "items": [{"sku": "TV", "price": 1500, "qty": 1}]})
    execution.assert_failed("ManualReviewRequired")


def test_busy_gateway_is_retried_then_declined(sfn):
    # Python mocks, per attempt: the first call is busy (Retry), the second declined (Catch).
    execution = sfn.run(MACHINE, CART, mocks={"ChargeCard": {
        "0": {"Throw": {"Error": "PaymentGatewayBusy", "Cause": "busy"}},
        "1": {"Throw": {"Error": "CardDeclined", "Cause": "insufficient funds"}}}})
    execution.assert_failed("PaymentDeclined")
    assert execution.state_output("ChargeCard")["error"] == {"Error": "CardDeclined", "Cause": "insufficient funds"}


def test_out_of_stock_is_refunded(sfn):
    execution = sfn.run(MACHINE, CART, mocks={"ReserveStock": {"Throw": {"Error": "OutOfStock"}},
                                              "Refund": {"Return": {"refunded": "ch_c1"}}})
    execution.assert_failed("OutOfStock")
    assert execution.path[-2:] == ["Refund", "OutOfStock"]
    assert execution.state_input("Refund")["charge"]["chargeId"] == "ch_c1"
