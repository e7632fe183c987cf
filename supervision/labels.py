"""Translated labels for the enumerations people see: roles, organisation kinds, regions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .accounts.models import OrganisationKind, Region, Role

ROLE_LABELS = {
    Role.link_worker: _l("Link worker"),
    Role.supervisor: _l("Supervisor"),
    Role.employer: _l("Employer"),
    Role.admin: _l("Admin"),
}

KIND_LABELS = {
    OrganisationKind.health_board: _l("Health board"),
    OrganisationKind.primary_care: _l("Primary care cluster or GP practice"),
    OrganisationKind.county_voluntary_council: _l("County voluntary council"),
    OrganisationKind.third_sector: _l("Third-sector organisation"),
    OrganisationKind.local_authority: _l("Local authority"),
    OrganisationKind.other: _l("Other"),
}

REGION_LABELS = {
    Region.betsi_cadwaladr: _l("Betsi Cadwaladr University Health Board"),
    Region.hywel_dda: _l("Hywel Dda University Health Board"),
    Region.swansea_bay: _l("Swansea Bay University Health Board"),
    Region.cwm_taf_morgannwg: _l("Cwm Taf Morgannwg University Health Board"),
    Region.cardiff_and_vale: _l("Cardiff and Vale University Health Board"),
    Region.aneurin_bevan: _l("Aneurin Bevan University Health Board"),
    Region.powys: _l("Powys Teaching Health Board"),
}


def role_label(role: Role, organisation=None) -> str:
    """The link-worker role takes the organisation's own job title when it has one."""
    if role == Role.link_worker and organisation is not None:
        from .i18n import current_language

        custom = organisation.job_title_cy if current_language() == "cy" else organisation.job_title_en
        if custom:
            return custom[:1].upper() + custom[1:]
    return str(ROLE_LABELS[role])
