"""The strands of the PL Coaching and Development Rubric, by domain, as the PL Toolbox names them.

Actions may be tagged with strands (fixtures' `rubric_strands`); tags are checked against this list.
"""

RUBRIC_STRANDS = {
    "Assessment and Data": [
        "Data Driven Instruction",
        "Student Feedback",
        "Authentic Assessment",
        "Choice in Assessment",
    ],
    "Instructional Rigor": [
        "Varied Learning Experiences",
        "Differentiated Learning Objectives",
        "Personalized Learning Pathways",
        "Mastery Based Progression",
    ],
    "Student Agency": [
        "Rapport with Students",
        "Self-Direction",
        "Opportunities for Input",
        "Advocacy Beyond Self",
    ],
    "Classroom Culture": [
        "Routines and Procedures",
        "Peer Accountability",
        "Growth Mindset",
        "Sense of Purpose",
    ],
    "Equity": [
        "Self-Awareness",
        "Diversity in Design",
        "Collaborative Grouping",
        "Access to Materials",
    ],
}

ALL_STRANDS = frozenset(strand for strands in RUBRIC_STRANDS.values() for strand in strands)
