"""`flashprep completion bash|zsh|fish`: print the shell's completion script."""

from __future__ import annotations

from typing import Annotated

import typer

from flashprep import completion
from flashprep.cli import app
from flashprep.errors import InputError


@app.command("completion")
def completion_cmd(
    shell: Annotated[
        str,
        typer.Argument(
            help="bash, zsh or fish.", metavar="SHELL", autocompletion=completion.shells
        ),
    ],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Completes commands, options, deck ids, tags, topics and card ids (read from your
    home when you press Tab). Load it in the shell's start-up file:

      bash:  eval "$(flashprep completion bash)"    in ~/.bashrc
      zsh:   eval "$(flashprep completion zsh)"     in ~/.zshrc
      fish:  flashprep completion fish > ~/.config/fish/completions/flashprep.fish
    """
    if shell not in completion.SHELLS:
        raise InputError(f"no completion for shell {shell!r}; choose bash, zsh or fish")
    typer.echo(completion.script(shell))
