"""Buying roles from job titles, personas and their journeys (docs/roles.md)."""

from cxsync.roles.merge import merge_with_crm
from cxsync.roles.personas import check_phase, load_personas, persona_for
from cxsync.roles.rules import compile_rules, fold_title, load_role_rules
from cxsync.roles.tagger import RoleTagger

__all__ = [
    "RoleTagger",
    "check_phase",
    "compile_rules",
    "fold_title",
    "load_personas",
    "load_role_rules",
    "merge_with_crm",
    "persona_for",
]
