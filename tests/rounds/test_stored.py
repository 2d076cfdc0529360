"""Reading a round's JSON arrays back a column at a time."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from qscore.rounds.stored import _columns

CELLS = st.one_of(st.none(), st.booleans(), st.text(alphabet=st.sampled_from('0.5-,"\\[] 不适用'), max_size=5))


def test_arrays_of_figures_are_read_as_columns():
    rows = ['["98.5","0.00"]', '["不适用","3.00"]', '["97","1.50"]']
    assert _columns(rows, 2) == [["98.5", "不适用", "97"], ["0.00", "3.00", "1.50"]]


def test_arrays_with_nulls_flags_and_escapes_are_read_by_the_json_decoder():
    rows = ['["a\\"b",null]', '[true,"c"]']
    assert [list(column) for column in _columns(rows, 2)] == [['a"b', True], [None, "c"]]


@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(CELLS, min_size=width, max_size=width),
                                                         max_size=5).map(lambda rows: (width, rows))))
@settings(max_examples=80)
def test_columns_are_the_arrays_decoded_and_transposed(case):
    width, arrays = case
    rows = [json.dumps(array, ensure_ascii=False, separators=(",", ":")) for array in arrays]
    expected = [list(column) for column in zip(*arrays)] if arrays else [[] for _ in range(width)]
    assert [list(column) for column in _columns(rows, width)] == expected
