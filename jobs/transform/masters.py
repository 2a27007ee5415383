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

That is a few hundred bytes per model plus one identifier per variant. With `keep_values=True` it
also keeps each model's Akeneo `values` so variants missing inherited values get them (the REST
API merges them already, so this is off by default: it costs the models' full values).

The transformer (`ProductTransformer.add_model`, `.product`, `.master`) fills and reads it; the
pipeline only creates it and asks for `root_codes()` and `unresolved()` at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jobs.transform.problems import Problem


@dataclass(slots=True)
class ModelInfo:
    code: str
    parent: str | None  # lower-cased parent code
    family_variant: str
    axis_values: dict[str, str]  # this model's own axis values (sub-models)
    values: dict | None = None  # Akeneo values, only with keep_values


@dataclass(slots=True)
class MasterState:
    variants: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    # axis code → {value code: None}: an insertion-ordered set
    axis_values: dict[str, dict[str, None]] = field(default_factory=dict)
    # first-axis value → view type → image paths
    images: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def add_axis_values(self, values: dict[str, str]) -> None:
        for axis, value in values.items():
            self.axis_values.setdefault(axis, {})[value] = None

    def add_images(self, value: str | None, images: dict[str, list[str]]) -> None:
        # The first sub-model or variant of a colour speaks for it; later ones are not kept.
        if value is not None and images and value not in self.images:
            self.images[value] = images


class MasterAccumulator:
    def __init__(self, *, keep_values: bool = False) -> None:
        self.keep_values = keep_values
        self._models: dict[str, ModelInfo] = {}
        self._masters: dict[str, MasterState] = {}

    def add_model(self, info: ModelInfo) -> Problem | None:
        key = info.code.lower()
        if key in self._models:
            return Problem(info.code, "product model seen twice; the first one is kept")
        if not self.keep_values:
            info.values = None
        self._models[key] = info
        if info.parent is not None:
            state = self.state(info.parent)
            state.groups.append(info.code)
            state.add_axis_values(info.axis_values)
        return None

    def model(self, code: str) -> ModelInfo | None:
        return self._models.get(code.lower())

    def state(self, root_code: str) -> MasterState:
        key = root_code.lower()
        state = self._masters.get(key)
        if state is None:
            state = self._masters[key] = MasterState()
        return state

    def add_variant(self, root_code: str, identifier: str, axis_values: dict[str, str]) -> MasterState:
        state = self.state(root_code)
        state.variants.append(identifier)
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
