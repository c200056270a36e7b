"""One reader for every method's torch model file: each bad file is named with its problem."""

import pytest
import torch

from cellbench.checkpoints import read_checkpoint
from cellbench.errors import InputError


def test_reads_a_matching_checkpoint(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"method": "deepng", "state_dict": {"w": torch.ones(2)}}, path)
    record = read_checkpoint(
        path, "deepng model file", keys=("state_dict",), markers={"method": ["deepng"]}
    )
    assert record["method"] == "deepng" and torch.equal(record["state_dict"]["w"], torch.ones(2))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "model file does not exist"),
        (b"PK\x03\x04 truncated", "cannot be read as a model file"),
        ([1, 2], r"not a model file \(no dictionary inside\)"),
        ({"method": "deepng"}, r"keys state_dict missing"),
        (
            {"method": "cellulus", "state_dict": {}},
            r"method is 'cellulus', expected one of \['deepng'\]",
        ),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, content, message):
    path = tmp_path / "model.pt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        torch.save(content, path)
    with pytest.raises(InputError, match=message) as error:
        read_checkpoint(path, "model file", keys=("state_dict",), markers={"method": ["deepng"]})
    assert str(path) in str(error.value)
