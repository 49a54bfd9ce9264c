"""The resources file: which local Python function answers which Task resource.

    handlers:                                   # Resource ARN or Lambda function name
      ValidateOrder: handlers:validate_order     #   -> module:function (module beside this file)
      arn:aws:lambda:us-east-1:123456789012:function:Charge: handlers:charge

Found with `--resources FILE`, or automatically as `resources.yaml` / `.yml` / `.json` (or
`STEM.resources.yaml` ...) beside the definition. Other sections (topics, queues, machines) are
read by the providers that own them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


from ..errors import Location, UserInputError
from ..loader import Document, load_text, read_text
from ..source import SourceMap, pointer
from .local import HandlerSpec, LocalHandlers

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class ResourcesConfig:
    """A parsed resources file (or none: every section empty)."""

    document: Document | None = None
    handlers: dict[str, HandlerSpec] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path | None:
        """The folder handler modules are imported from."""
        return Path(self.document.file).resolve().parent if self.document else None

    def location(self, pointer: str) -> Location:
        """FILE:LINE:COLUMN of a part of the file."""
        if self.document is None:
            return Location("<resources>")
        pos = self.document.source_map.value(pointer)
        return Location(self.document.file, pos.line if pos else 0, pos.column if pos else 0)

    def section(self, name: str) -> dict:
        """A top-level mapping of the file ({} when absent, or when the file is empty)."""
        if self.document is None or not isinstance(self.document.data, dict):
            return {}
        value = self.document.data.get(name)
        if value is None:  # `topics:` with nothing under it, like no topics section
            return {}
        if not isinstance(value, dict):
            raise UserInputError(f"'{name}' must be a mapping", self.location(f"/{name}"))
        return value

    def local_handlers(self) -> LocalHandlers:
        """The handlers section as a provider."""
        return LocalHandlers(self.handlers, self.base_dir)


def find_resources(definition: str | Path) -> Path | None:
    """The resources file beside a definition, if there is one."""
    folder = Path(definition).resolve().parent
    stem = Path(definition).name.split(".")[0]
    for name in [f"{stem}.resources{s}" for s in SUFFIXES] + [f"resources{s}" for s in SUFFIXES]:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_resources(path: str | Path | None) -> ResourcesConfig:
    """Parse a resources file; errors are `FILE:LINE:COLUMN: message`."""
    if path is None:
        return ResourcesConfig()
    text = read_text(path)
    if not text.strip():
        # An empty file (even a .json one, which JSON would refuse) declares no resources.
        document = Document(None, SourceMap(lambda: ({}, {}, [])), str(path))
    else:
        document = load_text(text, str(path))
    config = ResourcesConfig(document)
    if document.data is None:  # only comments, or `~`: no resources either
        return config
    if not isinstance(document.data, dict):
        kinds = {"list": "a list", "str": "a string", "bool": "a boolean", "int": "a number", "float": "a number"}
        kind = kinds.get(type(document.data).__name__, type(document.data).__name__)
        raise UserInputError(f"a resources file must be a mapping of sections (handlers, topics, ...), not {kind}",
                             config.location(""))
    known = {"handlers", "topics", "queues", "machines", "subscriptions"}
    for key in document.data:
        if key not in known:
            raise UserInputError(f"unknown section '{key}' (known: {', '.join(sorted(known))})",
                                 config.location(f"/{key}"))
    for key, target in config.section("handlers").items():
        where = config.location(pointer("handlers", key))
        if not isinstance(target, str) or ":" not in target:
            raise UserInputError(f"handler for '{key}' must be 'module:function'", where)
        config.handlers[str(key)] = HandlerSpec(target, where)
    return config
