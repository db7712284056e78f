"""TLS for SSLConnection: the ssl_* options, the SSLContext they stand for,
and errors that say what failed and what to do about it.

Verification is on unless the caller turns it off by name: the server's
certificate chain is checked against ``ssl_ca_certs``/``ssl_ca_path``/
``ssl_ca_data``, or else the system's trust store, and its host name
against the address connected to. (2.10.6 checked nothing by default, and
never the host name, so anyone on the path with any certificate could read
and change every command.)
"""
from __future__ import annotations

import socket
from typing import Optional, Union

try:
    import ssl
except ImportError:  # pragma: no cover (Python built without OpenSSL)
    ssl = None

from redis.exceptions import ConnectionError, RedisError
from redis.typing import SSLPasswordT

CERT_REQS_NAMES = ('none', 'optional', 'required')

# OpenSSL's X509_V_ERR_* codes, grouped by what the user should hear
_UNKNOWN_CA_CODES = frozenset((
    2,   # UNABLE_TO_GET_ISSUER_CERT
    18,  # DEPTH_ZERO_SELF_SIGNED_CERT
    19,  # SELF_SIGNED_CERT_IN_CHAIN
    20,  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21,  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
))
_EXPIRED_CODE = 10
_NOT_YET_VALID_CODE = 9
_NAME_MISMATCH_CODES = frozenset((
    62,  # HOSTNAME_MISMATCH
    64,  # IP_ADDRESS_MISMATCH
))

OPT_OUT_OF_VERIFICATION = (
    "To connect without verifying the server (anyone on the path could then "
    "read and change the traffic), pass ssl_cert_reqs='none' explicitly.")
OPT_OUT_OF_HOSTNAME = (
    "Connect by a name the certificate lists, or pass "
    "ssl_check_hostname=False explicitly to skip only the host name check.")


def cert_reqs_from(value):
    """An ssl.VerifyMode from 'none', 'optional', 'required' (any case) or
    a VerifyMode; None is CERT_NONE, as it was in 2.10.6 and is in today's
    redis-py (an explicit opt-out; the default is 'required')."""
    if value is None:
        return ssl.CERT_NONE
    if isinstance(value, str):
        name = value.strip().lower()
        if name not in CERT_REQS_NAMES:
            raise RedisError(
                "Invalid SSL Certificate Requirements Flag: %s (one of %s)"
                % (value, ', '.join(CERT_REQS_NAMES)))
        return {'none': ssl.CERT_NONE, 'optional': ssl.CERT_OPTIONAL,
                'required': ssl.CERT_REQUIRED}[name]
    try:
        return ssl.VerifyMode(value)
    except (TypeError, ValueError):
        raise RedisError("Invalid SSL Certificate Requirements Flag: %r"
                         % (value,))


def tls_version_from(value):
    """An ssl.TLSVersion (or None) from a TLSVersion or its name:
    'TLSv1_2', 'TLSv1.2' and '1.2' all name TLS 1.2."""
    if value is None or isinstance(value, ssl.TLSVersion):
        return value
    if isinstance(value, str):
        name = value.strip().replace('.', '_')
        if not name.upper().startswith(('TLS', 'SSL')) \
                and name[:1].isdigit():
            name = 'TLSv' + name
        for member in ssl.TLSVersion:
            if member.name.lower() == name.lower():
                return member
    raise RedisError('Invalid ssl_min_version: %r (a ssl.TLSVersion, or '
                     'its name such as TLSv1_2)' % (value,))


