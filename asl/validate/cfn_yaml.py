"""Load CloudFormation YAML: short-form tags (!Sub, !GetAtt, !Ref ...) become their long form.

`!Sub "x"` -> {"Fn::Sub": "x"}, `!Ref x` -> {"Ref": "x"}, `!GetAtt a.b` -> {"Fn::GetAtt": ["a", "b"]},
as CloudFormation reads them. Loading stays safe: only plain data is constructed.
"""

from __future__ import annotations

from typing import Any

from ..loader import Document, yaml_document


def _loader_class():
    import yaml

    class TemplateLoader(yaml.SafeLoader):
        """SafeLoader plus CloudFormation's short-form intrinsic function tags."""

    def construct(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix == "Ref":
            return {"Ref": value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        if suffix == "Condition":
            return {"Condition": value}
        return {"Fn::" + suffix: value}

    TemplateLoader.add_multi_constructor("!", construct)
    return TemplateLoader


def load_template(text: str, name: str) -> Document | None:
    """A Document for CloudFormation YAML text, or None when it is not valid YAML either."""
    import yaml

    try:
        return yaml_document(text, name, _loader_class())
    except yaml.YAMLError:
        return None
