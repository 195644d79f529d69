"""Card commands: `add`, `cards`, `edit`, `suspend`, `unsuspend`, `bury`, `forget`, `undo`.

Option parsing and output only; flashprep.cardfiles, flashprep.cardactions,
flashprep.cardlist and flashprep.editor do the work, flashprep.ui.add asks the
questions of an interactive `add`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flashprep import completion
from flashprep.cli import JsonOpt, app, emit_json, open_history, warn, workspace
from flashprep.errors import InputError, UnknownCardError

if TYPE_CHECKING:
    from flashprep.cardfiles import Added, Target
    from flashprep.cardmodel import Collection
    from flashprep.workspace import Workspace

IdsArg = Annotated[
    list[str],
    typer.Argument(help="Card ids (see `flashprep cards`).", autocompletion=completion.card_ids),
]


def _added_line(added: Added, target: Target) -> str:
    text = f"added {added.id} to {added.deck} ({added.path}:{added.line})"
    if added.created_deck:
        why = f" for your cards next to {target.via!r}" if target.via else ""
        text = f"created user deck {added.deck!r}{why}\n" + text
    return text


def _taken_ids(ws: Workspace, col: Collection) -> set[str]:
    """Every id a new card must not take: the loaded cards' and the history's."""
    from flashprep.cardfiles import taken_ids

    with open_history(ws) as history:
        # Only the ids: copying the states would decode each one (~35 ms at 20,000).
        return taken_ids(col, history.states)


def _target_for(
    ws: Workspace, deck: str, create: bool, name: str | None, category: str | None
) -> Target:
    from flashprep.cardfiles import DeckMeta, new_deck_target, resolve_target

    col = ws.collection
    try:
        col.deck(deck)
    except UnknownCardError as exc:
        if not create:
            raise UnknownCardError(
                f"{exc}; pass --create to start a new user deck {deck!r}"
            ) from None
        meta = DeckMeta(deck, name or deck, category or "Custom")
        return new_deck_target(col, ws.home, meta)
    return resolve_target(col, ws.home, deck)


def _is_terminal() -> bool:
    from flashprep.ui.plain import is_tty

    return is_tty(sys.stdin) and is_tty(sys.stdout)


@app.command()
def add(
    ctx: typer.Context,
    deck: Annotated[
        str | None,
        typer.Option(
            "--deck",
            "-d",
            help="Deck id; a bundled deck's cards go to <deck>-extra.",
            autocompletion=completion.deck_ids,
        ),
    ] = None,
    front: Annotated[str | None, typer.Option("--front", "-f", help="The question.")] = None,
    back: Annotated[
        str | None, typer.Option("--back", "-b", help="The answer; '-' reads it from stdin.")
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="A tag (repeatable).", autocompletion=completion.tags),
    ] = None,
    key_point: Annotated[
        list[str] | None,
        typer.Option("--key-point", "-k", help="A key point of the answer (repeatable, max 5)."),
    ] = None,
    editor: Annotated[
        bool, typer.Option("--editor", "-e", help="Write the front and back in $EDITOR.")
    ] = False,
    create: Annotated[
        bool, typer.Option("--create", help="Create --deck as a new user deck if it is missing.")
    ] = False,
    deck_name: Annotated[
        str | None, typer.Option("--deck-name", help="Name of a deck made with --create.")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Category of a deck made with --create.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a card to one of your decks; with no options it asks interactively.

    Cards are appended to <home>/decks/<deck>.toml; the rest of the file is left as it is.
    Bundled decks are never changed: `--deck python` adds to your deck `python-extra`.

    Example: flashprep add --deck python --front "What is the GIL?" --back - --tag gil < answer.md
    """
    from flashprep.cardfiles import NewCard, append_cards, normalize_tags, same_front
    from flashprep.editor import edit_front_back

    ws = workspace(ctx)
    if back == "-":
        try:
            back = sys.stdin.read()
        except UnicodeDecodeError:
            raise InputError("--back -: standard input is not UTF-8 text") from None
    if front is None and back is None and not (editor and deck):
        if not _is_terminal():
            raise InputError(
                "add needs --deck, --front and --back when it is not run in a terminal"
            )
        _add_interactive(ws, deck, editor)
        return
    if deck is None:
        raise InputError("--deck is required with --front/--back (see `flashprep decks`)")
    if editor:
        front, back = edit_front_back(front or "", back or "")
    elif front is None or back is None:
        raise InputError("give both --front and --back (or --editor to write them in $EDITOR)")
    target = _target_for(ws, deck, create, deck_name, category)
    card = NewCard(
        front=front or "",
        back=back or "",
        tags=normalize_tags(tag or []),
        key_points=tuple(key_point or ()),
    )
    added = append_cards(target, [card], _taken_ids(ws, ws.collection), home=ws.home)[0]
    for other in same_front(ws.collection, card.front):
        warn(f"card {other!r} has the same front; both are kept")
    if as_json:
        emit_json({**added.to_dict(), "via": target.via})
        return
    typer.echo(_added_line(added, target))