class TLSOptions(object):
    """The ssl_* options of one connection, checked when given; context()
    builds the SSLContext when connecting, so that certificate files
    replaced on disk are read again on the next connect."""

    def __init__(self, keyfile: Optional[str] = None,
                 certfile: Optional[str] = None,
                 cert_reqs: Union[str, int, None] = 'required',
                 ca_certs: Optional[str] = None, ca_path: Optional[str] = None,
                 ca_data: Optional[Union[str, bytes]] = None,
                 check_hostname: bool = True,
                 password: Optional[SSLPasswordT] = None,
                 min_version: Optional[Union[str, int]] = None,
                 ciphers: Optional[str] = None) -> None:
        if ssl is None:
            raise RedisError("Python wasn't built with SSL support")
        self.keyfile = keyfile
        self.certfile = certfile
        self.cert_reqs = cert_reqs_from(cert_reqs)
        self.ca_certs = ca_certs
        self.ca_path = ca_path
        self.ca_data = ca_data
        # a name can only be checked on a certificate that is verified
        self.check_hostname = bool(check_hostname) and \
            self.cert_reqs != ssl.CERT_NONE
        self._password = password
        self.min_version = tls_version_from(min_version)
        if ciphers:
            # a typo fails here, not on every connect
            try:
                ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers(ciphers)
            except ssl.SSLError:
                raise RedisError('No cipher can be selected by '
                                 'ssl_ciphers=%r' % (ciphers,)) from None
        self.ciphers = ciphers

    def __repr__(self) -> str:
        # (never the key's passphrase)
        return '%s<cert_reqs=%s,check_hostname=%s>' % (
            type(self).__name__, self.cert_reqs.name, self.check_hostname)

    @property
    def verifies(self) -> bool:
        return self.cert_reqs != ssl.CERT_NONE

    def context(self) -> ssl.SSLContext:
        "A new ssl.SSLContext for a client with these options"
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = self.check_hostname
        context.verify_mode = self.cert_reqs
        if self.min_version is not None:
            context.minimum_version = self.min_version
        if self.ciphers:
            context.set_ciphers(self.ciphers)
        if self.verifies:
            if self.ca_certs or self.ca_path or self.ca_data:
                self._load(context.load_verify_locations, 'the CA '
                           'certificates (ssl_ca_certs/ssl_ca_path/'
                           'ssl_ca_data)', self.ca_certs, self.ca_path,
                           self.ca_data)
            else:
                context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        if self.certfile:
            self._load_client_certificate(context)
        elif self.keyfile:
            raise ConnectionError('ssl_keyfile needs ssl_certfile (the '
                                  'client certificate)')
        return context

    def _load_client_certificate(self, context):
        asked = []

        def no_passphrase():
            # without a passphrase OpenSSL would ask for one on the
            # terminal (and wait there for ever)
            asked.append(True)
            return b''

        password = self._password
        try:
            context.load_cert_chain(
                self.certfile, self.keyfile,
                no_passphrase if password is None else password)
        except ssl.SSLError as e:
            if asked:
                problem = ('ssl_keyfile is encrypted: pass its passphrase as '
                           'ssl_password')
            elif password is not None:
                problem = ('%s (is ssl_password the passphrase of '
                           'ssl_keyfile, and do they match ssl_certfile?)'
                           % reason(e))
            else:
                problem = reason(e)
            raise ConnectionError('Cannot load the client certificate '
                                  '(ssl_certfile/ssl_keyfile): %s'
                                  % problem) from None
        except (OSError, ValueError, TypeError) as e:
            raise ConnectionError('Cannot load the client certificate '
                                  '(ssl_certfile/ssl_keyfile): %s' % (
                                      getattr(e, 'strerror', None) or e,
                                  )) from None

    @staticmethod
    def _load(method, what, *args):
        try:
            method(*args)
        except ssl.SSLError as e:
            raise ConnectionError('Cannot load %s: %s' % (
                what, reason(e))) from None
        except (OSError, ValueError, TypeError) as e:
            raise ConnectionError('Cannot load %s: %s' % (
                what, getattr(e, 'strerror', None) or e)) from None

    def wrap(self, sock: socket.socket, host: str,
             address: str) -> ssl.SSLSocket:
        """``sock`` after the TLS handshake with ``host``; on failure
        ConnectionError saying what failed (``address`` names the server)
        and how to fix or, where that makes sense, opt out."""
        context = self.context()
        try:
            return context.wrap_socket(sock, server_hostname=host or None)
        except ssl.SSLCertVerificationError as e:
            raise ConnectionError(verification_failure(e, host, address))
        except ssl.SSLError as e:
            raise ConnectionError(handshake_failure(e, address))


def reason(error):
    "What an ssl.SSLError says, without the file:line of the C source"
    openssl_reason = getattr(error, 'reason', None)
    text = getattr(error, 'verify_message', None) or (
        error.args[1] if len(error.args) > 1 else str(error))
    text = str(text)
    cut = text.rfind(' (_ssl.c:')
    if cut > 0:
        text = text[:cut]
    if openssl_reason and openssl_reason not in text:
        text = '%s (%s)' % (text, openssl_reason)
    return text


