"""The part of the XenAPI Python module's Session that scripts touch, on the
standard library's xmlrpc.client alone (the SDK module is not on PyPI's
default path of every machine): `Session(url)`, `login_with_password`,
`session.xenapi.CLASS.method(...)` with the session passed for you, failures
raised as `Failure(ErrorDescription)`, and the API version read at login
through pool.get_all, pool.get_master and host.get_API_version_major/minor,
as XenAPI.py does. A script written for XenAPI runs on it unchanged."""
import xmlrpc.client


class Failure(Exception):
    def __init__(self, details):
        super().__init__(details)
        self.details = details


def _value(answer):
    if answer["Status"] == "Success":
        return answer["Value"]
    raise Failure(answer["ErrorDescription"])


class _Dispatcher:
    def __init__(self, send, name):
        self._send = send
        self._name = name

    def __getattr__(self, name):
        return _Dispatcher(self._send, name if self._name is None else f"{self._name}.{name}")

    def __call__(self, *params):
        return self._send(self._name, params)


class Session(xmlrpc.client.ServerProxy):
    def __init__(self, uri):
        super().__init__(uri, allow_none=True)
        self._session = None
        self.API_version = None

    def __getattr__(self, name):
        if name == "xenapi":
            return _Dispatcher(self._request, None)
        if name.startswith("login"):
            return lambda *params: self._login(name, params)
        if name == "logout":
            return lambda: self._request("session.logout", ())
        return super().__getattr__(name)

    def _login(self, method, params):
        self._session = _value(super().__getattr__(f"session.{method}")(*params))
        pool = self.xenapi.pool.get_all()[0]
        host = self.xenapi.pool.get_master(pool)
        major = self.xenapi.host.get_API_version_major(host)
        minor = self.xenapi.host.get_API_version_minor(host)
        self.API_version = f"{major}.{minor}"

    def _request(self, method, params):
        answer = _value(super().__getattr__(method)(self._session, *params))
        if method == "session.logout":
            self._session = None
        return answer
