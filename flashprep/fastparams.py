"""Cheap coercion of command-line values, so a plain command never imports pydantic.

Recent typer releases (0.29) coerce every non-flag parameter through a pydantic
TypeAdapter, built the first time the parameter is processed -- even when the
option was not given and its value is None. For `flashprep status` that meant
importing pydantic and building four adapters on every run: ~90 ms, more than
everything else the command does (see benchmarks/RESULTS.md).

`install(command)` gives each parameter of a command tree a stand-in for typer's
lazily built runtime parameter. It handles the cases that need no validation at
all -- a value left at None or empty, a string for a `str` parameter, a whole
number default for an unconstrained `int`, a path for a `Path` parameter
(checked by typer's own path rules) -- and hands everything else to typer's
own coercion, built on first use exactly as typer would.

The fast path is taken only when `available()` finds every private piece of
typer it relies on, with the shape it expects; otherwise (another typer, or
FLASHPREP_PLAIN_TYPER=1 in the environment) nothing is patched and the CLI runs
on plain typer: slower to start, identical in behaviour. The private touch
points that remain:

* `typer.core._TyperParameter`: its `_runtime_param` slot (None until first
  use), `get_runtime_param()` (which returns that slot once set) and
  `type_descriptor`, with the fields `annotation`, `parameter_info` and
  `file_annotation`;
* `typer._coercion.build_runtime_param(descriptor)`, whose result has
  `coerce(value, param=, ctx=)`;
* `typer._param_types.coerce_cli_path(value, info, path_type=, param=, ctx=)`,
  typer's own checks of a path (exists, file_okay, dir_okay, ...);
* a command's lazily created `_help_option` and its `get_help_option(ctx)`.

`keep_only_invoked` uses only the public `registered_commands` and
`registered_groups` lists of a `typer.Typer`, and is switched off with the rest.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

_MISSING = object()
# Set to 1 to run on plain typer (the slower path every typer release supports).
PLAIN_ENV = "FLASHPREP_PLAIN_TYPER"
_available: bool | None = None


def _has_params(func: Any, *names: str) -> bool:
    import inspect

    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return all(n in params for n in names)


def _typer_fits() -> bool:
    """Every private piece of typer the fast path touches is there, with its shape."""
    import dataclasses

    try:
        from typer import _coercion, _param_types, core
    except ImportError:
        return False
    param_cls = getattr(core, "_TyperParameter", None)
    descriptor = getattr(_coercion, "TypeDescriptor", None)
    runtime = getattr(_coercion, "RuntimeParam", None)
    if param_cls is None or descriptor is None or runtime is None:
        return False
    if not dataclasses.is_dataclass(descriptor):
        return False
    fields = {f.name for f in dataclasses.fields(descriptor)}
    if not {"annotation", "parameter_info", "file_annotation"} <= fields:
        return False
    # The parameter must hand out whatever sits in its `_runtime_param` slot.
    get_runtime_param = getattr(param_cls, "get_runtime_param", None)
    probe = type("_Probe", (), {"_runtime_param": _MISSING, "type_descriptor": None})()
    try:
        if get_runtime_param is None or get_runtime_param(probe) is not _MISSING:
            return False
    except Exception:  # a different implementation: not one to patch
        return False
    return (
        _has_params(getattr(_coercion, "build_runtime_param", None), "descriptor")
        and _has_params(getattr(runtime, "coerce", None), "value", "param", "ctx")
        and _has_params(
            getattr(_param_types, "coerce_cli_path", None),
            "value",
            "parameter_info",
            "path_type",
            "param",
            "ctx",
        )
    )


def available() -> bool:
    """Whether the fast path is on: typer has what it needs and it is not switched off."""
    global _available
    if os.environ.get(PLAIN_ENV, "") not in ("", "0"):
        return False
    if _available is None:
        _available = _typer_fits()
    return _available


def _plain(info: Any) -> bool:
    """No parser, range or clamp: the value needs no validation beyond its type."""
    return (
        getattr(info, "parser", None) is None
        and getattr(info, "click_type", None) is None
        and getattr(info, "min", None) is None
        and getattr(info, "max", None) is None
        and not getattr(info, "clamp", False)
    )


class _Deferred:
    """Stands in for typer's RuntimeParam; builds the real one only when needed."""

    def __init__(self, param: Any) -> None:
        self.param = param
        descriptor = param.type_descriptor
        self.annotation = descriptor.annotation
        self.info = descriptor.parameter_info
        self.plain = _plain(self.info) and descriptor.file_annotation is None
        self.real: Any = None

    def _leaf(self, annotation: Any, value: Any, param: Any, ctx: Any) -> Any:
        if annotation is str and isinstance(value, str):
            return value
        if annotation is int and type(value) is int:
            return value
        if (
            isinstance(annotation, type)
            and issubclass(annotation, Path)
            and getattr(self.info, "path_type", None) in (None, Path, annotation)
            and isinstance(value, str | Path)
        ):
            from typer._param_types import coerce_cli_path

            return coerce_cli_path(
                annotation(value), self.info, path_type=annotation, param=param, ctx=ctx
            )
        return _MISSING

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None  # what typer's own coerce returns
        if self.plain:
            if not multi:
                out = self._leaf(self.annotation, value, param, ctx)
                if out is not _MISSING:
                    return out
            elif isinstance(value, list | tuple):
                from typing import get_args

                args = get_args(self.annotation)
                if len(args) == 1:
                    items = [self._leaf(args[0], v, param, ctx) for v in value]
                    if all(i is not _MISSING for i in items):
                        return items
        if self.real is None:
            from typer._coercion import build_runtime_param

            self.real = build_runtime_param(param.type_descriptor)
        return self.real.coerce(value, param=param, ctx=ctx)


