"""The one IoU used by layout, tracks and the ASD evaluation."""

import pytest

from engage.geometry import rect_iou


def test_rect_iou_cases():
    assert rect_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert rect_iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert rect_iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    assert rect_iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0
