"""Pure transforms: Akeneo REST API JSON (plain dicts) → the SFCC records of `jobs.sfcc.records`.

No Django, no HTTP, no files. The pipeline builds a `MappingConfig` from the stored import
configuration and calls:

- `transform_attributes(attributes, options, groups, config)` → definitions, groups, problems
- `transform_categories(categories, tree, config)` → categories (parents first), ids, problems
- `ProductTransformer(config, attributes, options, family_variants, category_ids)` with a
  `MasterAccumulator`: `.add_model(model, masters)`, `.product(product, masters)`,
  `.master(root_model, masters)` → `ProductResult`
- `pricebook_headers(currencies, config)`

Item-level problems never raise: each result carries `Problem(identifier, message, fatal)`s; a
fatal one means the item was skipped. See `problems`; a record not in the shape Akeneo publishes
is one such item (`shapes`: `product_problem`, `model_problem`, `category_problem`).
"""

from jobs.transform.attributes import AttributesResult, transform_attributes
from jobs.transform.categories import CategoriesResult, transform_categories
from jobs.transform.config import MappingConfig, ModelImportMode
from jobs.transform.locales import xml_lang
from jobs.transform.masters import MasterAccumulator
from jobs.transform.media import asset_media_path, media_path
from jobs.transform.prices import pricebook_header, pricebook_headers
from jobs.transform.problems import Problem
from jobs.transform.products import ProductResult, ProductTransformer
from jobs.transform.shapes import category_problem, model_problem, product_problem

__all__ = [
    "AttributesResult",
    "CategoriesResult",
    "MappingConfig",
    "MasterAccumulator",
    "ModelImportMode",
    "Problem",
    "ProductResult",
    "ProductTransformer",
    "asset_media_path",
    "category_problem",
    "media_path",
    "model_problem",
    "pricebook_header",
    "pricebook_headers",
    "product_problem",
    "transform_attributes",
    "transform_categories",
    "xml_lang",
]
