"""regcore.site.glue.words_list: lists as prose, the way the chapters write them."""
from regcore.site.glue import words_list


def test_none_one_two_many():
    assert words_list([]) == ""
    assert words_list(["dropout"]) == "dropout"
    assert words_list(["l1", "dropout"]) == "l1 and dropout"
    assert words_list(["wd", "l1", "dropout"]) == "wd, l1 and dropout"


def test_code_sets_each_item_in_backticks():
    assert words_list(["l1", "mlp"], code=True) == "`l1` and `mlp`"
