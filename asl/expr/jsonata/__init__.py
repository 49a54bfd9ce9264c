"""JSONata fields of Step Functions: `{% expr %}` templates compiled once, evaluated many times.

A template is any JSON value from the definition; every string that is wholly `{% ... %}` (no
whitespace outside the delimiters) is a JSONata expression, everything else is a literal. Each
expression is evaluated with the reserved `$states` and the workflow variables bound, plus the
functions Step Functions adds ($partition, $range, $hash, $random, $uuid, $parse); `$eval` is
disabled as on AWS. Failures raise `QueryEvaluationError` (States.QueryEvaluationError) with
AWS's cause sentence, naming the expression and the field path ("Output/result", "Items[1]").

Results are plain JSON values (dict, list, str, int, float, bool, None), numbers as JavaScript
prints them (3, not 3.0). They may share structure with `$states` and the variables, and constant
parts of a template are returned as is, so callers must treat every value as immutable. An object
taken whole from `$states` or a variable (`{% $states.input %}`) is returned without a walk, so its
numbers are as the caller gave them.

Modules: `templates` (compiling and evaluating templates), `typed` (fields of one JSON type),
`runtime` (the evaluator, scope and bounds), `functions` (Step Functions' functions), `errors`
(the exceptions and AWS's wording), `values` (jsonata results as plain JSON). Importing this
package imports jsonata-python: callers import it only when a definition uses JSONata.
"""

from __future__ import annotations

from .errors import STATES_QUERY_EVALUATION_ERROR, JsonataSyntaxError, QueryEvaluationError
from .functions import MAX_RANGE_ITEMS, java_random_double
from .runtime import MAX_DEPTH
from .templates import CLOSE, OPEN, JsonataField, compile_template, is_expression, iter_expressions
from .typed import evaluate_array, evaluate_condition, evaluate_int, evaluate_number, evaluate_string

__all__ = [
    "CLOSE", "MAX_DEPTH", "MAX_RANGE_ITEMS", "OPEN", "STATES_QUERY_EVALUATION_ERROR", "JsonataField",
    "JsonataSyntaxError", "QueryEvaluationError", "compile_template", "evaluate_array",
    "evaluate_condition", "evaluate_int", "evaluate_number", "evaluate_string", "is_expression",
    "iter_expressions", "java_random_double",
]
