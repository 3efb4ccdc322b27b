"""Code and ontology use the same names, and those are the SPEC's."""

from __future__ import annotations

from pathlib import Path

import rdflib

from kg.namespace import KG, ONTOLOGY_IRI
from kg.ontology_terms import CLASSES, PROPERTIES

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology" / "kg.ttl"
SPEC_CLASSES = {"Region", "Province", "City", "County", "Township", "Village", "Organization", "GovernmentBody", "Hospital",
                "PrimaryCareFacility", "CareFacility", "MedicalAlliance", "PublicHealthAgency", "AcademicInstitution",
                "Enterprise", "Program", "Policy", "Accreditation", "Award", "Person", "Article"}  # fmt: skip
SPEC_PROPERTIES = {"runs", "establishes", "issues", "implements", "passed", "received", "supports", "partnersWith",
                   "funds", "memberOf", "locatedIn", "partOf", "leads", "targets"}  # fmt: skip


def terms() -> set[str]:
    graph = rdflib.Graph().parse(ONTOLOGY)
    return {str(s)[len(ONTOLOGY_IRI):] for s in graph.subjects() if str(s).startswith(ONTOLOGY_IRI)}


def test_namespace_lists_exactly_the_ontologys_terms():
    assert set(KG.__annotations__) == terms()


def test_ontology_has_every_spec_class_and_property():
    assert SPEC_CLASSES | SPEC_PROPERTIES <= terms()
    assert SPEC_CLASSES <= set(CLASSES) and SPEC_PROPERTIES == set(PROPERTIES)


def test_every_term_has_chinese_and_english_labels_and_comments():
    graph = rdflib.Graph().parse(ONTOLOGY)
    for name in terms():
        term = rdflib.URIRef(ONTOLOGY_IRI + name)
        for predicate in (rdflib.RDFS.label, rdflib.RDFS.comment):
            languages = {o.language for o in graph.objects(term, predicate)}
            assert {"en", "zh"} <= languages, f"{name} lacks an en/zh {predicate}"


def test_class_hierarchy_in_code_matches_the_ontology():
    graph = rdflib.Graph().parse(ONTOLOGY)
    for cls, parent in CLASSES.items():
        parents = {str(o)[len(ONTOLOGY_IRI):] for o in graph.objects(KG[cls], rdflib.RDFS.subClassOf) if str(o).startswith(ONTOLOGY_IRI)}
        assert parents == ({parent} if parent else set()), cls
