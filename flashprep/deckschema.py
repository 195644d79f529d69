"""Pydantic models of a deck file, the validator for what users write.

Imported only when a deck file has to be parsed afresh (a cache miss, validate,
add, generate), never on the start-up path of a warm `flashprep status`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from flashprep.cardmodel import MAX_KEY_POINTS

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a slug "
            "(lowercase letters, digits and single hyphens, e.g. 'python-gil')"
        )
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Text = Annotated[str, AfterValidator(_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DeckMetaModel(Strict):
    id: Slug
    name: Text
    category: Text
    description: str = ""
    tags: list[Slug] = Field(default_factory=list)
    order: int = Field(default=1000, ge=0)  # decks are studied in this order, then by file name


class CardModel(Strict):
    id: Slug
    front: Text
    back: str
    tags: list[Slug] = Field(default_factory=list)
    topic: Slug | None = None
    key_points: list[Text] = Field(default_factory=list, max_length=MAX_KEY_POINTS)
    hint: str | None = None
    draft: bool = False
    override: bool = False
    # Set by `flashprep import` from an Anki GUID column, so importing again adds nothing.
    guid: Text | None = None
    # Seconds a mock interview gives this question (flashprep mock); else its --minutes.
    time_limit: int | None = Field(default=None, gt=0)
    # Exercises: a card that asks for code and checks it by running it (flashprep.exercises).
    kind: Literal["card", "sql", "python"] = "card"
    dataset: Slug | None = None  # sql: datasets/<dataset>.sql
    solution: Text | None = None  # sql and python: the reference solution
    ordered: bool | None = None  # sql: whether row order matters (default: it does not)
    tests: Text | None = None  # python: asserts run after the user's code

    @model_validator(mode="after")
    def _back_required(self) -> CardModel:
        if not self.back.strip() and not self.draft:
            raise ValueError(
                "field 'back' must not be empty (mark an unanswered card with draft = true)"
            )
        return self

    @model_validator(mode="after")
    def _exercise_keys(self) -> CardModel:
        allowed = EXERCISE_KEYS[self.kind]
        present = [
            k for k in ("dataset", "solution", "ordered", "tests") if getattr(self, k) is not None
        ]
        stray = [k for k in present if k not in allowed]
        if stray:
            what = "a plain card" if self.kind == "card" else f"a {self.kind} card"
            raise ValueError(
                f"{what} takes no {' or '.join(repr(k) for k in stray)}"
                + ("" if self.kind != "card" else ' (set kind = "sql" or "python")')
            )
        missing = [k for k in REQUIRED_KEYS[self.kind] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.kind} card needs {' and '.join(repr(k) for k in missing)}")
        return self


# Which exercise keys each kind takes, and which of them it must have.
EXERCISE_KEYS = {
    "card": (),
    "sql": ("dataset", "solution", "ordered"),
    "python": ("solution", "tests"),
}
REQUIRED_KEYS = {"card": (), "sql": ("dataset", "solution"), "python": ("solution", "tests")}


class ChecklistModel(Strict):
    id: Slug
    item: Text
    topics: list[Slug] = Field(default_factory=list)
    tags: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _needs_target(self) -> ChecklistModel:
        if not self.topics and not self.tags:
            raise ValueError("a checklist item needs topics or tags")
        return self


class DeckFileModel(Strict):
    deck: DeckMetaModel
    cards: list[CardModel] = Field(default_factory=list)
    checklist: list[ChecklistModel] = Field(default_factory=list)
