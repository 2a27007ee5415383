import pytest

from jobs.sfcc.records import CustomValue, ProductKind
from jobs.transform import MasterAccumulator, ModelImportMode, ProductTransformer
from jobs.transform.media import media_path
from tests.transform.factories import ATTRIBUTES, OPTIONS, config, model, product, transformer, value

MV = ModelImportMode.MASTER_VARIATION
MGV = ModelImportMode.MASTER_GROUP_VARIATION


def stream(mode, models, products):
    """Models, then products, then masters: the pipeline's order."""
    t, masters = transformer(model_mode=mode), MasterAccumulator()
    results = [t.add_model(m, masters) for m in models]
    results += [t.product(p, masters) for p in products]
    results += [t.master(m, masters) for m in models if not m["parent"]]
    return {r.identifier: r for r in results}, masters


def tshirt_family():
    models = [
        model("tee", name=value("Tee", "en_US"), picture=value("tee.jpg")),
        # Sub-models carry the root's values, merged by the API as for variants.
        model(
            "tee_red",
            parent="tee",
            name=value("Tee", "en_US"),
            color=value("red"),
            picture=value("tee_red.jpg"),
        ),
        model("tee_blue", parent="tee", color=value("blue"), picture=value("tee_blue.jpg")),
    ]
    products = [
        product("T-RS", parent="tee_red", color=value("red"), size=value("s")),
        product("T-RM", parent="tee_red", color=value("red"), size=value("m")),
        product("T-BL", parent="tee_blue", color=value("blue"), size=value("l")),
    ]
    return models, products


def test_it_lists_every_variant_under_the_master_in_master_variation_mode():
    results, _ = stream(MV, *tshirt_family())
    master = results["tee"].product
    assert master.kind == ProductKind.MASTER
    assert master.variants == ["T-RS", "T-RM", "T-BL"]
    assert master.variation_groups == []
    assert results["tee_red"].product is None  # no product of its own in this mode
    assert [(a.attribute_id, [v.value for v in a.values]) for a in master.variation_attributes] == [
        ("akeneo_color", ["blue", "red"]),  # Akeneo's option order, not the order seen
        ("akeneo_size", ["s", "m", "l"]),
    ]


def test_it_makes_variation_groups_of_sub_models_in_master_group_variation_mode():
    results, _ = stream(MGV, *tshirt_family())
    master = results["tee"].product
    assert master.variants == ["T-RS", "T-RM", "T-BL"]
    assert master.variation_groups == ["tee_red", "tee_blue"]
    group = results["tee_red"].product
    assert group.kind == ProductKind.VARIATION_GROUP
    assert group.custom == [CustomValue("akeneo_color", "red")]
    assert group.display_name == {"x-default": "Tee", "en-US": "Tee"}


def test_it_gives_variation_values_localized_display_values():
    results, _ = stream(MV, *tshirt_family())
    color = results["tee"].product.variation_attributes[0]
    assert color.display_name == {"x-default": "Color", "en-US": "Color", "fr-FR": "color (fr)"}
    assert color.values[0].display == {"x-default": "Blue", "en-US": "Blue", "fr-FR": "Bleu"}


def test_it_writes_master_images_per_view_type_and_per_colour():
    results, _ = stream(MV, *tshirt_family())
    images = [
        (g.view_type, g.variation_attribute, g.variation_value, g.paths)
        for g in results["tee"].product.images
    ]
    assert images == [
        ("large", None, None, [media_path("tee.jpg")]),
        ("large", "akeneo_color", "red", [media_path("tee_red.jpg")]),
        ("large", "akeneo_color", "blue", [media_path("tee_blue.jpg")]),
    ]


def test_it_takes_colour_images_from_the_first_variant_when_no_sub_model_has_them():
    models = [
        model("tee", family_variant="by_color_size"),
        model("tee_red", parent="tee", color=value("red")),
    ]
    products = [
        product("T-RS", parent="tee_red", size=value("s"), picture=value("rs.jpg")),
        product("T-RM", parent="tee_red", size=value("m"), picture=value("rm.jpg")),
    ]
    results, _ = stream(MV, models, products)
    assert [(g.variation_value, g.paths) for g in results["tee"].product.images] == [
        ("red", [media_path("rs.jpg")])
    ]


def test_it_gives_a_variant_the_axis_value_akeneo_did_not_merge_into_it():
    models, products = tshirt_family()
    del products[0]["values"]["color"]
    results, _ = stream(MV, models, products)
    variant = results["T-RS"].product
    assert variant.kind == ProductKind.VARIANT
    assert {(v.attribute_id, v.value) for v in variant.custom} == {
        ("akeneo_size", "s"),
        ("akeneo_color", "red"),
    }
    assert results["T-RS"].problems == []


def test_it_fills_inherited_values_when_the_accumulator_keeps_them():
    models, products = tshirt_family()
    t, masters = transformer(), MasterAccumulator(keep_values=True)
    for m in models:
        t.add_model(m, masters)
    variant = t.product(products[0], masters).product
    assert variant.display_name == {"x-default": "Tee", "en-US": "Tee"}
    assert variant.images[0].paths == [media_path("tee_red.jpg")]  # the nearest model's wins


