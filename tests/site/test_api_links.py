"""regcore.site.api_links: the regcore names a chapter's code uses, whatever the import style,
resolved to the objects autodoc documents (so re-exports count for their definition)."""
from regcore.site.api_links import canonical, usage_index, used_paths


def test_every_import_style_is_followed():
    cells = [
        "import regcore\nfrom regcore import studies\nimport regcore.stats as st\n"
        "from regcore.theory import ridge_eigen as re_\nfrom regcore.analysis import r_squared",
        "regcore.fit(model, data)\nstudies.summary(res)\nst.mean_interval(x)\n"
        "re_.derive()\nr_squared(a, b)\nimport numpy as np\nnp.mean(x)",
    ]
    paths = used_paths(cells)
    for expected in ("regcore.fit", "regcore.studies.summary", "regcore.stats.mean_interval",
                     "regcore.theory.ridge_eigen.derive", "regcore.analysis.r_squared"):
        assert expected in paths, expected
    assert not any(p.startswith("numpy") or p.startswith("np") for p in paths)


def test_names_assigned_are_not_uses():
    assert used_paths(["from regcore import studies\nstudies = 3"]) == set()


def test_aliases_carry_over_to_later_cells_like_a_running_notebook():
    assert "regcore.studies.verdict" in used_paths(["from regcore import studies",
                                                    "studies.verdict(d)"])


def test_re_exports_resolve_to_their_definition():
    assert canonical("regcore.fit") == "regcore.training.fit"
    assert canonical("regcore.sweep.sweep") == "regcore.sweep.run.sweep"
    assert canonical("regcore.MLP") == "regcore.models.MLP"
    assert canonical("regcore.studies") == "regcore.studies"           # a module
    assert canonical("regcore.studies.GRIDS") is None                  # a constant: no entry
    assert canonical("regcore.studies.no_such_name") is None
    assert canonical("regcore.training.TrainSettings.lr") is None      # a field's value


def test_index_lists_each_chapter_once_in_order():
    index = usage_index({"book/b": ["import regcore\nregcore.fit(m, d)\nregcore.fit(m, d)"],
                         "book/a": ["from regcore.training import fit\nfit(m, d)"]})
    assert index["regcore.training.fit"] == ["book/b", "book/a"]


def _cache_with_one_page(tmp_path, suffix):
    import json
    from dataclasses import asdict

    from sphinx_codeautolink.extension.block import CodeExample, Name, SourceTransform
    from sphinx_codeautolink.extension.cache import DataCache

    src, doctrees = tmp_path / "src", tmp_path / "doctrees"
    (src / "book").mkdir(parents=True)
    doctrees.mkdir()
    (src / "book" / f"page{suffix}").write_text("x")
    name = Name(["regcore", "fit"], "regcore.fit", 1, 1)
    entry = SourceTransform("regcore.fit()", [name], CodeExample("book/page", "id", []), 3)
    (doctrees / DataCache.cache_filename).write_text(json.dumps({"book/page": [asdict(entry)],
                                                                 "book/gone": []}))
    cache = DataCache(str(doctrees), str(src))
    cache.read()
    return cache.transforms


def test_codeautolink_keeps_the_parsed_code_of_markdown_pages(tmp_path):
    from regcore.site.api_links import keep_codeautolink_links_on_markdown_pages
    keep_codeautolink_links_on_markdown_pages()
    transforms = _cache_with_one_page(tmp_path, ".md")
    assert list(transforms) == ["book/page"]            # a page whose source is gone is dropped
    (entry,) = transforms["book/page"]
    assert entry.names[0].code_str == "regcore.fit" and entry.example.document == "book/page"


def test_reference_pages_are_reread_only_when_the_back_links_change():
    from regcore.site.api_links import pages_to_reread

    docs = {"book/intro", "book/reference/data", "book/reference/sweep"}
    usage = {"regcore.data.make_data": ["book/intro"]}
    assert pages_to_reread(docs, usage, dict(usage)) == []
    assert pages_to_reread(docs, usage, None) == ["book/reference/data", "book/reference/sweep"]
    moved = {"regcore.data.make_data": ["book/intro", "book/toy_problem"]}
    assert pages_to_reread(docs, moved, usage) == ["book/reference/data", "book/reference/sweep"]
