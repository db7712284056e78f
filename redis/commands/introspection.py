"""What the server knows about itself: COMMAND, LATENCY, MEMORY (but
MEMORY USAGE, a key command) and MODULE."""
from __future__ import annotations

from typing import Any, Iterable, Optional

from redis.exceptions import DataError
from redis.typing import EncodableT, PatternT, ResponseT


class IntrospectionCommands(object):
    """What the server knows about itself: COMMAND, LATENCY, MEMORY and
    MODULE"""

    # ---- COMMAND ------------------------------------------------------------

    def command(self, **kwargs: Any) -> ResponseT:
        """Every command of the server, as a dict of name -> its metadata
        (name, arity, flags, first_key_pos, last_key_pos, step_count,
        acl_categories, tips, key_specifications, subcommands)"""
        return self.execute_command('COMMAND', **kwargs)

    def command_count(self, **kwargs: Any) -> ResponseT:
        "The number of commands of the server"
        return self.execute_command('COMMAND COUNT', **kwargs)

    def command_docs(self, *args: str) -> ResponseT:
        """The documentation of the commands named in ``args`` (of all
        without), as a dict of name -> dict (summary, since, group,
        complexity, arguments, subcommands, ...)"""
        return self.execute_command('COMMAND DOCS', *args)

    def command_getkeys(self, *args: EncodableT) -> ResponseT:
        "The keys of the command ``args`` (name and arguments), as str"
        return self.execute_command('COMMAND GETKEYS', *args)

    def command_getkeysandflags(self, *args: EncodableT) -> ResponseT:
        """The keys of the command ``args`` with how it uses each:
        [[key, [flag, ...]], ...]"""
        return self.execute_command('COMMAND GETKEYSANDFLAGS', *args)

    def command_info(self, *args: str) -> ResponseT:
        """The metadata of the commands named in ``args`` (of all without),
        as command() gives it; unknown names are left out"""
        return self.execute_command('COMMAND INFO', *args)

    def command_list(self, module: Optional[str] = None,
                     category: Optional[str] = None,
                     pattern: Optional[PatternT] = None) -> ResponseT:
        """The names of the server's commands (and subcommands, as
        'client|list'); at most one filter: those of ``module``, of the ACL
        ``category``, or matching the glob ``pattern``"""
        filters = [(word, value) for word, value in (
            ('MODULE', module), ('ACLCAT', category), ('PATTERN', pattern))
            if value is not None]
        if len(filters) > 1:
            raise DataError('COMMAND LIST takes one filter at most: module, '
                            'category or pattern')
        args = ['FILTERBY'] + list(filters[0]) if filters else []
        return self.execute_command('COMMAND LIST', *args)

    # ---- LATENCY ------------------------------------------------------------

    def latency_doctor(self) -> ResponseT:
        "The server's report on its latency events, as text"
        return self.execute_command('LATENCY DOCTOR')

    def latency_graph(self, event: str) -> ResponseT:
        "An ASCII-art graph of the latency samples of ``event``"
        return self.execute_command('LATENCY GRAPH', event)

    def latency_histogram(self, *args: str) -> ResponseT:
        """The latency distribution of the commands named in ``args`` (of
        all that ran, without): {command: {'calls': n, 'histogram_usec':
        {upper bound in microseconds: count}}}"""
        return self.execute_command('LATENCY HISTOGRAM', *args)

    def latency_history(self, event: str) -> ResponseT:
        """The latency samples of ``event``: [[unix time, milliseconds],
        ...]"""
        return self.execute_command('LATENCY HISTORY', event)

    def latency_latest(self) -> ResponseT:
        """The latest sample of every event: [[event, unix time, latest
        milliseconds, highest milliseconds], ...]"""
        return self.execute_command('LATENCY LATEST')

    def latency_reset(self, *events: str) -> ResponseT:
        "Forget the samples of ``events`` (of all without); how many events"
        return self.execute_command('LATENCY RESET', *events)

    # ---- MEMORY -------------------------------------------------------------

    def memory_doctor(self, **kwargs: Any) -> ResponseT:
        "The server's report on its memory use, as text"
        return self.execute_command('MEMORY DOCTOR', **kwargs)

    def memory_malloc_stats(self, **kwargs: Any) -> ResponseT:
        "The memory allocator's own statistics, as text"
        return self.execute_command('MEMORY MALLOC-STATS', **kwargs)

    def memory_purge(self, **kwargs: Any) -> ResponseT:
        "Have the allocator give unused memory back to the system; True"
        return self.execute_command('MEMORY PURGE', **kwargs)

    def memory_stats(self, **kwargs: Any) -> ResponseT:
        """The server's memory use as a dict of str -> int or str (the
        per-database entries are dicts)"""
        return self.execute_command('MEMORY STATS', **kwargs)

    # ---- MODULE -------------------------------------------------------------

    def module_list(self) -> ResponseT:
        "The loaded modules, as a list of dicts of the server's fields"
        return self.execute_command('MODULE LIST')

    def module_load(self, path: str, *args: EncodableT) -> ResponseT:
        """Load the module at ``path`` (on the server's machine), passing
        it ``args``; True"""
        return self.execute_command('MODULE LOAD', path, *args)

    def module_loadex(
            self, path: str, options: Optional[Iterable[EncodableT]] = None,
            args: Optional[Iterable[EncodableT]] = None,
    ) -> ResponseT:
        """Load the module at ``path`` with the config directives
        ``options`` (a flat list of names and values, each pair sent as
        CONFIG name value) and the module arguments ``args``"""
        pieces = []
        if options is not None:
            options = list(options)
            if len(options) % 2:
                raise DataError('MODULE LOADEX options must be names and '
                                'values: an even number of items')
            for name, value in zip(options[0::2], options[1::2]):
                pieces.extend(('CONFIG', name, value))
        if args is not None:
            pieces.append('ARGS')
            pieces.extend(args)
        return self.execute_command('MODULE LOADEX', path, *pieces)

    def module_unload(self, name: str) -> ResponseT:
        "Unload the module ``name``; True"
        return self.execute_command('MODULE UNLOAD', name)
