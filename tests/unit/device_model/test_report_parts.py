"""Progress of a report in parts: repeated and out-of-order parts count once; complete only with the last part and
every part before it."""

from __future__ import annotations

from csms_device_model.domain.report_parts import COMPLETE, RECEIVING, Part, Progress, progress


def test_in_order() -> None:
    assert progress([Part(0, True), Part(1, True), Part(2, False)]) == Progress(COMPLETE, 3, ())


def test_out_of_order_and_repeated_parts_count_once() -> None:
    assert progress([Part(2, False), Part(0, True), Part(2, False), Part(1, True), Part(0, True)]) == Progress(
        COMPLETE, 3, ()
    )


def test_the_last_part_before_the_others_is_still_receiving_and_says_what_is_missing() -> None:
    assert progress([Part(3, False), Part(1, True)]) == Progress(RECEIVING, 2, (0, 2))


def test_without_the_last_part_the_gaps_below_the_highest_are_missing() -> None:
    assert progress([Part(0, True), Part(2, True)]) == Progress(RECEIVING, 2, (1,))


def test_nothing_yet() -> None:
    assert progress([]) == Progress(RECEIVING, 0, ())
