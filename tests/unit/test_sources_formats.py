"""Pure parsers of the real-dataset formats: RLE, mask merging, polygons, palette PNGs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cellbench.data.sources import consep, ctc, cvppp, dsb, monuseg
from cellbench.errors import InputError


def test_rle_decode_golden() -> None:
    # 1-based, column-major: pixel 1 = (0, 0), 2 = (1, 0), 4 = (0, 1) in a 3x3 image.
    mask = dsb.rle_decode("1 2 5 3", (3, 3))
    golden = np.zeros(9, dtype=bool)
    golden[[0, 1, 4, 5, 6]] = True
    np.testing.assert_array_equal(mask, golden.reshape(3, 3).T)
    assert mask[0, 0] and mask[1, 0] and not mask[2, 0]
    assert mask[1, 1] and mask[2, 1] and mask[0, 2]


def test_rle_decode_rejects_bad_runs() -> None:
    with pytest.raises(ValueError):
        dsb.rle_decode("1", (2, 2))
    with pytest.raises(ValueError):
        dsb.rle_decode("3 5", (2, 2))


def test_merge_masks_smallest_wins() -> None:
    big = np.zeros((6, 6), bool)
    big[0:5, 0:5] = True
    small = np.zeros((6, 6), bool)
    small[3:6, 3:6] = True
    labels, overlap = dsb.merge_masks([big, small])
    assert overlap == 4
    assert labels[4, 4] == 2 and labels[0, 0] == 1
    assert set(np.unique(labels)) == {0, 1, 2}


def test_merge_masks_drops_fully_covered_mask_and_relabels() -> None:
    a = np.zeros((4, 4), bool)
    a[:2, :2] = True
    b = a.copy()  # same area: the first wins, the second loses every pixel
    c = np.zeros((4, 4), bool)
    c[3, 3] = True
    labels, _ = dsb.merge_masks([a, b, c])
    assert labels.max() == 2 and labels[3, 3] == 2


def test_polygon_overlap_smaller_wins_and_degenerate_dropped() -> None:
    big = np.array([[0, 0], [9, 0], [9, 9], [0, 9]], float)
    small = np.array([[3, 3], [6, 3], [6, 6], [3, 6]], float)
    line = np.array([[1, 1], [2, 2]], float)
    labels, dropped = monuseg.rasterise([big, small, line], (12, 12))
    assert dropped == 1
    assert labels.max() == 2
    assert labels[4, 4] == 2 and labels[1, 1] == 1


def test_read_polygons(tmp_path: Path) -> None:
    xml = tmp_path / "a.xml"
    xml.write_text(
        "<Annotations><Annotation><Regions><Region Id='1'><Vertices>"
        "<Vertex X='1.5' Y='2' Z='0'/><Vertex X='5' Y='2'/><Vertex X='5' Y='6'/>"
        "</Vertices></Region></Regions></Annotation></Annotations>"
    )
    (poly,) = monuseg.read_polygons(xml)
    assert poly.shape == (3, 2) and poly[0, 0] == 1.5
    bad = tmp_path / "b.xml"
    bad.write_text("<Annotations>")
    with pytest.raises(InputError, match=r"b\.xml"):
        monuseg.read_polygons(bad)


def test_palette_png_labels(tmp_path: Path) -> None:
    indices = np.zeros((5, 5), np.uint8)
    indices[0, 0] = 3
    indices[4, 4] = 7
    image = Image.fromarray(indices, mode="P")
    image.putpalette([0, 0, 0] + [255, 0, 0] * 255)
    image.save(tmp_path / "p_label.png")
    labels = cvppp.read_palette_labels(tmp_path / "p_label.png")
    assert labels[0, 0] == 1 and labels[4, 4] == 2 and labels.max() == 2
    Image.fromarray(indices).save(tmp_path / "grey.png")
    with pytest.raises(InputError, match="palette"):
        cvppp.read_palette_labels(tmp_path / "grey.png")


def test_rgb_png_labels_no_overflow(tmp_path: Path) -> None:
    """An RGB label PNG: colours that collide under uint8 channel arithmetic stay distinct."""
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[0, 0] = (1, 0, 0)  # 1·256² …
    rgb[1, 1] = (0, 1, 0)  # … and 1·256 overflow to the same uint8 value as …
    rgb[2, 2] = (0, 0, 1)  # … 1 when multiplied in uint8
    rgb[3, 3] = (255, 255, 255)
    Image.fromarray(rgb, mode="RGB").save(tmp_path / "rgb_label.png")
    labels = cvppp.read_palette_labels(tmp_path / "rgb_label.png")
    assert labels.dtype == np.uint16 and labels[0, 1] == 0
    assert len({int(labels[i, i]) for i in range(4)}) == 4 and labels.max() == 4


def test_ctc_partial_flag() -> None:
    seg = np.zeros((6, 6), np.uint16)
    seg[0:2, 0:2] = 1
    tra = np.zeros((6, 6), np.uint16)
    tra[0, 0] = 5
    assert not ctc.is_partial(seg, tra)
    tra[4, 4] = 6
    assert ctc.is_partial(seg, tra)
    assert not ctc.is_partial(seg, None)


def test_consep_mat(tmp_path: Path) -> None:
    import scipy.io

    inst = np.zeros((4, 4), np.int32)
    inst[0, 0] = 2
    inst[3, 3] = 5
    inst_type = np.array([[1], [2], [3], [4], [5]])
    scipy.io.savemat(tmp_path / "x.mat", {"inst_map": inst, "inst_type": inst_type})
    labels, categories = consep.read_mat(tmp_path / "x.mat")
    assert labels[0, 0] == 1 and labels[3, 3] == 2
    assert categories == {1: "inflammatory", 2: "fibroblast"}
