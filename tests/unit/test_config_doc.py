from cellbench.config_doc import END, START, key_table, update_readme
from tests.conftest import REPO

SCHEMAS = REPO / "workflow" / "schemas"


def test_config_readme_lists_every_key_of_the_schema() -> None:
    readme = REPO / "config" / "README.md"
    assert readme.read_text() == update_readme(readme, SCHEMAS), (
        "config/README.md is out of date: run python -m cellbench.config_doc"
    )


def test_key_table_has_nested_keys_types_and_bounds() -> None:
    table = key_table(SCHEMAS)
    assert "| `seed` | integer (≥ 0) |" in table
    assert "| `methods.cellulus.loss_variant` | `paper` \\| `code` |" in table
    assert "`real_data.sources`" in table
    assert START not in table and END not in table
