"""The criteria language of DESIGN §4: validate, evaluate, compile to SQL, render, award.

Pure: works on plain values (trees, ``Profile``); models are used only where a tree or an
award is compiled to SQL (``compiler``, ``award``) and by ``vocabulary_load``. See docs/criteria.md.
"""

from .award import AwardResult, award_amount, award_missing, compile_award, validate_award
from .compiler import CompiledCriteria, compile_tree
from .errors import CriteriaError
from .evaluate import (
    ELIGIBLE,
    NOT_ELIGIBLE,
    POSSIBLE,
    ConditionResult,
    Evaluation,
    NearMiss,
    compile_evaluator,
    evaluate,
    evaluate_result,
    near_misses,
)
from .missing import UnknownLeaf, compile_missing, compile_unknown_leaves
from .profile import Profile, TagHolding, profile_from_json
from .render import render, render_condition
from .validate import validate
from .vocabulary import CORE_FIELDS, Vocabulary, vocabulary_load

__all__ = [
    "CORE_FIELDS", "ELIGIBLE", "NOT_ELIGIBLE", "POSSIBLE", "AwardResult", "CompiledCriteria", "ConditionResult",
    "CriteriaError", "Evaluation", "NearMiss", "Profile", "TagHolding", "UnknownLeaf", "Vocabulary",
    "award_amount", "award_missing", "compile_award", "compile_evaluator", "compile_missing", "compile_tree", "compile_unknown_leaves", "evaluate", "evaluate_result",
    "near_misses", "profile_from_json", "render", "render_condition", "validate", "validate_award",
    "vocabulary_load",
]  # fmt: skip
