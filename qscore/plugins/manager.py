"""Loading plug-ins and collecting what they register.

Plug-ins come from three places, all through one pluggy manager: qscore's own built-ins
(rule types, target shapes, readers, writers), the ``qscore`` entry-point group of installed
distributions (the seed jurisdictions among them), and ``*.py`` files in folders given
by ``--plugins-dir`` or ``QSCORE_PLUGINS_DIR``.  ``QSCORE_LOAD_PLUGINS`` (a comma-separated
list of entry-point names) limits which installed plug-ins load; set it empty to load none;
a name no installed plug-in has is an error.

A plug-in folder's code runs as the user who runs qscore, so a folder, or a ``.py`` file
in it, that users other than its owner may write to is refused unless the caller trusts
it (``--trust-plugins-dir``): anyone who can write there could run code as that user.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import pluggy

from qscore.errors import PluginError, QscoreError, RulesetError, UsageError
from qscore.i18n import _, os_reason
from qscore.model import Ruleset
from qscore.plugins import hookspecs
from qscore.reading.table import Reader, ReaderRegister
from qscore.registry import Registry
from qscore.rules.base import Rule, RuleRegister
from qscore.rulesets import PendingRuleset, RulesetEntry, RulesetRegister, load_ruleset
from qscore.scoring.adjusters import Adjuster, AdjusterRegister, CheckedAdjuster
from qscore.targets import Target, TargetRegister
from qscore.writing import Writer, WriterRegister

ENTRY_POINT_GROUP = "qscore"
ALLOW_ENV = "QSCORE_LOAD_PLUGINS"
DIRS_ENV = "QSCORE_PLUGINS_DIR"
BUILTIN = "qscore.builtin"


@attrs.frozen
class PluginInfo:
    """An active plug-in, for ``qscore plugins``.

    :param name: entry-point name, file stem, or ``qscore.builtin``.
    :param origin: the installed distribution that ships it, or the file (or caller) it
        came from.  A distribution's name and version are read from its metadata when
        shown (:attr:`source`, :attr:`version`), not by every run that loads it.
    :param hooks: the hooks it implements.
    """

    name: str
    origin: metadata.Distribution | str
    hooks: tuple[str, ...]

    @property
    def version(self) -> str | None:
        """Its distribution's version, ``None`` for a folder plug-in."""
        return None if isinstance(self.origin, str) else self.origin.version

    @property
    def source(self) -> str:
        """The distribution or the file it came from."""
        return self.origin if isinstance(self.origin, str) else self.origin.name


