"""Ofsted Annex A and the CSWW census XML: the samples parse, identifiers never survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from csceval.data.annex_a import pseudonym, read_annex_a, snake
from csceval.data.csww import la_measures, read_csww
from csceval.errors import InputError

KEY = b"a secret key of 32 bytes........"
IDENTIFIER_COLUMNS = {"date_of_birth", "allocated_personal_advisor", "placement_postcode"}


def _annex(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "samples" / "annex_a").glob("*.xlsx"))
    assert len(files) == 2
    return files


def test_annex_a_samples_parse_with_pseudonyms(shared_data: Path) -> None:
    for path in _annex(shared_data):
        annex = read_annex_a(path, key=KEY)
        assert sorted(annex.lists) == list(range(1, 12))
        referrals = annex.lists[3]
        assert {"child_unique_id", "referral_date", "allocated_worker"} <= set(referrals.columns)
        assert referrals["gender"].iloc[0] == "Male"  # "a) Male" -> "Male"
        assert referrals["child_unique_id"].iloc[0] == pseudonym(KEY, 6537810)
        assert "Dustin" not in referrals.to_string()
        for frame in annex.lists.values():
            assert not IDENTIFIER_COLUMNS & set(frame.columns)
        adopters = annex.lists[11]
        assert adopters["individual_adopter_identifier"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_one_child_keeps_one_pseudonym_across_lists(shared_data: Path) -> None:
    annex = read_annex_a(_annex(shared_data)[0], key=KEY)
    ids = [set(annex.lists[n]["child_unique_id"].dropna()) for n in range(1, 11)]
    assert any(a & b for i, a in enumerate(ids) for b in ids[i + 1 :])
    other = read_annex_a(_annex(shared_data)[0], key=b"another key of 16+ bytes")
    assert not set(other.lists[3]["child_unique_id"]) & set(annex.lists[3]["child_unique_id"])


def test_annex_a_drop_mode_and_key_rules(shared_data: Path) -> None:
    path = _annex(shared_data)[0]
    dropped = read_annex_a(path, mode="drop")
    assert "child_unique_id" not in dropped.lists[3].columns
    assert "allocated_worker" not in dropped.lists[3].columns
    with pytest.raises(InputError) as caught:
        read_annex_a(path, key=b"short")
    assert caught.value.problems[0].code == "CSC-E4024"


def test_header_variants_map_to_one_name() -> None:
    assert snake("Age of Child (Years)") == snake("Age") == "age"
    assert snake("Does the Child have a Disability") == "disability"
    assert snake(" Date of Referral ") == snake("date of referral") == "referral_date"


def test_csww_sample(shared_data: Path) -> None:
    census = read_csww(
        shared_data / "samples" / "csww" / "social_work_workforce_2022_sample.xml", key=KEY
    )
    assert (census.la_code, census.year, str(census.reference_date)) == ("301", 2022, "2022-09-30")
    assert census.vacancies == {
        "NumberOfVacancies": 79.68,
        "NoAgencyFTE": 59.82,
        "NoAgencyHeadcount": 71.0,
    }
    assert len(census.workers) == 30
    assert "PersonBirthDate" not in census.workers.columns
    assert census.workers["SWENo"].iloc[0] == pseudonym(KEY, "Oz2054309383")
    assert census.workers["age"].iloc[0] == 55  # born 1967-01-04, at 2022-09-30


def test_csww_measures_follow_dfe_definitions(tmp_path: Path) -> None:
    workers = [
        # agency, FTE, cases, role end date, FTE30
        (0, 1.0, 20, None, None),
        (0, 0.5, 10, None, None),
        (0, 1.0, 0, None, None),
        (0, 0.0, 0, "2024-03-31", 0.8),  # left within the year
        (0, 0.0, 0, "2022-01-31", 1.0),  # left before the year: not a leaver
        (1, 1.0, 15, None, None),
    ]
    body = "".join(
        "<CSWWWorker>"
        f"<AgencyWorker>{a}</AgencyWorker><FTE>{f}</FTE><Cases30>{c}</Cases30>"
        + (f"<RoleEndDate>{end}</RoleEndDate><FTE30>{f30}</FTE30>" if end else "")
        + "</CSWWWorker>"
        for a, f, c, end, f30 in workers
    )
    path = tmp_path / "csww.xml"
    path.write_text(
        "<Message><Header><CollectionDetails><Collection>CSWW</Collection><Year>2024</Year>"
        "<ReferenceDate>2024-09-30</ReferenceDate></CollectionDetails><Source><LEA>805</LEA>"
        "</Source></Header><LALevelVacancies><NumberOfVacancies>0.5</NumberOfVacancies>"
        f"<NoAgencyFTE>1</NoAgencyFTE></LALevelVacancies>{body}</Message>"
    )
    measures = la_measures(read_csww(path))
    assert measures["sw_fte"] == 2.5
    assert measures["sw_turnover_pct"] == 32.0  # 0.8 / 2.5
    assert measures["sw_agency_pct"] == 28.6  # 1 / (1 + 2.5)
    assert measures["sw_vacancy_pct"] == 16.7  # 0.5 / (0.5 + 2.5)
    assert measures["sw_caseload"] == 20.0  # 30 cases / 1.5 case-holding FTE


def test_csww_rejects_entities(tmp_path: Path) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<Message><Header><CollectionDetails><Collection>&x;</Collection></CollectionDetails>"
        "</Header></Message>"
    )
    with pytest.raises(InputError) as caught:
        read_csww(path)
    assert caught.value.problems[0].code in {"CSC-E4030", "CSC-E4031"}
    assert "root:" not in caught.value.problems[0].value
