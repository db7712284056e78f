"""ACL users and permissions: ACL SETUSER, ACL GETUSER, ..."""


class ACLCommands(object):
    """ACL users and permissions: ACL SETUSER, ACL GETUSER, ..."""