def _patch(param: Any) -> None:
    if getattr(param, "_runtime_param", _MISSING) is None and hasattr(param, "type_descriptor"):
        param._runtime_param = _Deferred(param)


def install(command: Any) -> None:
    """Give every parameter of `command` and its subcommands the cheap coercion
    (nothing at all when the fast path is not `available()`)."""
    if available():
        _install(command)


def _install(command: Any) -> None:
    for param in getattr(command, "params", ()):
        _patch(param)
    original = getattr(command, "get_help_option", None)
    if original is not None and "_help_option" in vars(command):
        # --help is created on first use (its value is None when not given, so typer
        # would build an adapter for it too); patch it as it is made.
        def get_help_option(ctx: Any, _original: Any = original) -> Any:
            option = _original(ctx)
            if option is not None:
                _patch(option)
            return option

        command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        _install(sub)


def command_name(info: Any) -> str | None:
    """The name typer gives a registered command or sub-app."""
    if getattr(info, "name", None):
        return str(info.name)
    callback = getattr(info, "callback", None)
    if callback is None:
        return None
    return str(callback.__name__).lower().replace("_", "-")


def keep_only_invoked(app: Any, argv: list[str], value_options: frozenset[str]) -> None:
    """Register only the command `argv` names on `app`, before typer builds the click tree.

    typer turns every registered command into click objects on each run
    (signature inspection, annotations, parameters: ~1 ms a command, ~15 ms for
    this CLI). A run invokes one command, so the console entry point drops the
    others first, and `--version` (eager: it exits before any command is looked at)
    keeps none. Anything unusual -- help, no command, or a name that is not a command
    (typer's "no such command" with suggestions needs them all) -- leaves `app`
    untouched, and so does plain typer (`available()` false).
    Only for a process that runs one command.
    """
    if not available():
        return
    if not isinstance(getattr(app, "registered_commands", None), list) or not isinstance(
        getattr(app, "registered_groups", None), list
    ):
        return
    args = iter(argv)
    name = None
    for arg in args:
        if arg == "--version" and "-h" not in argv and "--help" not in argv:
            # Eager: it prints and exits before any command is looked at.
            app.registered_commands[:] = []
            app.registered_groups[:] = []
            return
        if arg in ("-h", "--help") or arg == "--":
            return
        if arg.startswith("-"):
            if arg in value_options:
                next(args, None)
            continue
        name = arg
        break
    if name is None or "-h" in argv or "--help" in argv:
        return
    commands = [c for c in app.registered_commands if command_name(c) == name]
    groups = [g for g in app.registered_groups if command_name(g) == name]
    if len(commands) + len(groups) != 1:
        return
    app.registered_commands[:] = commands
    app.registered_groups[:] = groups
