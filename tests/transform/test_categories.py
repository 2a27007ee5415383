from jobs.transform import MappingConfig, transform_categories

CONFIG = MappingConfig(locales={"en_US": "en-US", "fr_FR": "fr-FR"})


def category(code, parent, en=None, fr=None):
    labels = {k: v for k, v in (("en_US", en), ("fr_FR", fr)) if v}
    return {"code": code, "parent": parent, "labels": labels}


def ids_and_parents(result):
    return [(c.id, c.parent) for c in result.categories]


def test_it_makes_the_tree_root_the_sfcc_root_and_orders_parents_first():
    result = transform_categories(
        [
            category("shirts_long", "shirts"),
            category("shirts", "master"),
            category("master", None, "Master catalog", "Catalogue"),
            category("pants", "master"),
        ],
        "master",
        CONFIG,
    )
    assert ids_and_parents(result) == [
        ("root", None),
        ("shirts", "root"),
        ("pants", "root"),
        ("shirts_long", "shirts"),
    ]
    assert result.categories[0].display_name == {
        "x-default": "Master catalog",
        "en-US": "Master catalog",
        "fr-FR": "Catalogue",
    }
    assert result.ids == {"shirts": "shirts", "pants": "pants", "shirts_long": "shirts_long"}
    assert result.problems == []


def test_it_leaves_out_other_trees_silently():
    result = transform_categories(
        [category("master", None), category("a", "master"), category("sales", None), category("b", "sales")],
        "master",
        CONFIG,
    )
    assert ids_and_parents(result) == [("root", None), ("a", "root")]
    assert result.problems == []


def test_it_falls_back_to_the_code_for_a_category_without_label():
    result = transform_categories(
        [category("master", None), category("a", "master", fr="Aa")], "master", CONFIG
    )
    assert result.categories[1].display_name == {"x-default": "a", "fr-FR": "Aa"}


def test_it_reports_circular_parents_instead_of_looping():
    result = transform_categories(
        [
            category("master", None),
            category("a", "b"),
            category("b", "c"),
            category("c", "a"),
            category("d", "a"),
        ],
        "master",
        CONFIG,
    )
    assert ids_and_parents(result) == [("root", None)]
    assert {p.identifier for p in result.problems} == {"a", "b", "c", "d"}
    assert all("circular" in p.message for p in result.problems)


def test_it_reports_a_category_that_is_its_own_parent():
    result = transform_categories([category("master", None), category("a", "a")], "master", CONFIG)
    assert [str(p) for p in result.problems] == ["a: category 'a' is its own parent; not imported"]


def test_it_reports_dangling_parents_with_everything_below_them():
    result = transform_categories(
        [category("master", None), category("a", "ghost"), category("b", "a"), category("ok", "master")],
        "master",
        CONFIG,
    )
    assert ids_and_parents(result) == [("root", None), ("ok", "root")]
    assert [str(p) for p in result.problems] == [
        "a: parent category 'ghost' of 'a' does not exist; not imported",
        "b: parent category 'ghost' of 'a' does not exist; not imported",
    ]


def test_it_reports_a_missing_tree_as_fatal():
    result = transform_categories([category("sales", None)], "master", CONFIG)
    assert result.categories == []
    assert result.problems[0].fatal


def test_it_transforms_the_icecat_master_tree(icecat):
    result = transform_categories(icecat["categories"], "master", CONFIG)
    assert result.problems == []
    seen = set()
    for item in result.categories:
        assert item.parent is None or item.parent in seen
        seen.add(item.id)
    assert "master_men_blazers_deals" in seen
    assert "supplier_zaro" not in seen
