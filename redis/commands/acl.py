"""ACL users and permissions: ACL SETUSER, ACL GETUSER, ACL LOG, ..."""
from __future__ import annotations

from typing import Any, Iterable, Optional, Union

from redis.exceptions import DataError
from redis.typing import EncodableT, ResponseT

_SINGLE = (str, bytes)


def _text(value):
    # a rule is built by prefixing: numbers and the like become str first
    return value if isinstance(value, _SINGLE) else str(value)


def _sign(value):
    "The leading '+' or '-' of ``value`` as str, else ''"
    first = _text(value)[:1]
    if isinstance(first, bytes):
        first = first.decode('latin-1')
    return first if first in ('+', '-') else ''


def _join(*parts):
    "The parts joined, as bytes if any of them is bytes, else as str"
    parts = [_text(part) for part in parts]
    if any(isinstance(part, bytes) for part in parts):
        return b''.join(part if isinstance(part, bytes)
                        else part.encode('utf-8') for part in parts)
    return ''.join(parts)


def _as_list(values):
    # a lone password may be given as such rather than in a list
    if isinstance(values, _SINGLE):
        return [values]
    return list(values)


def _password_rules(passwords, add, remove, what):
    rules = []
    for i, password in enumerate(_as_list(passwords)):
        sign = _sign(password)
        if not sign:
            raise DataError('%s %d must be prefixed with a "+" to add or a '
                            '"-" to remove' % (what, i))
        rules.append(_join(add if sign == '+' else remove,
                           _text(password)[1:]))
    return rules


def _key_rule(pattern):
    # '~pattern' (or '%R~pattern' and the like) as given, else '~' added
    first = _text(pattern)[:1]
    if first in ('~', '%', b'~', b'%'):
        return pattern
    return _join('~', pattern)


def _command_rule(rule, what='Command'):
    if not _sign(rule):
        raise DataError('%s %r must be prefixed with "+" or "-"'
                        % (what, rule))
    return rule


def _category_rule(rule):
    _command_rule(rule, 'Category')
    rest = _text(rule)[1:]
    if rest[:1] in ('@', b'@'):
        return rule
    return _join(_sign(rule) + '@', rest)


def setuser_rules(enabled=False, nopass=False, passwords=None,
                  hashed_passwords=None, categories=None, commands=None,
                  keys=None, channels=None, selectors=None, reset=False,
                  reset_keys=False, reset_channels=False,
                  reset_passwords=False):
    """The ACL SETUSER rules for ACLCommands.acl_setuser's arguments;
    DataError for a combination the server would refuse or misread"""
    if nopass and (passwords or hashed_passwords):
        raise DataError("Cannot set 'nopass' and supply 'passwords' or "
                        "'hashed_passwords'")
    rules = []
    for flag, rule in ((reset, 'reset'), (reset_keys, 'resetkeys'),
                       (reset_channels, 'resetchannels'),
                       (reset_passwords, 'resetpass')):
        if flag:
            rules.append(rule)
    rules.append('on' if enabled else 'off')
    if passwords:
        rules.extend(_password_rules(passwords, '>', '<', 'Password'))
    if hashed_passwords:
        rules.extend(_password_rules(hashed_passwords, '#', '!',
                                     'Hashed password'))
    if nopass:
        rules.append('nopass')
    rules.extend(_category_rule(rule) for rule in categories or ())
    rules.extend(_command_rule(rule) for rule in commands or ())
    rules.extend(_key_rule(pattern) for pattern in keys or ())
    rules.extend(_join('&', channel) for channel in channels or ())
    for command, pattern in selectors or ():
        rules.append(_join('(', _command_rule(command), ' ',
                           _key_rule(pattern), ')'))
    return rules