class Catalog:
    """Everything the active plug-ins register, collected on first use."""

    def __init__(self, manager: pluggy.PluginManager, infos: Sequence[PluginInfo]) -> None:
        self.manager = manager
        self.infos = tuple(infos)
        # Each registered file is loaded once, whether alone or with the others: the
        # catalog hands out one object per installed ruleset.
        self._loaded: dict[int, RulesetEntry] = {}

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
            except (Exception, SystemExit) as exc:  # a plug-in's own bug, or its sys.exit(), must not end qscore
                raise PluginError(_("{hook} failed: {__name__}: {exc}").format(
                        hook=hook, __name__=type(exc).__name__, exc=exc), plugin=plugin) from None

    @cached_property
    def rule_types(self) -> dict[str, type[Rule]]:
        registry: Registry[type[Rule]] = Registry("rule type")
        self._collect("qscore_register_rules", lambda plugin: RuleRegister(registry, plugin))
        return registry.entries

    @cached_property
    def target_kinds(self) -> dict[str, type[Target]]:
        registry: Registry[type[Target]] = Registry("target kind")
        self._collect("qscore_register_targets", lambda plugin: TargetRegister(registry, plugin))
        return registry.entries

    @cached_property
    def _registered_rulesets(self) -> list[PendingRuleset | RulesetEntry]:
        registered: list[PendingRuleset | RulesetEntry] = []
        self._collect("qscore_register_rulesets", lambda plugin: RulesetRegister(registered, plugin))
        return registered

    @cached_property
    def rulesets(self) -> dict[str, RulesetEntry]:
        """Every registered ruleset, each file loaded; an id registered twice is an error."""
        registry: Registry[RulesetEntry] = Registry("ruleset")
        for item in self._registered_rulesets:
            entry = self._load(item) if isinstance(item, PendingRuleset) else item
            registry.add(entry.ruleset.id, entry, entry.plugin)
        return registry.entries

    def _load(self, pending: PendingRuleset) -> RulesetEntry:
        entry = self._loaded.get(id(pending))  # the pending files live as long as the catalog
        if entry is None:
            entry = RulesetEntry(load_ruleset(pending.source, self.rule_types, self.target_kinds), pending.plugin)
            self._loaded[id(pending)] = entry
        return entry

    def is_installed(self, ruleset: Ruleset) -> bool:
        """Whether ``ruleset`` is the one a plug-in registered under its id, as this
        catalog handed it out (not a copy loaded from the same file)."""
        entry = self._registered_alone(ruleset.id)
        if entry is None:
            entry = self.rulesets.get(ruleset.id)
        return entry is not None and entry.ruleset is ruleset

    def _registered_alone(self, ruleset_id: str) -> RulesetEntry | None:
        """The ruleset ``ruleset_id`` loaded without loading the others, when every file's
        declared id can be read from its text and exactly one registration has this one
        (else ``None``: then everything is loaded, so that a clash or a broken file is
        reported as usual)."""
        if "rulesets" in self.__dict__:
            return self.rulesets.get(ruleset_id)
        holders = []
        for item in self._registered_rulesets:
            declared = item.declared_id() if isinstance(item, PendingRuleset) else item.ruleset.id
            if declared is None:
                return None
            if declared == ruleset_id:
                holders.append(item)
        if len(holders) != 1:
            return None
        entry = self._load(holders[0]) if isinstance(holders[0], PendingRuleset) else holders[0]
        return entry if entry.ruleset.id == ruleset_id else None

    @cached_property
    def readers(self) -> dict[str, Reader]:
        registry: Registry[Reader] = Registry("reader")
        self._collect("qscore_register_readers", lambda plugin: ReaderRegister(registry, plugin))
        return registry.entries

    @cached_property
    def writers(self) -> dict[str, Writer]:
        registry: Registry[Writer] = Registry("output format")
        self._collect("qscore_register_writers", lambda plugin: WriterRegister(registry, plugin))
        return registry.entries

    @cached_property
    def _adjusters(self) -> dict[str, list[tuple[str, Adjuster]]]:
        registry: Registry[list[tuple[str, Adjuster]]] = Registry("adjusters")
        self._collect("qscore_register_adjusters", lambda plugin: AdjusterRegister(registry, plugin))
        return registry.entries

    def adjusters(self, ruleset: str) -> list[Adjuster]:
        """The adjusters plug-ins registered for the ruleset with id ``ruleset``, each
        line they give checked (:class:`~qscore.scoring.adjusters.CheckedAdjuster`)."""
        return [CheckedAdjuster(plugin, adjust) for plugin, adjust in self._adjusters.get(ruleset, ())]

    def ruleset(self, id_or_path: str | os.PathLike[str]) -> Ruleset:
        """A registered ruleset by id, or a ruleset file by path.

        :raises UsageError: when it is neither (or a folder).
        """
        text = os.fspath(id_or_path)
        if _is_path(text) and _is_file(text):
            # No ruleset id holds a folder separator: the installed rulesets need not be loaded.
            return load_ruleset(Path(text), self.rule_types, self.target_kinds)
        entry = self._registered_alone(text)
        if entry is not None:
            return entry.ruleset
        if text in self.rulesets:
            return self.rulesets[text].ruleset
        if _is_file(text):
            return load_ruleset(Path(text), self.rule_types, self.target_kinds)
        if Path(text).is_dir():
            raise UsageError(_("{text} is a folder, not a ruleset file: give a ruleset file (.toml) or the id of an "
                               "installed ruleset").format(text=text))
        known = ", ".join(sorted(self.rulesets)) or _("none")
        raise UsageError(_("no ruleset '{text}' is installed and no such file exists; installed: {known}").format(
                text=text, known=known))

    def reader_for(self, path: Path) -> Reader:
        """The reader registered for the suffix of ``path``.

        :raises UsageError: when no reader takes that suffix.
        """
        suffix = path.suffix.lower()
        for reader in self.readers.values():
            if suffix in reader.suffixes:
                return reader
        known = ", ".join(sorted({s for r in self.readers.values() for s in r.suffixes}))
        raise UsageError(_("no reader for '{value}' files; readable: {known}").format(
                value=suffix or path.name, known=known))

    def plugin_of(self, filename: str) -> str | None:
        """The plug-in whose code is in ``filename`` (a traceback frame's file), if any:
        so that an error raised inside a plug-in's reader, writer, rule or adjuster can
        name it.  qscore's own built-ins are not counted."""
        path = os.path.realpath(filename)
        for name, root in self._code_roots:
            if path == root or path.startswith(root + os.sep):
                return name
        return None

    @cached_property
    def _code_roots(self) -> list[tuple[str, str]]:
        roots = []
        for name, plugin in self.manager.list_name_plugin():
            if name == BUILTIN or plugin is None:
                continue
            file = getattr(plugin, "__file__", None) or getattr(inspect.getmodule(plugin), "__file__", None)
            if not file:
                continue
            file = os.path.realpath(file)
            # A package's code is its folder; a module's, its file.
            roots.append((name, os.path.dirname(file) if os.path.basename(file) == "__init__.py" else file))
        return roots


def _is_path(text: str) -> bool:
    return any(sep in text for sep in (os.sep, os.altsep, "/") if sep)


def _is_file(text: str) -> bool:
    """Whether ``text`` names a file; one in a folder qscore may not search is refused."""
    try:
        return Path(text).is_file()
    except OSError as exc:
        raise RulesetError(_("cannot read the ruleset: {value}").format(
                value=os_reason(exc)), file=text) from None


