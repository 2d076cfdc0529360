"""Loading plug-ins and collecting what they register.

Plug-ins come from three places, all through one pluggy manager: qscore's own built-ins
(rule types, readers, writers), the ``qscore`` entry-point group of installed
distributions (the seed jurisdictions among them), and ``*.py`` files in folders given
by ``--plugins-dir`` or ``QSCORE_PLUGINS_DIR``.  ``QSCORE_LOAD_PLUGINS`` (a comma-separated
list of entry-point names) limits which installed plug-ins load; set it empty to load none.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any, Generic, TypeVar

import attrs
import pluggy

from qscore import hookspecs
from qscore.errors import PluginError, QscoreError, RulesetError
from qscore.model import Ruleset
from qscore.rules.base import Rule

ENTRY_POINT_GROUP = "qscore"
ALLOW_ENV = "QSCORE_LOAD_PLUGINS"
DIRS_ENV = "QSCORE_PLUGINS_DIR"
BUILTIN = "qscore.builtin"
T = TypeVar("T")


@attrs.frozen
class PluginInfo:
    """An active plug-in, for ``qscore plugins``.

    :param name: entry-point name, file stem, or ``qscore.builtin``.
    :param version: its distribution's version, ``None`` for a folder plug-in.
    :param source: the distribution or the file it came from.
    :param hooks: the hooks it implements.
    """

    name: str
    version: str | None
    source: str
    hooks: tuple[str, ...]


@attrs.frozen
class ReadOptions:
    """Reader options from the command line.

    :param encoding: a CSV encoding forced by the user, ``None`` to detect.
    :param sheet: a spreadsheet's sheet name, ``None`` for the first.
    """

    encoding: str | None = None
    sheet: str | None = None


@attrs.frozen
class Reader:
    name: str
    read: Callable[[Path, ReadOptions], Any]
    suffixes: tuple[str, ...]
    plugin: str


@attrs.frozen
class Writer:
    name: str
    write: Callable[[Any], bytes]
    suffix: str
    explained: bool
    plugin: str


@attrs.frozen
class RulesetEntry:
    ruleset: Ruleset
    plugin: str


class _Registry(Generic[T]):
    """Entries by key, with the plug-in that registered each; a second key is a clash."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.entries: dict[str, T] = {}
        self.owners: dict[str, str] = {}

    def add(self, key: str, entry: T, plugin: str) -> None:
        if key in self.entries:
            raise PluginError(f"{self.kind} '{key}' is already registered by plug-in '{self.owners[key]}'",
                              plugin=plugin)
        self.entries[key], self.owners[key] = entry, plugin


class RuleRegister:
    """What ``qscore_register_rules`` receives: call it with a :class:`Rule` subclass."""

    def __init__(self, registry: _Registry[type[Rule]], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, rule_type: type[Rule]) -> None:
        if not (isinstance(rule_type, type) and issubclass(rule_type, Rule)) or not getattr(rule_type, "type", ""):
            raise PluginError(f"register() takes a qscore.rules.Rule subclass with a 'type', got {rule_type!r}",
                              plugin=self.plugin)
        self._registry.add(rule_type.type, rule_type, self.plugin)


class RulesetRegister:
    """What ``qscore_register_rulesets`` receives: call it with a ``.toml`` path or a Ruleset."""

    def __init__(self, registry: _Registry[RulesetEntry], rule_types: dict[str, type[Rule]], plugin: str) -> None:
        self._registry, self._rule_types, self.plugin = registry, rule_types, plugin

    def __call__(self, source: str | os.PathLike[str] | Ruleset) -> Ruleset:
        from qscore.rulesets import load_ruleset

        ruleset = source if isinstance(source, Ruleset) else load_ruleset(Path(source), self._rule_types)
        self._registry.add(ruleset.id, RulesetEntry(ruleset, self.plugin), self.plugin)
        return ruleset

    def directory(self, folder: str | os.PathLike[str]) -> list[Ruleset]:
        """Register every ``*.toml`` file in ``folder`` (not its sub-folders), by name order."""
        return [self(path) for path in sorted(Path(folder).glob("*.toml"))]


