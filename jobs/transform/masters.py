"""What a master needs, collected while models and products stream by.

The pipeline pages product models first, then products, in constant memory: it cannot hold
products until their master is written. `MasterAccumulator` keeps only the small facts a master
is made of, so masters are written after their variants:

- per product model: its code, its parent's code, its family variant code and its own axis
  values (e.g. `color=blue` for a sub-model) — enough to find a variant's master and to give a
  variant the axis values Akeneo did not merge into it;
- per master: the variant identifiers, the variation group codes, the axis values seen (codes,
  in first-seen order) and, per value of the first axis, the image paths of the first sub-model
  or variant that had it.

That is a few hundred bytes per model plus one identifier per variant, kept compact (joined
strings, not a list or dict per master): it is the part of the worker's memory that grows with
the catalog. With `keep_values=True` it also keeps each model's Akeneo `values` so variants
missing inherited values get them (the REST API merges them already, so this is off by default:
it costs the models' full values).

The transformer (`ProductTransformer.add_model`, `.product`, `.master`) fills and reads it; the
pipeline only creates it and asks for `root_codes()` and `unresolved()` at the end.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from jobs.transform.problems import Problem
from jobs.transform.values import compact_json

NO_AXIS_VALUES: Mapping[str, str] = MappingProxyType({})  # a root model's, shared


@dataclass(slots=True)
class ModelInfo:
    code: str
    parent: str | None  # lower-cased parent code
    family_variant: str
    axis_values: Mapping[str, str]  # this model's own axis values (sub-models)
    values: dict | None = None  # Akeneo values, only with keep_values
    # A root model's categories: a variant's assignments are those beyond them.
    categories: tuple[str, ...] = ()


# The accumulator grows with the number of models: its facts are kept compact. A master joins
# the identifiers, codes and values it collects into one string each (a string per item costs
# ~50 bytes of object header, a list or dict per master ~200 more). NUL cannot be in an XML
# document, so it is in no identifier, code or value that can be written; nor is \x01.
SEP = "\x00"
PAIR = "\x01"  # between an axis code and its value


def _joined(items: str, item: str) -> str:
    return f"{items}{SEP}{item}"  # each item after a separator: "" is no item, SEP one empty one


def _split(items: str) -> list[str]:
    return items.split(SEP)[1:]


class MasterState:
    """One master's facts as joined strings. Images are kept per first-axis value as JSON,
    each path as its index in the master's paths: sub-models and variants inherit their root's
    images, so most paths are the same for every value."""

    __slots__ = ("_variants", "_groups", "_axis_values", "_image_values", "_images", "_paths")

    def __init__(self) -> None:
        self._variants = ""
        self._groups = ""
        self._axis_values = ""  # (axis code, value) pairs, first seen first, joined
        self._image_values = ""  # the first-axis values that have images, joined
        self._images = ""  # their images, each a JSON {view type: [path index]}, joined
        self._paths = ""  # the image paths, each once, joined

    @property
    def variants(self) -> list[str]:
        return _split(self._variants)

    @property
    def groups(self) -> list[str]:
        return _split(self._groups)

    @property
    def axis_values(self) -> dict[str, dict[str, None]]:
        """Axis code → {value code: None}: an insertion-ordered set."""
        found: dict[str, dict[str, None]] = {}
        for pair in _split(self._axis_values):
            axis, _, value = pair.partition(PAIR)
            found.setdefault(axis, {})[value] = None
        return found

    @property
    def images(self) -> dict[str, dict[str, list[str]]]:
        """First-axis value → view type → image paths."""
        paths = _split(self._paths)
        return {
            value: {
                view_type: [paths[i] for i in indexes] for view_type, indexes in json.loads(images).items()
            }
            for value, images in zip(_split(self._image_values), _split(self._images), strict=True)
        }

    def add_variant(self, identifier: str) -> None:
        self._variants = _joined(self._variants, identifier)

    def add_group(self, code: str) -> None:
        self._groups = _joined(self._groups, code)

    def add_axis_values(self, values: Mapping[str, str]) -> None:
        pairs = _split(self._axis_values)
        for axis, value in values.items():
            pair = f"{axis}{PAIR}{value}"
            if pair not in pairs:
                pairs.append(pair)
                self._axis_values = _joined(self._axis_values, pair)

    def add_images(self, value: str | None, images: dict[str, list[str]]) -> None:
        # The first sub-model or variant of a colour speaks for it; later ones are not kept.
        if value is None or not images or value in _split(self._image_values):
            return
        paths = _split(self._paths)
        indexes = {}
        for view_type, view_paths in images.items():
            indexes[view_type] = [self._path_index(paths, path) for path in view_paths]
        self._image_values = _joined(self._image_values, value)
        self._images = _joined(self._images, compact_json(indexes))

    def _path_index(self, paths: list[str], path: str) -> int:
        if path not in paths:
            paths.append(path)
            self._paths = _joined(self._paths, path)
        return paths.index(path)


class MasterAccumulator:
    def __init__(self, *, keep_values: bool = False) -> None:
        self.keep_values = keep_values
        self._models: dict[str, ModelInfo] = {}
        self._masters: dict[str, MasterState] = {}

    def add_model(self, info: ModelInfo) -> Problem | None:
        key = _key(info.code)
        if key in self._models:
            return Problem(info.code, "product model seen twice; the first one is kept")
        if not self.keep_values:
            info.values = None
        info.family_variant = sys.intern(info.family_variant)  # a few codes, shared by all models
        if not info.axis_values:
            info.axis_values = NO_AXIS_VALUES
        self._models[key] = info
        if info.parent is not None:
            state = self.state(info.parent)
            state.add_group(info.code)
            state.add_axis_values(info.axis_values)
        return None

    def model(self, code: str) -> ModelInfo | None:
        return self._models.get(code.lower())

    def state(self, root_code: str) -> MasterState:
        key = _key(root_code)
        state = self._masters.get(key)
        if state is None:
            state = self._masters[key] = MasterState()
        return state

    def add_variant(self, root_code: str, identifier: str, axis_values: dict[str, str]) -> MasterState:
        state = self.state(root_code)
        state.add_variant(identifier)
        state.add_axis_values(axis_values)
        return state

    def chain(self, parent_code: str) -> list[ModelInfo] | None:
        """The models from a variant's parent up to its root; None when one is missing or the
        parents loop."""
        chain: list[ModelInfo] = []
        key: str | None = parent_code.lower()
        while key is not None:
            info = self._models.get(key)
            if info is None or len(chain) == 2:  # Akeneo has at most two model levels
                return None
            chain.append(info)
            key = info.parent
        return chain

    def root_codes(self) -> list[str]:
        """Codes of the root models seen, in the order they came: the masters to write."""
        return [info.code for info in self._models.values() if info.parent is None]

    def unresolved(self) -> list[Problem]:
        """Sub-models whose parent never came, once everything has streamed by."""
        return [
            Problem(info.code, f"parent model {info.parent!r} does not exist; not imported", fatal=True)
            for info in self._models.values()
            if info.parent is not None and info.parent not in self._models
        ]


def _key(code: str) -> str:
    """The lower-cased code, as a key; the code itself when it is lower-case already (most
    are): one string, not two."""
    key = code.lower()
    return code if key == code else key
