from csms_device_model.domain.commands.request_ids import request_id, with_request_id


def test_request_id_is_a_stable_positive_31_bit_integer() -> None:
    ids = {request_id(f"command-{n}") for n in range(1000)}
    assert len(ids) == 1000
    assert all(0 < value < 2**31 for value in ids)
    assert request_id("command-1") == request_id("command-1")


def test_params_get_the_request_id_of_the_command_unless_given() -> None:
    assert with_request_id({"report_base": "full_inventory"}, "c1") == {
        "report_base": "full_inventory",
        "request_id": request_id("c1"),
    }
    assert with_request_id({"request_id": 7}, "c1") == {"request_id": 7}
    assert with_request_id(["not", "an", "object"], "c1") == ["not", "an", "object"]
