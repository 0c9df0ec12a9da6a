"""One reading of what is missing, for the pages, the calculator and the pushes."""

from datetime import date

from matching.criteria.evaluate import missing_label, missing_labels


def test_missing_labels_read_the_evaluators_items_and_a_matchs_stored_copy():
    # given what the evaluator says is missing, and older stored forms of it
    item = missing_label({"field": "tags", "op": "has", "value": "高新技术企业"}, date(2026, 12, 6))
    stored = [item, {"field": "district"}, "成立日期"]
    # when their labels are read, then each gives the text an enterprise reads
    assert missing_labels(stored) == ["高新技术企业", "district", "成立日期"]
    assert missing_labels(None) == []
