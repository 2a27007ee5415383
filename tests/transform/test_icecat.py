"""The whole icecat catalog through the transforms: nothing raises, problems are counted."""

from collections import Counter

import pytest

from jobs.sfcc.records import ProductKind
from jobs.transform import MasterAccumulator, ModelImportMode
from tests.transform.conftest import example_config, icecat_transformer


def run(icecat, mode):
    transformer, masters = icecat_transformer(example_config(model_mode=mode)), MasterAccumulator()
    results = [transformer.add_model(model, masters) for model in icecat["models"]]
    results += [transformer.product(product, masters) for product in icecat["products"]]
    roots = {model["code"]: model for model in icecat["models"] if not model["parent"]}
    results += [transformer.master(roots[code], masters) for code in masters.root_codes()]
    return results, masters


@pytest.mark.parametrize("mode", list(ModelImportMode))
def test_it_transforms_every_icecat_product_and_model(icecat, mode):
    results, masters = run(icecat, mode)
    kinds = Counter(r.product.kind for r in results if r.product is not None)
    variants = sum(1 for p in icecat["products"] if p["parent"])
    assert kinds[ProductKind.VARIANT] == variants
    assert kinds[ProductKind.STANDARD] == len(icecat["products"]) - variants
    assert kinds[ProductKind.MASTER] == sum(1 for m in icecat["models"] if not m["parent"])
    groups = kinds[ProductKind.VARIATION_GROUP]
    assert (groups > 0) == (mode == ModelImportMode.MASTER_GROUP_VARIATION)
    assert not any(r.skipped for r in results)
    assert masters.unresolved() == []
    listed = [
        v for r in results if r.product and r.product.kind == ProductKind.MASTER for v in r.product.variants
    ]
    assert sorted(listed) == sorted(p["identifier"] for p in icecat["products"] if p["parent"])


def test_it_counts_icecat_data_problems_rather_than_raising(icecat):
    results, _ = run(icecat, ModelImportMode.MASTER_GROUP_VARIATION)
    messages = Counter(p.message for r in results for p in r.problems)
    # icecat has one product without family and one root model nobody varies.
    assert messages == {"product has no family": 1, "master without variants": 1}
