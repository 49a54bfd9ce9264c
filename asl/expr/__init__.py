"""Expression languages of ASL: JSONPath, payload templates, intrinsic functions, JSONata."""