def verification_failure(error, host, address):
    "The message for a server certificate that failed verification"
    code = getattr(error, 'verify_code', None)
    detail = getattr(error, 'verify_message', None) or reason(error)
    if code in _NAME_MISMATCH_CODES:
        return ('TLS: the certificate of %s does not name the host %r '
                '(hostname mismatch: %s). %s' % (
                    address, host, detail, OPT_OUT_OF_HOSTNAME))
    if code == _EXPIRED_CODE:
        what, fix = 'has expired', 'The server needs a renewed certificate.'
    elif code == _NOT_YET_VALID_CODE:
        what, fix = ('is not valid yet',
                     'Check the clocks of this machine and the server.')
    elif code in _UNKNOWN_CA_CODES:
        what = ('is signed by an unknown certificate authority (one not in '
                'ssl_ca_certs/ssl_ca_path/ssl_ca_data, or in the system '
                'trust store when none of them is given)')
        fix = 'Pass the CA that signed it as ssl_ca_certs.'
    else:
        what, fix = 'failed verification', ''
    return ('TLS: the certificate of %s %s (%s). %s%s' % (
        address, what, detail, fix + ' ' if fix else '',
        OPT_OUT_OF_VERIFICATION))


# what OpenSSL's reason for a failed handshake means for the caller
_HANDSHAKE_HINTS = (
    (('CERTIFICATE_REQUIRED',),
     'the server requires a client certificate: pass ssl_certfile and '
     'ssl_keyfile (and ssl_password for an encrypted key)'),
    (('HANDSHAKE_FAILURE',),
     'the server refused the handshake: it may require a client '
     'certificate (ssl_certfile, ssl_keyfile) or share no TLS version or '
     'cipher with this client (ssl_min_version, ssl_ciphers)'),
    (('UNKNOWN_CA', 'BAD_CERTIFICATE', 'CERTIFICATE_UNKNOWN',
      'UNSUPPORTED_CERTIFICATE', 'CERTIFICATE_EXPIRED'),
     'the server refused the client certificate (ssl_certfile)'),
    (('WRONG_VERSION_NUMBER', 'UNKNOWN_PROTOCOL', 'RECORD_LAYER_FAILURE',
      'PACKET_LENGTH_TOO_LONG', 'HTTP_REQUEST'),
     'the server did not answer in TLS: is this a plain-text port? '
     '(use a redis:// URL or ssl=False for it)'),
    (('UNSUPPORTED_PROTOCOL', 'NO_PROTOCOLS_AVAILABLE',
      'TLSV1_ALERT_PROTOCOL_VERSION', 'NO_SHARED_CIPHER',
      'NO_CIPHERS_AVAILABLE'),
     'client and server share no TLS version or cipher '
     '(ssl_min_version, ssl_ciphers)'),
)


def failure_hint(error):
    "What an ssl.SSLError during a handshake or a read means, or None"
    openssl_reason = (getattr(error, 'reason', None) or '').upper()
    text = str(error).upper()
    for markers, hint in _HANDSHAKE_HINTS:
        if any(marker in openssl_reason or marker in text
               for marker in markers):
            return hint
    return None


def handshake_failure(error, address):
    "The message for a TLS handshake that failed for any other reason"
    hint = failure_hint(error)
    return 'TLS handshake with %s failed: %s%s' % (
        address, reason(error), '; ' + hint if hint else '')


def io_failure(error, doing, address, sock=None, timeout=None):
    """The message for a read or write that failed with ``error`` on a TLS
    connection, when TLS explains it (``doing``: 'reading from' or 'writing
    to'), else None.

    A server that refuses the client's certificate (or its lack) after the
    handshake sends an alert and closes: a write fails first, and only the
    alert, read from ``sock`` (then closed), tells why."""
    if ssl is None or not isinstance(error, OSError):
        return None
    if sock is not None:
        error = _read_alert(sock, min(timeout or 1, 1)) or error
    if not isinstance(error, ssl.SSLError):
        return None
    hint = failure_hint(error)
    if hint is None:
        return None
    return 'Error while %s %s over TLS: %s; %s' % (doing, address,
                                                  reason(error), hint)


def _read_alert(sock, timeout):
    # what is read is lost: only for a connection about to be closed
    try:
        sock.settimeout(timeout)
        sock.recv(1)
    except ssl.SSLError as e:
        return e
    except (OSError, ValueError):
        pass
    return None
