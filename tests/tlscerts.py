"""Certificates for the TLS tests, made at run time with the openssl command
in a directory of the caller's: a CA, server certificates it signed (for
127.0.0.1/localhost, for another host name, an expired one), a self-signed
server certificate, an unrelated CA, and a client certificate whose key
also exists encrypted.

EC keys: making them takes milliseconds where RSA keys take most of a
second each.
"""
import os
import subprocess

# the passphrase of TLSFiles.client_key_encrypted
CLIENT_KEY_PASSWORD = 'tls-key-passphrase'

_EC_KEY = ('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1')

# What `openssl ca` needs: a database, a serial file, and a policy that
# takes any subject. Extensions come from the request-specific file.
_CA_CONFIG = """\
[ca]
default_ca = test_ca
[test_ca]
database = %(dir)s/index.txt
new_certs_dir = %(dir)s
serial = %(dir)s/serial
default_md = sha256
policy = any_subject
unique_subject = no
copy_extensions = none
[any_subject]
commonName = supplied
"""

SERVER_NAMES = 'IP:127.0.0.1,DNS:localhost'


class CertError(Exception):
    "openssl is missing or failed"


def openssl(*args, **kwargs):
    "Run the openssl command; CertError saying what failed"
    try:
        subprocess.run(('openssl',) + args, check=True, capture_output=True,
                       **kwargs)
    except FileNotFoundError:
        raise CertError('openssl not found: apt-get install -y openssl')
    except subprocess.CalledProcessError as e:
        raise CertError('openssl %s failed: %s'
                        % (args[0], e.stderr.decode(errors='replace')))


class Certs(object):
    """A CA (``ca_file``, ``ca_key``) and, once issued, a server
    certificate it signed (``server_cert``, ``server_key``)."""

    def __init__(self, directory):
        self.dir = directory
        self.ca_file = os.path.join(directory, 'ca.crt')
        self.ca_key = os.path.join(directory, 'ca.key')
        self.server_cert = os.path.join(directory, 'server.crt')
        self.server_key = os.path.join(directory, 'server.key')

    def __repr__(self):
        return 'Certs<%s>' % self.dir

    def issue(self, name, subject, extensions, startdate=None,
              enddate=None):
        """A key and a certificate signed by this CA, as the paths
        ``(<name>.crt, <name>.key)``; ``startdate``/``enddate``
        (YYYYMMDDHHMMSSZ) fix its validity, else it is valid for 2 days."""
        cert = os.path.join(self.dir, name + '.crt')
        key = os.path.join(self.dir, name + '.key')
        csr = os.path.join(self.dir, name + '.csr')
        ext = os.path.join(self.dir, name + '.ext')
        with open(ext, 'w') as f:
            f.write('[ext]\n' + '\n'.join(extensions) +
                    '\nauthorityKeyIdentifier=keyid\n')
        openssl('req', '-nodes', '-sha256', *_EC_KEY, '-subj', subject,
                '-keyout', key, '-out', csr)
        validity = (('-startdate', startdate, '-enddate', enddate)
                    if startdate else ('-days', '2'))
        openssl('ca', '-batch', '-notext', '-config', self._ca_config(),
                '-cert', self.ca_file, '-keyfile', self.ca_key,
                '-extfile', ext, '-extensions', 'ext', '-in', csr,
                '-out', cert, *validity)
        return cert, key

    def _ca_config(self):
        path = os.path.join(self.dir, 'ca.cnf')
        if not os.path.exists(path):
            with open(os.path.join(self.dir, 'index.txt'), 'w'):
                pass
            with open(os.path.join(self.dir, 'serial'), 'w') as f:
                f.write('1000\n')
            with open(path, 'w') as f:
                f.write(_CA_CONFIG % {'dir': self.dir})
        return path


def server_extensions(names=SERVER_NAMES):
    return ['subjectAltName=%s' % names, 'basicConstraints=CA:FALSE',
            'keyUsage=critical,digitalSignature',
            'extendedKeyUsage=serverAuth']


