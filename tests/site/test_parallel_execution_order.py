"""The execution order's record (regcore.site.parallel_execution): only times of chapters that had
a core of their own order the next build."""
from regcore.site.parallel_execution import _record_seconds


def test_a_foreground_time_is_recorded_and_replaces_the_last():
    seconds = {"book/dropout": 30.0}
    _record_seconds(seconds, "book/dropout", 12.5, in_background=False)
    assert seconds == {"book/dropout": 12.5}


def test_a_background_time_keeps_the_last_foreground_one():
    seconds = {"book/weight_decay": 16.0}
    _record_seconds(seconds, "book/weight_decay", 96.2, in_background=True)
    assert seconds == {"book/weight_decay": 16.0}


def test_a_chapter_only_ever_run_in_the_background_has_no_time():
    seconds = {}
    _record_seconds(seconds, "book/toy_problem", 88.7, in_background=True)
    assert seconds == {}
