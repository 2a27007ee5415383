"""The channel's Akeneo category tree → SFCC categories.

The tree's root becomes SFCC's `root` category; every other category keeps its code, and a child
of the tree root names `root` as its parent. Categories of other trees are left out silently. A
category whose parent chain is circular or ends at a code that does not exist is reported and
left out (with everything below it) instead of looping or producing an orphan; so is one that
is not in the shape Akeneo publishes (see `shapes`). The result lists
parents before children, the order SFCC needs to resolve `parent` in one pass.

`tree` may be any category, not only a tree's root: a storefront whose categories are a
sub-tree (see `sites`) gets that category as its `root` and its children as top-level ones.
`online` is every category's online flag; with `positions` each category but the root gets its
place among its siblings as SFCC's `position`: Akeneo's own `position` when the record has one
(`with_position`), else its rank in Akeneo's listing, which is sorted by tree order.

Categories are few (hundreds, rarely tens of thousands), so this transform holds them all.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from jobs.sfcc.records import Category
from jobs.transform.config import MappingConfig
from jobs.transform.locales import localize_or_code
from jobs.transform.problems import Problem
from jobs.transform.shapes import category_problem, record_name

ROOT = "root"


@dataclass(slots=True)
class CategoriesResult:
    categories: list[Category] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Lower-cased Akeneo code → SFCC category id, for every exported category but the root:
    # what product category assignments are checked against.
    ids: dict[str, str] = field(default_factory=dict)


def transform_categories(
    categories: Iterable[dict],
    tree: str,
    config: MappingConfig,
    *,
    online: bool = True,
    positions: bool = False,
) -> CategoriesResult:
    result = CategoriesResult()
    by_code: dict[str, dict] = {}
    for category in categories:
        problem = category_problem(category) or (None if category.get("code") else "category without code")
        if problem is not None:
            name = record_name(category, "code", "category")
            result.problems.append(Problem(name, f"{problem}; not imported"))
            continue
        key = category["code"].lower()
        if key in by_code:
            result.problems.append(Problem(category["code"], "duplicate category code; later one ignored"))
            continue
        by_code[key] = category
    root = by_code.get(tree.lower())
    if root is None:
        result.problems.append(
            Problem(tree, "category tree of the channel not found; no categories", fatal=True)
        )
        return result
    if root.get("parent") and not _is_tree_of(root, by_code):
        result.problems.append(Problem(tree, f"tree root has a parent ({root['parent']!r}); treated as root"))

    children = _children(by_code)
    result.categories.append(_category(root, ROOT, None, config, online))
    # Breadth-first from the root: parents come before children, and only categories whose
    # chain really reaches the root are visited (a cycle or a dangling parent never is).
    queue = deque([(root["code"].lower(), ROOT)])
    visited = {root["code"].lower()}
    while queue:
        key, sfcc_id = queue.popleft()
        for rank, child in enumerate(children.get(key, ()), 1):
            child_key = child["code"].lower()
            if child_key in visited:
                continue
            visited.add(child_key)
            category = _category(child, child["code"], sfcc_id, config, online)
            if positions:
                own = child.get("position")
                category.position = own if isinstance(own, int) and not isinstance(own, bool) else rank
            result.categories.append(category)
            result.ids[child_key] = child["code"]
            queue.append((child_key, child["code"]))
    _report_unreachable(by_code, visited, result.problems)
    return result


def _children(by_code: dict[str, dict]) -> dict[str, list[dict]]:
    children: dict[str, list[dict]] = {}
    for key, category in by_code.items():
        parent = category.get("parent")
        if parent and parent.lower() != key:
            children.setdefault(parent.lower(), []).append(category)
    return children


def _is_tree_of(root: dict, by_code: dict[str, dict]) -> bool:
    """True when the category's parent exists: it is a sub-tree, not a root with a bad parent."""
    return str(root.get("parent")).lower() in by_code


def _category(
    category: dict, sfcc_id: str, parent: str | None, config: MappingConfig, online: bool
) -> Category:
    return Category(
        id=sfcc_id,
        display_name=localize_or_code(
            category.get("labels"), category["code"], config.locales, config.default_locale
        ),
        parent=parent,
        online=online,
    )


def _report_unreachable(by_code: dict[str, dict], visited: set[str], problems: list[Problem]) -> None:
    """Say why a category was not reached; stay silent for categories of other trees. The message
    names the category where the chain breaks, so one below it says why it is missing too."""
    verdicts: dict[str, str | None] = {}  # key → problem message, None when it is simply elsewhere
    for key in by_code:
        if key in visited or key in verdicts:
            continue
        chain: list[str] = []
        verdict: str | None = None
        current: str | None = key
        while current is not None:
            if current in verdicts:
                verdict = verdicts[current]
                break
            if current in chain:
                cycle = " → ".join(by_code[k]["code"] for k in chain[chain.index(current) :])
                verdict = f"circular category parents ({cycle}); not imported"
                break
            chain.append(current)
            parent = by_code[current].get("parent")
            if not parent:
                break  # the root of another tree
            if parent.lower() == current:
                verdict = f"category {parent!r} is its own parent; not imported"
                break
            if parent.lower() not in by_code:
                code = by_code[current]["code"]
                verdict = f"parent category {parent!r} of {code!r} does not exist; not imported"
                break
            current = parent.lower()
        for item in chain:
            verdicts[item] = verdict
            if verdict is not None and item not in visited:
                problems.append(Problem(by_code[item]["code"], verdict))