def make_ca(directory, name='redis-test-ca'):
    "A self-signed CA in ``directory``; returns its Certs"
    os.makedirs(directory, exist_ok=True)
    certs = Certs(directory)
    # Python 3.13 verifies strictly (VERIFY_X509_STRICT): a CA must say
    # what its key may do
    openssl('req', '-x509', '-nodes', '-sha256', *_EC_KEY,
            '-days', '2', '-subj', '/CN=%s' % name,
            '-addext', 'basicConstraints=critical,CA:TRUE',
            '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
            '-addext', 'subjectKeyIdentifier=hash',
            '-keyout', certs.ca_key, '-out', certs.ca_file)
    return certs


def make_certs(directory):
    """A CA and a server certificate for 127.0.0.1/localhost signed by it
    (``server_cert``, ``server_key``), made in ``directory``."""
    certs = make_ca(directory)
    certs.issue('server', '/CN=localhost', server_extensions())
    return certs


class TLSFiles(Certs):
    """Every certificate the TLS tests use, all made in one directory:

    - ``ca_file``: the CA that signed the server and client certificates;
    - ``server_cert``/``server_key``: for 127.0.0.1 and localhost;
    - ``wrong_host_cert``/``wrong_host_key``: for 'wrong.example' only;
    - ``expired_cert``/``expired_key``: for 127.0.0.1, expired in 2020;
    - ``self_signed_cert``/``self_signed_key``: for 127.0.0.1, its own
      issuer;
    - ``ca_path``: a directory holding ``ca_file`` as OpenSSL looks it up;
    - ``other_ca_file``: a CA that signed nothing here;
    - ``client_cert``/``client_key``: a client certificate (clientAuth),
      its key also encrypted in ``client_key_encrypted`` with
      ``client_key_password``.
    """
    client_key_password = CLIENT_KEY_PASSWORD

    def __repr__(self):
        return 'TLSFiles<%s>' % self.dir


def make_tls_files(directory):
    "TLSFiles made in ``directory``"
    make_ca(directory)
    files = TLSFiles(directory)
    files.issue('server', '/CN=localhost', server_extensions())
    files.wrong_host_cert, files.wrong_host_key = files.issue(
        'wrong-host', '/CN=wrong.example',
        server_extensions('DNS:wrong.example'))
    files.expired_cert, files.expired_key = files.issue(
        'expired', '/CN=localhost', server_extensions(),
        startdate='20200101000000Z', enddate='20200102000000Z')
    files.client_cert, files.client_key = files.issue(
        'client', '/CN=redis-test-client',
        ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature',
         'extendedKeyUsage=clientAuth'])
    files.client_key_encrypted = os.path.join(directory, 'client-enc.key')
    openssl('pkey', '-in', files.client_key, '-aes256',
            '-passout', 'pass:' + CLIENT_KEY_PASSWORD,
            '-out', files.client_key_encrypted)
    files.self_signed_cert = os.path.join(directory, 'self-signed.crt')
    files.self_signed_key = os.path.join(directory, 'self-signed.key')
    openssl('req', '-x509', '-nodes', '-sha256', *_EC_KEY, '-days', '2',
            '-subj', '/CN=localhost',
            '-addext', 'subjectAltName=' + SERVER_NAMES,
            '-addext', 'basicConstraints=critical,CA:FALSE',
            '-keyout', files.self_signed_key, '-out', files.self_signed_cert)
    other = make_ca(os.path.join(directory, 'other-ca'), name='unrelated-ca')
    files.other_ca_file = other.ca_file
    files.ca_path = make_ca_path(os.path.join(directory, 'ca-path'),
                                 files.ca_file)
    return files


def make_ca_path(directory, ca_file):
    """A directory holding ``ca_file`` under OpenSSL's hashed name (what
    a CA path, such as ssl_ca_path, is searched by)"""
    os.makedirs(directory, exist_ok=True)
    try:
        digest = subprocess.run(
            ('openssl', 'x509', '-hash', '-noout', '-in', ca_file),
            check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        raise CertError('openssl x509 -hash failed: %s' % (e,))
    with open(ca_file, 'rb') as source:
        with open(os.path.join(directory, digest + '.0'), 'wb') as target:
            target.write(source.read())
    return directory
