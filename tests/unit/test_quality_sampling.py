"""Stratified samples: reproducible, pseudonymous, allocated as documented, replaceable."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csceval.errors import InputError
from csceval.strands.quality_of_recording.case_list import CaseList
from csceval.strands.quality_of_recording.pseudonyms import pseudonymise
from csceval.strands.quality_of_recording.sampling import allocate, draw_sample, replace_case

KEY = "an-la-supplied-secret-key-2018"
strata = st.lists(st.sampled_from(["cin", "cin_plan", "cpp", "cla", "team-a"]), min_size=1,
                  max_size=80)  # fmt: skip


def _list(labels: list[str], order: list[int] | None = None) -> CaseList:
    frame = pd.DataFrame(
        {"case_id": [f"ID{i:04d}" for i in range(len(labels))], "stratum": labels,
         "team": "", "opened": "", "closed": ""}
    )  # fmt: skip
    if order is not None:
        frame = frame.iloc[order]
    frame = frame.sort_values("case_id").reset_index(drop=True)
    return CaseList("871", frame, "test")


@settings(max_examples=40, deadline=None)
@given(labels=strata, seed=st.integers(0, 2**31), n=st.integers(1, 20),
       allocation=st.sampled_from(["proportional", "equal"]))  # fmt: skip
def test_same_list_seed_and_key_give_the_same_sample(
    labels: list[str], seed: int, n: int, allocation: str
) -> None:
    a = draw_sample(_list(labels), KEY, seed=seed, n=n, allocation=allocation)
    shuffled = list(reversed(range(len(labels))))
    b = draw_sample(_list(labels, shuffled), KEY, seed=seed, n=n, allocation=allocation)
    pd.testing.assert_frame_equal(a.rows, b.rows)
    assert a.list_sha256 == b.list_sha256
    sampled = a.sampled
    assert len(sampled) == min(n, len(labels))
    ids = set(_list(labels).cases["case_id"])
    text = a.rows.to_csv()
    assert not any(i in text for i in ids), "a case id leaked into the sample"
    assert set(a.rows["pseudonym"]) <= set(pseudonymise(KEY, "871", sorted(ids)))


@given(sizes=st.dictionaries(st.sampled_from("abcdef"), st.integers(1, 50), min_size=1),
       n=st.integers(1, 40), allocation=st.sampled_from(["proportional", "equal"]))  # fmt: skip
def test_allocation_fills_the_sample_within_stratum_sizes(
    sizes: dict[str, int], n: int, allocation: str
) -> None:
    out = allocate(sizes, n, allocation)
    assert sum(out.values()) == min(n, sum(sizes.values()))
    assert all(0 <= out[h] <= sizes[h] for h in sizes)


def test_allocation_examples() -> None:
    assert allocate({"a": 100, "b": 3, "c": 50}, 10, "proportional") == {"a": 7, "b": 0, "c": 3}
    assert allocate({"a": 100, "b": 1, "c": 50}, 10, "equal") == {"a": 5, "b": 1, "c": 4}
    assert allocate({"a": 10, "b": 10}, 10, "equal") == {"a": 5, "b": 5}


def test_another_seed_gives_another_sample() -> None:
    labels = ["cin"] * 60 + ["cla"] * 40
    a = draw_sample(_list(labels), KEY, seed=1)
    b = draw_sample(_list(labels), KEY, seed=2)
    assert set(a.sampled["pseudonym"]) != set(b.sampled["pseudonym"])
    assert a.record()["case_list_sha256"] == b.record()["case_list_sha256"]


def test_replacement_takes_the_next_reserve_of_the_same_stratum() -> None:
    sample = draw_sample(_list(["cin"] * 30 + ["cla"] * 10), KEY, seed=7, n=4, reserve=2)
    cla = sample.rows[sample.rows["stratum"] == "cla"]
    first = cla[cla["status"] == "sampled"]["pseudonym"].iat[0]
    reserve = cla[cla["status"] == "reserve"].sort_values("drawn_rank")["pseudonym"].tolist()
    after = replace_case(sample, first, "file_unavailable")
    rows = after.rows.set_index("pseudonym")
    assert rows.at[first, "status"] == "replaced"
    assert rows.at[first, "replaced_by"] == reserve[0]
    assert (rows.at[reserve[0], "status"], rows.at[reserve[0], "replaces"]) == ("used", first)
    assert len(after.sampled) == len(sample.sampled)
    again = replace_case(after, reserve[0], "access_restricted")
    with pytest.raises(InputError) as caught:
        replace_case(again, reserve[1], "other")
    assert caught.value.problems[0].code == "CSC-E3212"
    assert "no reserve" in caught.value.problems[0].message
    with pytest.raises(InputError) as caught:
        replace_case(sample, "P-NOTSAMPLED00000", "because")
    assert [p.code for p in caught.value.problems] == ["CSC-E3212", "CSC-E3212"]


def test_impossible_settings_are_refused() -> None:
    with pytest.raises(InputError) as caught:
        draw_sample(_list(["cin"]), KEY, seed=-1, n=0, allocation="random", reserve=-1)
    assert [p.code for p in caught.value.problems] == ["CSC-E3211"] * 4
    with pytest.raises(InputError) as caught:
        draw_sample(_list([]), KEY, seed=1)
    assert caught.value.problems[0].code == "CSC-E3209"
