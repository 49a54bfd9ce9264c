"""The `--store` option every command shares, and the one place its default is named."""

from __future__ import annotations

import os
from typing import Any, Callable

import click


class _StoreOption(click.Option):
    """`--store PATH`; its help names the default store as it is when the help is shown."""

    def __init__(self, *args: Any, what: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.what = what

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from asl.store import STORE_VARIABLE, default_path  # the store's code only when it is asked for

        self.help = (f"{self.what} (default: {default_path()}, the one store `sfn run` records into "
                     f"whatever the folder; ${STORE_VARIABLE} changes it).")
        return super().get_help_record(ctx)


def store_option(what: str = "The store of executions, messages and task tokens") -> Callable:
    """`--store PATH`, passed to the command as `store_path`."""
    return click.option("--store", "store_path", metavar="PATH", cls=_StoreOption, what=what)


def open_existing(store_path: str | None, write: bool = False) -> Any:
    """The store asked for, or the default one; a one-line error if there is none there yet."""
    from asl.errors import Location, UserInputError
    from asl.store import Store, default_path

    path = store_path or default_path()
    if not os.path.isfile(path):
        raise UserInputError("no store here: nothing was run with it yet (`sfn run` records into it), "
                             "or pass --store PATH", Location(str(path)))
    return Store(path, write=write)