def test_it_skips_a_variant_whose_parent_model_is_unknown():
    result = transformer().product(product("V1", parent="ghost"), MasterAccumulator())
    assert result.product is None
    assert result.skipped
    assert [str(p) for p in result.problems] == ["V1: parent model 'ghost' does not exist; skipped"]


def test_it_matches_parent_codes_without_regard_to_case():
    results, _ = stream(
        MV, [model("Tee", family_variant="by_size")], [product("V1", parent="tEE", size=value("m"))]
    )
    assert results["Tee"].product.variants == ["V1"]


def test_it_reports_sub_models_whose_parent_never_came():
    masters = MasterAccumulator()
    transformer().add_model(model("tee_red", parent="tee", color=value("red")), masters)
    assert [str(p) for p in masters.unresolved()] == [
        "tee_red: parent model 'tee' does not exist; not imported"
    ]


def test_it_skips_a_model_with_an_unknown_family_variant():
    result = transformer().add_model(model("tee", family_variant="nope"), MasterAccumulator())
    assert result.skipped


def test_it_reports_a_variant_without_a_value_for_an_axis():
    results, _ = stream(MV, [model("tee", family_variant="by_size")], [product("V1", parent="tee")])
    assert [p.message for p in results["V1"].problems] == ["no value for variation axis 'size'"]


def test_it_keeps_only_ids_and_axis_values_in_the_accumulator():
    _, masters = stream(MV, *tshirt_family())
    state = masters.state("tee")
    assert state.variants == ["T-RS", "T-RM", "T-BL"]
    assert state.axis_values == {
        "color": {"red": None, "blue": None},
        "size": {"s": None, "m": None, "l": None},
    }
    assert all(masters.model(code).values is None for code in ("tee", "tee_red"))
    assert masters.root_codes() == ["tee"]


def test_masters_facts_live_in_a_file_of_the_work_folder_until_closed(tmp_path):
    """The same facts from a file as from memory: a variant or value seen twice is kept once,
    the first images of a value win, and the file goes when the accumulator is closed."""
    models, products = tshirt_family()
    t = transformer(model_mode=MV)
    with MasterAccumulator(directory=tmp_path) as masters:
        for m in models:
            t.add_model(m, masters)
        for p in [*products, products[0]]:
            t.product(p, masters)
        [file] = tmp_path.iterdir()
        state = masters.state("TEE")  # codes are case-insensitive
        assert state.variants == ["T-RS", "T-RM", "T-BL"]
        assert list(state.axis_values["color"]) == ["red", "blue"]
        state.add_images("red", {"large": ["other.jpg"]})
        assert state.images == stream(MV, models, products)[1].state("tee").images != {}
    assert not file.exists()


def test_it_assigns_categories_to_masters_only_not_to_variants():
    models, products = tshirt_family()
    models[0]["categories"] = ["shirts", "other_tree"]
    products[0]["categories"] = ["shirts"]
    results, _ = stream(MV, models, products)
    assert [(a.product_id, a.category_id, a.primary) for a in results["tee"].assignments] == [
        ("tee", "shirts", True)
    ]
    assert results["T-RS"].assignments == []


def test_it_reports_an_axis_attribute_that_does_not_exist():
    odd = {"code": "odd", "variant_attribute_sets": [{"level": 1, "axes": ["shape"]}]}
    t = ProductTransformer(config(), ATTRIBUTES, OPTIONS, [odd], {})
    masters = MasterAccumulator()
    t.add_model(model("box", family_variant="odd"), masters)
    result = t.product(product("B1", parent="box"), masters)
    assert [p.message for p in result.problems] == ["no value for variation axis 'shape'"]
    assert t.master(model("box", family_variant="odd"), masters).product.variation_attributes[0].values == []


def test_it_refuses_a_variant_without_the_accumulator():
    with pytest.raises(ValueError):
        transformer().product(product("V1", parent="tee"))


def test_codes_with_a_lone_surrogate_come_back_as_they_went_in(tmp_path):
    """JSON can hold a lone surrogate (the standard parser reads it) and SQLite's text cannot:
    the accumulator keeps such a code exactly, for the writer to refuse as a data error."""
    odd = "tee\udc80"
    t = transformer(model_mode=MV)
    with MasterAccumulator(directory=tmp_path) as masters:
        t.add_model(model(odd), masters)
        t.add_model(model("tee_red\udc80", parent=odd, color=value("red")), masters)
        t.product(product("T-R\udc80", parent="tee_red\udc80", color=value("red"), size=value("s")), masters)
        assert masters.root_codes() == [odd]
        assert masters.state(odd).variants == ["T-R\udc80"]
        assert masters.state(odd).groups == ["tee_red\udc80"]
        assert [m.code for m in masters.chain("tee_red\udc80")] == ["tee_red\udc80", odd]
