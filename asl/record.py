"""`record`: what `@dataclass` gives a plain class, without compiling code at import.

`@dataclass` writes `__init__`, `__repr__`, `__eq__`, `__hash__` (and, frozen, `__setattr__` and
`__delattr__`) as source and exec()s each: about 0.1 ms a method, ~12 ms for the model's classes at
every start. `record` builds the same methods from shared closures instead: the same fields (from
the annotations, in order, the base class's first), defaults and `field(...)` options (default,
default_factory, init, repr, compare), `__post_init__`, equality and hashing over the compared
fields, the same repr, `FrozenInstanceError` when frozen, and `dataclasses.fields()` still works.
Not supported (keep `@dataclass` for these): slots, order, kw_only, ClassVar and InitVar fields.
On a Python whose dataclasses internals differ from those record fills in, it is `@dataclass`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, Field, FrozenInstanceError
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def record(cls: type[T] | None = None, *, frozen: bool = False) -> Any:
    """Decorate `cls` as `@dataclass(frozen=frozen)` would (see the module's docstring)."""
    make = _make if _params(frozen) is not None else _dataclass
    if cls is None:
        return lambda klass: make(klass, frozen)
    return make(cls, frozen)


def _params(frozen: bool) -> Any:
    """dataclasses' private parameters record for a class; None where this Python's differ (3.12 added four)."""
    try:
        dataclasses._FIELD  # noqa: B018 - record marks its fields with it
        return dataclasses._DataclassParams(True, True, True, False, False, frozen)
    except (TypeError, AttributeError):
        return None


def _dataclass(cls: type, frozen: bool) -> type:
    # A Python whose dataclasses internals record does not know: the real thing, only slower to import.
    return dataclasses.dataclass(cls, frozen=frozen)


def _make(cls: type, frozen: bool) -> type:
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(getattr(base, "__dataclass_fields__", {}))
    for name, kind in cls.__dict__.get("__annotations__", {}).items():
        default = cls.__dict__.get(name, MISSING)
        spec = default if isinstance(default, Field) else dataclasses.field(default=default)
        spec.name, spec.type, spec._field_type = name, kind, dataclasses._FIELD
        fields[name] = spec
        if isinstance(default, Field):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
    cls.__dataclass_fields__ = fields
    cls.__dataclass_params__ = _params(frozen)
    init_names = tuple(name for name, spec in fields.items() if spec.init)
    # (name, default, default_factory, init) of every field, in order
    slots = tuple((name, spec.default, spec.default_factory, spec.init) for name, spec in fields.items())
    compared = tuple(name for name, spec in fields.items() if spec.compare)
    shown = tuple(name for name, spec in fields.items() if spec.repr)
    post_init = getattr(cls, "__post_init__", None)
    # As dataclass: a method the class writes itself is kept.
    own = cls.__dict__
    explicit_hash = not ("__hash__" not in own or (own["__hash__"] is None and "__eq__" in own))
    for name, method in (("__init__", _init(cls, init_names, slots, post_init)), ("__repr__", _repr(shown)),
                         ("__eq__", _eq(compared)), ("__match_args__", init_names)):
        if name not in own:
            setattr(cls, name, method)
    if not explicit_hash:
        # frozen: hashed by the compared fields; else unhashable (eq without frozen), as dataclass makes it
        cls.__hash__ = _hash(compared) if frozen else None
    if cls.__doc__ is None:  # as dataclass: the signature
        params = ", ".join(f"{name}: {spec.type!r}" + ("" if spec.default is MISSING and spec.default_factory is MISSING
                                                      else " = <factory>" if spec.default is MISSING
                                                      else f" = {spec.default!r}")
                           for name, spec in fields.items() if spec.init)
        cls.__doc__ = f"{cls.__name__}({params})"
    if frozen:
        if "__setattr__" in own or "__delattr__" in own:
            raise TypeError(f"Cannot overwrite attribute __setattr__ or __delattr__ in class {cls.__name__}")
        cls.__setattr__, cls.__delattr__ = _frozen(cls, fields)
    return cls


def _init(cls: type, init_names: tuple[str, ...], slots: tuple, post_init: Callable | None) -> Callable:
    known = frozenset(init_names)
    count = len(init_names)
    # (an init=False field's plain default stays the class attribute, as with dataclass)
    defaults = {name: default for name, default, _, init in slots if init and default is not MISSING}
    factories = tuple((name, factory) for name, default, factory, _ in slots
                      if default is MISSING and factory is not MISSING)
    required = tuple(name for name, default, factory, init in slots
                     if init and default is MISSING and factory is MISSING)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > count:
            raise TypeError(f"{cls.__qualname__}.__init__() takes {count + 1} positional arguments but "
                            f"{len(args) + 1} were given")
        given = dict(zip(init_names, args))
        for key, value in kwargs.items():
            if key not in known:
                raise TypeError(f"{cls.__qualname__}.__init__() got an unexpected keyword argument {key!r}")
            if key in given:
                raise TypeError(f"{cls.__qualname__}.__init__() got multiple values for argument {key!r}")
            given[key] = value
        for name in required:
            if name not in given:
                raise TypeError(f"{cls.__qualname__}.__init__() missing 1 required positional argument: {name!r}")
        values = self.__dict__
        values.update(defaults)   # a field's default object itself, as dataclass gives it
        for name, factory in factories:
            if name not in given:
                values[name] = factory()
        values.update(given)
        if post_init is not None:
            post_init(self)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _repr(shown: tuple[str, ...]) -> Callable:
    import reprlib

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({values})"

    return __repr__


def _eq(compared: tuple[str, ...]) -> Callable:
    def __eq__(self, other: object) -> Any:
        if other.__class__ is self.__class__:
            return tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)
        return NotImplemented

    return __eq__


def _hash(compared: tuple[str, ...]) -> Callable:
    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in compared))

    return __hash__


def _frozen(cls: type, fields: dict[str, Field]) -> tuple[Callable, Callable]:
    def __setattr__(self, name: str, value: Any) -> None:
        if type(self) is cls or name in fields:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if type(self) is cls or name in fields:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__
