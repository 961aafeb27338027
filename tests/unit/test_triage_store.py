from mfr.triage_store import TriageRecord, clip, list_records, save_record


def test_free_text_is_one_line_clipped_and_without_contact_details() -> None:
    text = "pain in my neck\n call me on +44 7700 900123 or jo@example.org " + "x" * 400
    clipped = clip(text)
    assert clipped is not None
    assert "\n" not in clipped and len(clipped) <= 200
    assert "7700" not in clipped and "jo@example.org" not in clipped
    assert clipped.startswith("pain in my neck call me on [PHONE]")


def test_records_round_trip(tmp_path) -> None:
    db = tmp_path / "t.db"
    save_record(TriageRecord("s1", "rest", "neck", "2 weeks", ["knots"], ["fracture_risk"], False, "self", "d"), db)
    [record] = list(list_records(db))
    assert record.symptoms == ["knots"] and record.risk_factors == ["fracture_risk"]
    assert record.red_flag is False and record.channel == "rest"
