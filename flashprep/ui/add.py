"""The interactive `flashprep add`: questionary prompts, a rich preview, a loop.

The prompts only collect text; the command passes in callbacks that do the real
work (flashprep.cardfiles writes the card), so nothing here touches a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

NEW_DECK = "\x00new-deck"


@dataclass(frozen=True)
class DeckChoice:
    id: str
    name: str
    writes_to: str  # the user deck the card really goes into (`<id>-extra` for bundled)


@dataclass
class Draft:
    """One card as the user typed it."""

    deck: str  # an existing deck id, or the id of `new_deck`
    front: str
    back: str
    tags: str = ""
    key_points: list[str] = field(default_factory=list)
    new_deck: dict[str, str] | None = None  # id, name, category


class Cancelled(Exception):
    """Ctrl-C or Esc at a prompt."""


def _ask(question: Any) -> Any:
    answer = question.ask()
    if answer is None:
        raise Cancelled
    return answer


def _choose_deck(
    decks: Sequence[DeckChoice], default: str | None, check_deck_id: Callable[[str], str | None]
) -> tuple[str, dict[str, str] | None]:
    import questionary

    choices = []
    for d in decks:
        where = "" if d.writes_to == d.id else f"  (your cards go to {d.writes_to})"
        choices.append(questionary.Choice(f"{d.id} - {d.name}{where}", value=d.id))
    choices.append(questionary.Choice("+ create a new deck", value=NEW_DECK))
    known = {d.id for d in decks}
    picked = _ask(
        questionary.select(
            "Deck:",
            choices=choices,
            default=default if default in known else None,
            use_search_filter=False,
        )
    )
    if picked != NEW_DECK:
        return picked, None

    def valid_id(text: str) -> bool | str:
        problem = check_deck_id(text.strip())
        return True if problem is None else problem

    deck_id = _ask(questionary.text("New deck id (e.g. my-sql):", validate=valid_id)).strip()
    name = _ask(
        questionary.text(
            "Deck name:",
            default=deck_id.replace("-", " ").capitalize(),
            validate=lambda t: bool(t.strip()) or "a deck needs a name",
        )
    ).strip()
    category = _ask(
        questionary.text(
            "Category:",
            default="Custom",
            validate=lambda t: bool(t.strip()) or "a deck needs a category",
        )
    ).strip()
    return deck_id, {"id": deck_id, "name": name, "category": category}


def preview(draft: Draft, target: str) -> None:
    from rich.console import Group
    from rich.panel import Panel

    from flashprep.ui.card import key_points, markdown
    from flashprep.ui.tables import console

    con = console()
    con.print(
        Panel(
            markdown(draft.front),
            title=f"front  [dim]→ {target}[/]",
            title_align="left",
            border_style="cyan",
        )
    )
    parts: list[Any] = [markdown(draft.back)]
    if draft.key_points:
        parts.append(key_points(draft.key_points))
    con.print(Panel(Group(*parts), title="back", title_align="left", border_style="green"))
    if draft.tags.strip():
        con.print(f"[dim]tags:[/] {draft.tags.strip()}")


def run_add_wizard(
    decks: Callable[[], Sequence[DeckChoice]],
    save: Callable[[Draft], str],
    *,
    check_deck_id: Callable[[str], str | None],
    check_tags: Callable[[str], str | None],
    max_key_points: int,
    edit_text: Callable[[str, str], tuple[str, str]] | None = None,
    default_deck: str | None = None,
) -> int:
    """Ask for cards until the user says no more; returns how many were added.

    `decks` is called each round (a deck created in one round is offered in the
    next); `save` writes a card and returns a line to show; it may raise any
    error, which is shown and the round skipped. `edit_text` (when --editor was
    given) replaces the front/back prompts with $EDITOR.
    """
    import questionary

    from flashprep.ui.tables import console

    con = console()
    added = 0
    deck = default_deck
    while True:
        try:
            choices = list(decks())
            deck, new_deck = _choose_deck(choices, deck, check_deck_id)
            if edit_text is not None:
                front, back = edit_text("", "")
                if not front.strip() or not back.strip():
                    con.print("[yellow]The front or the back is empty; card not added.[/]")
                    front = back = ""
            else:
                front = _ask(
                    questionary.text(
                        "Front (the question, Markdown):",
                        multiline=True,
                        instruction="(Esc then Enter to finish)",
                        validate=lambda t: bool(t.strip()) or "the front must not be empty",
                    )
                )
                back = _ask(
                    questionary.text(
                        "Back (the answer, Markdown):",
                        multiline=True,
                        instruction="(Esc then Enter to finish)",
                        validate=lambda t: bool(t.strip()) or "the back must not be empty",
                    )
                )
            if front.strip():

                def valid_tags(text: str) -> bool | str:
                    problem = check_tags(text)
                    return True if problem is None else problem

                tags = _ask(
                    questionary.text(
                        "Tags (space or comma separated, optional):", validate=valid_tags
                    )
                )
                points: list[str] = []
                while len(points) < max_key_points:
                    point = _ask(
                        questionary.text(f"Key point {len(points) + 1} (optional, Enter to skip):")
                    ).strip()
                    if not point:
                        break
                    points.append(point)
                draft = Draft(deck, front, back, tags, points, new_deck)
                target = next((d.writes_to for d in choices if d.id == deck), deck)
                preview(draft, target)
                if _ask(questionary.confirm("Add this card?", default=True)):
                    try:
                        con.print(save(draft))
                        added += 1
                    except Exception as exc:  # shown, and the next card can still be added
                        con.print(f"[red]not added: {exc}[/]")
                else:
                    con.print("[dim]Not added.[/]")
            if not _ask(questionary.confirm("Add another card?", default=False)):
                return added
        except Cancelled:
            return added
