"""The ontology's terms as a closed rdflib namespace: a misspelt term is an error, not a
new IRI. ``tests/test_ontology.py`` checks this list against ``ontology/kg.ttl``.

>>> KG.runs
rdflib.term.URIRef('https://example.org/kg/ontology#runs')
>>> KG.runz
Traceback (most recent call last):
...
AttributeError: term 'runz' not in namespace 'https://example.org/kg/ontology#'
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://example.org/kg/ontology#"


class KG(DefinedNamespace):
    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    AcademicInstitution: URIRef
    Accreditation: URIRef
    Article: URIRef
    Award: URIRef
    CareFacility: URIRef
    City: URIRef
    County: URIRef
    Enterprise: URIRef
    Funding: URIRef
    GovernmentBody: URIRef
    Hospital: URIRef
    Measure: URIRef
    MedicalAlliance: URIRef
    Mention: URIRef
    Organization: URIRef
    Person: URIRef
    Policy: URIRef
    PrimaryCareFacility: URIRef
    Program: URIRef
    Province: URIRef
    PublicHealthAgency: URIRef
    Region: URIRef
    Township: URIRef
    Village: URIRef

    aboutRegion: URIRef
    altLabel: URIRef
    amount: URIRef
    byline: URIRef
    cleanText: URIRef
    confidence: URIRef
    endOffset: URIRef
    establishes: URIRef
    evidence: URIRef
    funder: URIRef
    funds: URIRef
    implements: URIRef
    issues: URIRef
    leads: URIRef
    locatedIn: URIRef
    measureOf: URIRef
    memberOf: URIRef
    mentionOf: URIRef
    originalText: URIRef
    partOf: URIRef
    partnersWith: URIRef
    passed: URIRef
    position: URIRef
    purpose: URIRef
    quantity: URIRef
    received: URIRef
    recipient: URIRef
    regionCode: URIRef
    restatedIn: URIRef
    runs: URIRef
    sourceFile: URIRef
    startOffset: URIRef
    supports: URIRef
    surface: URIRef
    targets: URIRef
    tripleKey: URIRef
    unit: URIRef
    version: URIRef
    year: URIRef