class ACLCommands(object):
    """ACL users and permissions: ACL SETUSER, ACL GETUSER, ACL LOG, ..."""

    def acl_cat(self, category: Optional[str] = None,
                **kwargs: Any) -> ResponseT:
        """The ACL categories as a list of str; with ``category``, the
        commands in it"""
        pieces = [] if category is None else [category]
        return self.execute_command('ACL CAT', *pieces, **kwargs)

    def acl_deluser(self, *username: str, **kwargs: Any) -> ResponseT:
        "Delete the ACL users ``username``; the number deleted"
        return self.execute_command('ACL DELUSER', *username, **kwargs)

    def acl_dryrun(self, username: str, *args: EncodableT,
                   **kwargs: Any) -> ResponseT:
        """Whether ``username`` may run the command ``args``: 'OK', or the
        server's explanation why not"""
        return self.execute_command('ACL DRYRUN', username, *args, **kwargs)

    def acl_genpass(self, bits: Optional[int] = None,
                    **kwargs: Any) -> ResponseT:
        """A random password from the server's generator, as a str of hex
        digits: 256 bits, or ``bits`` (1 to 4096, rounded up to 4)"""
        pieces = []
        if bits is not None:
            if isinstance(bits, bool) or not isinstance(bits, int) or \
                    not 0 < bits <= 4096:
                raise DataError('genpass optionally accepts a bits argument, '
                                'between 1 and 4096.')
            pieces.append(bits)
        return self.execute_command('ACL GENPASS', *pieces, **kwargs)

    def acl_getuser(self, username: str, **kwargs: Any) -> ResponseT:
        """The ACL of ``username`` as a dict (flags, passwords, commands,
        categories, keys, channels, selectors, enabled), or None"""
        return self.execute_command('ACL GETUSER', username, **kwargs)

    def acl_help(self, **kwargs: Any) -> ResponseT:
        "The server's help text for ACL, as a list of lines"
        return self.execute_command('ACL HELP', **kwargs)

    def acl_list(self, **kwargs: Any) -> ResponseT:
        "Every user's rules, one str per user as ACL SETUSER takes them"
        return self.execute_command('ACL LIST', **kwargs)

    def acl_load(self, **kwargs: Any) -> ResponseT:
        "Reload the users from the server's ACL file; True"
        return self.execute_command('ACL LOAD', **kwargs)

    def acl_log(self, count: Optional[int] = None, **kwargs: Any) -> ResponseT:
        """The latest ACL denials (all, or the ``count`` latest), as a list
        of dicts, the newest first"""
        pieces = []
        if count is not None:
            if isinstance(count, bool) or not isinstance(count, int):
                raise DataError('ACL LOG count must be an integer')
            pieces.append(count)
        return self.execute_command('ACL LOG', *pieces, **kwargs)

    def acl_log_reset(self, **kwargs: Any) -> ResponseT:
        "Empty the ACL log; True"
        return self.execute_command('ACL LOG', 'RESET', **kwargs)

    def acl_save(self, **kwargs: Any) -> ResponseT:
        "Write the users to the server's ACL file; True"
        return self.execute_command('ACL SAVE', **kwargs)

    def acl_setuser(
            self, username: str, enabled: bool = False, nopass: bool = False,
            passwords: Optional[Union[str, Iterable[str]]] = None,
            hashed_passwords: Optional[Union[str, Iterable[str]]] = None,
            categories: Optional[Union[str, Iterable[str]]] = None,
            commands: Optional[Union[str, Iterable[str]]] = None,
            keys: Optional[Union[str, Iterable[str]]] = None,
            channels: Optional[Union[str, Iterable[str]]] = None,
            selectors: Optional[Union[str, Iterable[str]]] = None,
            reset: bool = False, reset_keys: bool = False,
            reset_channels: bool = False, reset_passwords: bool = False,
            **kwargs: Any,
    ) -> ResponseT:
        """Create the ACL user ``username`` or add rules to it; True.

        ``enabled``: the user may log in ('on'; else 'off').
        ``nopass``: any password is accepted.
        ``passwords`` / ``hashed_passwords`` (SHA-256 hex): one or a list,
        each '+pw' to add or '-pw' to remove.
        ``categories``: '+@read' / '-dangerous' and the like.
        ``commands``: '+get' / '-flushall' and the like.
        ``keys``: key patterns ('cache:*'; '~' is added unless given, or a
        '%R~' form). ``channels``: channel patterns ('&' is added).
        ``selectors``: (command rule, key pattern) pairs, each a selector.
        ``reset``, ``reset_keys``, ``reset_channels``, ``reset_passwords``:
        clear the user, its key patterns, channel patterns or passwords
        before the other rules apply.
        """
        rules = setuser_rules(
            enabled=enabled, nopass=nopass, passwords=passwords,
            hashed_passwords=hashed_passwords, categories=categories,
            commands=commands, keys=keys, channels=channels,
            selectors=selectors, reset=reset, reset_keys=reset_keys,
            reset_channels=reset_channels, reset_passwords=reset_passwords)
        return self.execute_command('ACL SETUSER', username, *rules,
                                    **kwargs)

    def acl_users(self, **kwargs: Any) -> ResponseT:
        "The names of the ACL users, as a list of str"
        return self.execute_command('ACL USERS', **kwargs)

    def acl_whoami(self, **kwargs: Any) -> ResponseT:
        "The user this connection is logged in as, as a str"
        return self.execute_command('ACL WHOAMI', **kwargs)
