"""Map state rules: Distributed-mode fields, Label characters, ResultWriter field combinations."""

from __future__ import annotations

import re
from typing import Iterator

from ..diagnostics import WARNING, Diagnostic
from .context import Context, Rule, diag, get_in

SCHEMA = "SCHEMA_VALIDATION_FAILED"

# Characters AWS refuses in names such as a Map Label.
_BAD_NAME_CHARS = r"[\s{}\[\]?*\"#%\\^|~`$&,;:/<>\x00-\x1f\x7f-\x9f]"

# Fields AWS documents for Map states in Distributed mode only.
DISTRIBUTED_FIELDS = ("ItemReader", "ItemBatcher", "ResultWriter", "Label", "ToleratedFailureCount",
                      "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath")


def labels(ctx: Context) -> Iterator[Diagnostic]:
    """A Map Label is 1-40 characters, none of them whitespace, brackets, wildcards or specials."""
    for state in ctx.states:
        label = state.data.get("Label") if state.type == "Map" else None
        if isinstance(label, str):
            bad = re.search(_BAD_NAME_CHARS, label)
            if bad:
                yield diag("INVALID_LABEL_NAME", f"Label contains invalid character: {bad.group()!r}",
                           state.at("Label"))


def distributed_map(ctx: Context) -> Iterator[Diagnostic]:
    """A DISTRIBUTED ItemProcessor names its ExecutionType; Distributed-only fields elsewhere warn.

    ExecutionType (STANDARD / EXPRESS) is required with Mode DISTRIBUTED (AWS's Distributed Map
    fields; the CDK refuses it too). ItemReader, ItemBatcher, ResultWriter, Label and the
    ToleratedFailure* fields are documented for Distributed mode only (an Inline Map fails on its
    first failed iteration), but AWS accepts at least ToleratedFailureCount on an Inline Map
    (recorded in the conformance corpus) and no AWS record shows the others refused: on an
    Inline Map they are a warning, not an error.
    """
    for state in ctx.states:
        if state.type != "Map":
            continue
        config = get_in(state.data, "ItemProcessor", "ProcessorConfig")
        mode = config.get("Mode") if isinstance(config, dict) else None
        if mode == "DISTRIBUTED" and "ExecutionType" not in config:
            yield diag(SCHEMA, "A Map in DISTRIBUTED mode needs ExecutionType (STANDARD or EXPRESS) in its "
                               "ProcessorConfig", state.at("ItemProcessor", "ProcessorConfig"))
        if mode == "DISTRIBUTED":
            continue
        for name in DISTRIBUTED_FIELDS:
            if name in state.data:
                yield diag("DISTRIBUTED_ONLY_FIELD", f"'{name}' is a Distributed Map field: AWS documents it only "
                                                     "with ItemProcessor.ProcessorConfig.Mode DISTRIBUTED",
                           state.at(name), WARNING)


def result_writer(ctx: Context) -> Iterator[Diagnostic]:
    """ResultWriter's Resource and Parameters (Arguments in JSONata) come together.

    The guide's "ResultWriter (Map)" page lists the combinations AWS takes: WriterConfig alone
    (format the results, export nothing), Resource and Parameters (export to Amazon S3), or all
    three. A Resource without the bucket to write to, or a bucket without the Resource, is neither.
    """
    for state in ctx.states:
        writer = state.data.get("ResultWriter") if state.type == "Map" else None
        if not isinstance(writer, dict):
            continue
        bucket = "Arguments" if state.jsonata else "Parameters"
        if "Resource" in writer and bucket not in writer:
            yield diag(SCHEMA, f"ResultWriter needs {bucket} (the Amazon S3 bucket and prefix) with Resource; "
                               "use WriterConfig alone to format results without exporting them",
                       state.at("ResultWriter"))
        elif bucket in writer and "Resource" not in writer:
            yield diag(SCHEMA, f"ResultWriter needs Resource (arn:aws:states:::s3:putObject) with {bucket}",
                       state.at("ResultWriter", bucket))


RULES: list[Rule] = [
    labels,
    distributed_map,
    result_writer,
]