class ReaderRegister:
    """What ``qscore_register_readers`` receives."""

    def __init__(self, registry: _Registry[Reader], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, name: str, read: Callable[[Path, ReadOptions], Any], *, suffixes: Sequence[str]) -> None:
        self._registry.add(name, Reader(name, read, tuple(s.lower() for s in suffixes), self.plugin), self.plugin)


class WriterRegister:
    """What ``qscore_register_writers`` receives."""

    def __init__(self, registry: _Registry[Writer], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, name: str, write: Callable[[Any], bytes], *, suffix: str, explained: bool = False) -> None:
        self._registry.add(name, Writer(name, write, suffix, explained, self.plugin), self.plugin)


class Catalog:
    """Everything the active plug-ins register, collected on first use."""

    def __init__(self, manager: pluggy.PluginManager, infos: Sequence[PluginInfo]) -> None:
        self.manager = manager
        self.infos = tuple(infos)

    def _each_impl(self, hook: str) -> Iterator[tuple[str, Callable[..., Any]]]:
        # One call per plug-in, so that what it registers is credited to it by name.
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            yield impl.plugin_name, impl.function

    def _collect(self, hook: str, make: Callable[[str], Any]) -> None:
        for plugin, function in self._each_impl(hook):
            try:
                function(make(plugin))
            except (PluginError, RulesetError):
                raise
            except QscoreError as exc:
                raise PluginError(str(exc), plugin=plugin) from None
            except Exception as exc:  # a plug-in's own bug must not show a traceback
                raise PluginError(f"{hook} failed: {type(exc).__name__}: {exc}", plugin=plugin) from None

    @cached_property
    def rule_types(self) -> dict[str, type[Rule]]:
        registry: _Registry[type[Rule]] = _Registry("rule type")
        self._collect("qscore_register_rules", lambda plugin: RuleRegister(registry, plugin))
        return registry.entries

    @cached_property
    def rulesets(self) -> dict[str, RulesetEntry]:
        registry: _Registry[RulesetEntry] = _Registry("ruleset")
        self._collect("qscore_register_rulesets", lambda plugin: RulesetRegister(registry, self.rule_types, plugin))
        return registry.entries

    @cached_property
    def readers(self) -> dict[str, Reader]:
        registry: _Registry[Reader] = _Registry("reader")
        self._collect("qscore_register_readers", lambda plugin: ReaderRegister(registry, plugin))
        return registry.entries

    @cached_property
    def writers(self) -> dict[str, Writer]:
        registry: _Registry[Writer] = _Registry("output format")
        self._collect("qscore_register_writers", lambda plugin: WriterRegister(registry, plugin))
        return registry.entries

    def ruleset(self, id_or_path: str) -> Ruleset:
        """A registered ruleset by id, or a ruleset file by path."""
        from qscore.rulesets import load_ruleset

        if _is_path(id_or_path) and Path(id_or_path).is_file():
            # No ruleset id holds a folder separator: the installed rulesets need not be loaded.
            return load_ruleset(Path(id_or_path), self.rule_types)
        if id_or_path in self.rulesets:
            return self.rulesets[id_or_path].ruleset
        if Path(id_or_path).is_file():
            return load_ruleset(Path(id_or_path), self.rule_types)
        known = ", ".join(sorted(self.rulesets)) or "none"
        raise LookupError(f"no ruleset '{id_or_path}' is installed and no such file exists; installed: {known}")

    def reader_for(self, path: Path) -> Reader:
        suffix = path.suffix.lower()
        for reader in self.readers.values():
            if suffix in reader.suffixes:
                return reader
        known = ", ".join(sorted({s for r in self.readers.values() for s in r.suffixes}))
        raise LookupError(f"no reader for '{suffix or path.name}' files; readable: {known}")

    def adjusters(self) -> list[Callable[..., Any]]:
        hook = self.manager.hook.qscore_adjust_unit
        if not hook.get_hookimpls():
            return []

        def adjust(ruleset: Ruleset, unit: Any) -> list[Any]:
            return [line for lines in hook(ruleset=ruleset, unit=unit) if lines for line in lines]
        return [adjust]