def _add_interactive(ws: Workspace, deck: str | None, use_editor: bool) -> None:
    from flashprep.cardfiles import (
        DeckMeta,
        NewCard,
        append_cards,
        extra_deck_id,
        is_user_deck,
        new_deck_target,
        normalize_tags,
        resolve_target,
    )
    from flashprep.cardmodel import MAX_KEY_POINTS
    from flashprep.decks import load_collection
    from flashprep.editor import edit_front_back
    from flashprep.ui.add import DeckChoice, Draft, run_add_wizard

    state: dict[str, Any] = {"col": ws.collection}

    def decks() -> list[DeckChoice]:
        col = state["col"]
        mine = [DeckChoice(d.id, d.name, d.id) for d in col.decks if is_user_deck(d, ws.home)]
        ids = {c.id for c in mine}
        # A bundled deck without cards (the readiness checklist) is no place for a card.
        others = [
            DeckChoice(d.id, d.name, extra_deck_id(d.id))
            for d in col.decks
            if d.id not in ids and d.card_ids
        ]
        return mine + others

    def check_deck_id(text: str) -> str | None:
        # The rules `save` applies to the new deck, checked before its name is asked.
        try:
            new_deck_target(state["col"], ws.home, DeckMeta(text, text, "Custom"))
        except InputError as exc:
            return str(exc)
        return None

    def check_tags(text: str) -> str | None:
        try:
            normalize_tags([text])
        except InputError as exc:
            return str(exc)
        return None

    def save(draft: Draft) -> str:
        col = state["col"]
        if draft.new_deck is not None:
            meta = DeckMeta(
                draft.new_deck["id"], draft.new_deck["name"], draft.new_deck["category"]
            )
            target = new_deck_target(col, ws.home, meta)
        else:
            target = resolve_target(col, ws.home, draft.deck)
        card = NewCard(
            front=draft.front,
            back=draft.back,
            tags=normalize_tags([draft.tags]),
            key_points=tuple(draft.key_points),
        )
        added = append_cards(target, [card], _taken_ids(ws, col), home=ws.home)[0]
        # Reload, so the next round sees the new card's id and any new deck.
        state["col"] = load_collection(ws.home, ws.deck_dirs)
        return _added_line(added, target)

    count = run_add_wizard(
        decks,
        save,
        check_deck_id=check_deck_id,
        check_tags=check_tags,
        max_key_points=MAX_KEY_POINTS,
        edit_text=edit_front_back if use_editor else None,
        default_deck=deck,
    )
    typer.echo(f"{count} card(s) added.")