def load_plugins(plugin_dirs: Iterable[str | os.PathLike[str]] = (), *, entry_points: bool = True,
                 extra: Iterable[tuple[str, object]] = (), trust_dirs: bool = False) -> Catalog:
    """A :class:`Catalog` of the built-ins, installed plug-ins and folder plug-ins.

    :param plugin_dirs: folders of ``*.py`` plug-ins, in addition to ``QSCORE_PLUGINS_DIR``.
    :param entry_points: load the ``qscore`` entry-point group (subject to ``QSCORE_LOAD_PLUGINS``).
    :param extra: ``(name, plugin)`` pairs registered as well (tests, embedding).
    :param trust_dirs: load plug-in folders that users other than their owner may write to.
    :raises PluginError: for a plug-in that fails to import, clashes, or misspells a hook;
        for a folder others may write to; for a ``QSCORE_LOAD_PLUGINS`` name not installed.
    """
    from qscore.plugins import builtin

    manager = pluggy.PluginManager("qscore")
    manager.add_hookspecs(hookspecs)
    infos = [_register(manager, builtin, BUILTIN, origin=_own_distribution())]
    if entry_points:
        infos += _load_entry_points(manager)
    folders = [*plugin_dirs, *_env_dirs()]
    for folder in folders:
        infos += _load_folder(manager, Path(folder), trusted=trust_dirs)
    for name, plugin in extra:
        infos.append(_register(manager, plugin, name, origin="registered by caller"))
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc), plugin=manager.get_name(exc.plugin)) from None
    return Catalog(manager, infos)


def _register(manager: pluggy.PluginManager, plugin: object, name: str, *,
              origin: metadata.Distribution | str) -> PluginInfo:
    if manager.has_plugin(name):
        raise PluginError(_("a plug-in named '{name}' is already loaded").format(
                name=name), plugin=name)
    try:
        manager.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(str(exc), plugin=name) from None
    hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
    return PluginInfo(name=name, origin=origin, hooks=hooks)


def _allowed() -> set[str] | None:
    value = os.environ.get(ALLOW_ENV)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _load_entry_points(manager: pluggy.PluginManager) -> list[PluginInfo]:
    allowed = _allowed()
    entries = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    unknown = sorted((allowed or set()) - {entry.name for entry in entries})
    if unknown:
        installed = ", ".join(sorted({entry.name for entry in entries})) or _("none")
        raise PluginError(_("{ALLOW_ENV} names {unknown}, which no installed plug-in is; "
                          "installed: {installed}").format(
                ALLOW_ENV=ALLOW_ENV, unknown=', '.join(map(repr, unknown)), installed=installed))
    infos, seen = [], set()
    for entry in entries:
        if (allowed is not None and entry.name not in allowed) or entry.name in seen:
            continue
        seen.add(entry.name)
        dist = entry.dist
        try:
            plugin = entry.load()
        except (Exception, SystemExit) as exc:
            source = f" (from {dist.name})" if dist else ""
            raise PluginError(_("cannot import '{value}'{source}: {__name__}: {exc}").format(
                    value=entry.value, source=source, __name__=type(exc).__name__, exc=exc),
                              plugin=entry.name) from None
        infos.append(_register(manager, plugin, entry.name, origin=dist or entry.value))
    return infos


def _env_dirs() -> list[str]:
    value = os.environ.get(DIRS_ENV, "")
    return [part for part in value.split(os.pathsep) if part]


def _load_folder(manager: pluggy.PluginManager, folder: Path, *, trusted: bool) -> list[PluginInfo]:
    if not folder.is_dir():
        raise PluginError(_("plug-in folder '{folder}' does not exist or is not a folder").format(
                folder=folder))
    paths = [path for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]
    if not trusted:
        _check_private(folder, paths)
    infos = []
    for path in paths:
        module_name = f"qscore_folder_plugin_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a spec
            raise PluginError(_("cannot load as a module"), plugin=str(path))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:
            sys.modules.pop(module_name, None)
            line = next((f" (line {tb.tb_lineno})" for tb in _last_frame(exc.__traceback__, path)), "")
            raise PluginError(_("cannot import {path}{line}: {__name__}: {exc}").format(
                    path=path, line=line, __name__=type(exc).__name__, exc=exc), plugin=path.stem) from None
        infos.append(_register(manager, module, path.stem, origin=str(path)))
    return infos


def _check_private(folder: Path, paths: Sequence[Path]) -> None:
    """Refuse a folder, or a plug-in file in it, that users other than its owner may
    write to.  (Windows keeps permissions elsewhere than these mode bits.)"""
    if os.name == "nt":
        return
    for path in (folder, *paths):
        mode = path.stat().st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            what = _("plug-in folder") if path == folder else _("plug-in file")
            raise PluginError(_("the {what} '{path}' may be written by users other than its owner (mode "
                              "{mode:04o}), who could run code as you through it; make it "
                              "writable by its owner only (chmod go-w) or pass --trust-plugins-dir").format(
                    what=what, path=path, mode=stat.S_IMODE(mode)))


def _last_frame(tb: Any, path: Path) -> Iterator[Any]:
    frames = []
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            frames.append(tb)
        tb = tb.tb_next
    return iter(frames[-1:])


def _own_distribution() -> metadata.Distribution | str:
    try:
        return metadata.distribution("qscore")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "qscore"
