"""Login flows (mocked at the login endpoints), session renewal, and the loopback server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cxsync_salesforce.testing import (
    IN_PROCESS_URL,
    SalesforceEmulator,
    emulator_adapter,
    serve_emulator,
    start_demo_server,
)
from requests import PreparedRequest

LOGIN = "https://login.salesforce.com"
SOAP_OK = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><loginResponse>'
    "<result><serverUrl>{url}/services/Soap/u/59.0/00D</serverUrl>"
    "<sessionId>{sid}</sessionId></result></loginResponse></soapenv:Body></soapenv:Envelope>"
)


def test_password_login_renews_an_expired_session_once(
    emulator: SalesforceEmulator, http_mock: responses.RequestsMock, tmp_path: Path
) -> None:
    logins: list[str] = []

    def login(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        logins.append(str(request.body))
        return 200, {}, SOAP_OK.format(url=IN_PROCESS_URL, sid=emulator.session_id)

    http_mock.add_callback("POST", f"{LOGIN}/services/Soap/u/59.0", callback=login)
    adapter = emulator_adapter(
        emulator,
        tmp_path,
        flow="password",
        username="cx@example.com",
        password="pw-123",
        security_token="tok-456",
        session_id=None,
        instance_url=None,
    )
    emulator.session_id = "ROTATED"  # the org expired the first session
    assert adapter.check().endpoint == IN_PROCESS_URL
    assert len(logins) == 2
    assert "pw-123" not in repr(adapter)


def test_jwt_bearer_signs_an_assertion_with_the_connected_app_key(
    emulator: SalesforceEmulator, http_mock: responses.RequestsMock, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    seen: dict[str, object] = {}

    def token(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        form = parse_qs(str(request.body))
        claims = jwt.decode(
            form["assertion"][0],
            key.public_key(),
            algorithms=["RS256"],
            audience=LOGIN,
        )
        seen.update(claims)
        body = f'{{"access_token": "{emulator.session_id}", "instance_url": "{IN_PROCESS_URL}"}}'
        return 200, {"Content-Type": "application/json"}, body

    http_mock.add_callback("POST", f"{LOGIN}/services/oauth2/token", callback=token)
    adapter = emulator_adapter(
        emulator,
        tmp_path,
        flow="jwt",
        username="cx@example.com",
        consumer_key="3MVG9-app",
        private_key=pem,
        session_id=None,
        instance_url=None,
    )
    adapter.check()
    assert seen["iss"] == "3MVG9-app" and seen["sub"] == "cx@example.com"
    assert "BEGIN PRIVATE KEY" not in repr(adapter)


def test_the_loopback_server_is_reached_through_the_scheme_rewrite(tmp_path: Path) -> None:
    from cxsync_salesforce.testing import install_cx_fields

    emulator = SalesforceEmulator(page_size=2)
    install_cx_fields(emulator)
    emulator.seed_contacts([{"LastName": f"L{i}"} for i in range(5)])
    with serve_emulator(emulator) as url:
        adapter = emulator_adapter(emulator, tmp_path, base_url=url)
        contacts = [c for p in adapter.stream_contacts() for c in p.records]
    assert url.startswith("http://127.0.0.1:")
    assert len(contacts) == 5 and emulator.calls["query_more"] == 2


def test_the_demo_server_is_seeded_from_canonical_dicts(tmp_path: Path) -> None:
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    url, settings, stop = start_demo_server(
        [{"id": "A1", "name": "Yapı Market", "segment": "Retail", "modified_at": t0}],
        [
            {
                "id": "C1",
                "account_id": "A1",
                "email": "e@yapi.com.tr",
                "last_name": "Kaya",
                "modified_at": t0.isoformat(),
            }
        ],
    )
    try:
        from cxsync_salesforce import SalesforceAdapterFactory

        from cxsync.adapter import AdapterContext
        from cxsync.schema import load_field_map

        context = AdapterContext(field_map=load_field_map("salesforce"), work_dir=tmp_path)
        adapter = SalesforceAdapterFactory().create(settings, context)
        (account,) = [a for p in adapter.stream_accounts() for a in p.records]
        (contact,) = [c for p in adapter.stream_contacts() for c in p.records]
    finally:
        stop()
    assert settings["instance_url"] == url
    assert (account.name, account.segment) == ("Yapı Market", "Retail")
    assert contact.account_id == account.id and contact.modified_at == t0


@pytest.mark.parametrize("flow", ["session"], ids=["session-flow"])
def test_session_flow_is_never_renewed(
    emulator: SalesforceEmulator, tmp_path: Path, flow: str
) -> None:
    from cxsync.errors import AuthError

    adapter = emulator_adapter(emulator, tmp_path, session_id="EMU", flow=flow)
    emulator.session_id = "ROTATED"
    with pytest.raises(AuthError):
        adapter.check()


def test_client_credentials_post_the_app_secret_to_the_token_endpoint(
    emulator: SalesforceEmulator, http_mock: responses.RequestsMock, tmp_path: Path
) -> None:
    forms: list[dict[str, list[str]]] = []

    def token(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        forms.append(parse_qs(str(request.body)))
        body = f'{{"access_token": "{emulator.session_id}", "instance_url": "{IN_PROCESS_URL}"}}'
        return 200, {"Content-Type": "application/json"}, body

    http_mock.add_callback(
        "POST", "https://acme.my.salesforce.com/services/oauth2/token", callback=token
    )
    adapter = emulator_adapter(
        emulator,
        tmp_path,
        flow="client_credentials",
        consumer_key="3MVG9-app",
        consumer_secret="s3cr3t",
        domain="acme.my",
        session_id=None,
        instance_url=None,
    )
    adapter.check()
    assert forms[0]["grant_type"] == ["client_credentials"]
    assert "s3cr3t" not in repr(adapter)
