"""The SPEC's class and property names, with the class hierarchy, as plain data.

This is the one place the code lists them; ``ontology/kg.ttl`` declares the same
terms in OWL and a test checks the two agree.

>>> is_a("County", "Region"), is_a("Hospital", "Organization"), is_a("Award", "Organization")
(True, True, False)
"""

from __future__ import annotations

#: class -> parent class ("" for a top class).
CLASSES: dict[str, str] = {
    "Region": "",
    "Province": "Region",
    "City": "Region",
    "County": "Region",
    "Township": "Region",
    "Village": "Region",
    "Organization": "",
    "GovernmentBody": "Organization",
    "Hospital": "Organization",
    "PrimaryCareFacility": "Organization",
    "CareFacility": "Organization",
    "MedicalAlliance": "Organization",
    "PublicHealthAgency": "Organization",
    "AcademicInstitution": "Organization",
    "Enterprise": "Organization",
    "Program": "",
    "Policy": "",
    "Accreditation": "",
    "Award": "",
    "Person": "",
    "Article": "",
    "Funding": "",
    "Measure": "",
}

#: Classes an extractor may give an entity found in text.
ENTITY_CLASSES = [c for c in CLASSES if c not in ("Article", "Funding", "Measure", "Region", "Organization")] + [
    "Region",
    "Organization",
]

#: property -> (domain classes, range classes). A literal range is written "literal".
PROPERTIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "runs": (("Region", "Organization"), ("Program", "CareFacility")),
    "establishes": (("Region", "Organization"), ("Organization", "Program")),
    "issues": (("Region", "Organization"), ("Policy",)),
    "implements": (("Region", "Organization"), ("Policy",)),
    "passed": (("Organization",), ("Accreditation",)),
    "received": (("Region", "Organization", "Person"), ("Award",)),
    "supports": (("Region", "Organization"), ("Region", "Organization")),
    "partnersWith": (("Organization",), ("Organization",)),
    "funds": (("Region", "Organization"), ("Program", "Organization")),
    "memberOf": (("Organization",), ("Organization",)),
    "locatedIn": (("Organization",), ("Region",)),
    "partOf": (("Region",), ("Region",)),
    "leads": (("Person",), ("Organization", "Region")),
    "targets": (("Program", "Policy"), ("literal",)),
}


def is_a(cls: str, ancestor: str) -> bool:
    """True when ``cls`` is ``ancestor`` or one of its subclasses."""
    while cls:
        if cls == ancestor:
            return True
        cls = CLASSES.get(cls, "")
    return False


def fits(cls: str, allowed: tuple[str, ...]) -> bool:
    """True when ``cls`` falls under one of the ``allowed`` classes."""
    return any(is_a(cls, a) for a in allowed)
