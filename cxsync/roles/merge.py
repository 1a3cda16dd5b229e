"""A role set by a person in the CRM always wins over an inferred one."""

from __future__ import annotations

from collections.abc import Sequence

from cxsync.models import BuyingRole, Function, RoleSource, RoleTag

__all__ = ["merge_with_crm"]


def _roles(values: Sequence[str] | None) -> tuple[BuyingRole, ...]:
    out: list[BuyingRole] = []
    for value in values or ():
        try:
            role = BuyingRole(str(value).strip())
        except ValueError:
            continue  # a value cxsync does not know is left to the CRM, not guessed at
        if role not in out:
            out.append(role)
    return tuple(out)


def merge_with_crm(
    inferred: RoleTag,
    crm_roles: Sequence[str] | None,
    crm_function: str | None,
    last_written_roles: Sequence[str] | None,
    last_written_function: str | None,
) -> RoleTag:
    """The tag to use: the CRM's when a person set it, else the inferred one.

    The CRM's value counts as a person's when it is not empty and differs from what cxsync
    wrote last (compared as sets: CRMs reorder multi-select values).
    """
    held = _roles(crm_roles)
    wrote = _roles(last_written_roles)
    roles_manual = bool(held) and set(held) != set(wrote)
    function_manual = bool(crm_function) and crm_function != last_written_function
    if not roles_manual and not function_manual:
        return inferred
    function = inferred.function
    if function_manual:
        try:
            function = Function(str(crm_function))
        except ValueError:
            function = inferred.function
    return inferred.model_copy(
        update={
            "roles": held if roles_manual else inferred.roles,
            "function": function,
            "source": RoleSource.MANUAL,
            "rule": "set by a person in the CRM",
        }
    )