def _is_path(text: str) -> bool:
    return any(sep in text for sep in (os.sep, os.altsep, "/") if sep)


def load_plugins(plugin_dirs: Iterable[str | os.PathLike[str]] = (), *, entry_points: bool = True,
                 extra: Iterable[tuple[str, object]] = ()) -> Catalog:
    """A :class:`Catalog` of the built-ins, installed plug-ins and folder plug-ins.

    :param plugin_dirs: folders of ``*.py`` plug-ins, in addition to ``QSCORE_PLUGINS_DIR``.
    :param entry_points: load the ``qscore`` entry-point group (subject to ``QSCORE_LOAD_PLUGINS``).
    :param extra: ``(name, plugin)`` pairs registered as well (tests, embedding).
    :raises PluginError: for a plug-in that fails to import, clashes, or misspells a hook.
    """
    from qscore import builtin

    manager = pluggy.PluginManager("qscore")
    manager.add_hookspecs(hookspecs)
    infos = [_register(manager, builtin, BUILTIN, version=_own_version(), source="qscore")]
    if entry_points:
        infos += _load_entry_points(manager)
    folders = [*plugin_dirs, *_env_dirs()]
    for folder in folders:
        infos += _load_folder(manager, Path(folder))
    for name, plugin in extra:
        infos.append(_register(manager, plugin, name, version=None, source="registered by caller"))
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc), plugin=manager.get_name(exc.plugin)) from None
    return Catalog(manager, infos)


def _register(manager: pluggy.PluginManager, plugin: object, name: str, *, version: str | None,
              source: str) -> PluginInfo:
    if manager.has_plugin(name):
        raise PluginError(f"a plug-in named '{name}' is already loaded", plugin=name)
    try:
        manager.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(str(exc), plugin=name) from None
    hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
    return PluginInfo(name=name, version=version, source=source, hooks=hooks)


def _allowed() -> set[str] | None:
    value = os.environ.get(ALLOW_ENV)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _load_entry_points(manager: pluggy.PluginManager) -> list[PluginInfo]:
    allowed = _allowed()
    infos, seen = [], set()
    for entry in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if (allowed is not None and entry.name not in allowed) or entry.name in seen:
            continue
        seen.add(entry.name)
        dist = entry.dist
        try:
            plugin = entry.load()
        except Exception as exc:
            source = f" (from {dist.name})" if dist else ""
            raise PluginError(f"cannot import '{entry.value}'{source}: {type(exc).__name__}: {exc}",
                              plugin=entry.name) from None
        infos.append(_register(manager, plugin, entry.name, version=dist.version if dist else None,
                               source=dist.name if dist else entry.value))
    return infos


def _env_dirs() -> list[str]:
    value = os.environ.get(DIRS_ENV, "")
    return [part for part in value.split(os.pathsep) if part]


def _load_folder(manager: pluggy.PluginManager, folder: Path) -> list[PluginInfo]:
    if not folder.is_dir():
        raise PluginError(f"plug-in folder '{folder}' does not exist or is not a folder")
    infos = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module_name = f"qscore_folder_plugin_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a spec
            raise PluginError("cannot load as a module", plugin=str(path))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(module_name, None)
            line = next((f" (line {tb.tb_lineno})" for tb in _last_frame(exc.__traceback__, path)), "")
            raise PluginError(f"cannot import {path}{line}: {type(exc).__name__}: {exc}", plugin=path.stem) from None
        infos.append(_register(manager, module, path.stem, version=None, source=str(path)))
    return infos


def _last_frame(tb: Any, path: Path) -> Iterator[Any]:
    frames = []
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            frames.append(tb)
        tb = tb.tb_next
    return iter(frames[-1:])


def _own_version() -> str | None:
    try:
        return metadata.version("qscore")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return None