@app.command("cards")
def cards_cmd(
    ctx: typer.Context,
    deck: Annotated[
        list[str] | None,
        typer.Option(
            "--deck", "-d", help="Only this deck (repeatable).", autocompletion=completion.deck_ids
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            help="Only cards with this tag (repeatable).",
            autocompletion=completion.tags,
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Text in the id, front, back or tags (any case)."),
    ] = None,
    due: Annotated[bool, typer.Option("--due", help="Due today (reviews and re-drills).")] = False,
    new: Annotated[bool, typer.Option("--new", help="Never reviewed.")] = False,
    suspended: Annotated[bool, typer.Option("--suspended", help="Suspended.")] = False,
    leeches: Annotated[bool, typer.Option("--leeches", help="Marked as leeches.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List cards with their schedule; filters combine (--due --new: either).

    Example: flashprep cards --deck python --leeches
    """
    from flashprep.cardlist import card_rows

    ws = workspace(ctx)
    with open_history(ws) as history:
        rows = card_rows(
            ws.collection,
            history.states,
            ws.today(),
            decks=deck or (),
            tags=tag or (),
            search=search,
            due=due,
            new=new,
            suspended=suspended,
            leeches=leeches,
        )
    if as_json:
        emit_json(rows)
        return
    from flashprep.ui.cards import render_cards

    render_cards(rows)


@app.command()
def edit(
    ctx: typer.Context,
    card_id: Annotated[
        str, typer.Argument(help="The card's id.", autocompletion=completion.card_ids)
    ],
) -> None:
    """Open a card in $EDITOR at its line; a bundled card is first copied to <deck>-extra.

    The copy has `override = true`: it replaces the bundled card everywhere and keeps
    its progress, since the id stays the same.

    Example: EDITOR=nano flashprep edit python-gil
    """
    from flashprep.decks import load_collection
    from flashprep.editor import editor_command, prepare_edit, run_editor
    from flashprep.errors import DeckError

    ws = workspace(ctx)
    editor_command()  # no editor: fail before copying anything
    try:
        col = ws.collection
    except DeckError as exc:
        # A deck file of the user's is broken (often by the last edit): open it at the
        # error instead, since nothing can be looked up until it parses again.
        if exc.path is None or not _is_users(ws, exc.path):
            raise
        warn(f"{exc}; opening it to fix")
        path, line = exc.path, exc.line
    else:
        path, line, copied = prepare_edit(col, ws.home, card_id)
        if copied is not None:
            typer.echo(
                f"copied bundled card {card_id} to {copied.path}:{copied.line} "
                "with override = true (it replaces the bundled card; progress is kept)"
            )
    run_editor(path, line, outcome=f"{path} is as the editor left it")
    try:
        load_collection(ws.home, ws.deck_dirs)
    except DeckError as exc:
        raise InputError(
            f"{exc} - the file is saved as you left it; fix it with `flashprep edit {card_id}`"
        ) from None
    typer.echo(f"{path}: ok")


def _is_users(ws: Workspace, path: Path) -> bool:
    """A deck file flashprep may open for editing: one in <home>/decks or a --decks dir."""
    from flashprep.decksources import user_decks_dir

    dirs = [user_decks_dir(ws.home), *ws.deck_dirs]
    folder = path.parent.resolve()
    return any(folder == d.resolve() or d.resolve() in folder.parents for d in dirs)


def _describe(state: dict[str, Any]) -> str:
    if state.get("suspended"):
        return "suspended (leech)" if state.get("leech") else "suspended"
    if state.get("buried_until"):
        return f"buried until {state['buried_until']}"
    if state.get("due") is None:
        return "new"
    text = f"due {state['due']}, interval {state['interval']}d, EF {state['ef']:.2f}"
    return text + ("; re-drill pending" if state.get("redrill") else "")


def _manage(ctx: typer.Context, ids: list[str], action: str, verb: str, as_json: bool) -> None:
    from flashprep.cardactions import manage_cards, resolve_ids

    ws = workspace(ctx)
    col = ws.collection
    resolve_ids(col, ids)  # an unknown id fails before the writer's daily backup
    moment = ws.now()
    day = ws.today(moment)
    with open_history(ws, write=True) as history:
        results = manage_cards(history, col, ids, action, moment, day)
    if as_json:
        emit_json(results)
        return
    for r in results:
        if r["changed"]:
            typer.echo(f"{verb} {r['id']}: now {_describe(r['state'])}")
        else:
            typer.echo(f"{r['id']}: {r['reason']}, nothing to do")


@app.command()
def suspend(ctx: typer.Context, card_ids: IdsArg, as_json: JsonOpt = False) -> None:
    """Keep cards out of every review until they are unsuspended.

    Example: flashprep suspend python-gil sql-joins
    """
    _manage(ctx, card_ids, "suspend", "suspended", as_json)


@app.command()
def unsuspend(ctx: typer.Context, card_ids: IdsArg, as_json: JsonOpt = False) -> None:
    """Bring suspended cards (leeches too) back into reviews.

    Example: flashprep unsuspend python-gil
    """
    _manage(ctx, card_ids, "unsuspend", "unsuspended", as_json)


@app.command()
def bury(ctx: typer.Context, card_ids: IdsArg, as_json: JsonOpt = False) -> None:
    """Hide cards until the next study day.

    Example: flashprep bury python-gil
    """
    _manage(ctx, card_ids, "bury", "buried", as_json)


@app.command()
def forget(ctx: typer.Context, card_ids: IdsArg, as_json: JsonOpt = False) -> None:
    """Make cards new again (their past answers stay in the history).

    Example: flashprep forget python-gil
    """
    _manage(ctx, card_ids, "forget", "forgot", as_json)


@app.command()
def undo(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Take back the last answer of any session (recorded as an undo event).

    Run it again to take back the answer before that one.

    Example: flashprep undo
    """
    from flashprep.cardactions import undo_last

    ws = workspace(ctx)
    moment = ws.now()
    # Find the answer read-only first: with nothing to undo, the history is not written
    # (no backup, no empty log in a new home). A damaged index is reported (and rebuilt)
    # by this read, so the writer below finds nothing more to say about it.
    with open_history(ws) as history:
        undo_last(history, moment, ws.today(moment), record=False)
    with open_history(ws, write=True) as history:
        result = undo_last(history, moment, ws.today(moment))
    if as_json:
        emit_json(result)
        return
    u = result["undone"]
    grade = f" graded {u['grade']}" if "grade" in u else ""
    typer.echo(
        f"undid the {u['kind']} answer to {result['card_id']}{grade} on {u['day']}: "
        f"now {_describe(result['state'])}"
    )
