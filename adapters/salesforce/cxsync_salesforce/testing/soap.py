"""The Metadata API SOAP calls the adapter makes: createMetadata and upsertMetadata.

CustomField components create fields (invisible until a permission set grants them);
PermissionSet components record field permissions, which take effect for the integration
user once the set is assigned (``PermissionSetAssignment`` over REST).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from cxsync_salesforce.testing.shapes import EmulatorResponse

if TYPE_CHECKING:
    from cxsync_salesforce.testing.emulator import SalesforceEmulator

__all__ = ["handle_soap"]

MD = "{http://soap.sforce.com/2006/04/metadata}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_KINDS = {
    "Number": "Double",
    "Text": "String",
    "LongTextArea": "Textarea",
    "Picklist": "Picklist",
    "MultiselectPicklist": "Multipicklist",
    "Date": "Date",
    "DateTime": "Datetime",
    "Checkbox": "Boolean",
}


def _envelope(body: str) -> EmulatorResponse:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body>'
        f"{body}</soapenv:Body></soapenv:Envelope>"
    )
    return EmulatorResponse(200, xml, {"Content-Type": "text/xml; charset=utf-8"})


def _fault(code: str, message: str) -> EmulatorResponse:
    response = _envelope(
        f"<soapenv:Fault><faultcode>sf:{code}</faultcode>"
        f"<faultstring>{escape(message)}</faultstring></soapenv:Fault>"
    )
    response.status = 500
    return response


def _result(full_name: str, error: tuple[str, str] | None, created: bool | None) -> str:
    parts = [f"<fullName>{escape(full_name)}</fullName>"]
    if created is not None:
        parts.insert(0, f"<created>{str(created).lower()}</created>")
    if error:
        parts.insert(
            0,
            f"<errors><message>{escape(error[1])}</message>"
            f"<statusCode>{error[0]}</statusCode></errors>",
        )
    parts.append(f"<success>{'false' if error else 'true'}</success>")
    return "<result>" + "".join(parts) + "</result>"


def _text(node: ET.Element, name: str) -> str:
    return (node.findtext(f"{MD}{name}") or "").strip()


def handle_soap(emulator: SalesforceEmulator, body: bytes | str | None) -> EmulatorResponse:
    """Answer one Metadata API SOAP request."""
    try:
        root = ET.fromstring(body or b"")
    except ET.ParseError:
        return _fault("INVALID_XML", "request is not XML")
    session = root.findtext(f".//{MD}SessionHeader/{MD}sessionId")
    if session != emulator.session_id:
        return _fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader")
    emulator.used += 1
    for operation in ("createMetadata", "upsertMetadata"):
        call = root.find(f".//{MD}{operation}")
        if call is not None:
            emulator.calls[f"mdapi.{operation}"] += 1
            results = [
                _apply(emulator, node, upsert=operation == "upsertMetadata")
                for node in call.findall(f"{MD}metadata")
            ]
            return _envelope(f"<{operation}Response>{''.join(results)}</{operation}Response>")
    return _fault("UNKNOWN_OPERATION", "this emulator answers createMetadata and upsertMetadata")


def _apply(emulator: SalesforceEmulator, node: ET.Element, *, upsert: bool) -> str:
    kind = node.get(XSI_TYPE, "").split(":")[-1]
    full_name = _text(node, "fullName")
    if kind == "CustomField":
        sobject, _, name = full_name.partition(".")
        if sobject not in emulator.custom_fields or not name.endswith("__c"):
            return _result(full_name, ("INVALID_CROSS_REFERENCE_KEY", "bad field name"), None)
        if name in emulator.custom_fields[sobject]:
            message = f"There is already a field named {name} on {sobject}."
            return _result(full_name, ("DUPLICATE_DEVELOPER_NAME", message), None)
        emulator.install_field(
            sobject, name, _KINDS.get(_text(node, "type"), "String"), grant=False
        )
        return _result(full_name, None, None)
    if kind == "PermissionSet":
        created = full_name not in emulator.permission_sets
        emulator.permission_sets[full_name] = {
            tuple(_text(p, "field").split(".", 1))  # type: ignore[misc]
            for p in node.findall(f"{MD}fieldPermissions")
            if _text(p, "readable") == "true"
        }
        if full_name not in emulator.permission_set_ids:
            emulator.permission_set_ids[full_name] = emulator.insert(
                "PermissionSet", {"Name": full_name}
            )
        emulator.refresh_grants()
        return _result(full_name, None, created if upsert else None)
    return _result(full_name, ("INVALID_TYPE", f"unsupported metadata type {kind}"), None)
